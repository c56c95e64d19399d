use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{error_code, spawn_app, strong_answer};

const LEVELS: [&str; 5] = [
    "warmup",
    "fundamental",
    "intermediate",
    "advanced",
    "expert",
];

fn rank(level: &str) -> usize {
    LEVELS.iter().position(|l| *l == level).unwrap()
}

#[tokio::test]
async fn a_whole_interview_runs_over_http_from_registration_to_transcript() {
    let app = spawn_app().await;
    let candidate = app.register("ada@example.com").await;
    // log in again, as a returning frontend would
    let login = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &serde_json::json!({"email": "ada@example.com", "password": crate::helpers::PASSWORD}),
        )
        .await;
    assert_eq!(login.status(), StatusCode::OK);
    let token = login.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(token, candidate.token);

    let started = app.start(&token, "python").await;
    let id = started["id"].as_str().unwrap().to_owned();
    assert_eq!(started["status"], "in_progress");
    assert_eq!(started["candidate_id"], candidate.id.as_str());
    assert_eq!(started["first_question"]["sequence_number"], 1);
    let mut question = started["first_question"]["content_text"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut open = 1;
    let mut answers = 0;
    let mut highest = 0;
    let mut last = Value::Null;
    while answers < 20 {
        let response = app
            .answer(&token, &id, &strong_answer(&question), open, None)
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{}", app.database);
        let body: Value = response.json().await.unwrap();
        answers += 1;
        highest = highest.max(rank(
            body["session_state"]["current_difficulty"]
                .as_str()
                .unwrap(),
        ));
        assert_eq!(
            body["transcript"].as_str().unwrap(),
            strong_answer(&question)
        );
        assert_eq!(body["total_questions"], 12);
        question = body["ai_response"].as_str().unwrap().to_owned();
        open = body["ai_sequence_number"].as_i64().unwrap();
        let done = body["interview_complete"].as_bool().unwrap();
        last = body;
        if done {
            break;
        }
    }
    assert!((8..=12).contains(&answers), "{answers} answers");
    assert!(
        highest > rank("intermediate"),
        "the ladder only reached {}",
        LEVELS[highest]
    );
    assert!(last["completion_reason"].is_string());

    // completing a completed interview is idempotent
    let complete = app
        .post_json(
            &format!("/api/v1/interviews/{id}/complete"),
            Some(&token),
            &Value::Null,
        )
        .await;
    assert_eq!(complete.status(), StatusCode::OK);
    let summary: Value = complete.json().await.unwrap();
    assert_eq!(summary["questions_answered"], answers);
    assert_eq!(summary["interview_id"], id.as_str());

    let transcript: Value = app
        .get_json(&format!("/api/v1/interviews/{id}/transcript"), Some(&token))
        .await;
    let messages = transcript["messages"].as_array().unwrap();
    assert_eq!(messages.len(), answers * 2 + 1);
    let sequence: Vec<i64> = messages
        .iter()
        .map(|m| m["sequence_number"].as_i64().unwrap())
        .collect();
    assert_eq!(
        sequence,
        (1..=i64::try_from(messages.len()).unwrap()).collect::<Vec<_>>()
    );
    assert!(transcript["completed_at"].is_string());

    let status: Value = app
        .get_json(&format!("/api/v1/interviews/{id}/status"), Some(&token))
        .await;
    assert_eq!(status["status"], "completed");
    assert_eq!(
        status["redirect_to"],
        format!("/api/v1/interviews/{id}/transcript")
    );

    let listed: Value = app.get_json("/api/v1/interviews", Some(&token)).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["status"], "completed");
}

#[tokio::test]
async fn a_fresh_client_recovers_an_interview_in_progress() {
    let app = spawn_app().await;
    let candidate = app.register("ada@example.com").await;
    let started = app.start(&candidate.token, "react").await;
    let id = started["id"].as_str().unwrap();
    let first = started["first_question"]["content_text"].as_str().unwrap();
    let reply: Value = app
        .answer(&candidate.token, id, &strong_answer(first), 1, None)
        .await
        .json()
        .await
        .unwrap();

    let fresh = reqwest::Client::new();
    let status: Value = fresh
        .get(app.url(&format!("/api/v1/interviews/{id}/status")))
        .bearer_auth(&candidate.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["status"], "in_progress");
    assert_eq!(
        status["last_question"]["content_text"],
        reply["ai_response"]
    );
    assert_eq!(status["last_question"]["sequence_number"], 3);
    assert_eq!(status["session_state"]["questions_asked_count"], 2);
    assert_eq!(status["can_restart"], false);

    let latest: Value = app
        .get_json(
            &format!("/api/v1/interviews/{id}/messages/latest"),
            Some(&candidate.token),
        )
        .await;
    assert_eq!(latest["sequence_number"], 3);
    assert_eq!(latest["message_type"], "ai_question");

    let page: Value = app
        .get_json(
            &format!("/api/v1/interviews/{id}/messages?skip=1&limit=1"),
            Some(&candidate.token),
        )
        .await;
    assert_eq!(page["total_count"], 3);
    assert_eq!(page["messages"].as_array().unwrap().len(), 1);
    assert_eq!(page["messages"][0]["message_type"], "candidate_response");
}

#[tokio::test]
async fn a_repeat_with_the_same_idempotency_key_returns_the_same_body() {
    let app = spawn_app().await;
    let candidate = app.register("ada@example.com").await;
    let started = app.start(&candidate.token, "javascript").await;
    let id = started["id"].as_str().unwrap();
    let first = app
        .answer(
            &candidate.token,
            id,
            "Block scope and hoisting.",
            1,
            Some("retry-1"),
        )
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    let second = app
        .answer(
            &candidate.token,
            id,
            "Block scope and hoisting.",
            1,
            Some("retry-1"),
        )
        .await;
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(
        second.headers().get("idempotent-replayed").unwrap(),
        "true",
        "a replay says so"
    );
    assert_eq!(second.json::<Value>().await.unwrap(), first);
    let page: Value = app
        .get_json(
            &format!("/api/v1/interviews/{id}/messages"),
            Some(&candidate.token),
        )
        .await;
    assert_eq!(page["total_count"], 3, "the retry must not be stored again");

    // without a key, answering the same question again is a conflict
    let again = app
        .answer(&candidate.token, id, "Block scope and hoisting.", 1, None)
        .await;
    let (status, body) = error_code(again).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "conflict");
}

#[tokio::test]
async fn concurrent_different_answers_to_one_question_are_accepted_exactly_once() {
    let app = spawn_app().await;
    let candidate = app.register("ada@example.com").await;
    let started = app.start(&candidate.token, "fullstack").await;
    let id = started["id"].as_str().unwrap().to_owned();
    let requests = (0..10).map(|index| {
        let client = app.client.clone();
        let url = app.url(&format!("/api/v1/interviews/{id}/messages"));
        let token = candidate.token.clone();
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&serde_json::json!({"message_text": format!("answer {index}"), "in_reply_to": 1}))
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let statuses: Vec<StatusCode> = futures_join_all(requests).await;
    let accepted = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!(accepted, 1, "{statuses:?}");
    assert_eq!(conflicts, 9, "{statuses:?}");
    let page: Value = app
        .get_json(
            &format!("/api/v1/interviews/{id}/messages"),
            Some(&candidate.token),
        )
        .await;
    assert_eq!(page["total_count"], 3);
}

async fn futures_join_all<F: std::future::Future<Output = StatusCode> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<StatusCode> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    results
}

#[tokio::test]
async fn answering_a_completed_interview_is_a_conflict_that_names_the_status() {
    let app = spawn_app().await;
    let candidate = app.register("ada@example.com").await;
    let started = app.start(&candidate.token, "python").await;
    let id = started["id"].as_str().unwrap();
    let complete = app
        .post_json(
            &format!("/api/v1/interviews/{id}/complete"),
            Some(&candidate.token),
            &Value::Null,
        )
        .await;
    assert_eq!(complete.status(), StatusCode::OK);
    let (status, body) = error_code(app.answer(&candidate.token, id, "late", 1, None).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "interview_not_active");
    assert_eq!(body["error"]["details"]["status"], "completed");
}

#[tokio::test]
async fn another_candidates_interview_is_not_found() {
    let app = spawn_app().await;
    let owner = app.register("owner@example.com").await;
    let intruder = app.register("intruder@example.com").await;
    let started = app.start(&owner.token, "python").await;
    let id = started["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/interviews/{id}"),
        format!("/api/v1/interviews/{id}/messages"),
        format!("/api/v1/interviews/{id}/messages/latest"),
        format!("/api/v1/interviews/{id}/status"),
        format!("/api/v1/interviews/{id}/transcript"),
    ] {
        let (status, _) = error_code(app.get(&path, Some(&intruder.token)).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _) = error_code(app.answer(&intruder.token, id, "mine now", 1, None).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let complete = app
        .post_json(
            &format!("/api/v1/interviews/{id}/complete"),
            Some(&intruder.token),
            &Value::Null,
        )
        .await;
    assert_eq!(complete.status(), StatusCode::NOT_FOUND);
    // and the owner's interview is untouched
    let status: Value = app
        .get_json(
            &format!("/api/v1/interviews/{id}/status"),
            Some(&owner.token),
        )
        .await;
    assert_eq!(status["status"], "in_progress");
    let listed: Value = app
        .get_json("/api/v1/interviews", Some(&intruder.token))
        .await;
    assert!(listed.as_array().unwrap().is_empty());
}
