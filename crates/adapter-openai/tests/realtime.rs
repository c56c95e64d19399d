//! The realtime adapter against `fake-realtime` standing in for the OpenAI Realtime API: what the
//! upstream receives and how each kind of server event reaches the port. Loopback only; timeouts
//! are hang guards, never timing.
#![allow(clippy::unwrap_used)] // test helpers may panic

use std::sync::Arc;
use std::time::Duration;

use adapter_openai::{OpenAiProvider, OpenAiRealtime, OpenAiSettings, RealtimeSettings};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use fake_realtime::{FakeRealtime, Reply, Script, TEST_API_KEY, Turn, Usage, evaluation_arguments};
use interview_core::cost::RealtimeUsage;
use interview_core::ladder::{AnswerQuality, SkillArea};
use interview_core::memory::{MemoryMessage, Speaker};
use interview_core::ports::{
    Base64Audio, Clock, ProviderError, RealtimeEvent, RealtimeEvents, RealtimeSession,
    RealtimeSessionConfig, RealtimeVoice, TurnDetection,
};
use interview_core::testing::ManualClock;
use serde_json::json;

const HANG_GUARD: Duration = Duration::from_secs(10);

fn settings(fake: &FakeRealtime) -> OpenAiSettings {
    let mut settings = OpenAiSettings {
        base_url: fake.http_url(),
        api_key: Some(TEST_API_KEY.into()),
        ..OpenAiSettings::default()
    };
    settings.retry.base_delay_ms = 1;
    settings
}

fn config(turn_detection: TurnDetection) -> RealtimeSessionConfig {
    RealtimeSessionConfig {
        instructions: "You interview a React developer. Ask about hooks.".into(),
        history: vec![
            MemoryMessage {
                speaker: Speaker::Interviewer,
                text: "Hi, I am your interviewer.".into(),
            },
            MemoryMessage {
                speaker: Speaker::Candidate,
                text: "Hello!".into(),
            },
        ],
        opening: "Welcome back. What does useEffect do?".into(),
        turn_detection,
    }
}

async fn connect(fake: &FakeRealtime) -> RealtimeSession {
    OpenAiRealtime::new(&settings(fake))
        .connect(config(TurnDetection::None))
        .await
        .unwrap()
}

/// PCM as the port carries it.
fn base64(pcm: &[u8]) -> Base64Audio {
    Base64Audio::new(STANDARD.encode(pcm)).unwrap()
}

async fn next(
    events: &mut Box<dyn RealtimeEvents>,
) -> Option<Result<RealtimeEvent, ProviderError>> {
    tokio::time::timeout(HANG_GUARD, events.next())
        .await
        .unwrap()
}

async fn next_ok(events: &mut Box<dyn RealtimeEvents>) -> RealtimeEvent {
    next(events).await.unwrap().unwrap()
}

/// Reads a whole spoken reply: its audio, its transcript deltas and the `ResponseDone`.
async fn spoken_reply(
    events: &mut Box<dyn RealtimeEvents>,
) -> (Vec<u8>, Vec<String>, String, RealtimeUsage) {
    let (mut audio, mut deltas) = (Vec::new(), Vec::new());
    loop {
        match next_ok(events).await {
            RealtimeEvent::AudioDelta { audio: chunk } => {
                audio.extend(STANDARD.decode(chunk.as_str()).unwrap());
            }
            RealtimeEvent::TranscriptDelta { text } => deltas.push(text),
            RealtimeEvent::ResponseDone { transcript, usage } => {
                return (audio, deltas, transcript, usage);
            }
            other => panic!("unexpected event in a spoken reply: {other:?}"),
        }
    }
}

#[tokio::test]
async fn connecting_sends_a_ga_session_update_with_the_tool_then_the_history_and_the_opening() {
    let fake = FakeRealtime::start_with(Script::new().model("gpt-realtime-mini")).await;
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::default());
    let provider = OpenAiProvider::new(&settings(&fake), &clock).unwrap();
    let _session = provider
        .realtime
        .connect(config(TurnDetection::None))
        .await
        .unwrap();

    // the fake only upgrades a handshake with the bearer key and the model
    fake.wait_for(0, "response.create").await;
    assert_eq!(fake.handshakes(), 1);
    let received = fake.received(0);
    let kinds: Vec<_> = received.iter().map(|event| event["type"].clone()).collect();
    assert_eq!(
        kinds,
        [
            "session.update",
            "conversation.item.create",
            "conversation.item.create",
            "response.create"
        ]
    );
    let session = &received[0]["session"];
    assert_eq!(session["type"], "realtime");
    assert_eq!(
        session["instructions"],
        "You interview a React developer. Ask about hooks."
    );
    assert_eq!(session["output_modalities"], json!(["audio"]));
    let pcm = json!({ "type": "audio/pcm", "rate": 24000 });
    assert_eq!(session["audio"]["input"]["format"], pcm);
    assert_eq!(session["audio"]["output"]["format"], pcm);
    assert_eq!(session["audio"]["output"]["voice"], "alloy");
    assert_eq!(
        session["audio"]["input"]["transcription"]["model"],
        "gpt-4o-mini-transcribe"
    );
    assert!(session["audio"]["input"]["turn_detection"].is_null());
    assert_eq!(session["tool_choice"], "auto");
    let tool = &session["tools"][0];
    assert_eq!(tool["type"], "function");
    assert_eq!(tool["name"], "evaluate_candidate_answer");
    assert_eq!(
        tool["parameters"]["properties"]["answer_quality"]["type"],
        "string"
    );

    assert_eq!(
        received[1]["item"],
        json!({ "type": "message", "role": "assistant",
                "content": [{ "type": "output_text", "text": "Hi, I am your interviewer." }] })
    );
    assert_eq!(
        received[2]["item"],
        json!({ "type": "message", "role": "user",
                "content": [{ "type": "input_text", "text": "Hello!" }] })
    );
    let opening = &received[3]["response"];
    assert!(
        opening["instructions"]
            .as_str()
            .unwrap()
            .contains("Welcome back. What does useEffect do?")
    );
    assert_eq!(opening["tool_choice"], "none");
}

#[tokio::test]
async fn server_voice_activity_detection_is_configured_when_asked_for() {
    let fake = FakeRealtime::start().await;
    let _session = OpenAiRealtime::new(&settings(&fake))
        .connect(config(TurnDetection::ServerVad))
        .await
        .unwrap();
    let update = fake.wait_for(0, "session.update").await;
    assert_eq!(
        update["session"]["audio"]["input"]["turn_detection"]["type"],
        "server_vad"
    );
}

#[tokio::test]
async fn a_spoken_reply_streams_its_audio_and_transcript_and_reports_the_usage() {
    let usage = Usage {
        text_input: 7,
        audio_input: 11,
        text_output: 13,
        audio_output: 17,
    };
    let reply = Reply::saying(&["Welcome back. ", "What does ", "useEffect do?"]).with_usage(usage);
    let fake = FakeRealtime::start_with(Script::new().reply(reply.clone())).await;
    let RealtimeSession { mut events, .. } = connect(&fake).await;

    let (audio, deltas, transcript, usage) = spoken_reply(&mut events).await;
    assert_eq!(audio, reply.pcm());
    assert_eq!(deltas, reply.transcript);
    assert_eq!(transcript, "Welcome back. What does useEffect do?");
    assert_eq!(
        usage,
        RealtimeUsage {
            text_input_tokens: 7,
            audio_input_tokens: 11,
            text_output_tokens: 13,
            audio_output_tokens: 17,
            ..RealtimeUsage::default()
        }
    );
}

#[tokio::test]
async fn committed_audio_is_transcribed_and_then_evaluated_through_the_tool() {
    let arguments = evaluation_arguments("good", 0.8, 0.7, &["Hooks", "effects"]);
    let fake = FakeRealtime::start_with(Script::new().turn(Turn::evaluated(
        "It runs side effects after render.",
        "call_7",
        arguments,
    )))
    .await;
    let RealtimeSession { sender, mut events } = connect(&fake).await;
    spoken_reply(&mut events).await;

    let pcm: Vec<u8> = (0..960u16).flat_map(u16::to_le_bytes).collect();
    sender.send_audio(base64(&pcm)).await.unwrap();
    sender.commit().await.unwrap();

    assert_eq!(
        next_ok(&mut events).await,
        RealtimeEvent::CandidateTranscript {
            item_id: "item_user_1".into(),
            text: "It runs side effects after render.".into()
        }
    );
    let RealtimeEvent::Evaluation {
        call_id,
        evaluation,
    } = next_ok(&mut events).await
    else {
        panic!("an evaluation");
    };
    assert_eq!(call_id, "call_7");
    assert_eq!(evaluation.quality, AnswerQuality::Good);
    assert!((evaluation.technical_accuracy.value() - 0.8).abs() < 1e-9);
    assert!((evaluation.explanation_clarity.value() - 0.7).abs() < 1e-9);
    assert_eq!(
        evaluation.identified_skills,
        vec![SkillArea::new("hooks"), SkillArea::new("effects")]
    );
    assert!(!evaluation.fallback);
    // the evaluation's response says nothing but is charged
    let RealtimeEvent::ResponseDone { transcript, usage } = next_ok(&mut events).await else {
        panic!("the evaluation response's end");
    };
    assert_eq!(transcript, "");
    assert!(!usage.is_empty());

    let append = fake.wait_for(0, "input_audio_buffer.append").await;
    assert_eq!(
        STANDARD.decode(append["audio"].as_str().unwrap()).unwrap(),
        pcm
    );
    let kinds: Vec<_> = fake.received(0)[4..]
        .iter()
        .map(|event| event["type"].clone())
        .collect();
    assert_eq!(
        kinds,
        [
            "input_audio_buffer.append",
            "input_audio_buffer.commit",
            "response.create"
        ]
    );
}

#[tokio::test]
async fn say_answers_the_evaluation_call_first_then_asks_for_the_text_verbatim() {
    let fake = FakeRealtime::start().await;
    let RealtimeSession { sender, .. } = connect(&fake).await;

    sender
        .say(
            Some("call_7".into()),
            "Good. How would you clean up?".into(),
        )
        .await
        .unwrap();
    sender
        .say(None, "Thank you, that is all.".into())
        .await
        .unwrap();

    let creates = fake.wait_for_count(0, "response.create", 3).await;
    let received = fake.received(0);
    let output = received
        .iter()
        .position(|event| event["item"]["type"] == "function_call_output")
        .unwrap();
    assert_eq!(received[output]["item"]["call_id"], "call_7");
    assert_eq!(
        received[output]["item"]["output"],
        json!({ "say": "Good. How would you clean up?" }).to_string()
    );
    assert_eq!(received[output + 1]["type"], "response.create");
    let instructions = |index: usize| {
        creates[index]["response"]["instructions"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(instructions(1).contains("Good. How would you clean up?"));
    assert!(instructions(1).contains("word for word"));
    assert!(instructions(2).contains("Thank you, that is all."));
    assert_eq!(
        received
            .iter()
            .filter(|event| event["item"]["type"] == "function_call_output")
            .count(),
        1
    );
}

#[tokio::test]
async fn interrupt_cancels_and_truncates_the_playing_audio_where_playback_stopped() {
    let fake = FakeRealtime::start().await;
    let RealtimeSession { sender, mut events } = connect(&fake).await;
    spoken_reply(&mut events).await;

    sender.interrupt(Some(700)).await.unwrap();
    let truncate = fake.wait_for(0, "conversation.item.truncate").await;
    assert_eq!(
        truncate,
        json!({ "type": "conversation.item.truncate", "item_id": "item_resp_1",
                "content_index": 0, "audio_end_ms": 700 })
    );
    let received = fake.received(0);
    assert_eq!(received[received.len() - 2]["type"], "response.cancel");

    // nothing is playing any more: a second interrupt only cancels
    sender.interrupt(Some(900)).await.unwrap();
    fake.wait_for_count(0, "response.cancel", 2).await;
    assert_eq!(fake.received_of(0, "conversation.item.truncate").len(), 1);

    // the upstream's "no active response" answers to the cancels are not failures
    sender.say(None, "Let me rephrase.".into()).await.unwrap();
    assert!(matches!(
        next_ok(&mut events).await,
        RealtimeEvent::AudioDelta { .. }
    ));
}

#[tokio::test]
async fn unusable_evaluation_arguments_are_an_invalid_response_and_the_session_goes_on() {
    let fake = FakeRealtime::start_with(
        Script::new()
            .turn(Turn::evaluated(
                "I am not sure.",
                "call_1",
                "{\"answer_quality\": ",
            ))
            .turn(Turn::evaluated(
                "Actually, it syncs with external systems.",
                "call_2",
                evaluation_arguments("excellent", 0.95, 0.9, &[]),
            )),
    )
    .await;
    let RealtimeSession { sender, mut events } = connect(&fake).await;
    spoken_reply(&mut events).await;

    sender.send_audio(base64(&[0; 480])).await.unwrap();
    sender.commit().await.unwrap();
    assert!(matches!(
        next_ok(&mut events).await,
        RealtimeEvent::CandidateTranscript { .. }
    ));
    let Some(Err(ProviderError::InvalidResponse(problem))) = next(&mut events).await else {
        panic!("an invalid response");
    };
    assert!(problem.contains("evaluation"), "{problem}");
    assert!(matches!(
        next_ok(&mut events).await,
        RealtimeEvent::ResponseDone { .. }
    ));

    sender.send_audio(base64(&[0; 480])).await.unwrap();
    sender.commit().await.unwrap();
    assert!(matches!(
        next_ok(&mut events).await,
        RealtimeEvent::CandidateTranscript { item_id, .. } if item_id == "item_user_2"
    ));
    assert!(matches!(
        next_ok(&mut events).await,
        RealtimeEvent::Evaluation { call_id, evaluation } if call_id == "call_2"
            && evaluation.quality == AnswerQuality::Excellent
    ));
}

#[tokio::test]
async fn malformed_frames_are_skipped_and_upstream_errors_are_reported_without_ending_the_stream() {
    let fake = FakeRealtime::start_with(
        Script::new()
            .turn(Turn::raw(
                "First answer.",
                vec![
                    "{this is not json".into(),
                    json!({ "type": "rate_limits.updated", "rate_limits": [] }).to_string(),
                    json!({ "type": "error", "event_id": "e1", "error": {
                        "type": "server_error", "code": null, "message": "The server had an error" } })
                    .to_string(),
                ],
            ))
            .turn(Turn::spoken("Second answer.")),
    )
    .await;
    let RealtimeSession { sender, mut events } = connect(&fake).await;
    spoken_reply(&mut events).await;

    sender.send_audio(base64(&[1; 480])).await.unwrap();
    sender.commit().await.unwrap();
    assert!(matches!(
        next_ok(&mut events).await,
        RealtimeEvent::CandidateTranscript { text, .. } if text == "First answer."
    ));
    let Some(Err(ProviderError::Unavailable { message, .. })) = next(&mut events).await else {
        panic!("the upstream error");
    };
    assert!(message.contains("The server had an error"));

    sender.send_audio(base64(&[1; 480])).await.unwrap();
    sender.commit().await.unwrap();
    assert!(matches!(
        next_ok(&mut events).await,
        RealtimeEvent::CandidateTranscript { text, .. } if text == "Second answer."
    ));
    let (audio, ..) = spoken_reply(&mut events).await;
    assert!(!audio.is_empty());
}

#[tokio::test]
async fn a_turn_delivered_twice_keeps_its_item_id_and_call_id() {
    let fake = FakeRealtime::start_with(
        Script::new().turn(
            Turn::evaluated(
                "Twice.",
                "call_9",
                evaluation_arguments("fair", 0.5, 0.5, &[]),
            )
            .delivered_twice()
            .with_speech_started(),
        ),
    )
    .await;
    let RealtimeSession { sender, mut events } = connect(&fake).await;
    spoken_reply(&mut events).await;

    sender.send_audio(base64(&[2; 480])).await.unwrap();
    assert_eq!(next_ok(&mut events).await, RealtimeEvent::SpeechStarted);
    sender.commit().await.unwrap();
    let transcript = RealtimeEvent::CandidateTranscript {
        item_id: "item_user_1".into(),
        text: "Twice.".into(),
    };
    assert_eq!(next_ok(&mut events).await, transcript);
    assert_eq!(next_ok(&mut events).await, transcript);
    for _ in 0..2 {
        assert!(matches!(
            next_ok(&mut events).await,
            RealtimeEvent::Evaluation { call_id, .. } if call_id == "call_9"
        ));
    }
}

#[tokio::test]
async fn an_upstream_disconnect_ends_the_stream_with_closed_then_none() {
    let fake =
        FakeRealtime::start_with(Script::new().turn(Turn::spoken("Bye.")).drop_after_turn(1)).await;
    let RealtimeSession { sender, mut events } = connect(&fake).await;
    spoken_reply(&mut events).await;

    sender.send_audio(base64(&[3; 480])).await.unwrap();
    sender.commit().await.unwrap();
    assert!(matches!(
        next_ok(&mut events).await,
        RealtimeEvent::CandidateTranscript { .. }
    ));
    spoken_reply(&mut events).await;
    assert_eq!(next_ok(&mut events).await, RealtimeEvent::Closed);
    assert!(next(&mut events).await.is_none());
}

#[tokio::test]
async fn closing_the_session_ends_the_events_with_closed() {
    let fake = FakeRealtime::start().await;
    let RealtimeSession { sender, mut events } = connect(&fake).await;
    spoken_reply(&mut events).await;
    sender.close().await;
    assert_eq!(next_ok(&mut events).await, RealtimeEvent::Closed);
    assert!(next(&mut events).await.is_none());
}

#[tokio::test]
async fn rate_limited_handshakes_are_retried_until_one_connects() {
    let fake = FakeRealtime::start_with(Script::new().refuse_first(2, 429)).await;
    let RealtimeSession { mut events, .. } = connect(&fake).await;
    assert_eq!(fake.handshakes(), 3);
    assert_eq!(fake.connections(), 1);
    spoken_reply(&mut events).await;
}

#[tokio::test]
async fn an_upstream_that_stays_unavailable_fails_after_the_bounded_retries() {
    let fake = FakeRealtime::start_with(Script::new().refuse_first(usize::MAX, 503)).await;
    let error = OpenAiRealtime::new(&settings(&fake))
        .connect(config(TurnDetection::None))
        .await
        .err()
        .unwrap();
    assert!(
        matches!(error, ProviderError::Unavailable { .. }),
        "{error:?}"
    );
    assert_eq!(
        fake.handshakes(),
        1 + RealtimeSettings::default().connect_retries
    );
}

#[tokio::test]
async fn a_long_retry_after_is_reported_at_once_instead_of_waited_out() {
    let fake =
        FakeRealtime::start_with(Script::new().refuse_first(usize::MAX, 429).retry_after(120))
            .await;
    let error = OpenAiRealtime::new(&settings(&fake))
        .connect(config(TurnDetection::None))
        .await
        .err()
        .unwrap();
    assert!(
        matches!(error, ProviderError::RateLimited { retry_after: Some(wait) } if wait == Duration::from_mins(2)),
        "{error:?}"
    );
    assert_eq!(fake.handshakes(), 1);
}

#[tokio::test]
async fn a_wrong_key_is_rejected_without_retrying() {
    let fake = FakeRealtime::start_with(Script::new().api_key("another-key")).await;
    let error = OpenAiRealtime::new(&settings(&fake))
        .connect(config(TurnDetection::None))
        .await
        .err()
        .unwrap();
    assert!(matches!(error, ProviderError::Rejected(_)), "{error:?}");
    assert_eq!(fake.handshakes(), 1);
}

#[test]
fn the_websocket_url_is_derived_from_the_base_url_unless_set() {
    let settings = OpenAiSettings::default();
    assert_eq!(
        OpenAiRealtime::new(&settings).endpoint(),
        "wss://api.openai.com/v1/realtime?model=gpt-realtime-mini"
    );
    let local = RealtimeSettings::default();
    assert_eq!(
        local.websocket_base("http://localhost:8080/v1/"),
        "ws://localhost:8080/v1"
    );
    let overridden = RealtimeSettings {
        url: Some("wss://proxy.example/v1".into()),
        ..RealtimeSettings::default()
    };
    assert_eq!(
        overridden.websocket_base("https://api.openai.com/v1"),
        "wss://proxy.example/v1"
    );
}

#[test]
fn realtime_settings_have_defaults_and_read_overrides() {
    // turn detection is the server's `realtime.turn_detection`, passed in each session's config
    let settings: OpenAiSettings =
        serde_json::from_value(json!({ "realtime": { "voice": "verse" } })).unwrap();
    assert_eq!(settings.realtime.voice, "verse");
    assert_eq!(settings.realtime.model, "gpt-realtime-mini");
    assert_eq!(
        settings.realtime.transcription_model,
        "gpt-4o-mini-transcribe"
    );
    assert!((settings.realtime.connect_timeout_seconds - 10.0).abs() < f64::EPSILON);
    assert_eq!(settings.realtime.connect_retries, 3);
    let mut broken = settings;
    broken.api_key = Some("k".into());
    broken.realtime.model = " ".into();
    broken.realtime.url = Some("ftp://nope".into());
    let problems = broken.problems("ai.openai");
    assert!(
        problems
            .iter()
            .any(|problem| problem.starts_with("ai.openai.realtime.model"))
    );
    assert!(
        problems
            .iter()
            .any(|problem| problem.starts_with("ai.openai.realtime.url"))
    );
}

/// A `wss://` connection builds its TLS configuration from the process's rustls provider; with
/// two providers compiled in, that would panic instead of failing (DEPENDENCIES.md).
#[tokio::test]
async fn a_wss_url_goes_through_rustls_and_a_failed_tls_handshake_is_unavailable() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        // accepts and hangs up: the TLS handshake cannot complete
        while let Ok((stream, _)) = listener.accept().await {
            drop(stream);
        }
    });
    let mut settings = OpenAiSettings {
        api_key: Some(TEST_API_KEY.into()),
        ..OpenAiSettings::default()
    };
    settings.retry.base_delay_ms = 1;
    settings.realtime.url = Some(format!("wss://{addr}/v1"));
    let error = OpenAiRealtime::new(&settings)
        .connect(config(TurnDetection::None))
        .await
        .err()
        .unwrap();
    assert!(
        matches!(error, ProviderError::Unavailable { .. }),
        "{error:?}"
    );
}
