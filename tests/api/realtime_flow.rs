//! Whole spoken interviews: a browser-like WebSocket client, the real server with the OpenAI
//! adapters, chat on wiremock and the Realtime upstream played by `fake-realtime`.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use fake_realtime::{FakeRealtime, Script, Turn, evaluation_arguments};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use server::config::{AiProvider, Settings};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Message, http};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};
use wiremock::MockServer;

use crate::helpers::{Candidate, TestApp, mount_chat, spawn_app_with};

/// Only a guard against a hang: every wait ends on a frame.
pub(crate) const HANG_GUARD: Duration = Duration::from_secs(15);
pub(crate) const KEY: &str = "sk-realtime-test";

/// Chat completions: judged answers (structured output) and questions.
pub(crate) async fn chat_server() -> MockServer {
    let server = MockServer::start().await;
    mount_chat(
        &server,
        r#"{"answer_quality":"fair","technical_accuracy":0.6,"explanation_clarity":0.6,
               "identified_skills":[],"skill_boundaries_detected":[],"rationale":"Partial."}"#,
        "How do you keep a React component pure?",
    )
    .await;
    server
}

pub(crate) struct Live {
    pub(crate) chat: MockServer,
    pub(crate) settings: fn(&mut Settings),
    pub(crate) fake: FakeRealtime,
    pub(crate) app: TestApp,
    pub(crate) candidate: Candidate,
    pub(crate) interview: String,
}

/// A server on the chat stand-in and the fake upstream, with `configure` applied.
pub(crate) async fn node(
    chat: &MockServer,
    fake: &FakeRealtime,
    configure: fn(&mut Settings),
    database_url: Option<String>,
) -> TestApp {
    let base_url = format!("{}/v1", chat.uri());
    let realtime_url = fake.url();
    spawn_app_with(move |settings| {
        settings.ai.provider = AiProvider::Openai;
        settings.ai.openai.base_url = base_url;
        settings.ai.openai.api_key = Some(KEY.to_owned().into());
        settings.ai.openai.retry.base_delay_ms = 1;
        settings.ai.openai.realtime.url = Some(realtime_url);
        if let Some(url) = database_url {
            settings.database.url = url;
        }
        configure(settings);
    })
    .await
}

pub(crate) async fn live(script: Script, configure: fn(&mut Settings)) -> Live {
    let chat = chat_server().await;
    let fake = FakeRealtime::start_with(script.api_key(KEY)).await;
    let app = node(&chat, &fake, configure, None).await;
    let candidate = app.register("ada@example.com").await;
    let started = app
        .post_json(
            "/api/v1/interviews/start",
            Some(&candidate.token),
            &json!({"role_type": "react", "mode": "realtime"}),
        )
        .await;
    assert_eq!(started.status(), reqwest::StatusCode::CREATED);
    let started: Value = started.json().await.unwrap();
    Live {
        interview: started["id"].as_str().unwrap().to_owned(),
        settings: configure,
        chat,
        fake,
        app,
        candidate,
    }
}

pub(crate) struct Socket(WebSocketStream<MaybeTlsStream<TcpStream>>);

/// What a client reads: a frame, or the close with its code.
#[derive(Debug)]
pub(crate) enum Read {
    Frame(Value),
    Closed(Option<CloseCode>),
}

impl Live {
    /// Connects with the `Authorization` header, as a non-browser client would.
    pub(crate) async fn connect(&self) -> Socket {
        self.connect_to(&self.app).await
    }

    /// Another node of the same deployment: a second server on the same database.
    pub(crate) async fn second_node(&self) -> TestApp {
        node(
            &self.chat,
            &self.fake,
            self.settings,
            Some(self.app.database_url.clone()),
        )
        .await
    }

    pub(crate) async fn connect_to(&self, app: &TestApp) -> Socket {
        self.connect_at(app, &self.interview).await
    }

    /// Connects to another interview of the same candidate.
    pub(crate) async fn connect_at(&self, app: &TestApp, interview: &str) -> Socket {
        let base = app.address.replacen("http", "ws", 1);
        let url = format!("{base}/api/v1/interviews/{interview}/realtime/connect");
        let mut request = url.into_client_request().unwrap();
        request.headers_mut().insert(
            http::header::AUTHORIZATION,
            format!("Bearer {}", self.candidate.token).parse().unwrap(),
        );
        let (socket, _) = connect_async(request).await.unwrap();
        Socket(socket)
    }

    pub(crate) async fn get(&self, path: &str) -> Value {
        self.app.get_json(path, Some(&self.candidate.token)).await
    }
}

impl Socket {
    pub(crate) async fn close(mut self) {
        let _ = self.0.close(None).await;
    }

    pub(crate) async fn send(&mut self, frame: Value) {
        self.0.send(Message::text(frame.to_string())).await.unwrap();
    }

    async fn send_text(&mut self, text: &str) {
        self.0.send(Message::text(text.to_owned())).await.unwrap();
    }

    pub(crate) async fn read(&mut self) -> Read {
        loop {
            match self.0.next().await {
                None => return Read::Closed(None),
                Some(Ok(Message::Text(text))) => {
                    if std::env::var("TRACE_FRAMES").is_ok() {
                        eprintln!("FRAME {}", &text[..text.len().min(120)]);
                    }
                    return Read::Frame(serde_json::from_str(&text).unwrap());
                }
                Some(Ok(Message::Close(frame))) => {
                    return Read::Closed(frame.map(|frame| frame.code));
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => panic!("the socket failed: {error}"),
            }
        }
    }

    /// Frames up to and including the first that `done` accepts.
    pub(crate) async fn until(&mut self, done: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut frames = Vec::new();
        loop {
            let read = tokio::time::timeout(HANG_GUARD, self.read()).await;
            let Ok(read) = read else {
                panic!("the awaited frame did not come; got {frames:?}");
            };
            match read {
                Read::Frame(frame) => {
                    let last = done(&frame);
                    frames.push(frame);
                    if last {
                        return frames;
                    }
                }
                Read::Closed(code) => panic!("closed ({code:?}) before the frame; got {frames:?}"),
            }
        }
    }

    /// Waits for the end of the interviewer's current reply.
    pub(crate) async fn reply_done(&mut self) -> Vec<Value> {
        self.until(|frame| frame["type"] == "ai_audio_chunk" && frame["is_final"] == true)
            .await
    }

    /// Speaks (push-to-talk) and returns the frames up to the stored answer and reply.
    pub(crate) async fn answer(&mut self) -> Vec<Value> {
        let pcm: Vec<u8> = (0..960u16).flat_map(u16::to_le_bytes).collect();
        self.send(json!({"type": "audio_chunk", "audio": STANDARD.encode(&pcm), "timestamp": 1.0}))
            .await;
        self.send(json!({"type": "audio_commit"})).await;
        self.until(|frame| frame["type"] == "transcript" && frame["role"] == "assistant")
            .await
    }
}

pub(crate) fn strong(turn: usize) -> Turn {
    Turn::evaluated(
        format!("Spoken answer number {turn}."),
        format!("call_{turn}"),
        evaluation_arguments("excellent", 0.95, 0.95, &["components"]),
    )
}

pub(crate) fn transcripts(frames: &[Value], role: &str) -> Vec<String> {
    frames
        .iter()
        .filter(|frame| frame["type"] == "transcript" && frame["role"] == role)
        .map(|frame| frame["text"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_spoken_interview_of_eight_turns_completes_with_the_ladder_moving_and_everything_stored()
{
    let script = (1..=8).fold(Script::new(), |script, turn| script.turn(strong(turn)));
    let live = live(script, |settings| {
        settings.interview.max_questions = Some(8);
    })
    .await;
    let mut socket = live.connect().await;
    let connected = socket.until(|frame| frame["type"] == "connected").await;
    assert_eq!(connected[0]["resumed"], false);
    assert_eq!(connected[0]["interview_id"], live.interview.as_str());
    let opening = socket.reply_done().await;
    assert!(
        opening
            .iter()
            .any(|frame| frame["type"] == "ai_audio_chunk" && frame["audio"] != "")
    );
    let mut frames = Vec::new();
    for _ in 1..8 {
        frames.extend(socket.answer().await);
        frames.extend(socket.reply_done().await);
    }
    frames.extend(socket.answer().await);
    let ending = socket
        .until(|frame| frame["type"] == "interview_complete")
        .await;
    let complete = ending.last().unwrap();
    assert_eq!(complete["reason"], "max_questions");
    assert_eq!(complete["questions_answered"], 8);
    assert!(matches!(
        tokio::time::timeout(HANG_GUARD, socket.read()).await,
        Ok(Read::Closed(Some(CloseCode::Normal)))
    ));

    // the stored transcript, in order, is what the client was shown
    let expected: Vec<String> = (1..=8)
        .map(|turn| format!("Spoken answer number {turn}."))
        .collect();
    assert_eq!(transcripts(&frames, "user"), expected);
    let page = live
        .get(&format!(
            "/api/v1/interviews/{}/messages?limit=50",
            live.interview
        ))
        .await;
    assert_eq!(page["total_count"], 17);
    let messages = page["messages"].as_array().unwrap();
    let sequence: Vec<i64> = messages
        .iter()
        .map(|message| message["sequence_number"].as_i64().unwrap())
        .collect();
    assert_eq!(sequence, (1..=17).collect::<Vec<i64>>());
    let answers: Vec<String> = messages
        .iter()
        .filter(|message| message["message_type"] == "candidate_response")
        .map(|message| message["content_text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(answers, expected);
    assert_eq!(messages[16]["is_closing"], true);
    // 960 samples of PCM16 at 24 kHz were spoken for each answer: 40 ms
    assert_eq!(messages[1]["audio_duration_seconds"], 0.04);

    let interview = live
        .get(&format!("/api/v1/interviews/{}", live.interview))
        .await;
    assert_eq!(interview["status"], "completed");
    assert!(interview["realtime_cost_usd"].as_str().unwrap() != "0");
    // the realtime model judged every answer: the chat model was only asked for questions, and
    // strong answers took the ladder past fundamental
    let requests = live.chat.received_requests().await.unwrap();
    let bodies: Vec<String> = requests
        .iter()
        .map(|request| String::from_utf8_lossy(&request.body).into_owned())
        .collect();
    // (the assessment job may already have asked for the interview's assessment, which is
    // structured output too: only evaluations are excluded)
    assert!(
        bodies
            .iter()
            .all(|body| !body.contains("answer_evaluation"))
    );
    assert!(
        bodies
            .iter()
            .any(|body| body.contains("Difficulty level: intermediate")
                || body.contains("Difficulty level: advanced")),
        "no question above fundamental was asked"
    );
    // every answer was handed back to the model as the tool's output
    let outputs = live
        .fake
        .received_of(0, "conversation.item.create")
        .into_iter()
        .filter(|event| event["item"]["type"] == "function_call_output")
        .count();
    assert_eq!(outputs, 8);
}

#[tokio::test]
async fn a_turn_delivered_twice_is_stored_once_and_a_reply_without_the_tool_is_judged_by_the_interviewer()
 {
    let script = Script::new()
        .turn(strong(1).delivered_twice())
        .turn(Turn::spoken("An answer the model did not judge."));
    let live = live(script, |_| {}).await;
    let mut socket = live.connect().await;
    socket.until(|frame| frame["type"] == "connected").await;
    socket.reply_done().await;
    let first = socket.answer().await;
    assert_eq!(transcripts(&first, "user"), vec!["Spoken answer number 1."]);
    socket.reply_done().await;
    let second = socket.answer().await;
    assert_eq!(
        transcripts(&second, "user"),
        vec!["An answer the model did not judge."]
    );
    let page = live
        .get(&format!(
            "/api/v1/interviews/{}/messages?limit=50",
            live.interview
        ))
        .await;
    assert_eq!(page["total_count"], 5, "{page}");
    // the unjudged answer went to the chat interviewer's structured evaluation
    let judged = live
        .chat
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|request| String::from_utf8_lossy(&request.body).contains("json_schema"))
        .count();
    assert_eq!(judged, 1);
}

#[tokio::test]
async fn malformed_frames_are_reported_and_the_session_goes_on() {
    let live = live(Script::new(), |_| {}).await;
    let mut socket = live.connect().await;
    socket.until(|frame| frame["type"] == "connected").await;
    socket.send_text("this is not json").await;
    let error = socket.until(|frame| frame["type"] == "error").await;
    assert_eq!(error.last().unwrap()["error"], "INVALID_MESSAGE");
    socket
        .send(json!({"type": "audio_chunk", "audio": "%%% not base64 %%%"}))
        .await;
    let error = socket.until(|frame| frame["type"] == "error").await;
    assert_eq!(error.last().unwrap()["error"], "INVALID_MESSAGE");
    socket.send_text(&"x".repeat(1_100_000)).await;
    let error = socket.until(|frame| frame["type"] == "error").await;
    assert_eq!(error.last().unwrap()["error"], "INVALID_MESSAGE");
    socket.send(json!({"type": "ping"})).await;
    socket.until(|frame| frame["type"] == "pong").await;
}

#[tokio::test]
async fn a_reconnect_resumes_with_the_open_question_and_an_upstream_drop_rolls_over() {
    let script = Script::new()
        .turn(strong(1))
        .turn(strong(2))
        .turn(strong(3))
        .drop_after_turn(2);
    let live = live(script, |_| {}).await;
    let mut socket = live.connect().await;
    socket.until(|frame| frame["type"] == "connected").await;
    socket.reply_done().await;
    socket.answer().await;
    socket.reply_done().await;
    // the client drops and comes back: the interview resumes where it was
    drop(socket);
    let mut socket = live.connect().await;
    let connected = socket.until(|frame| frame["type"] == "connected").await;
    assert_eq!(connected.last().unwrap()["resumed"], true);
    socket.reply_done().await;
    // the upstream drops after this turn; a fresh upstream session takes over unnoticed
    socket.answer().await;
    socket.reply_done().await;
    let third = socket.answer().await;
    assert_eq!(transcripts(&third, "user"), vec!["Spoken answer number 3."]);
    assert!(live.fake.connections() >= 3, "{}", live.fake.connections());
    let page = live
        .get(&format!(
            "/api/v1/interviews/{}/messages?limit=50",
            live.interview
        ))
        .await;
    assert_eq!(page["total_count"], 7);
}

#[tokio::test]
async fn a_spent_budget_ends_the_spoken_interview_politely() {
    let live = live(Script::new().turn(strong(1)), |settings| {
        settings.interview.budget_usd = Some(rust_decimal::Decimal::new(1, 3));
    })
    .await;
    let mut socket = live.connect().await;
    socket.until(|frame| frame["type"] == "connected").await;
    let frames = socket
        .until(|frame| frame["type"] == "interview_complete")
        .await;
    assert!(
        frames
            .iter()
            .any(|frame| frame["type"] == "error" && frame["error"] == "BUDGET_EXHAUSTED"),
        "{frames:?}"
    );
    assert_eq!(frames.last().unwrap()["reason"], "budget_exhausted");
    assert!(matches!(
        tokio::time::timeout(HANG_GUARD, socket.read()).await,
        Ok(Read::Closed(Some(CloseCode::Normal)))
    ));
    let interview = live
        .get(&format!("/api/v1/interviews/{}", live.interview))
        .await;
    assert_eq!(interview["status"], "completed");
    assert_eq!(interview["completion_reason"], "budget_exhausted");
}
