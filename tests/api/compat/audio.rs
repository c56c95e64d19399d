//! Answers as the original frontend reads them: `audio_url` beside `ai_audio_url`, the
//! `{skill: level}` boundaries, and recorded answers posted to `…/audio`.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code, spawn_app};
use crate::voice::{app_on, openai, speaking, start, transcribing, wav};

#[tokio::test]
async fn answers_carry_audio_url_and_skill_boundaries_as_a_skill_to_level_object() {
    let app = spawn_app().await;
    let candidate = app.register("ada@example.com").await;
    let started = app.start(&candidate.token, "react").await;
    assert!(
        started["session_state"]["skill_boundaries"].is_object(),
        "{started}"
    );
    let id = started["id"].as_str().unwrap();
    let mut open = 1;
    let mut last = Value::Null;
    // poor answers in a row record a boundary at the level they were given at
    for _ in 0..3 {
        let response = app
            .answer(&candidate.token, id, "I don't know.", open, None)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        last = response.json().await.unwrap();
        assert_eq!(last["audio_url"], last["ai_audio_url"], "{last}");
        assert!(
            last.as_object().unwrap().contains_key("audio_url"),
            "{last}"
        );
        open = last["ai_sequence_number"].as_i64().unwrap();
    }
    let state = &last["session_state"];
    let boundaries = state["skill_boundaries"].as_object().unwrap();
    assert!(!boundaries.is_empty(), "{state}");
    let details = state["skill_boundary_details"].as_array().unwrap();
    assert_eq!(details.len(), boundaries.len(), "{state}");
    for detail in details {
        let skill = detail["skill"].as_str().unwrap();
        assert_eq!(boundaries[skill], detail["level"], "{state}");
    }
    let levels = [
        "warmup",
        "fundamental",
        "intermediate",
        "advanced",
        "expert",
    ];
    assert!(
        boundaries
            .values()
            .all(|level| levels.contains(&level.as_str().unwrap())),
        "{state}"
    );
    // the recovery view has the same shape
    let status: Value = app
        .get_json(
            &format!("/api/v1/interviews/{id}/status"),
            Some(&candidate.token),
        )
        .await;
    assert_eq!(
        status["session_state"]["skill_boundaries"],
        state["skill_boundaries"]
    );
}

fn recording(sequence: &str) -> Form {
    Form::new()
        .part(
            "audio_file",
            Part::bytes(wav())
                .file_name("answer.wav")
                .mime_str("audio/wav")
                .unwrap(),
        )
        .text("message_sequence", sequence.to_owned())
}

async fn post_audio(
    app: &TestApp,
    token: &str,
    interview: &str,
    form: Form,
    key: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(&format!("/api/v1/interviews/{interview}/audio")))
        .bearer_auth(token)
        .multipart(form);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_recording_posted_to_audio_is_answered_like_a_multipart_message_with_its_transcription() {
    let server = openai().await;
    transcribing(
        &server,
        "Components should be pure functions of their props.",
    )
    .await;
    speaking(&server).await;
    let app = app_on(&server).await;
    let candidate = app.register("ada@example.com").await;
    let started: Value = start(&app, &candidate.token, "text")
        .await
        .json()
        .await
        .unwrap();
    let id = started["id"].as_str().unwrap();

    let response = post_audio(&app, &candidate.token, id, recording("1"), Some("take-1")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["transcription"],
        "Components should be pure functions of their props."
    );
    assert_eq!(body["transcript"], body["transcription"]);
    assert!(body["ai_audio_url"].is_string(), "{body}");
    assert_eq!(body["audio_url"], body["ai_audio_url"]);
    assert_eq!(body["ai_sequence_number"], 3);
    assert!(body["session_state"]["skill_boundaries"].is_object());

    // a retry with the key returns the same reply; without it, the question is answered already
    let retry = post_audio(&app, &candidate.token, id, recording("1"), Some("take-1")).await;
    assert_eq!(retry.status(), StatusCode::OK);
    let retried: Value = retry.json().await.unwrap();
    assert_eq!(retried["message_id"], body["message_id"]);
    let messages: Value = app
        .get_json(
            &format!("/api/v1/interviews/{id}/messages"),
            Some(&candidate.token),
        )
        .await;
    assert_eq!(messages["total_count"], 3);
    let candidate_message = &messages["messages"][1];
    assert_eq!(candidate_message["message_type"], "candidate_response");
    assert!(
        candidate_message["audio_url"].is_string(),
        "{candidate_message}"
    );
    let (status, _) =
        error_code(post_audio(&app, &candidate.token, id, recording("1"), None).await).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // the form is checked like `…/messages`' is, naming this form's field
    let (status, body) =
        error_code(post_audio(&app, &candidate.token, id, recording("third"), None).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["error"]["details"]["fields"][0]["field"],
        "message_sequence"
    );
    let no_file = Form::new().text("message_sequence", "3");
    let (status, body) =
        error_code(post_audio(&app, &candidate.token, id, no_file, None).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"]["fields"][0]["field"], "audio_file");
    let json_body = app
        .post_json(
            &format!("/api/v1/interviews/{id}/audio"),
            Some(&candidate.token),
            &json!({"message_text": "typed"}),
        )
        .await;
    let (status, _) = error_code(json_body).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // another candidate's interview does not exist for them
    let other = app.register("bob@example.com").await;
    let (status, _) =
        error_code(post_audio(&app, &other.token, id, recording("3"), None).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn audio_answers_without_a_speech_provider_are_a_503_after_the_ownership_check() {
    let app = spawn_app().await;
    let candidate = app.register("ada@example.com").await;
    let started = app.start(&candidate.token, "react").await;
    let id = started["id"].as_str().unwrap();
    let (status, body) =
        error_code(post_audio(&app, &candidate.token, id, recording("1"), None).await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "speech_unavailable");
    let other = app.register("bob@example.com").await;
    let (status, _) =
        error_code(post_audio(&app, &other.token, id, recording("1"), None).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
