//! Two server processes' worth of nodes on one database, the client alternating between them:
//! one interview answered across both, an idempotent retry sent to the other node, and a logout
//! on one refused on the other within the revocation cache's window (1 s).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app, spawn_app_with, strong_answer};

async fn second_node(first: &TestApp) -> TestApp {
    let database = first.database_url.clone();
    let storage = first.storage.clone();
    spawn_app_with(move |settings| {
        settings.database.url = database;
        settings.storage = storage;
    })
    .await
}

#[tokio::test]
async fn an_interview_answered_across_two_nodes_stays_whole_and_a_retry_on_the_other_node_is_replayed()
 {
    let one = spawn_app().await;
    let two = second_node(&one).await;
    let nodes = [&one, &two];
    let candidate = one.register("ada@example.com").await;
    let started = two.start(&candidate.token, "python").await;
    let id = started["id"].as_str().unwrap();
    let mut question = started["first_question"]["content_text"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut open = 1;
    for turn in 0..4 {
        let node = nodes[turn % 2];
        let key = format!("turn-{turn}");
        let text = strong_answer(&question);
        let response = node
            .answer(&candidate.token, id, &text, open, Some(&key))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        // the same request again, on the other node: the same reply, nothing answered twice
        let retry = nodes[(turn + 1) % 2]
            .answer(&candidate.token, id, &text, open, Some(&key))
            .await;
        assert_eq!(retry.status(), StatusCode::OK);
        let replayed: Value = retry.json().await.unwrap();
        assert_eq!(replayed["ai_sequence_number"], body["ai_sequence_number"]);
        assert_eq!(replayed["ai_response"], body["ai_response"]);
        open = body["ai_sequence_number"].as_i64().unwrap();
        body["ai_response"]
            .as_str()
            .unwrap()
            .clone_into(&mut question);
    }
    for node in nodes {
        let transcript = node
            .get_json(
                &format!("/api/v1/interviews/{id}/transcript"),
                Some(&candidate.token),
            )
            .await;
        let messages = transcript["messages"].as_array().unwrap();
        // the opening question, then four answers and four questions, each once, in order
        assert_eq!(messages.len(), 9, "{transcript}");
        let sequence: Vec<i64> = messages
            .iter()
            .map(|message| message["sequence_number"].as_i64().unwrap())
            .collect();
        assert_eq!(sequence, (1..=9).collect::<Vec<_>>());
    }
}

#[tokio::test]
async fn a_logout_on_one_node_is_refused_on_the_other_within_a_second() {
    let one = spawn_app().await;
    let two = second_node(&one).await;
    let candidate = one.register("ada@example.com").await;
    let me = two.get("/api/v1/auth/me", Some(&candidate.token)).await;
    assert_eq!(me.status(), StatusCode::OK);
    let logout = one
        .post_json(
            "/api/v1/auth/logout",
            Some(&candidate.token),
            &serde_json::json!({}),
        )
        .await;
    assert!(logout.status().is_success(), "{}", logout.status());
    assert_eq!(
        one.get("/api/v1/auth/me", Some(&candidate.token))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // the other node reloads revocations at most a second old; the guard is generous
    let started = Instant::now();
    loop {
        let status = two
            .get("/api/v1/auth/me", Some(&candidate.token))
            .await
            .status();
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert_eq!(status, StatusCode::OK);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the other node still accepts a logged-out token"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
