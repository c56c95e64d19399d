//! One open session: a writer task that owns the socket's sink (the sender queues into a bounded
//! channel, so a slow upstream slows the caller down) and the events half that reads the socket
//! and maps server events to the port's events.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use interview_core::cost::RealtimeUsage;
use interview_core::ports::{ProviderError, RealtimeEvent, RealtimeEvents, RealtimeSender};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::protocol::{self, ApiError, ClientEvent, EVALUATION_TOOL, ServerEvent};
use crate::interviewer::parse_evaluation;

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Client events waiting for the socket; a full queue makes senders wait.
const OUTGOING_CAPACITY: usize = 64;

/// The assistant audio item being played, for truncation on interrupt.
type Playing = Arc<Mutex<Option<String>>>;

fn closed() -> ProviderError {
    ProviderError::Unavailable {
        message: "the realtime session is closed".into(),
        retry_after: None,
    }
}

pub(crate) fn message(event: &ClientEvent) -> Message {
    // serialising these types cannot fail: no maps with non-string keys, no foreign Serialize
    Message::text(serde_json::to_string(event).unwrap_or_default())
}

/// Splits the socket and starts the writer.
pub(crate) fn start(socket: Socket) -> (Sender, Events) {
    let (sink, stream) = socket.split();
    let (outgoing, queue) = mpsc::channel(OUTGOING_CAPACITY);
    tokio::spawn(write(sink, queue));
    let playing = Playing::default();
    (
        Sender {
            outgoing,
            playing: playing.clone(),
        },
        Events {
            stream,
            pending: VecDeque::new(),
            transcript: String::new(),
            playing,
            finished: false,
        },
    )
}

/// Sends queued messages until the queue closes or a close frame went out.
async fn write(mut sink: SplitSink<Socket, Message>, mut queue: mpsc::Receiver<Message>) {
    while let Some(message) = queue.recv().await {
        let closing = message.is_close();
        if let Err(error) = sink.send(message).await {
            tracing::warn!(%error, "the realtime socket refused a message; the writer stops");
            return;
        }
        if closing {
            return;
        }
    }
    // every sender is gone: end the session politely
    if let Err(error) = sink.close().await {
        tracing::debug!(%error, "closing the realtime socket failed");
    }
}

pub(crate) struct Sender {
    outgoing: mpsc::Sender<Message>,
    playing: Playing,
}

impl Sender {
    async fn send(&self, event: &ClientEvent) -> Result<(), ProviderError> {
        self.outgoing
            .send(message(event))
            .await
            .map_err(|_| closed())
    }
}

#[async_trait]
impl RealtimeSender for Sender {
    async fn send_audio(&self, pcm16: Vec<u8>) -> Result<(), ProviderError> {
        self.send(&ClientEvent::Append {
            audio: STANDARD.encode(pcm16),
        })
        .await
    }

    /// Commits the candidate's audio and asks for the model's response (with turn detection off
    /// a commit alone creates none).
    async fn commit(&self) -> Result<(), ProviderError> {
        self.send(&ClientEvent::Commit).await?;
        self.send(&ClientEvent::ResponseCreate { response: None })
            .await
    }

    async fn interrupt(&self, played_ms: Option<u32>) -> Result<(), ProviderError> {
        self.send(&ClientEvent::Cancel).await?;
        let playing = self
            .playing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let (Some(item_id), Some(audio_end_ms)) = (playing, played_ms) {
            self.send(&ClientEvent::Truncate {
                item_id,
                content_index: 0,
                audio_end_ms,
            })
            .await?;
        }
        Ok(())
    }

    async fn say(&self, call_id: Option<String>, text: String) -> Result<(), ProviderError> {
        if let Some(call_id) = call_id {
            self.send(&protocol::call_output(call_id, &text)).await?;
        }
        self.send(&protocol::say(&text)).await
    }

    async fn close(&self) {
        // a session already gone is closed enough
        let _ = self.outgoing.send(Message::Close(None)).await;
    }
}

pub(crate) struct Events {
    stream: SplitStream<Socket>,
    pending: VecDeque<Result<RealtimeEvent, ProviderError>>,
    /// The transcript deltas of the response in progress.
    transcript: String,
    playing: Playing,
    finished: bool,
}

#[async_trait]
impl RealtimeEvents for Events {
    async fn next(&mut self) -> Option<Result<RealtimeEvent, ProviderError>> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.finished {
                return None;
            }
            match self.stream.next().await {
                Some(Ok(Message::Text(text))) => self.read(text.as_str()),
                Some(Ok(Message::Close(frame))) => {
                    tracing::info!(?frame, "the realtime upstream closed the session");
                    return Some(Ok(self.finish()));
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => {
                    tracing::warn!(%error, "the realtime connection failed");
                    return Some(Ok(self.finish()));
                }
                None => return Some(Ok(self.finish())),
            }
        }
    }
}

impl Events {
    fn finish(&mut self) -> RealtimeEvent {
        self.finished = true;
        RealtimeEvent::Closed
    }

    fn set_playing(&self, item_id: Option<String>) {
        *self.playing.lock().unwrap_or_else(PoisonError::into_inner) = item_id;
    }

    /// Queues what one server event means for the core.
    fn read(&mut self, text: &str) {
        let event = match serde_json::from_str::<ServerEvent>(text) {
            Ok(event) => event,
            Err(error) => {
                tracing::warn!(%error, "skipping a malformed realtime server event");
                return;
            }
        };
        let item = match event {
            ServerEvent::Error { error } => match translate(error) {
                Some(error) => Err(error),
                None => return,
            },
            ServerEvent::SpeechStarted => Ok(RealtimeEvent::SpeechStarted),
            ServerEvent::Committed => {
                // the candidate's turn begins; the interviewer's audio before it is history
                self.set_playing(None);
                return;
            }
            ServerEvent::Transcribed {
                item_id,
                transcript,
            } => Ok(RealtimeEvent::CandidateTranscript {
                item_id,
                text: transcript,
            }),
            ServerEvent::TranscriptionFailed { item_id, error } => {
                Err(ProviderError::Unavailable {
                    message: format!(
                        "the candidate's turn {item_id} could not be transcribed: {}",
                        error.map(|error| error.message).unwrap_or_default()
                    ),
                    retry_after: None,
                })
            }
            ServerEvent::AudioDelta { item_id, delta } => match STANDARD.decode(delta) {
                Ok(audio) => {
                    self.set_playing(Some(item_id));
                    Ok(RealtimeEvent::AudioDelta { audio })
                }
                Err(error) => {
                    tracing::warn!(%error, "skipping realtime audio that is not base64");
                    return;
                }
            },
            ServerEvent::TranscriptDelta { delta } => {
                self.transcript.push_str(&delta);
                Ok(RealtimeEvent::TranscriptDelta { text: delta })
            }
            ServerEvent::ArgumentsDone {
                call_id,
                name,
                arguments,
            } => {
                if name != EVALUATION_TOOL {
                    tracing::warn!(%name, "the realtime model called an unknown tool");
                    return;
                }
                parse_evaluation(&arguments)
                    .map(|evaluation| RealtimeEvent::Evaluation {
                        call_id,
                        evaluation,
                    })
                    .map_err(|problem| {
                        ProviderError::InvalidResponse(format!(
                            "the evaluation call's arguments were unusable: {problem}"
                        ))
                    })
            }
            ServerEvent::ResponseDone { response } => {
                let streamed = std::mem::take(&mut self.transcript);
                if response.status == "failed" {
                    let error = response
                        .status_details
                        .as_ref()
                        .and_then(|details| details.error.as_ref());
                    self.pending.push_back(Err(ProviderError::Unavailable {
                        message: format!(
                            "the realtime response failed: {}",
                            error.map_or("no reason given", |error| error.message.as_str())
                        ),
                        retry_after: None,
                    }));
                }
                let usage = response
                    .usage
                    .as_ref()
                    .map_or_else(RealtimeUsage::default, |usage| RealtimeUsage {
                        audio_input_tokens: usage.input_token_details.audio_tokens,
                        audio_output_tokens: usage.output_token_details.audio_tokens,
                        text_input_tokens: usage.input_token_details.text_tokens,
                        text_output_tokens: usage.output_token_details.text_tokens,
                        ..RealtimeUsage::default()
                    });
                // a response with only the evaluation call says nothing; it is reported all the
                // same so its tokens are charged
                let transcript = response.spoken_transcript().unwrap_or(streamed);
                Ok(RealtimeEvent::ResponseDone { transcript, usage })
            }
            ServerEvent::Other => return,
        };
        self.pending.push_back(item);
    }
}

/// An upstream `error` event at the port; `None` for the ones that are no failure.
fn translate(error: ApiError) -> Option<ProviderError> {
    let code = error.code.as_deref().unwrap_or_default();
    if code == "response_cancel_not_active" {
        // an interrupt raced the end of the response: nothing was left to cancel
        tracing::debug!("response.cancel found no active response");
        return None;
    }
    tracing::warn!(r#type = %error.r#type, %code, message = %error.message, "realtime upstream error");
    Some(
        if code == "rate_limit_exceeded" || error.r#type == "rate_limit_exceeded" {
            ProviderError::RateLimited { retry_after: None }
        } else if error.r#type == "server_error" {
            ProviderError::Unavailable {
                message: error.message,
                retry_after: None,
            }
        } else {
            ProviderError::Rejected(format!("{code}: {}", error.message))
        },
    )
}
