//! `GET /metrics`: the Prometheus exposition. The recorder is global to the test process and
//! the tests run in parallel, so every check is on a series being there or having grown, never
//! on a total.

use std::collections::HashMap;

use crate::helpers::{
    TestApp, error_code, finish_interview, mount_chat, spawn_app, spawn_app_with,
};
use reqwest::StatusCode;
use secrecy::SecretString;

const TOKEN: &str = "metrics-scrape-token-0123456789";

/// Series (name with labels, as rendered) → value.
fn parse(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect()
}

async fn scrape(app: &TestApp, token: Option<&str>) -> (String, HashMap<String, f64>) {
    let response = app.get("/metrics", token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    let series = parse(&text);
    (text, series)
}

fn value(series: &HashMap<String, f64>, name: &str) -> f64 {
    series.get(name).copied().unwrap_or(0.0)
}

/// Whether `text` holds something shaped like a UUID (8-4-4-4-12 hex digits).
fn holds_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    let shape = [8, 4, 4, 4, 12];
    (0..bytes.len()).any(|start| {
        let mut at = start;
        shape.iter().enumerate().all(|(index, length)| {
            let end = at + length;
            let hex = end <= bytes.len() && bytes[at..end].iter().all(u8::is_ascii_hexdigit);
            let dash = index == shape.len() - 1 || bytes.get(end) == Some(&b'-');
            at = end + 1;
            hex && dash
        })
    })
}

#[test]
fn the_uuid_check_finds_uuids_and_nothing_else() {
    assert!(holds_uuid(
        r#"x{route="/a/0190b1a2-0000-7000-8000-00000000abcd"}"#
    ));
    assert!(!holds_uuid(r#"x{route="/api/v1/interviews/{id}"} 3"#));
}

#[tokio::test]
async fn requests_are_counted_by_route_template_and_no_label_holds_an_id() {
    let app = spawn_app().await;
    let (_, before) = scrape(&app, None).await;
    let candidate = app.register("metrics@example.com").await;
    let started = app.start(&candidate.token, "react").await;
    let id = started["id"].as_str().unwrap();
    let own = app
        .get(&format!("/api/v1/interviews/{id}"), Some(&candidate.token))
        .await;
    assert_eq!(own.status(), StatusCode::OK);
    let unknown = uuid::Uuid::now_v7();
    let missing = app
        .get(
            &format!("/api/v1/interviews/{unknown}"),
            Some(&candidate.token),
        )
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let nowhere = app.get(&format!("/no/such/path/{unknown}"), None).await;
    assert_eq!(nowhere.status(), StatusCode::NOT_FOUND);
    for _ in 0..2 {
        let answered = app
            .answer(
                &candidate.token,
                id,
                "Hooks keep state between renders.",
                1,
                Some("metrics-answer"),
            )
            .await;
        assert_eq!(answered.status(), StatusCode::OK);
    }

    let (text, after) = scrape(&app, None).await;
    let grew = |name: &str| value(&after, name) > value(&before, name);
    for series in [
        r#"interview_http_requests_total{method="GET",route="/api/v1/interviews/{id}",status="200"}"#,
        r#"interview_http_requests_total{method="GET",route="/api/v1/interviews/{id}",status="404"}"#,
        r#"interview_http_requests_total{method="GET",route="unmatched",status="404"}"#,
        r#"interview_http_requests_total{method="POST",route="/api/v1/interviews/{id}/messages",status="200"}"#,
        r#"interview_http_request_duration_seconds_count{method="GET",route="/api/v1/interviews/{id}"}"#,
        r#"interview_turns_total{mode="text",outcome="answered"}"#,
        r#"interview_turns_total{mode="text",outcome="replayed"}"#,
    ] {
        assert!(grew(series), "{series} did not grow:\n{text}");
    }
    assert!(!holds_uuid(&text), "an id in a label:\n{text}");
    assert!(!text.contains("/no/such/path"), "a raw path in a label");
    // this scrape itself is in flight
    assert!(
        value(&after, "interview_http_requests_in_flight") >= 1.0,
        "{text}"
    );
    assert!(
        after.contains_key(r#"interview_http_request_duration_seconds_bucket{method="GET",route="/api/v1/interviews/{id}",le="0.005"}"#),
        "{text}"
    );
    for series in [
        r#"interview_jobs{kind="assessment",state="queued"}"#,
        r#"interview_jobs{kind="assessment",state="running"}"#,
        r#"interview_jobs{kind="assessment",state="failed"}"#,
        r#"interview_db_pool_connections{state="in_use"}"#,
        r#"interview_db_pool_connections{state="idle"}"#,
        "interview_db_pool_max_connections",
        "interview_realtime_sessions_open",
    ] {
        assert!(after.contains_key(series), "{series} missing:\n{text}");
    }
    assert!(text.contains("# TYPE interview_ai_cost_usd_total counter"));
    assert!(text.contains("# HELP interview_turns_total"));
}

#[tokio::test]
async fn a_finished_interview_queues_its_assessment_in_the_jobs_gauge() {
    let app = spawn_app_with(|settings| settings.jobs.workers = 0).await;
    let candidate = app.register("jobs@example.com").await;
    let started = app.start(&candidate.token, "python").await;
    finish_interview(&app, &candidate.token, &started, 1).await;
    // no worker on this node: the assessment waits. The gauge is global to the test process
    // and another app's scrape may set it from its own database between this scrape's refresh
    // and its rendering, so a few scrapes are allowed
    let queued = r#"interview_jobs{kind="assessment",state="queued"}"#;
    let mut seen = Vec::new();
    for _ in 0..5 {
        let (_, series) = scrape(&app, None).await;
        seen.push(value(&series, queued));
        if seen.iter().any(|count| *count >= 1.0) {
            return;
        }
    }
    panic!("the queued assessment was never counted: {seen:?}");
}

#[tokio::test]
async fn with_a_token_only_its_bearer_reads_the_metrics() {
    let app = spawn_app_with(|settings| {
        settings.metrics.token = Some(SecretString::from(TOKEN));
    })
    .await;
    for token in [None, Some("wrong-token-0123456789")] {
        let (status, body) = error_code(app.get("/metrics", token).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["error"]["code"], "unauthorized");
        assert!(body["error"]["request_id"].is_string());
    }
    let basic = app
        .client
        .get(app.url("/metrics"))
        .header("Authorization", format!("Basic {TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
    let (text, _) = scrape(&app, Some(TOKEN)).await;
    assert!(text.contains("interview_http_requests_total"), "{text}");
    // refused scrapes are requests like any other
    assert!(
        text.contains(
            r#"interview_http_requests_total{method="GET",route="/metrics",status="401"}"#
        ),
        "{text}"
    );
}

#[tokio::test]
async fn ai_calls_their_cost_and_the_breakers_are_measured() {
    let server = wiremock::MockServer::start().await;
    mount_chat(
        &server,
        r#"{"answer_quality":"good","technical_accuracy":0.8,"explanation_clarity":0.75,
               "identified_skills":["hooks"],"skill_boundaries_detected":[],
               "rationale":"Solid."}"#,
        "How do hooks keep state between renders?",
    )
    .await;
    let base_url = format!("{}/v1", server.uri());
    let app = spawn_app_with(move |settings| {
        settings.ai.provider = server::config::AiProvider::Openai;
        settings.ai.openai.base_url = base_url;
        settings.ai.openai.api_key = Some("sk-test".to_owned().into());
        settings.ai.openai.retry.max_retries = 0;
    })
    .await;
    let (_, before) = scrape(&app, None).await;
    let candidate = app.register("ai-metrics@example.com").await;
    let started = app.start(&candidate.token, "react").await;
    let id = started["id"].as_str().unwrap();
    let answered = app
        .answer(
            &candidate.token,
            id,
            "Hooks keep state in the fiber.",
            1,
            None,
        )
        .await;
    assert_eq!(answered.status(), StatusCode::OK);

    let (text, after) = scrape(&app, None).await;
    let calls = r#"interview_ai_calls_total{endpoint="chat",outcome="success"}"#;
    // the opening question, the evaluation and the next question
    assert!(
        value(&after, calls) >= value(&before, calls) + 3.0,
        "{text}"
    );
    let cost = r#"interview_ai_cost_usd_total{endpoint="chat"}"#;
    assert!(value(&after, cost) > value(&before, cost), "{text}");
    assert!(
        after.contains_key(
            r#"interview_ai_call_duration_seconds_bucket{endpoint="chat",le="0.05"}"#
        ),
        "{text}"
    );
    assert!(
        after.contains_key(r#"interview_ai_breaker_state{endpoint="chat"}"#),
        "{text}"
    );
}
