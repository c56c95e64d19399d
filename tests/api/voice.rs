//! Voice answers over the API with the OpenAI adapters pointed at wiremock: audio in →
//! transcript → reply with a downloadable `ai_audio_url`, and every way it can fail.

use std::str::FromStr;

use interview_core::cost::{ChatUsage, Pricing};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use server::config::AiProvider;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{
    Candidate, GOOD_EVALUATION, REACT_QUESTION, TestApp, chat_reply as chat, error_code,
    mount_chat, spawn_app, spawn_app_with,
};

pub(crate) const SPOKEN: &[u8] = b"ID3\x04\x00\x00\x00\x00\x00\x00fake-mp3-frames";

/// A minimal 16 kHz mono PCM WAV header followed by silence.
pub(crate) fn wav() -> Vec<u8> {
    let mut bytes = b"RIFF\x24\x10\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00".to_vec();
    bytes.extend_from_slice(&16_000u32.to_le_bytes());
    bytes.extend_from_slice(&32_000u32.to_le_bytes());
    bytes.extend_from_slice(b"\x02\x00\x10\x00data\x00\x10\x00\x00");
    bytes.extend_from_slice(&[0; 4096]);
    bytes
}

/// An OpenAI stand-in: questions, evaluations, transcriptions and speech.
pub(crate) async fn openai() -> MockServer {
    let server = MockServer::start().await;
    mount_chat(&server, GOOD_EVALUATION, REACT_QUESTION).await;
    server
}

pub(crate) async fn transcribing(server: &MockServer, text: &str) {
    Mock::given(method("POST"))
        .and(path("/v1/audio/transcriptions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "task": "transcribe", "language": "english", "duration": 3.5, "text": text,
            "segments": [], "usage": {"type": "duration", "seconds": 4}
        })))
        .mount(server)
        .await;
}

pub(crate) async fn speaking(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/v1/audio/speech"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "audio/mpeg")
                .set_body_bytes(SPOKEN.to_vec()),
        )
        .mount(server)
        .await;
}

pub(crate) async fn app_on(server: &MockServer) -> TestApp {
    let base_url = format!("{}/v1", server.uri());
    spawn_app_with(move |settings| {
        settings.ai.provider = AiProvider::Openai;
        settings.ai.openai.base_url = base_url;
        settings.ai.openai.api_key = Some("sk-test".to_owned().into());
        settings.ai.openai.retry.base_delay_ms = 1;
    })
    .await
}

pub(crate) async fn start(app: &TestApp, token: &str, mode: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/interviews/start",
        Some(token),
        &json!({"role_type": "react", "mode": mode}),
    )
    .await
}

/// A registered candidate with a text interview in progress (voice answers are welcome in any
/// mode).
async fn text_interview(app: &TestApp, email: &str) -> (Candidate, String) {
    let candidate = app.register(email).await;
    let started: Value = start(app, &candidate.token, "text")
        .await
        .json()
        .await
        .unwrap();
    let interview = started["id"].as_str().unwrap().to_owned();
    (candidate, interview)
}

pub(crate) async fn send_audio(
    app: &TestApp,
    token: &str,
    interview: &str,
    bytes: Vec<u8>,
    filename: &str,
) -> reqwest::Response {
    let form = Form::new()
        .part(
            "audio_file",
            Part::bytes(bytes)
                .file_name(filename.to_owned())
                .mime_str("audio/wav")
                .unwrap(),
        )
        .text("in_reply_to", "1");
    app.client
        .post(app.url(&format!("/api/v1/interviews/{interview}/messages")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn get_range(app: &TestApp, token: &str, url: &str, range: &str) -> reqwest::Response {
    app.client
        .get(app.url(url))
        .bearer_auth(token)
        .header("Range", range)
        .send()
        .await
        .unwrap()
}

async fn message_count(app: &TestApp, token: &str, interview: &str) -> u64 {
    app.get_json(
        &format!("/api/v1/interviews/{interview}/messages"),
        Some(token),
    )
    .await["total_count"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn a_voice_turn_goes_from_audio_to_a_spoken_reply_only_its_owner_can_fetch() {
    let server = openai().await;
    transcribing(
        &server,
        "I keep it pure by avoiding side effects in render.",
    )
    .await;
    speaking(&server).await;
    let app = app_on(&server).await;
    let candidate = app.register("voice@example.com").await;

    let response = start(&app, &candidate.token, "legacy_voice").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let started: Value = response.json().await.unwrap();
    let interview = started["id"].as_str().unwrap().to_owned();
    let first_audio = started["first_question"]["audio_url"].as_str().unwrap();
    let audio = app.get(first_audio, Some(&candidate.token)).await;
    assert_eq!(audio.status(), StatusCode::OK);
    assert_eq!(audio.headers()["content-type"], "audio/mpeg");
    assert_eq!(audio.bytes().await.unwrap().as_ref(), SPOKEN);

    let response = send_audio(&app, &candidate.token, &interview, wav(), "answer.wav").await;
    assert_eq!(response.status(), StatusCode::OK);
    let turn: Value = response.json().await.unwrap();
    assert_eq!(
        turn["transcript"],
        "I keep it pure by avoiding side effects in render."
    );
    assert_eq!(
        turn["ai_response"],
        "How do you keep a React component pure?"
    );
    assert_eq!(turn["question_number"], 2);
    let reply_audio = turn["ai_audio_url"].as_str().unwrap();
    let reply = app.get(reply_audio, Some(&candidate.token)).await;
    assert_eq!(reply.status(), StatusCode::OK);
    assert_eq!(reply.bytes().await.unwrap().as_ref(), SPOKEN);

    let ranged = get_range(&app, &candidate.token, reply_audio, "bytes=0-2").await;
    assert_eq!(ranged.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        ranged.headers()["content-range"],
        format!("bytes 0-2/{}", SPOKEN.len()).as_str()
    );
    assert_eq!(ranged.bytes().await.unwrap().as_ref(), b"ID3");
    let outside = get_range(&app, &candidate.token, reply_audio, "bytes=1000-2000").await;
    assert_eq!(outside.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        outside.headers()["content-range"],
        format!("bytes */{}", SPOKEN.len()).as_str()
    );

    let messages = app
        .get_json(
            &format!("/api/v1/interviews/{interview}/messages"),
            Some(&candidate.token),
        )
        .await;
    let answer = &messages["messages"][1];
    assert_eq!(answer["message_type"], "candidate_response");
    assert_eq!(answer["audio_metadata"]["format"], "wav");
    assert_eq!(answer["audio_metadata"]["codec"], "pcm");
    assert_eq!(answer["audio_metadata"]["sample_rate_hz"], 16_000);
    assert_eq!(answer["audio_metadata"]["duration_seconds"], 3.5);
    assert!(answer["audio_metadata"]["transcription_ms"].is_u64());
    let recorded = app
        .get(
            answer["audio_url"].as_str().unwrap(),
            Some(&candidate.token),
        )
        .await;
    assert_eq!(recorded.status(), StatusCode::OK);
    assert_eq!(recorded.bytes().await.unwrap().to_vec(), wav());

    let whisper = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|request| request.url.path() == "/v1/audio/transcriptions")
        .unwrap();
    let body = String::from_utf8_lossy(&whisper.body);
    assert!(body.contains("whisper-1") && body.contains("verbose_json"));

    // three chat calls (first question, evaluation, next question) at 200 + 40 tokens; 3.5 s of
    // Whisper; two spoken questions
    let pricing = Pricing::default();
    let chat = pricing.chat_cost(&ChatUsage {
        model: "gpt-4o-mini".into(),
        input_tokens: 200,
        output_tokens: 40,
    }) * Decimal::from(3);
    let spoken_characters = 2 * "How do you keep a React component pure?".len() as u64;
    let speech = pricing.transcription_cost(3.5) + pricing.speech_cost(spoken_characters);
    let detail = app
        .get_json(
            &format!("/api/v1/interviews/{interview}"),
            Some(&candidate.token),
        )
        .await;
    assert_eq!(detail["total_tokens_used"], 720);
    let money = |field: &str| Decimal::from_str(detail[field].as_str().unwrap()).unwrap();
    assert_eq!(money("cost_usd"), chat);
    assert_eq!(money("speech_cost_usd"), speech);

    let intruder = app.register("intruder@example.com").await;
    let (status, _) = error_code(app.get(reply_audio, Some(&intruder.token)).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_speech_failure_still_answers_in_text_and_keeps_the_turn() {
    let server = openai().await;
    transcribing(&server, "Props flow down and events flow up.").await;
    Mock::given(path("/v1/audio/speech"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let app = app_on(&server).await;
    let (candidate, interview) = text_interview(&app, "tts-down@example.com").await;

    let response = send_audio(&app, &candidate.token, &interview, wav(), "a.wav").await;

    assert_eq!(response.status(), StatusCode::OK);
    let turn: Value = response.json().await.unwrap();
    assert!(turn["ai_audio_url"].is_null());
    assert_eq!(
        turn["ai_response"],
        "How do you keep a React component pure?"
    );
    assert_eq!(message_count(&app, &candidate.token, &interview).await, 3);
}

#[tokio::test]
async fn a_whisper_failure_is_a_503_with_retry_after_and_leaves_no_trace() {
    let server = openai().await;
    Mock::given(path("/v1/audio/transcriptions"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "30"))
        .mount(&server)
        .await;
    let app = app_on(&server).await;
    let (candidate, interview) = text_interview(&app, "whisper-down@example.com").await;
    let before = app
        .get_json(
            &format!("/api/v1/interviews/{interview}"),
            Some(&candidate.token),
        )
        .await;

    let response = send_audio(&app, &candidate.token, &interview, wav(), "a.wav").await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "30");
    let (_, body) = error_code(response).await;
    assert_eq!(body["error"]["code"], "transcription_unavailable");
    assert_eq!(message_count(&app, &candidate.token, &interview).await, 1);
    let ai = app.get_json("/api/v1/ai/status", None).await;
    assert!(ai["last_error_at"].is_string(), "{ai}");
    assert!(
        ai["last_error"].as_str().unwrap().contains("transcription"),
        "{ai}"
    );
    let after = app
        .get_json(
            &format!("/api/v1/interviews/{interview}"),
            Some(&candidate.token),
        )
        .await;
    assert_eq!(before, after, "the interview is exactly as before");
    // the candidate may resend once transcription is back
    server.reset().await;
    transcribing(&server, "Second try.").await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(chat("Next question?"))
        .mount(&server)
        .await;
    let retry = send_audio(&app, &candidate.token, &interview, wav(), "a.wav").await;
    assert_eq!(retry.status(), StatusCode::OK);
}

#[tokio::test]
async fn oversize_and_non_audio_uploads_are_refused() {
    let server = openai().await;
    let app = app_on(&server).await;
    let (candidate, interview) = text_interview(&app, "uploads@example.com").await;

    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00".to_vec();
    let (status, body) =
        error_code(send_audio(&app, &candidate.token, &interview, png, "answer.wav").await).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["error"]["code"], "unsupported_media_type");

    let (status, body) =
        error_code(send_audio(&app, &candidate.token, &interview, Vec::new(), "a.wav").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "invalid_audio");

    let mut huge = wav();
    huge.resize(26 * 1024 * 1024, 0);
    let (status, _) =
        error_code(send_audio(&app, &candidate.token, &interview, huge, "big.wav").await).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(message_count(&app, &candidate.token, &interview).await, 1);
    assert!(
        server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .all(|request| request.url.path() != "/v1/audio/transcriptions"),
        "nothing refused reaches Whisper"
    );
}

#[tokio::test]
async fn without_a_speech_provider_voice_is_a_clear_503() {
    let app = spawn_app().await;
    let candidate = app.register("offline-voice@example.com").await;
    let (status, body) = error_code(start(&app, &candidate.token, "legacy_voice").await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "speech_unavailable");

    let started = app.start(&candidate.token, "react").await;
    let interview = started["id"].as_str().unwrap().to_owned();
    let (status, body) =
        error_code(send_audio(&app, &candidate.token, &interview, wav(), "a.wav").await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "speech_unavailable");

    let ai = app.get_json("/api/v1/ai/status", None).await;
    assert_eq!(ai["provider"], "offline");
    assert_eq!(ai["speech_available"], false);
}

#[tokio::test]
async fn without_a_speech_provider_a_voice_answer_to_somebody_elses_interview_is_a_404() {
    let app = spawn_app().await;
    let owner = app.register("owner@example.com").await;
    let stranger = app.register("stranger@example.com").await;
    let started = app.start(&owner.token, "react").await;
    let interview = started["id"].as_str().unwrap().to_owned();
    let unknown = uuid::Uuid::now_v7().to_string();
    for (token, target) in [(&stranger.token, &interview), (&owner.token, &unknown)] {
        let (status, body) =
            error_code(send_audio(&app, token, target, wav(), "a.wav").await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(body["error"]["code"], "not_found", "{body}");
    }
    // the owner still learns that speech is what is missing
    let (status, body) =
        error_code(send_audio(&app, &owner.token, &interview, wav(), "a.wav").await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "speech_unavailable");
}

#[tokio::test]
async fn a_multipart_answer_without_a_boundary_is_a_400_whatever_the_provider() {
    let app = spawn_app().await;
    let (candidate, interview) = text_interview(&app, "boundary@example.com").await;
    let response = app
        .client
        .post(app.url(&format!("/api/v1/interviews/{interview}/messages")))
        .bearer_auth(&candidate.token)
        .header("Content-Type", "multipart/form-data")
        .body(r#"{"in_reply_to": 1, "message_text": "0"}"#)
        .send()
        .await
        .unwrap();
    let (status, body) = error_code(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "malformed_multipart");
}

#[tokio::test]
async fn ai_status_reports_openai_models_and_breakers() {
    let server = openai().await;
    let app = app_on(&server).await;
    let status = app.get_json("/api/v1/ai/status", None).await;
    assert_eq!(status["provider"], "openai");
    assert_eq!(status["model"], "gpt-4o-mini");
    assert_eq!(status["breaker_state"], "closed");
    assert_eq!(status["speech_available"], true);
    let endpoints: Vec<(&str, &str)> = status["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["endpoint"].as_str().unwrap(),
                e["model"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        endpoints,
        [
            ("chat", "gpt-4o-mini"),
            ("transcription", "whisper-1"),
            ("speech", "tts-1")
        ]
    );
}

#[tokio::test]
async fn audio_whisper_cannot_decode_is_a_422_and_nothing_is_kept() {
    let server = openai().await;
    Mock::given(path("/v1/audio/transcriptions"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {
            "message": "Audio file might be corrupted or unsupported",
            "type": "invalid_request_error", "param": "file", "code": "invalid_value"}})))
        .mount(&server)
        .await;
    let app = app_on(&server).await;
    let (candidate, interview) = text_interview(&app, "corrupt@example.com").await;

    let (status, body) =
        error_code(send_audio(&app, &candidate.token, &interview, wav(), "a.wav").await).await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "invalid_audio");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("could not be transcribed")
    );
    assert_eq!(message_count(&app, &candidate.token, &interview).await, 1);
    let transcription_calls = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|request| request.url.path() == "/v1/audio/transcriptions")
        .count();
    assert_eq!(transcription_calls, 1, "a 400 is not retried");
}
