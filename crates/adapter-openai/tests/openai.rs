//! The adapters against wiremock standing in for OpenAI: the requests OpenAI would receive and
//! the handling of each kind of reply. No network; retry delays are set to a millisecond.
#![allow(clippy::unwrap_used, clippy::needless_pass_by_value)] // test helpers may panic

use std::sync::Arc;

use adapter_openai::{BreakerState, OpenAiProvider, OpenAiSettings, RetrySettings};
use interview_core::ladder::{AnswerQuality, DifficultyLevel, SkillArea};
use interview_core::memory::{ConversationMemory, MemorySettings, PromptMemory, Speaker};
use interview_core::model::RoleType;
use interview_core::ports::{
    AudioClip, AudioFormat, EvaluationRequest, InterviewerModel, ProviderError, QuestionRequest,
    SpeechSynthesizer, Transcriber,
};
use interview_core::rules::skills::QuestionIntent;
use interview_core::testing::ManualClock;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[path = "openai/assessor.rs"]
mod assessor;
#[path = "openai/resume.rs"]
mod resume;

fn settings_for(server: &MockServer) -> OpenAiSettings {
    settings(server)
}

fn settings(server: &MockServer) -> OpenAiSettings {
    OpenAiSettings {
        base_url: format!("{}/v1", server.uri()),
        api_key: Some("sk-test".to_owned().into()),
        retry: RetrySettings {
            max_retries: 3,
            base_delay_ms: 1,
            max_retry_after_seconds: 5,
        },
        ..OpenAiSettings::default()
    }
}

fn provider(server: &MockServer) -> (OpenAiProvider, Arc<ManualClock>) {
    provider_with(settings(server))
}

fn provider_with(settings: OpenAiSettings) -> (OpenAiProvider, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::default());
    let port: Arc<dyn interview_core::ports::Clock> = clock.clone();
    (OpenAiProvider::new(&settings, &port).unwrap(), clock)
}

fn chat_reply(content: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "gpt-4o-mini",
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": content },
            "finish_reason": "stop"
        }],
        "usage": { "prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150 }
    }))
}

fn error_reply(status: u16, code: Option<&str>) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "error": { "message": "upstream says no", "type": "server_error", "param": null, "code": code }
    }))
}

/// Answers requests to `route` with `reply`, at most `times` times when given (later mounts
/// answer once it is used up).
async fn reply_on(server: &MockServer, route: &str, reply: ResponseTemplate, times: Option<u64>) {
    let mock = Mock::given(path(route)).respond_with(reply);
    match times {
        Some(times) => mock.up_to_n_times(times).mount(server).await,
        None => mock.mount(server).await,
    }
}

fn question_request() -> QuestionRequest {
    QuestionRequest {
        role: RoleType::React,
        level: DifficultyLevel::Warmup,
        skill: SkillArea::new("components"),
        intent: QuestionIntent::Explore,
        skills_explored: Vec::new(),
        asked_questions: Vec::new(),
        memory: PromptMemory::default(),
        question_number: 1,
    }
}

/// The window the core would send after `length` messages.
fn memory(length: usize) -> PromptMemory {
    let mut memory = ConversationMemory::default();
    for index in 0..length {
        let speaker = if index % 2 == 0 {
            Speaker::Interviewer
        } else {
            Speaker::Candidate
        };
        memory.push(MemorySettings::default(), speaker, format!("turn {index}"));
    }
    memory.prompt(MemorySettings::default())
}

fn evaluation_request(memory_length: usize) -> EvaluationRequest {
    EvaluationRequest {
        role: RoleType::React,
        level: DifficultyLevel::Intermediate,
        skill: SkillArea::new("hooks"),
        question: "How does useEffect clean up?".into(),
        answer: "It runs the returned function before the next effect and on unmount.".into(),
        memory: memory(memory_length),
    }
}

const GOOD_EVALUATION: &str = r#"{"answer_quality":"excellent","technical_accuracy":0.92,
 "explanation_clarity":0.85,"identified_skills":["hooks"],"skill_boundaries_detected":[],
 "rationale":"Precise."}"#;

async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|request| request.body_json::<Value>().unwrap())
        .collect()
}

#[tokio::test]
async fn a_question_is_asked_with_the_configured_model_and_its_tokens_are_counted() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer sk-test"))
        .respond_with(chat_reply("  \"What got you into React?\"  "))
        .expect(1)
        .mount(&server)
        .await;
    let (provider, _) = provider(&server);

    let generated = provider
        .interviewer
        .first_question(&question_request())
        .await
        .unwrap();

    assert_eq!(generated.value.text, "What got you into React?");
    assert_eq!(generated.value.skill, SkillArea::new("components"));
    assert_eq!(generated.usage.model, "gpt-4o-mini");
    assert_eq!(
        (generated.usage.input_tokens, generated.usage.output_tokens),
        (120, 30)
    );
    let body = &bodies(&server).await[0];
    assert_eq!(body["model"], "gpt-4o-mini");
    assert_eq!(body["max_completion_tokens"], 600);
    let roles: Vec<&str> = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| message["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "system"]);
    assert!(
        body["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("Skill area: components")
    );
    assert!(body.get("response_format").is_none());
}

#[tokio::test]
async fn an_evaluation_asks_for_the_json_schema_and_replays_the_memory_with_roles() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(chat_reply(GOOD_EVALUATION))
        .mount(&server)
        .await;
    let (provider, _) = provider(&server);

    let generated = provider
        .interviewer
        .evaluate(&evaluation_request(2))
        .await
        .unwrap();

    assert_eq!(generated.value.quality, AnswerQuality::Excellent);
    assert!((generated.value.technical_accuracy.value() - 0.92).abs() < 1e-9);
    assert!(!generated.value.fallback);
    let body = &bodies(&server).await[0];
    assert_eq!(body["response_format"]["type"], "json_schema");
    assert_eq!(
        body["response_format"]["json_schema"]["name"],
        "answer_evaluation"
    );
    assert_eq!(body["response_format"]["json_schema"]["strict"], true);
    let roles: Vec<&str> = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| message["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "assistant", "user", "user"]);
    assert!(
        body["messages"][3]["content"]
            .as_str()
            .unwrap()
            .contains("useEffect")
    );
}

#[tokio::test]
async fn a_rate_limit_with_retry_after_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/chat/completions",
        error_reply(429, None).insert_header("retry-after", "0"),
        Some(1),
    )
    .await;
    reply_on(
        &server,
        "/v1/chat/completions",
        chat_reply("Tell me about JSX."),
        None,
    )
    .await;
    let (provider, _) = provider(&server);

    let generated = provider
        .interviewer
        .first_question(&question_request())
        .await
        .unwrap();

    assert_eq!(generated.value.text, "Tell me about JSX.");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_bad_request_is_not_retried() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/chat/completions",
        error_reply(400, Some("invalid_value")),
        None,
    )
    .await;
    let (provider, _) = provider(&server);

    let error = provider
        .interviewer
        .first_question(&question_request())
        .await
        .unwrap_err();

    assert!(matches!(error, ProviderError::Rejected(_)), "{error:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_three_times_and_keep_retry_after() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/chat/completions",
        error_reply(503, None).insert_header("retry-after", "1"),
        None,
    )
    .await;
    let mut settings = settings(&server);
    settings.retry.max_retry_after_seconds = 0; // report Retry-After instead of waiting it
    settings.retry.max_retries = 3;
    let (provider, _) = provider_with(settings);

    let error = provider
        .interviewer
        .first_question(&question_request())
        .await
        .unwrap_err();

    match error {
        ProviderError::Unavailable { retry_after, .. } => {
            assert_eq!(retry_after, Some(std::time::Duration::from_secs(1)));
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "a Retry-After beyond the limit is reported, not waited for"
    );

    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/chat/completions",
        error_reply(502, None),
        None,
    )
    .await;
    let (retrying, _) = provider_with(settings_for(&server));
    retrying
        .interviewer
        .first_question(&question_request())
        .await
        .unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

#[tokio::test]
async fn repeated_failures_open_the_breaker_which_half_opens_after_the_window() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/chat/completions",
        error_reply(500, None),
        Some(5),
    )
    .await;
    reply_on(
        &server,
        "/v1/chat/completions",
        chat_reply("Back again: what is a hook?"),
        None,
    )
    .await;
    let mut settings = settings(&server);
    settings.retry.max_retries = 0;
    let (provider, clock) = provider_with(settings);
    let chat_state = |provider: &OpenAiProvider| provider.health()[0].breaker;

    for _ in 0..5 {
        provider
            .interviewer
            .first_question(&question_request())
            .await
            .unwrap_err();
    }
    assert_eq!(chat_state(&provider), BreakerState::Open);
    let refused = provider
        .interviewer
        .first_question(&question_request())
        .await
        .unwrap_err();
    assert!(matches!(refused, ProviderError::Unavailable { .. }));
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        5,
        "an open breaker sends nothing"
    );

    clock.advance(chrono::Duration::seconds(60));
    assert_eq!(chat_state(&provider), BreakerState::HalfOpen);
    for _ in 0..3 {
        provider
            .interviewer
            .first_question(&question_request())
            .await
            .unwrap();
    }
    assert_eq!(chat_state(&provider), BreakerState::Closed);
    assert_eq!(provider.health()[1].breaker, BreakerState::Closed);
}

#[tokio::test]
async fn a_slow_reply_times_out_as_unavailable() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/chat/completions",
        chat_reply("late").set_delay(std::time::Duration::from_secs(5)),
        None,
    )
    .await;
    let mut settings = settings(&server);
    settings.timeouts.chat_seconds = 0.2;
    settings.retry.max_retries = 1;
    let (provider, _) = provider_with(settings);

    let error = provider
        .interviewer
        .first_question(&question_request())
        .await
        .unwrap_err();

    match error {
        ProviderError::Unavailable { message, .. } => assert!(message.contains("timed out")),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_malformed_evaluation_is_repaired_once() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/chat/completions",
        chat_reply("Great answer, 9/10!"),
        Some(1),
    )
    .await;
    reply_on(
        &server,
        "/v1/chat/completions",
        chat_reply(GOOD_EVALUATION),
        None,
    )
    .await;
    let (provider, _) = provider(&server);

    let generated = provider
        .interviewer
        .evaluate(&evaluation_request(2))
        .await
        .unwrap();

    assert_eq!(generated.value.quality, AnswerQuality::Excellent);
    assert!(!generated.value.fallback);
    assert_eq!(generated.usage.input_tokens, 240, "both calls are paid for");
    let repair = &bodies(&server).await[1];
    let messages = repair["messages"].as_array().unwrap();
    assert_eq!(messages[messages.len() - 2]["role"], "assistant");
    assert_eq!(
        messages[messages.len() - 2]["content"],
        "Great answer, 9/10!"
    );
    assert!(
        messages[messages.len() - 1]["content"]
            .as_str()
            .unwrap()
            .contains("could not be used")
    );
}

#[tokio::test]
async fn an_evaluation_still_unusable_after_repair_falls_back_flagged() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/chat/completions",
        chat_reply(
            r#"{"answer_quality":"good","technical_accuracy":3,"explanation_clarity":0.5,
            "identified_skills":[],"skill_boundaries_detected":[],"rationale":""}"#,
        ),
        None,
    )
    .await;
    let (provider, _) = provider(&server);

    let generated = provider
        .interviewer
        .evaluate(&evaluation_request(0))
        .await
        .unwrap();

    assert!(generated.value.fallback);
    assert_eq!(generated.value.quality, AnswerQuality::Fair);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_context_length_error_retries_once_with_a_shorter_memory() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/chat/completions",
        error_reply(400, Some("context_length_exceeded")),
        Some(1),
    )
    .await;
    reply_on(
        &server,
        "/v1/chat/completions",
        chat_reply(GOOD_EVALUATION),
        None,
    )
    .await;
    let (provider, _) = provider(&server);

    provider
        .interviewer
        .evaluate(&evaluation_request(10))
        .await
        .unwrap();

    let sent = bodies(&server).await;
    let count = |body: &Value| body["messages"].as_array().unwrap().len();
    assert_eq!(count(&sent[0]), 12);
    assert_eq!(count(&sent[1]), 6, "system + 4 kept turns + the question");
}

fn clip() -> AudioClip {
    AudioClip {
        bytes: b"RIFF\x24\x00\x00\x00WAVEfmt fake audio".to_vec(),
        format: AudioFormat::Wav,
    }
}

#[tokio::test]
async fn whisper_gets_a_multipart_request_and_its_verbose_reply_is_read() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/audio/transcriptions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "task": "transcribe", "language": "english", "duration": 4.5,
            "text": " I would use a context provider. ",
            "segments": [{"id":0,"seek":0,"start":0.0,"end":4.5,"text":"I would use a context provider.",
                "tokens":[1,2],"temperature":0.0,"avg_logprob":-0.1,"compression_ratio":1.0,"no_speech_prob":0.01}],
            "usage": {"type": "duration", "seconds": 5}
        })))
        .mount(&server)
        .await;
    let (provider, _) = provider(&server);

    let transcription = provider
        .transcriber
        .transcribe(&clip(), "en")
        .await
        .unwrap();

    assert_eq!(transcription.text, "I would use a context provider.");
    assert!((transcription.duration_seconds - 4.5).abs() < 1e-9);
    assert!((transcription.confidence.unwrap() - (-0.1f64).exp()).abs() < 1e-6);
    let requests = server.received_requests().await.unwrap();
    let content_type = requests[0].headers["content-type"].to_str().unwrap();
    assert!(content_type.starts_with("multipart/form-data"));
    let body = String::from_utf8_lossy(&requests[0].body);
    for field in [
        "name=\"model\"\r\n\r\nwhisper-1",
        "name=\"language\"\r\n\r\nen",
        "name=\"response_format\"\r\n\r\nverbose_json",
        "name=\"temperature\"\r\n\r\n0",
        "filename=\"answer.wav\"",
    ] {
        assert!(body.contains(field), "missing {field:?}");
    }
}

#[tokio::test]
async fn a_transcription_reply_without_usage_falls_back_to_the_raw_call() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/audio/transcriptions",
        ResponseTemplate::new(200).set_body_json(json!({
            "text": "Closures capture variables.", "duration": 2.0, "language": "en"
        })),
        None,
    )
    .await;
    let (provider, _) = provider(&server);

    let first = provider
        .transcriber
        .transcribe(&clip(), "en")
        .await
        .unwrap();
    assert_eq!(first.text, "Closures capture variables.");
    assert!((first.duration_seconds - 2.0).abs() < 1e-9);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    provider
        .transcriber
        .transcribe(&clip(), "en")
        .await
        .unwrap();
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        3,
        "once known, the server gets the raw call directly"
    );
}

#[tokio::test]
async fn a_failed_transcription_is_unavailable_after_the_retries() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/audio/transcriptions",
        error_reply(500, None),
        None,
    )
    .await;
    let (provider, _) = provider(&server);

    let error = provider
        .transcriber
        .transcribe(&clip(), "en")
        .await
        .unwrap_err();

    assert!(matches!(error, ProviderError::Unavailable { .. }));
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

#[tokio::test]
async fn speech_is_requested_as_mp3_and_long_text_is_split_under_the_limit() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/audio/speech"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"ID3mp3-frames".to_vec()))
        .mount(&server)
        .await;
    let (provider, _) = provider(&server);

    let short = provider
        .synthesizer
        .synthesize("What is a closure?")
        .await
        .unwrap();
    assert_eq!(short.bytes, b"ID3mp3-frames");
    assert_eq!(short.format, AudioFormat::Mp3);
    assert_eq!(short.characters, 18);
    let body = &bodies(&server).await[0];
    assert_eq!(body["model"], "tts-1");
    assert_eq!(body["voice"], "alloy");
    assert_eq!(body["response_format"], "mp3");
    assert_eq!(body["input"], "What is a closure?");

    let long = "Explain the event loop in detail. ".repeat(300);
    let spoken = provider.synthesizer.synthesize(&long).await.unwrap();
    let sent = bodies(&server).await;
    let pieces = &sent[1..];
    assert!(pieces.len() >= 3);
    for piece in pieces {
        assert!(piece["input"].as_str().unwrap().chars().count() <= 4_096);
    }
    assert_eq!(spoken.bytes.len(), b"ID3mp3-frames".len() * pieces.len());
    assert_eq!(
        spoken.characters,
        pieces
            .iter()
            .map(|piece| piece["input"].as_str().unwrap().chars().count() as u64)
            .sum::<u64>()
    );
}
