//! Spoken interviews under stress: barge-in, silence, a refusing upstream, a second connection
//! (on this node and another), a finished interview, a client dropping mid-turn, kept audio.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use fake_realtime::Script;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::realtime_flow::{HANG_GUARD, Read, Socket, live, strong, transcripts};

impl Socket {
    /// Reads until the server closes, returning the frames before it and the close code.
    async fn until_closed(&mut self) -> (Vec<Value>, Option<CloseCode>) {
        let mut frames = Vec::new();
        loop {
            let Ok(read) = tokio::time::timeout(HANG_GUARD, self.read()).await else {
                panic!("the server did not close; got {frames:?}");
            };
            match read {
                Read::Frame(frame) => frames.push(frame),
                Read::Closed(code) => return (frames, code),
            }
        }
    }
}

#[tokio::test]
async fn barge_in_cancels_the_interviewers_speech_upstream_and_the_session_goes_on() {
    let live = live(Script::new(), |_| {}).await;
    let mut socket = live.connect().await;
    socket.until(|frame| frame["type"] == "connected").await;
    socket.reply_done().await;
    socket
        .send(json!({"type": "interrupt", "played_ms": 120}))
        .await;
    let cancel = live.fake.wait_for(0, "response.cancel").await;
    assert_eq!(cancel["type"], "response.cancel");
    socket.send(json!({"type": "ping"})).await;
    socket.until(|frame| frame["type"] == "pong").await;
}

#[tokio::test]
async fn a_silent_client_is_closed_after_the_idle_timeout() {
    let live = live(Script::new(), |settings| {
        settings.realtime.idle_timeout_seconds = 1;
    })
    .await;
    let mut socket = live.connect().await;
    let (frames, code) = socket.until_closed().await;
    assert_eq!(frames[0]["type"], "connected");
    assert_eq!(code, Some(CloseCode::Policy));
}

#[tokio::test]
async fn an_upstream_that_keeps_refusing_is_realtime_unavailable_and_the_interview_is_untouched() {
    let live = live(Script::new().refuse_first(100, 503), |settings| {
        settings.ai.openai.realtime.connect_retries = 2;
    })
    .await;
    let path = format!("/api/v1/interviews/{}", live.interview);
    let before = live.get(&path).await;
    let mut socket = live.connect().await;
    let (frames, code) = socket.until_closed().await;
    assert_eq!(frames.len(), 1, "{frames:?}");
    assert_eq!(frames[0]["error"], "REALTIME_UNAVAILABLE");
    assert_eq!(code, Some(CloseCode::Error));
    // the first attempt and its two retries
    assert_eq!(live.fake.handshakes(), 3);
    assert_eq!(live.get(&path).await, before);
}

#[tokio::test]
async fn a_second_connection_to_an_interview_replaces_the_first_on_this_node() {
    let live = live(Script::new(), |_| {}).await;
    let mut first = live.connect().await;
    first.until(|frame| frame["type"] == "connected").await;
    let mut second = live.connect().await;
    second.until(|frame| frame["type"] == "connected").await;
    let (frames, code) = first.until_closed().await;
    assert!(
        frames
            .iter()
            .any(|frame| frame["error"] == "SESSION_REPLACED"),
        "{frames:?}"
    );
    assert_eq!(code, Some(CloseCode::Policy));
    second.send(json!({"type": "ping"})).await;
    second.until(|frame| frame["type"] == "pong").await;
}

#[tokio::test]
async fn a_connection_on_another_node_replaces_the_first() {
    let live = live(Script::new(), |settings| {
        settings.realtime.lease_check_seconds = 1;
    })
    .await;
    let other = live.second_node().await;
    let mut first = live.connect().await;
    first.until(|frame| frame["type"] == "connected").await;
    let mut second = live.connect_to(&other).await;
    second.until(|frame| frame["type"] == "connected").await;
    let (frames, code) = first.until_closed().await;
    assert!(
        frames
            .iter()
            .any(|frame| frame["error"] == "SESSION_REPLACED"),
        "{frames:?}"
    );
    assert_eq!(code, Some(CloseCode::Policy));
    second.send(json!({"type": "ping"})).await;
    second.until(|frame| frame["type"] == "pong").await;
}

#[tokio::test]
async fn a_finished_interview_is_not_active_for_a_realtime_connection() {
    let live = live(Script::new(), |_| {}).await;
    let completed = live
        .app
        .post_json(
            &format!("/api/v1/interviews/{}/complete", live.interview),
            Some(&live.candidate.token),
            &json!({}),
        )
        .await;
    assert_eq!(completed.status(), reqwest::StatusCode::OK);
    let mut socket = live.connect().await;
    let (frames, code) = socket.until_closed().await;
    assert_eq!(frames.len(), 1, "{frames:?}");
    assert_eq!(frames[0]["error"], "INTERVIEW_NOT_ACTIVE");
    assert_eq!(code, Some(CloseCode::Policy));
    assert_eq!(live.fake.handshakes(), 0);
}

#[tokio::test]
async fn a_client_dropping_mid_turn_leaves_the_interview_whole_and_resumable() {
    let live = live(Script::new().turn(strong(1)).turn(strong(2)), |_| {}).await;
    let mut socket = live.connect().await;
    socket.until(|frame| frame["type"] == "connected").await;
    socket.reply_done().await;
    // speak and commit, then vanish before any answer comes back
    let pcm: Vec<u8> = (0..960u16).flat_map(u16::to_le_bytes).collect();
    socket
        .send(json!({"type": "audio_chunk", "audio": STANDARD.encode(&pcm)}))
        .await;
    socket.send(json!({"type": "audio_commit"})).await;
    drop(socket);
    // whatever the server managed before noticing, the transcript is whole: the open question
    // is the last message, and a new connection picks the interview up
    let mut socket = live.connect().await;
    socket.until(|frame| frame["type"] == "connected").await;
    socket.reply_done().await;
    let page = live
        .get(&format!(
            "/api/v1/interviews/{}/messages?limit=50",
            live.interview
        ))
        .await;
    let total = page["total_count"].as_u64().unwrap();
    assert!(total == 1 || total == 3, "{page}");
    assert_eq!(
        page["messages"].as_array().unwrap().last().unwrap()["message_type"],
        "ai_question"
    );
    let next = socket.answer().await;
    assert_eq!(transcripts(&next, "user").len(), 1);
}

#[tokio::test]
async fn with_store_audio_both_sides_of_a_turn_are_kept_as_wav_for_the_owner() {
    let live = live(Script::new().turn(strong(1)), |settings| {
        settings.realtime.store_audio = true;
    })
    .await;
    let mut socket = live.connect().await;
    socket.until(|frame| frame["type"] == "connected").await;
    socket.reply_done().await;
    socket.answer().await;
    socket.reply_done().await;
    let page = live
        .get(&format!(
            "/api/v1/interviews/{}/messages?limit=50",
            live.interview
        ))
        .await;
    let messages = page["messages"].as_array().unwrap();
    let (answer, reply) = (&messages[1], &messages[2]);
    assert_eq!(answer["audio_metadata"]["format"], "wav", "{answer}");
    assert_eq!(reply["audio_metadata"]["format"], "wav", "{reply}");
    // the candidate spoke 960 samples; the interviewer's reply is the fake's audio
    let spoken = live
        .app
        .get(
            answer["audio_url"].as_str().unwrap(),
            Some(&live.candidate.token),
        )
        .await;
    assert_eq!(spoken.status(), reqwest::StatusCode::OK);
    let bytes = spoken.bytes().await.unwrap();
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(bytes.len(), 44 + 1_920);
    let said = live
        .app
        .get(
            reply["audio_url"].as_str().unwrap(),
            Some(&live.candidate.token),
        )
        .await;
    assert_eq!(said.status(), reqwest::StatusCode::OK);
    let expected = fake_realtime::Reply::default().pcm();
    let said = said.bytes().await.unwrap();
    assert_eq!(&said[44..], expected.as_slice());
    // nobody else can fetch it
    let stranger = live.app.register("eve@example.com").await;
    let refused = live
        .app
        .get(reply["audio_url"].as_str().unwrap(), Some(&stranger.token))
        .await;
    assert_eq!(refused.status(), reqwest::StatusCode::NOT_FOUND);
}
