//! The realtime WebSocket, driven as a browser would: refusals arrive as an `error` frame and a
//! close code.

use futures_util::StreamExt;
use serde_json::Value;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::helpers::{TestApp, spawn_app};

fn ws_url(app: &TestApp, interview: &str, token: Option<&str>) -> String {
    let base = app.address.replacen("http", "ws", 1);
    let url = format!("{base}/api/v1/interviews/{interview}/realtime/connect");
    match token {
        Some(token) => format!("{url}?token={token}"),
        None => url,
    }
}

/// The frames a server sends before it closes, and the close code.
async fn refusal(url: &str) -> (Vec<Value>, Option<CloseCode>) {
    let (mut socket, _) = connect_async(url).await.expect("the upgrade is accepted");
    let mut frames = Vec::new();
    while let Some(message) = socket.next().await {
        match message.expect("a readable frame") {
            Message::Text(text) => frames.push(serde_json::from_str(&text).unwrap()),
            Message::Close(frame) => return (frames, frame.map(|frame| frame.code)),
            _ => {}
        }
    }
    (frames, None)
}

#[tokio::test]
async fn a_realtime_connection_without_a_valid_token_is_refused_with_a_policy_close() {
    let app = spawn_app().await;
    let candidate = app.register("ada@example.com").await;
    let started = app.start(&candidate.token, "python").await;
    let id = started["id"].as_str().unwrap();
    for token in [None, Some("not-a-token")] {
        let (frames, code) = refusal(&ws_url(&app, id, token)).await;
        assert_eq!(frames.len(), 1, "{frames:?}");
        assert_eq!(frames[0]["type"], "error");
        assert_eq!(frames[0]["error"], "AUTHENTICATION_FAILED");
        assert_eq!(code, Some(CloseCode::Policy));
    }
}

#[tokio::test]
async fn somebody_elses_interview_is_not_active_for_the_caller() {
    let app = spawn_app().await;
    let owner = app.register("owner@example.com").await;
    let stranger = app.register("stranger@example.com").await;
    let started = app.start(&owner.token, "react").await;
    let id = started["id"].as_str().unwrap();
    let (frames, code) = refusal(&ws_url(&app, id, Some(&stranger.token))).await;
    assert_eq!(frames[0]["error"], "INTERVIEW_NOT_ACTIVE", "{frames:?}");
    assert_eq!(code, Some(CloseCode::Policy));
}

#[tokio::test]
async fn without_a_realtime_provider_the_socket_says_so_and_the_interview_is_untouched() {
    let app = spawn_app().await;
    let candidate = app.register("ada@example.com").await;
    let started = app.start(&candidate.token, "python").await;
    let id = started["id"].as_str().unwrap();
    let before = app
        .get_json(&format!("/api/v1/interviews/{id}"), Some(&candidate.token))
        .await;
    let (frames, code) = refusal(&ws_url(&app, id, Some(&candidate.token))).await;
    assert_eq!(frames[0]["error"], "REALTIME_UNAVAILABLE", "{frames:?}");
    assert_eq!(code, Some(CloseCode::Error));
    let after = app
        .get_json(&format!("/api/v1/interviews/{id}"), Some(&candidate.token))
        .await;
    assert_eq!(before, after);
}

#[tokio::test]
async fn starting_a_realtime_interview_without_a_provider_is_a_503_that_names_the_cause() {
    let app = spawn_app().await;
    let candidate = app.register("ada@example.com").await;
    let response = app
        .post_json(
            "/api/v1/interviews/start",
            Some(&candidate.token),
            &serde_json::json!({"role_type": "python", "mode": "realtime"}),
        )
        .await;
    let (status, body) = crate::helpers::error_code(response).await;
    assert_eq!(status, reqwest::StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "realtime_unavailable");
    let listed = app
        .get_json("/api/v1/interviews", Some(&candidate.token))
        .await;
    assert_eq!(listed, serde_json::json!([]));
}
