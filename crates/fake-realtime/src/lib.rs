//! An in-process fake of the OpenAI Realtime GA WebSocket server, for tests (loopback only).
//!
//! [`FakeRealtime::start_with`] binds `127.0.0.1:0` and serves `ws://127.0.0.1:PORT/v1/realtime`.
//! What it implements:
//! - the handshake: path `/v1/realtime`, `Authorization: Bearer <key>` (else 401), the `model`
//!   query parameter when the script names one (else 400), and refusing the first N handshakes
//!   with a chosen status (429, 503, …) and optional `Retry-After`;
//! - `session.created` on connect; `session.update` → `session.updated` (echoing the session);
//! - `conversation.item.create` → `conversation.item.added`; `conversation.item.truncate` →
//!   `conversation.item.truncated`; `response.cancel` → the `response_cancel_not_active` error
//!   (the fake streams every response at once, so none is ever in progress);
//! - `input_audio_buffer.append` + `input_audio_buffer.commit` → `input_audio_buffer.committed`
//!   and `conversation.item.input_audio_transcription.completed` with the next scripted [`Turn`]'s
//!   transcript (item ids `item_user_N`, the same when delivered twice). A commit without appended
//!   audio gets the `input_audio_buffer_commit_empty` error. Like the real API with
//!   `turn_detection: null`, a commit creates no response by itself;
//! - `response.create` → after a commit, the turn's [`Outcome`]: an `evaluate_candidate_answer`
//!   call (`response.function_call_arguments.done`, then `response.done`), a spoken reply or raw
//!   frames; otherwise the scripted spoken reply (audio deltas with base64 PCM16, transcript
//!   deltas, `response.done` with a GA `usage` block);
//! - options: duplicate delivery, `input_audio_buffer.speech_started`, dropping the connection
//!   after turn K;
//! - a streaming mode for load tests ([`Script::streaming`]): audio deltas every 20 ms on every
//!   connection for as long as it is open, with send timestamps in the audio, and the receipt of
//!   every append timed ([`FakeRealtime::take_appends`]) instead of recorded.
//!
//! Every client event received is recorded as JSON, per accepted connection, for assertions;
//! [`FakeRealtime::wait_for`] waits for one without sleeping.
//!
//! ```no_run
//! use fake_realtime::{FakeRealtime, Script, Turn, evaluation_arguments};
//!
//! # async fn example() {
//! let fake = FakeRealtime::start_with(
//!     Script::new()
//!         .refuse_first(1, 429)
//!         .turn(Turn::evaluated("It memoises a value.", "call_1",
//!             evaluation_arguments("good", 0.8, 0.7, &["hooks"])))
//!         .turn(Turn::spoken("I don't know.").delivered_twice())
//!         .drop_after_turn(2),
//! )
//! .await;
//! // point the client at fake.url() (ws://127.0.0.1:PORT/v1) with the key TEST_API_KEY, then:
//! let update = fake.wait_for(0, "session.update").await;
//! assert_eq!(update["session"]["type"], "realtime");
//! # }
//! ```

mod events;
mod handshake;
mod script;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

pub use script::{
    AppendReceipt, EVALUATION_TOOL, Outcome, Reply, Script, Streaming, TEST_API_KEY, Turn, Usage,
    evaluation_arguments,
};

/// The read buffer of a streaming connection (a few 20 ms appends).
const STREAMING_READ_BUFFER: usize = 8 * 1024;

/// How long [`FakeRealtime::wait_for`] waits before it fails the test (a hang guard only).
const HANG_GUARD: Duration = Duration::from_secs(10);

#[derive(Default)]
struct State {
    handshakes: usize,
    connections: Vec<Vec<Value>>,
    turns: VecDeque<Turn>,
    turns_done: usize,
    responses: usize,
}

struct Shared {
    script: Script,
    state: Mutex<State>,
    changed: Notify,
    /// Streaming mode: timed appends not yet taken, kept apart from `state` so the hot path
    /// does not contend with the scripted one.
    appends: Mutex<Vec<AppendReceipt>>,
    appends_received: AtomicU64,
    deltas_sent: AtomicU64,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn appends(&self) -> MutexGuard<'_, Vec<AppendReceipt>> {
        self.appends.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn next_response_id(&self) -> String {
        let mut state = self.state();
        state.responses += 1;
        format!("resp_{}", state.responses)
    }
}

/// The running fake; stops when dropped.
pub struct FakeRealtime {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl Drop for FakeRealtime {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl FakeRealtime {
    /// A fake that accepts [`TEST_API_KEY`] and speaks the default reply.
    pub async fn start() -> Self {
        Self::start_with(Script::default()).await
    }

    /// # Panics
    /// When no loopback port can be bound.
    pub async fn start_with(script: Script) -> Self {
        let listener = match TcpListener::bind("127.0.0.1:0").await {
            Ok(listener) => listener,
            Err(error) => panic!("the fake realtime server cannot bind a loopback port: {error}"),
        };
        let addr = match listener.local_addr() {
            Ok(addr) => addr,
            Err(error) => panic!("the fake realtime server has no address: {error}"),
        };
        let state = State {
            turns: script.turns.iter().cloned().collect(),
            ..State::default()
        };
        let shared = Arc::new(Shared {
            script,
            state: Mutex::new(state),
            changed: Notify::new(),
            appends: Mutex::new(Vec::new()),
            appends_received: AtomicU64::new(0),
            deltas_sent: AtomicU64::new(0),
        });
        let accepting = shared.clone();
        let accept = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                connections.spawn(serve(accepting.clone(), stream));
            }
        });
        Self {
            addr,
            shared,
            accept,
        }
    }

    /// The base URL to configure as the realtime URL: `ws://127.0.0.1:PORT/v1`.
    pub fn url(&self) -> String {
        format!("ws://{}/v1", self.addr)
    }

    /// The HTTP base URL of the same server (`http://127.0.0.1:PORT/v1`), for clients that
    /// derive the WebSocket URL from it.
    pub fn http_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Handshakes attempted, refused ones included.
    pub fn handshakes(&self) -> usize {
        self.shared.state().handshakes
    }

    /// Connections upgraded to WebSocket.
    pub fn connections(&self) -> usize {
        self.shared.state().connections.len()
    }

    /// Streaming mode: the appends timed since the last call (all connections, in arrival order
    /// per connection), handed over and forgotten.
    pub fn take_appends(&self) -> Vec<AppendReceipt> {
        std::mem::take(&mut *self.shared.appends())
    }

    /// Streaming mode: appends received so far, over all connections.
    pub fn appends_received(&self) -> u64 {
        self.shared.appends_received.load(Ordering::Relaxed)
    }

    /// Streaming mode: audio deltas sent so far, over all connections.
    pub fn deltas_sent(&self) -> u64 {
        self.shared.deltas_sent.load(Ordering::Relaxed)
    }

    /// Every client event connection `connection` (from 0) has sent so far (in streaming mode,
    /// appends excepted).
    pub fn received(&self, connection: usize) -> Vec<Value> {
        self.shared
            .state()
            .connections
            .get(connection)
            .cloned()
            .unwrap_or_default()
    }

    /// The client events of type `kind` on `connection`.
    pub fn received_of(&self, connection: usize, kind: &str) -> Vec<Value> {
        let events = self.received(connection);
        events
            .into_iter()
            .filter(|event| event["type"] == kind)
            .collect()
    }

    /// Waits until `connection` has sent `count` events of type `kind` and returns them.
    ///
    /// # Panics
    /// After a generous hang guard, listing what was received.
    pub async fn wait_for_count(&self, connection: usize, kind: &str, count: usize) -> Vec<Value> {
        let wait = async {
            loop {
                let changed = self.shared.changed.notified();
                let found = self.received_of(connection, kind);
                if found.len() >= count {
                    return found;
                }
                changed.await;
            }
        };
        let Ok(found) = tokio::time::timeout(HANG_GUARD, wait).await else {
            panic!(
                "connection {connection} never sent {count} `{kind}`; it sent {:#?}",
                self.received(connection)
            );
        };
        found
    }

    /// Waits for the first event of type `kind` on `connection`.
    pub async fn wait_for(&self, connection: usize, kind: &str) -> Value {
        let mut found = self.wait_for_count(connection, kind, 1).await;
        found.swap_remove(0)
    }
}

async fn send(socket: &mut WebSocketStream<TcpStream>, events: &[Value]) -> bool {
    send_frames(socket, events.iter().map(Value::to_string).collect()).await
}

async fn send_frames(socket: &mut WebSocketStream<TcpStream>, frames: Vec<String>) -> bool {
    for frame in frames {
        if socket.send(Message::text(frame)).await.is_err() {
            return false;
        }
    }
    true
}

/// One connection: the handshake, then client events in, scripted server events out.
async fn serve(shared: Arc<Shared>, stream: TcpStream) {
    let attempt = {
        let mut state = shared.state();
        state.handshakes += 1;
        state.handshakes
    };
    if shared.script.streaming.is_some() {
        // a delta every 20 ms must not wait for the ACK of the one before (Nagle's algorithm)
        let _ = stream.set_nodelay(true);
    }
    let mut model = String::new();
    // tungstenite fixes the callback's error type
    #[allow(clippy::result_large_err)]
    let check = |request: &Request, response: Response| {
        handshake::admit(&shared.script, attempt, request).map_err(|refusal| *refusal)?;
        model = handshake::model_of(request).unwrap_or_default();
        Ok(response)
    };
    // tungstenite zero-fills its whole read buffer (128 KiB by default) before every read; a
    // streaming fake with thousands of connections keeps it small so it stays cheap
    let config = shared
        .script
        .streaming
        .map(|_| WebSocketConfig::default().read_buffer_size(STREAMING_READ_BUFFER));
    let accepted = tokio_tungstenite::accept_hdr_async_with_config(stream, check, config).await;
    shared.changed.notify_waiters();
    let Ok(mut socket) = accepted else { return };
    let connection = {
        let mut state = shared.state();
        state.connections.push(Vec::new());
        state.connections.len() - 1
    };
    if !send(&mut socket, &[events::session_created(&model)]).await {
        return;
    }
    let mut appended = 0usize;
    let mut user_items = 0usize;
    // the committed turn whose outcome the next `response.create` produces
    let mut pending: Option<Turn> = None;
    let mut stream = shared
        .script
        .streaming
        .map(|streaming| DeltaStream::new(streaming, connection));
    loop {
        let message = match stream.as_mut() {
            None => socket.next().await,
            Some(stream) => tokio::select! {
                message = socket.next() => message,
                _ = stream.ticker.tick() => {
                    if !stream.send(&mut socket, &shared).await {
                        return;
                    }
                    continue;
                }
            },
        };
        let Some(Ok(message)) = message else { break };
        let Message::Text(text) = message else {
            if message.is_close() {
                break;
            }
            continue;
        };
        if let Some(streaming) = &shared.script.streaming
            && let Some(audio) = append_audio(text.as_str())
        {
            let bytes = time_append(&shared, streaming, connection, audio);
            let replies = on_append(&shared, &mut appended, user_items, bytes);
            if !send(&mut socket, &replies).await {
                return;
            }
            continue;
        }
        let Ok(event) = serde_json::from_str::<Value>(text.as_str()) else {
            continue;
        };
        {
            let mut state = shared.state();
            if let Some(log) = state.connections.get_mut(connection) {
                log.push(event.clone());
            }
        }
        shared.changed.notify_waiters();
        let kind = event["type"].as_str().unwrap_or_default();
        let replies = match kind {
            "session.update" => vec![events::session_updated(&event["session"])],
            "conversation.item.create" => vec![events::item_added(
                &event["item"],
                &format!("item_seed_{connection}"),
            )],
            "conversation.item.truncate" => vec![events::truncated(&event)],
            "response.cancel" => vec![events::error(
                "response_cancel_not_active",
                "Cancellation failed: no active response found",
                &event["event_id"],
            )],
            "response.create" => match pending.take() {
                None => events::spoken_reply(&shared.next_response_id(), &shared.script.reply),
                Some(turn) => {
                    let drop_now = {
                        let mut state = shared.state();
                        state.turns_done += 1;
                        shared.script.drop_after_turn == Some(state.turns_done)
                    };
                    let frames = outcome_frames(&shared, turn);
                    if !send_frames(&mut socket, frames).await || drop_now {
                        // dropping the socket without a close frame is what an upstream failure looks like
                        return;
                    }
                    Vec::new()
                }
            },
            "input_audio_buffer.append" => {
                let audio = event["audio"].as_str().unwrap_or_default();
                let bytes = STANDARD.decode(audio).map_or(0, |bytes| bytes.len());
                on_append(&shared, &mut appended, user_items, bytes)
            }
            "input_audio_buffer.commit" if appended == 0 => vec![events::error(
                "input_audio_buffer_commit_empty",
                "Error committing input audio buffer: buffer too small.",
                &event["event_id"],
            )],
            "input_audio_buffer.commit" => {
                appended = 0;
                user_items += 1;
                let turn = shared.state().turns.pop_front();
                let turn = turn.unwrap_or_else(|| Turn::spoken(""));
                let frames = commit_events(&format!("item_user_{user_items}"), &turn);
                pending = Some(turn);
                frames
            }
            _ => Vec::new(),
        };
        if !send(&mut socket, &replies).await {
            return;
        }
    }
}

/// What `bytes` of appended audio produce: `speech_started` at a turn's first audio, when scripted.
fn on_append(shared: &Shared, appended: &mut usize, user_items: usize, bytes: usize) -> Vec<Value> {
    let first = *appended == 0 && bytes > 0;
    *appended += bytes;
    let speech = first
        && shared
            .state()
            .turns
            .front()
            .is_some_and(|turn| turn.speech_started);
    if speech {
        vec![events::speech_started(&format!(
            "item_user_{}",
            user_items + 1
        ))]
    } else {
        Vec::new()
    }
}

fn nanos_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// The base64 audio of an `input_audio_buffer.append`, found without parsing the whole event
/// (streaming mode reads tens of thousands a second); `None` for any other text.
fn append_audio(text: &str) -> Option<&str> {
    const KIND: &str = r#""type":"input_audio_buffer.append""#;
    const AUDIO: &str = r#""audio":""#;
    // base64 has no quotes, so neither marker can occur inside the audio
    if !text.contains(KIND) {
        return None;
    }
    let start = text.find(AUDIO)? + AUDIO.len();
    let rest = text.get(start..)?;
    rest.get(..rest.find('"')?)
}

/// Records the receipt of an append in streaming mode; returns its decoded length.
fn time_append(shared: &Shared, streaming: &Streaming, connection: usize, audio: &str) -> usize {
    let received_ns = nanos_since(streaming.epoch);
    let padding = audio.bytes().rev().take_while(|byte| *byte == b'=').count();
    let bytes = (audio.len() / 4 * 3).saturating_sub(padding);
    // the first 12 characters are the first 9 bytes: the stamp and one more
    let head = audio.get(..audio.len().min(12)).unwrap_or_default();
    let stamp = STANDARD
        .decode(head)
        .ok()
        .and_then(|head| Some(u64::from_le_bytes(head.get(..8)?.try_into().ok()?)));
    shared.appends().push(AppendReceipt {
        connection,
        stamp,
        received_ns,
        bytes,
    });
    shared.appends_received.fetch_add(1, Ordering::Relaxed);
    bytes
}

/// The audio deltas of one streaming connection.
struct DeltaStream {
    ticker: tokio::time::Interval,
    epoch: Instant,
    /// The event up to its base64 audio.
    prefix: String,
    /// The base64 of the chunk after its 9-byte head (stamp and one byte), and the event's end.
    rest: String,
}

impl DeltaStream {
    fn new(streaming: Streaming, connection: usize) -> Self {
        let interval = streaming.interval.max(Duration::from_millis(1));
        // connections tick out of phase, as independent conversations would
        let phase = interval.mul_f64((connection * 37 % 100) as f64 / 100.0);
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + phase, interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // 9 bytes are 12 base64 characters exactly, so the head can be encoded on its own
        let body: Vec<u8> = (0..streaming.chunk_bytes.max(9) - 9)
            .map(|index| (index % 251) as u8)
            .collect();
        Self {
            ticker,
            epoch: streaming.epoch,
            prefix: format!(
                r#"{{"type":"response.output_audio.delta","event_id":"event_stream_{connection}","response_id":"resp_stream_{connection}","item_id":"item_stream_{connection}","output_index":0,"content_index":0,"delta":""#
            ),
            rest: format!("{}\"}}", STANDARD.encode(body)),
        }
    }

    /// Sends one delta stamped now; false when the connection is gone.
    async fn send(&self, socket: &mut WebSocketStream<TcpStream>, shared: &Shared) -> bool {
        let mut head = [0u8; 9];
        head[..8].copy_from_slice(&nanos_since(self.epoch).to_le_bytes());
        let mut frame = String::with_capacity(self.prefix.len() + 12 + self.rest.len());
        frame.push_str(&self.prefix);
        STANDARD.encode_string(head, &mut frame);
        frame.push_str(&self.rest);
        let sent = socket.send(Message::text(frame)).await.is_ok();
        if sent {
            shared.deltas_sent.fetch_add(1, Ordering::Relaxed);
        }
        sent
    }
}

/// What a commit produces: the committed item and its transcript.
fn commit_events(item_id: &str, turn: &Turn) -> Vec<Value> {
    let copies = if turn.twice { 2 } else { 1 };
    let mut out = vec![events::committed(item_id); copies];
    out.extend(vec![
        events::transcription_completed(
            item_id,
            &turn.transcript
        );
        copies
    ]);
    out
}

/// What the response after a committed turn produces.
fn outcome_frames(shared: &Shared, turn: Turn) -> Vec<String> {
    let events = match turn.outcome {
        Outcome::Evaluate { call_id, arguments } => {
            let mut call = events::tool_call(
                &shared.next_response_id(),
                &call_id,
                &arguments,
                &shared.script.reply.usage.to_json(),
            );
            if turn.twice {
                let arguments_done = call[1].clone();
                call.insert(2, arguments_done);
            }
            call
        }
        Outcome::Speak => events::spoken_reply(&shared.next_response_id(), &shared.script.reply),
        Outcome::Raw(frames) => return frames,
    };
    events.iter().map(Value::to_string).collect()
}
