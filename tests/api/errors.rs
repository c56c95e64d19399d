use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

use crate::helpers::{error_code, spawn_app};

#[tokio::test]
async fn bad_input_gets_a_json_4xx_never_a_500() {
    let app = spawn_app().await;
    let candidate = app.register("ada@example.com").await;
    let started = app.start(&candidate.token, "python").await;
    let id = started["id"].as_str().unwrap();
    let answer_url = app.url(&format!("/api/v1/interviews/{id}/messages"));
    let start_url = app.url("/api/v1/interviews/start");

    let cases: Vec<(&str, reqwest::RequestBuilder, StatusCode, &str)> = vec![
        (
            "malformed JSON",
            app.client
                .post(&start_url)
                .header(CONTENT_TYPE, "application/json")
                .body("{\"role_type\": "),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "wrong type",
            app.client.post(&start_url).json(&json!({"role_type": 42})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "missing field",
            app.client
                .post(&answer_url)
                .json(&json!({"in_reply_to": 1})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            // serde's structs also take an array of their fields: `[]` was "all defaults"
            "an array for an object",
            app.client.post(&start_url).json(&json!([null, null])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "unknown role",
            app.client
                .post(&start_url)
                .json(&json!({"role_type": "cobol"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "empty answer",
            app.client
                .post(&answer_url)
                .json(&json!({"message_text": "   ", "in_reply_to": 1})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "oversized body",
            app.client
                .post(&answer_url)
                .json(&json!({"message_text": "x".repeat(1_100_000)})),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            "not JSON",
            app.client
                .post(&answer_url)
                .header(CONTENT_TYPE, "text/plain")
                .body("hello"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "bad idempotency key",
            app.client
                .post(&answer_url)
                .header("Idempotency-Key", "has spaces in it")
                .json(&json!({"message_text": "hi", "in_reply_to": 1})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "answer to a question that is not open",
            app.client
                .post(&answer_url)
                .json(&json!({"message_text": "hi", "in_reply_to": 7})),
            StatusCode::CONFLICT,
            "conflict",
        ),
        (
            "id that is not a UUID",
            app.client.get(app.url("/api/v1/interviews/not-a-uuid")),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "unknown interview",
            app.client
                .get(app.url(&format!("/api/v1/interviews/{}", uuid::Uuid::now_v7()))),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "page too large",
            app.client
                .get(app.url(&format!("/api/v1/interviews/{id}/messages?limit=5000"))),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "page not a number",
            app.client
                .get(app.url(&format!("/api/v1/interviews/{id}/messages?skip=abc"))),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "unknown endpoint",
            app.client.get(app.url("/api/v1/nothing-here")),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ];
    for (name, request, expected_status, expected_code) in cases {
        let response = request.bearer_auth(&candidate.token).send().await.unwrap();
        let request_id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let (status, body) = error_code(response).await;
        assert_eq!(status, expected_status, "{name}: {body}");
        assert_eq!(body["error"]["code"], expected_code, "{name}: {body}");
        assert_eq!(body["error"]["request_id"], request_id.as_str(), "{name}");
    }
    // nothing of that reached the transcript
    let page: Value = app
        .get_json(
            &format!("/api/v1/interviews/{id}/messages"),
            Some(&candidate.token),
        )
        .await;
    assert_eq!(page["total_count"], 1);
}

#[tokio::test]
async fn a_client_request_id_is_echoed_and_quoted_in_errors() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/api/v1/auth/me"))
        .header("X-Request-Id", "frontend-1234")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "frontend-1234");
    let (_, body) = error_code(response).await;
    assert_eq!(body["error"]["request_id"], "frontend-1234");
    // an unacceptable id is replaced, not echoed
    let response = app
        .client
        .get(app.url("/health"))
        .header("X-Request-Id", "bad id with spaces")
        .send()
        .await
        .unwrap();
    assert_ne!(response.headers()["x-request-id"], "bad id with spaces");
}

#[tokio::test]
async fn the_realtime_route_checks_the_token_before_asking_for_an_upgrade() {
    let app = spawn_app().await;
    let candidate = app.register("ada@example.com").await;
    let started = app.start(&candidate.token, "python").await;
    let id = started["id"].as_str().unwrap();
    let connect = format!("/api/v1/interviews/{id}/realtime/connect");

    let (status, body) = error_code(app.get(&connect, None).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "unauthorized");
    let (status, body) =
        error_code(app.get(&format!("{connect}?token=not-a-jwt"), None).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // a valid token, but no upgrade
    let (status, body) = error_code(app.get(&connect, Some(&candidate.token)).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
