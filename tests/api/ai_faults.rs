//! The AI provider failing and then slow, under an interview: answers are refused with 503 and
//! `Retry-After` (never a 500, nothing half-written), the breaker opens and stops sending,
//! reading goes on, a slow reply is cut at the timeout, and the interview resumes when the
//! provider does.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use server::config::AiProvider;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{
    GOOD_EVALUATION, REACT_QUESTION, TestApp, error_code, mount_chat, spawn_app_with,
};

/// Only a guard against a hang.
const HANG_GUARD: Duration = Duration::from_secs(20);

async fn healthy(server: &MockServer) {
    server.reset().await;
    mount_chat(server, GOOD_EVALUATION, REACT_QUESTION).await;
}

async fn chat_breaker(app: &TestApp) -> String {
    let status = app.get_json("/api/v1/ai/status", None).await;
    status["breaker_state"].as_str().unwrap().to_owned()
}

async fn answer(app: &TestApp, token: &str, id: &str) -> reqwest::Response {
    let request = app.answer(
        token,
        id,
        "Pure components render the same output for the same props and state.",
        1,
        Some("the-one-answer"),
    );
    tokio::time::timeout(HANG_GUARD, request)
        .await
        .expect("an answer within the AI timeout, not a hang")
}

#[tokio::test]
async fn a_failing_then_slow_provider_opens_the_breaker_and_the_interview_resumes_after() {
    let server = MockServer::start().await;
    healthy(&server).await;
    let base_url = format!("{}/v1", server.uri());
    let app = spawn_app_with(move |settings| {
        settings.ai.provider = AiProvider::Openai;
        settings.ai.openai.base_url = base_url;
        settings.ai.openai.api_key = Some("sk-test".to_owned().into());
        settings.ai.openai.retry.max_retries = 0;
        settings.ai.openai.retry.base_delay_ms = 1;
        settings.ai.openai.breaker.failure_threshold = 3;
        settings.ai.openai.breaker.open_seconds = 1;
        settings.ai.openai.breaker.half_open_trials = 1;
        settings.ai.openai.timeouts.chat_seconds = 0.5;
    })
    .await;
    let candidate = app.register("ada@example.com").await;
    let started = app.start(&candidate.token, "react").await;
    let id = started["id"].as_str().unwrap().to_owned();

    // a storm of 500s: each answer refused with 503 and when to come back
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(500).set_body_json(
            json!({"error": {"message": "boom", "type": "server_error", "code": null}}),
        ))
        .mount(&server)
        .await;
    for _ in 0..3 {
        let response = answer(&app, &candidate.token, &id).await;
        assert!(response.headers().get("retry-after").is_some());
        let (status, body) = error_code(response).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["error"]["code"], "ai_unavailable");
    }
    // the breaker is open: the provider is left alone, the answer refused at once
    assert_eq!(chat_breaker(&app).await, "open");
    let sent = server.received_requests().await.unwrap().len();
    let (status, _) = error_code(answer(&app, &candidate.token, &id).await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(server.received_requests().await.unwrap().len(), sent);

    // reading needs no AI and goes on; nothing of the refused answers was kept
    let read = app
        .get(&format!("/api/v1/interviews/{id}"), Some(&candidate.token))
        .await;
    assert_eq!(read.status(), StatusCode::OK);
    let transcript: Value = app
        .get_json(
            &format!("/api/v1/interviews/{id}/transcript"),
            Some(&candidate.token),
        )
        .await;
    assert_eq!(transcript["messages"].as_array().unwrap().len(), 1);

    // a provider that is slow past the timeout: the answer is cut off, not left waiting
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let until = Instant::now();
    while chat_breaker(&app).await == "open" {
        assert!(
            until.elapsed() < HANG_GUARD,
            "the breaker never half-opened"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, body) = error_code(answer(&app, &candidate.token, &id).await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");

    // the provider recovers: once the breaker lets a trial through, the same answer goes in once
    healthy(&server).await;
    let until = Instant::now();
    let body: Value = loop {
        let response = answer(&app, &candidate.token, &id).await;
        if response.status() == StatusCode::OK {
            break response.json().await.unwrap();
        }
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(until.elapsed() < HANG_GUARD, "the interview never resumed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(body["ai_sequence_number"], 3);
    let transcript: Value = app
        .get_json(
            &format!("/api/v1/interviews/{id}/transcript"),
            Some(&candidate.token),
        )
        .await;
    assert_eq!(transcript["messages"].as_array().unwrap().len(), 3);
}
