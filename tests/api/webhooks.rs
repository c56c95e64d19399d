//! Webhooks over HTTP: a receiver on loopback gets the organization's events signed, a failing
//! receiver gets retries that the delivery log shows until the endpoint switches itself off,
//! and only admins of the organization manage endpoints.

use std::collections::BTreeMap;
use std::time::Duration;

use interview_core::rules::webhook_signature::verify;
use reqwest::StatusCode;
use serde_json::{Value, json};
use server::config::Settings;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{TestApp, error_code, spawn_app, spawn_app_with};
use crate::recruiters::{
    Staff, add_user, admin_of, fast_jobs, finish, interview_for_job, post_job, react_job,
};

const ALL_EVENTS: [&str; 4] = [
    "application.created",
    "interview.completed",
    "assessment.ready",
    "decision.made",
];

fn loopback_webhooks(settings: &mut Settings) {
    fast_jobs(settings);
    settings.webhooks.allow_private = true;
    settings.webhooks.disable_after_failures = 3;
    settings.webhooks.timeout_seconds = 5;
}

async fn register(app: &TestApp, admin: &Staff, url: &str, events: &[&str]) -> (String, String) {
    let response = app
        .post_json(
            "/api/v1/recruiter/webhooks",
            Some(&admin.token),
            &json!({"url": url, "event_types": events}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["is_active"], true);
    assert_eq!(body["organization_id"], admin.organization.as_str());
    (
        body["id"].as_str().unwrap().to_owned(),
        body["secret"].as_str().unwrap().to_owned(),
    )
}

/// Waits until `receiver` has had at least `count` requests.
async fn received(receiver: &MockServer, count: usize) -> Vec<wiremock::Request> {
    for _ in 0..1_500 {
        let requests = receiver.received_requests().await.unwrap_or_default();
        if requests.len() >= count {
            return requests;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the receiver did not get {count} deliveries");
}

/// Waits until the endpoint's log satisfies `done`.
async fn log_when(
    app: &TestApp,
    admin: &Staff,
    id: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    for _ in 0..1_500 {
        let log = app
            .get_json(
                &format!("/api/v1/recruiter/webhooks/{id}/deliveries"),
                Some(&admin.token),
            )
            .await;
        let attempts = log.as_array().unwrap().clone();
        if done(&attempts) {
            return attempts;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the delivery log of {id} never settled");
}

fn header<'a>(request: &'a wiremock::Request, name: &str) -> &'a str {
    request
        .headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn a_receiver_gets_signed_events_and_a_failing_one_is_retried_then_switched_off() {
    let app = spawn_app_with(loopback_webhooks).await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&receiver)
        .await;
    let failing = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&failing)
        .await;
    let admin = admin_of(&app, "Acme", "ada@acme.example").await;
    let (hook, secret) = register(
        &app,
        &admin,
        &format!("{}/hook", receiver.uri()),
        &ALL_EVENTS,
    )
    .await;
    let (broken, _) = register(
        &app,
        &admin,
        &format!("{}/broken", failing.uri()),
        &["interview.completed"],
    )
    .await;
    assert_ne!(hook, broken);

    let posting = post_job(&app, &admin.token, &react_job("open")).await;
    let candidate = app.register("cara@example.com").await;
    let (application, started) = interview_for_job(&app, &candidate.token, &posting).await;
    let interview = finish(&app, &candidate.token, &started, 2).await;
    // the decision waits for nothing but the interview's end
    let decided = app
        .post_json(
            &format!("/api/v1/recruiter/interviews/{interview}/decision"),
            Some(&admin.token),
            &json!({"decision": "advance", "note": "Strong."}),
        )
        .await;
    assert_eq!(decided.status(), StatusCode::CREATED);

    let requests = received(&receiver, 4).await;
    let mut by_type = BTreeMap::new();
    for request in &requests {
        let timestamp: i64 = header(request, "X-Webhook-Timestamp").parse().unwrap();
        assert!(
            verify(
                &secret,
                timestamp,
                &request.body,
                header(request, "X-Signature-256")
            ),
            "a delivery with a bad signature"
        );
        assert!(!verify(
            "whsec_wrong",
            timestamp,
            &request.body,
            header(request, "X-Signature-256")
        ));
        assert_eq!(header(request, "Content-Type"), "application/json");
        let event: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(
            header(request, "X-Webhook-Event"),
            event["type"].as_str().unwrap()
        );
        assert_eq!(
            header(request, "X-Webhook-Id"),
            event["id"].as_str().unwrap()
        );
        assert_eq!(event["organization_id"], admin.organization.as_str());
        by_type.insert(event["type"].as_str().unwrap().to_owned(), event);
    }
    assert_eq!(by_type.len(), 4, "one of each event: {:?}", by_type.keys());
    assert_eq!(
        by_type["application.created"]["data"]["application_id"],
        application.as_str()
    );
    assert_eq!(
        by_type["application.created"]["data"]["job_posting_id"],
        posting.as_str()
    );
    let completed = &by_type["interview.completed"]["data"];
    assert_eq!(completed["interview_id"], interview.as_str());
    assert_eq!(completed["candidate_id"], candidate.id.as_str());
    assert_eq!(completed["completion_reason"], "candidate_requested");
    let ready = &by_type["assessment.ready"]["data"];
    assert_eq!(ready["interview_id"], interview.as_str());
    assert_eq!(ready["version"], 1);
    assert!(ready["overall_score"].as_u64().unwrap() <= 100);
    let decision = &by_type["decision.made"]["data"];
    assert_eq!(
        (decision["decision"].as_str(), decision["note"].as_str()),
        (Some("advance"), Some("Strong."))
    );
    assert_eq!(decision["decided_by"], admin.id.as_str());

    // the log of the good endpoint: four first attempts, all delivered
    let log = log_when(&app, &admin, &hook, |attempts| attempts.len() >= 4).await;
    assert_eq!(log.len(), 4);
    assert!(log.iter().all(|attempt| attempt["succeeded"] == true
        && attempt["status_code"] == 204
        && attempt["attempt"] == 1));
    let good = app
        .get_json(
            &format!("/api/v1/recruiter/webhooks/{hook}"),
            Some(&admin.token),
        )
        .await;
    assert!(good["last_delivered_at"].is_string());
    assert_eq!(good["consecutive_failures"], 0);
    assert!(good.get("secret").is_none(), "the secret is shown once");

    // the failing endpoint: retried (attempts 1, 2, 3 of one delivery), then switched off
    let log = log_when(&app, &admin, &broken, |attempts| attempts.len() >= 3).await;
    let numbers: Vec<u64> = log
        .iter()
        .map(|attempt| attempt["attempt"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, vec![3, 2, 1], "newest first");
    for attempt in &log {
        assert_eq!(attempt["succeeded"], false);
        assert_eq!(attempt["status_code"], 503);
        assert_eq!(attempt["error"], "the receiver answered 503");
        assert_eq!(attempt["event_type"], "interview.completed");
        assert_eq!(attempt["delivery_id"], log[0]["delivery_id"]);
    }
    assert_eq!(failing.received_requests().await.unwrap().len(), 3);
    let off = app
        .get_json(
            &format!("/api/v1/recruiter/webhooks/{broken}"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(off["is_active"], false);
    assert_eq!(off["consecutive_failures"], 3);
    assert!(
        off["disabled_reason"]
            .as_str()
            .unwrap()
            .contains("3 failed deliveries in a row")
    );

    // switched back on, it starts again from zero
    let on = app
        .patch_json(
            &format!("/api/v1/recruiter/webhooks/{broken}"),
            Some(&admin.token),
            &json!({"is_active": true}),
        )
        .await;
    assert_eq!(on.status(), StatusCode::OK);
    let on: Value = on.json().await.unwrap();
    assert_eq!(
        (
            on["is_active"].as_bool(),
            on["consecutive_failures"].as_u64()
        ),
        (Some(true), Some(0))
    );
    assert!(on["disabled_reason"].is_null());
}

#[tokio::test]
async fn endpoints_are_checked_and_only_an_organizations_admins_manage_them() {
    let app = spawn_app().await;
    let admin = admin_of(&app, "Acme", "ada@acme.example").await;
    let recruiter = add_user(&app, &admin, "rita@acme.example", "recruiter").await;
    let other = admin_of(&app, "Beta", "bob@beta.example").await;
    let candidate = app.register("cara@example.com").await;
    let create = "/api/v1/recruiter/webhooks";

    // private and loopback targets are refused by default; so are other schemes and no events
    for (body, field) in [
        (
            json!({"url": "http://127.0.0.1:9000/hook", "event_types": ["decision.made"]}),
            "url",
        ),
        (
            json!({"url": "http://169.254.169.254/latest", "event_types": ["decision.made"]}),
            "url",
        ),
        (
            json!({"url": "ftp://ats.example.com/", "event_types": ["decision.made"]}),
            "url",
        ),
        (
            json!({"url": "https://ats.example.com/", "event_types": []}),
            "event_types",
        ),
        (
            json!({"url": "https://ats.example.com/", "event_types": ["interview.started"]}),
            "event_types",
        ),
    ] {
        let (status, error) =
            error_code(app.post_json(create, Some(&admin.token), &body).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            error["error"]["details"]["fields"][0]["field"], field,
            "{body}"
        );
    }
    let body = json!({"url": "https://ats.example.com/hook", "event_types": ["decision.made"]});
    let (status, _) = error_code(app.post_json(create, Some(&recruiter.token), &body).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = error_code(app.post_json(create, Some(&candidate.token), &body).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (id, secret) = register(
        &app,
        &admin,
        "https://ats.example.com/hook",
        &["decision.made"],
    )
    .await;
    assert!(secret.starts_with("whsec_"));

    let listed = app.get_json(create, Some(&admin.token)).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(listed[0].get("secret").is_none());
    assert_eq!(app.get_json(create, Some(&other.token)).await, json!([]));
    let one = format!("/api/v1/recruiter/webhooks/{id}");
    for path in [one.clone(), format!("{one}/deliveries")] {
        let (status, _) = error_code(app.get(&path, Some(&other.token)).await).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{path}: another organization's"
        );
        let (status, _) = error_code(app.get(&path, Some(&recruiter.token)).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        app.get_json(&format!("{one}/deliveries"), Some(&admin.token))
            .await,
        json!([])
    );
    let (status, error) = error_code(
        app.get(&format!("{one}/deliveries?limit=0"), Some(&admin.token))
            .await,
    )
    .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_query"))
    );
    let changed = app
        .patch_json(
            &one,
            Some(&admin.token),
            &json!({"event_types": ["assessment.ready", "decision.made"]}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(
        changed["event_types"],
        json!(["assessment.ready", "decision.made"])
    );

    let delete = |token: &str| app.client.delete(app.url(&one)).bearer_auth(token).send();
    assert_eq!(
        delete(&other.token).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        delete(&admin.token).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let (status, _) = error_code(app.get(&one, Some(&admin.token)).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
