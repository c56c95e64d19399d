//! The sessions: starting interviews, the clients streaming stamped audio, and what they share.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use fake_realtime::FakeRealtime;
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::{AUDIO_PREFIX, FRAME_BYTES};

/// What the clients and the drainer share during a run.
pub(super) struct Shared {
    pub(super) epoch: Instant,
    /// The measured window, in nanoseconds since `epoch` (`u64::MAX` until set).
    pub(super) window_start: AtomicU64,
    pub(super) window_end: AtomicU64,
    /// Upstream → client latencies (ns) of frames sent inside the window.
    pub(super) down: Mutex<Histogram<u64>>,
    /// Client → upstream latencies (ns) of frames sent inside the window.
    pub(super) up: Mutex<Histogram<u64>>,
    pub(super) up_sent: AtomicU64,
    pub(super) up_received: AtomicU64,
    pub(super) down_received: AtomicU64,
    pub(super) errors: AtomicU64,
    pub(super) error_samples: Mutex<Vec<String>>,
}

impl Shared {
    pub(super) fn new(epoch: Instant) -> Result<Self, String> {
        let histogram =
            || Histogram::<u64>::new_with_bounds(1, 60_000_000_000, 3).map_err(|e| e.to_string());
        Ok(Self {
            epoch,
            window_start: AtomicU64::new(u64::MAX),
            window_end: AtomicU64::new(u64::MAX),
            down: Mutex::new(histogram()?),
            up: Mutex::new(histogram()?),
            up_sent: AtomicU64::new(0),
            up_received: AtomicU64::new(0),
            down_received: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            error_samples: Mutex::new(Vec::new()),
        })
    }

    pub(super) fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    pub(super) fn in_window(&self, stamp: u64) -> bool {
        stamp >= self.window_start.load(Ordering::Relaxed)
            && stamp <= self.window_end.load(Ordering::Relaxed)
    }

    pub(super) fn error(&self, what: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let mut samples = self
            .error_samples
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if samples.len() < 5 {
            samples.push(what);
        }
    }

    pub(super) fn record(histogram: &Mutex<Histogram<u64>>, nanos: u64) {
        histogram
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .saturating_record(nanos.max(1));
    }

    /// Times the appends the fake received so far.
    pub(super) fn drain(&self, fake: &FakeRealtime) {
        for receipt in fake.take_appends() {
            if let Some(stamp) = receipt.stamp
                && self.in_window(stamp)
            {
                self.up_received.fetch_add(1, Ordering::Relaxed);
                Self::record(&self.up, receipt.received_ns.saturating_sub(stamp));
            }
        }
    }
}

/// The stamp at the head of a server audio frame, read without parsing the JSON.
pub(super) fn audio_stamp(text: &str) -> Option<u64> {
    let audio = text.strip_prefix(AUDIO_PREFIX)?.get(..12)?;
    let head = STANDARD.decode(audio).ok()?;
    Some(u64::from_le_bytes(head.get(..8)?.try_into().ok()?))
}

/// Starts `count` realtime interviews spread over the candidates: (id, token) each.
pub(super) async fn start_interviews(
    client: &Client,
    base: &str,
    tokens: &[String],
    role: &str,
    count: usize,
) -> Result<Vec<(String, String)>, String> {
    let mut started = Vec::with_capacity(count);
    for chunk in (0..count).collect::<Vec<_>>().chunks(32) {
        let batch: Vec<_> = chunk
            .iter()
            .map(|&index| {
                let client = client.clone();
                let url = format!("{base}/api/v1/interviews/start");
                let token = tokens[index % tokens.len()].clone();
                let role = role.to_owned();
                tokio::spawn(async move {
                    let response = client
                        .post(url)
                        .bearer_auth(&token)
                        .json(&json!({"role_type": role, "mode": "realtime"}))
                        .send()
                        .await
                        .map_err(|e| e.to_string())?;
                    if response.status() != StatusCode::CREATED {
                        return Err(format!(
                            "start: {} {}",
                            response.status(),
                            response.text().await.unwrap_or_default()
                        ));
                    }
                    let body: Value = response.json().await.map_err(|e| e.to_string())?;
                    let id = body["id"].as_str().ok_or("start: no id")?.to_owned();
                    Ok::<_, String>((id, token))
                })
            })
            .collect();
        for handle in batch {
            started.push(handle.await.map_err(|e| e.to_string())??);
        }
    }
    Ok(started)
}

/// One browser-like client: connects, then sends a stamped 20 ms frame every 20 ms and times the
/// stamped frames it receives, until told to stop.
pub(super) async fn client_session(
    index: usize,
    interval: Duration,
    url: String,
    shared: Arc<Shared>,
    gate: Arc<Semaphore>,
    connected: mpsc::Sender<bool>,
    mut stop: watch::Receiver<bool>,
) {
    let socket = {
        let _permit = gate.acquire().await;
        open(&url).await
    };
    let mut socket = match socket {
        Ok(socket) => {
            let _ = connected.send(true).await;
            socket
        }
        Err(error) => {
            shared.error(format!("session {index}: {error}"));
            let _ = connected.send(false).await;
            return;
        }
    };
    drop(connected);
    // the tail of every frame is the same: 9 bytes (stamp and one) are 12 base64 characters
    // exactly, so only the head is encoded per frame
    let body: Vec<u8> = (0..FRAME_BYTES - 9).map(|i| (i % 253) as u8).collect();
    let tail = format!("{}\"}}", STANDARD.encode(body));
    let prefix = r#"{"type":"audio_chunk","audio":""#;
    // clients speak out of phase with each other, as independent people do
    let phase = interval.mul_f64(((index * 61) % 100) as f64 / 100.0);
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + phase, interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                let stamp = shared.now();
                let mut head = [0u8; 9];
                head[..8].copy_from_slice(&stamp.to_le_bytes());
                let mut frame = String::with_capacity(prefix.len() + 12 + tail.len());
                frame.push_str(prefix);
                STANDARD.encode_string(head, &mut frame);
                frame.push_str(&tail);
                if let Err(error) = socket.send(Message::text(frame)).await {
                    shared.error(format!("session {index}: sending: {error}"));
                    return;
                }
                if shared.in_window(stamp) {
                    shared.up_sent.fetch_add(1, Ordering::Relaxed);
                }
            }
            message = socket.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    if let Some(stamp) = audio_stamp(text.as_str()) {
                        let now = shared.now();
                        if shared.in_window(stamp) {
                            shared.down_received.fetch_add(1, Ordering::Relaxed);
                            Shared::record(&shared.down, now.saturating_sub(stamp));
                        }
                    } else if text.as_str().starts_with(r#"{"type":"error""#) {
                        shared.error(format!("session {index}: {}", text.as_str()));
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    shared.error(format!("session {index}: closed by the server: {frame:?}"));
                    return;
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => {
                    shared.error(format!("session {index}: {error}"));
                    return;
                }
                None => {
                    shared.error(format!("session {index}: the connection ended"));
                    return;
                }
            },
            _ = stop.changed() => {
                let _ = socket.close(None).await;
                return;
            }
        }
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connects and waits for `connected` (an `error` frame first is the refusal).
pub(super) async fn open(url: &str) -> Result<Socket, String> {
    // TCP_NODELAY, as browsers set it; a small read buffer, because tungstenite zero-fills the
    // whole buffer (128 KiB by default) before every read and the client must stay cheap
    let config = WebSocketConfig::default().read_buffer_size(8 * 1024);
    let (mut socket, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
        .await
        .map_err(|e| format!("connecting: {e}"))?;
    let wait = async {
        while let Some(message) = socket.next().await {
            let message = message.map_err(|e| e.to_string())?;
            let Message::Text(text) = message else {
                continue;
            };
            let frame: Value = serde_json::from_str(text.as_str()).map_err(|e| e.to_string())?;
            match frame["type"].as_str() {
                Some("connected") => return Ok(()),
                Some("error") => return Err(format!("refused: {frame}")),
                _ => {}
            }
        }
        Err("closed before `connected`".to_owned())
    };
    tokio::time::timeout(Duration::from_mins(1), wait)
        .await
        .map_err(|_| "no `connected` within 60 s".to_owned())??;
    Ok(socket)
}
