//! What a frontend written for the original system relies on: the registration alias, the
//! NIST password policy, `audio_url` and the `{skill: level}` boundaries on answers, recorded
//! answers at `…/audio`, an idempotent completion, `/health`'s body, CORS preflights and the
//! `detail` on every error body.

use reqwest::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, CONTENT_TYPE, ORIGIN,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, error_code, finish_interview, spawn_app, spawn_app_with};

mod audio;
mod passwords;

/// Registers at `path` (the alias or the original route).
async fn register_at(app: &TestApp, path: &str, email: &str, password: &str) -> reqwest::Response {
    app.post_json(
        path,
        None,
        &json!({"email": email, "password": password, "full_name": "Ada Lovelace"}),
    )
    .await
}

#[tokio::test]
async fn candidates_register_is_auth_register_and_both_sign_ins_name_the_candidate() {
    let app = spawn_app().await;
    let response = register_at(
        &app,
        "/api/v1/candidates/register",
        "Ada@Example.com",
        PASSWORD,
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let registered: Value = response.json().await.unwrap();
    assert_eq!(registered["email"], "ada@example.com");
    assert_eq!(registered["token_type"], "bearer");
    let candidate_id = registered["candidate_id"].as_str().unwrap();
    let me: Value = app
        .get_json("/api/v1/auth/me", registered["token"].as_str())
        .await;
    assert_eq!(me["id"], candidate_id);

    // one account, whichever path made it
    let again = register_at(&app, "/api/v1/auth/register", "ada@example.com", PASSWORD).await;
    let (status, body) = error_code(again).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "email_taken");
    let login = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &json!({"email": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status(), StatusCode::OK);
    let login: Value = login.json().await.unwrap();
    assert!(login["token"].is_string());
    assert_eq!(login["candidate_id"], candidate_id);
    assert_eq!(login["email"], "ada@example.com");
    assert!(login["expires_at"].is_string());

    // the alias validates like the original
    let invalid = register_at(&app, "/api/v1/candidates/register", "not-an-email", "short").await;
    let (status, body) = error_code(invalid).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"]["fields"][0]["field"], "email");
}

#[tokio::test]
async fn the_candidates_alias_is_rate_limited_like_the_auth_routes() {
    let app = spawn_app_with(|settings| {
        settings.rate_limit.enabled = true;
        settings.rate_limit.per_second = 1;
        settings.rate_limit.burst = 2;
    })
    .await;
    let mut limited = None;
    for attempt in 0..10 {
        let response = register_at(
            &app,
            "/api/v1/candidates/register",
            &format!("limit{attempt}@example.com"),
            "x",
        )
        .await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(response);
            break;
        }
    }
    let response = limited.expect("10 quick requests must exceed a burst of 2 at 1/s");
    assert!(response.headers().contains_key("retry-after"));
    let (_, body) = error_code(response).await;
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(body["detail"], body["error"]["message"]);
}

#[tokio::test]
async fn completing_a_finished_interview_again_returns_its_summary_with_200() {
    let app = spawn_app().await;
    let candidate = app.register("ada@example.com").await;
    let started = app.start(&candidate.token, "python").await;
    let (id, first) = finish_interview(&app, &candidate.token, &started, 2).await;
    for _ in 0..2 {
        let again = app
            .post_json(
                &format!("/api/v1/interviews/{id}/complete"),
                Some(&candidate.token),
                &json!({}),
            )
            .await;
        assert_eq!(again.status(), StatusCode::OK);
        let again: Value = again.json().await.unwrap();
        for field in [
            "interview_id",
            "completed_at",
            "duration_seconds",
            "questions_answered",
            "skill_boundaries_identified",
        ] {
            assert_eq!(again[field], first[field], "{field}");
        }
    }
    let status: Value = app
        .get_json(
            &format!("/api/v1/interviews/{id}/status"),
            Some(&candidate.token),
        )
        .await;
    assert_eq!(status["status"], "completed");
}

#[tokio::test]
async fn health_says_healthy_with_version_and_timestamp_and_readiness_stays_apart() {
    let app = spawn_app().await;
    let health = app.get("/health", None).await;
    assert_eq!(health.status(), StatusCode::OK);
    let health: Value = health.json().await.unwrap();
    assert_eq!(health["status"], "healthy");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    let timestamp = health["timestamp"].as_str().unwrap();
    chrono::DateTime::parse_from_rfc3339(timestamp).unwrap();
    let ready: Value = app.get_json("/ready", None).await;
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["database"], "ok");
}

#[tokio::test]
async fn a_cors_preflight_allows_the_methods_and_headers_the_api_uses() {
    const FRONTEND: &str = "https://legacy.example.com";
    let app = spawn_app_with(|settings| {
        settings.server.cors_origins = vec![FRONTEND.to_owned()];
    })
    .await;
    for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        let response = app
            .client
            .request(Method::OPTIONS, app.url("/api/v1/interviews/start"))
            .header(ORIGIN, FRONTEND)
            .header(ACCESS_CONTROL_REQUEST_METHOD, method)
            .header(
                ACCESS_CONTROL_REQUEST_HEADERS,
                "authorization, content-type, idempotency-key",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{method}");
        let headers = response.headers();
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], FRONTEND);
        let methods = headers[ACCESS_CONTROL_ALLOW_METHODS].to_str().unwrap();
        assert!(methods.contains(method), "{method}: {methods}");
        let allowed = headers[ACCESS_CONTROL_ALLOW_HEADERS]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        for header in ["authorization", "content-type", "idempotency-key"] {
            assert!(allowed.contains(header), "{header}: {allowed}");
        }
    }
    // another origin is not allowed
    let refused = app
        .client
        .request(Method::OPTIONS, app.url("/api/v1/interviews/start"))
        .header(ORIGIN, "https://elsewhere.example")
        .header(ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .send()
        .await
        .unwrap();
    assert!(!refused.headers().contains_key(ACCESS_CONTROL_ALLOW_ORIGIN));
}

#[tokio::test]
async fn every_error_body_carries_detail_with_the_human_message() {
    let app = spawn_app().await;
    let candidate = app.register("ada@example.com").await;
    let started = app.start(&candidate.token, "react").await;
    let answer_url = app.url(&format!(
        "/api/v1/interviews/{}/messages",
        started["id"].as_str().unwrap()
    ));
    let client = &app.client;
    let cases = [
        ("no token", client.get(app.url("/api/v1/auth/me")), 401),
        (
            "unknown endpoint",
            client.get(app.url("/api/v1/nothing")),
            404,
        ),
        (
            "unrouted method",
            client.request(Method::TRACE, app.url("/health")),
            405,
        ),
        (
            "malformed JSON",
            client
                .post(&answer_url)
                .bearer_auth(&candidate.token)
                .header(CONTENT_TYPE, "application/json")
                .body("{"),
            400,
        ),
        (
            "wrong shape",
            client
                .post(&answer_url)
                .bearer_auth(&candidate.token)
                .json(&json!({"text": 1})),
            422,
        ),
        (
            "invalid registration",
            client
                .post(app.url("/api/v1/candidates/register"))
                .json(&json!({"email": "x", "password": "y", "full_name": "z"})),
            422,
        ),
        (
            "path that is not an id",
            client
                .get(app.url("/api/v1/interviews/not-a-uuid"))
                .bearer_auth(&candidate.token),
            404,
        ),
    ];
    for (name, request, expected) in cases {
        let (status, body) = error_code(request.send().await.unwrap()).await;
        assert_eq!(status.as_u16(), expected, "{name}: {body}");
        let detail = body["detail"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: {body}"));
        assert!(!detail.is_empty(), "{name}");
        assert_eq!(body["detail"], body["error"]["message"], "{name}: {body}");
        assert!(body["error"]["request_id"].is_string(), "{name}: {body}");
    }
}

#[tokio::test]
async fn the_openapi_document_describes_what_the_original_frontend_relies_on() {
    let app = spawn_app().await;
    let document: Value = app.get_json("/api/v1/openapi.json", None).await;
    let register = &document["paths"]["/api/v1/candidates/register"]["post"];
    for status in ["201", "409", "422", "429"] {
        assert!(
            register["responses"][status].is_object(),
            "register {status}"
        );
    }
    let audio = &document["paths"]["/api/v1/interviews/{id}/audio"]["post"];
    for status in [
        "200", "400", "401", "404", "409", "413", "415", "422", "503",
    ] {
        assert!(audio["responses"][status].is_object(), "audio {status}");
    }
    assert!(audio["requestBody"]["content"]["multipart/form-data"].is_object());
    let complete = &document["paths"]["/api/v1/interviews/{id}/complete"]["post"];
    assert!(complete["responses"]["200"].is_object());

    let schemas = &document["components"]["schemas"];
    let required = |schema: &str| -> Vec<String> {
        schemas[schema]["required"]
            .as_array()
            .unwrap_or_else(|| panic!("{schema}: {}", schemas[schema]))
            .iter()
            .map(|name| name.as_str().unwrap().to_owned())
            .collect()
    };
    assert!(required("ErrorResponse").contains(&"detail".to_owned()));
    for field in ["status", "version", "timestamp"] {
        assert!(
            required("HealthResponse").contains(&field.to_owned()),
            "{field}"
        );
    }
    for field in ["audio_url", "ai_audio_url"] {
        assert!(
            schemas["AnswerResponse"]["properties"][field].is_object(),
            "{field}"
        );
    }
    assert!(schemas["AudioAnswerForm"]["properties"]["message_sequence"].is_object());
    assert_eq!(
        schemas["SessionStateDto"]["properties"]["skill_boundaries"]["type"],
        "object"
    );
    assert!(document["paths"]["/health"]["get"]["responses"]["200"].is_object());
}
