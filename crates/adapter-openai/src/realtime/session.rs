//! One open session: the sender, which writes the socket's sink itself (a slow upstream slows the
//! caller down), and the events half that reads the socket and maps server events to the port's
//! events.
//!
//! The sender writes in the caller's task rather than queueing for a writer task: a queue and a
//! task per session cost about 6 KiB of every session (the channel's blocks, the task) and one
//! wake-up of another task per 20 ms frame (docs/performance.md).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use interview_core::cost::RealtimeUsage;
use interview_core::ports::{
    Base64Audio, ProviderError, RealtimeEvent, RealtimeEvents, RealtimeSender,
};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::protocol::{self, ApiError, ClientEvent, EVALUATION_TOOL, ServerEvent};
use crate::interviewer::parse_evaluation;

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

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

/// Splits the socket into the two halves of the port.
pub(crate) fn start(socket: Socket) -> (Sender, Events) {
    let (sink, stream) = socket.split();
    let playing = Playing::default();
    (
        Sender {
            sink: tokio::sync::Mutex::new(Some(sink)),
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

pub(crate) struct Sender {
    /// The socket's writing half; `None` once closed or refused.
    sink: tokio::sync::Mutex<Option<SplitSink<Socket, Message>>>,
    playing: Playing,
}

impl Sender {
    /// Writes `messages` (`feed` each), then flushes once: one write to the socket per call.
    async fn write<I>(&self, messages: I) -> Result<(), ProviderError>
    where
        I: IntoIterator<Item = Message> + Send,
        I::IntoIter: Send,
    {
        let mut sink = self.sink.lock().await;
        let Some(socket) = sink.as_mut() else {
            return Err(closed());
        };
        let mut written = Ok(());
        for message in messages {
            written = socket.feed(message).await;
            if written.is_err() {
                break;
            }
        }
        if written.is_ok() {
            written = socket.flush().await;
        }
        if let Err(error) = written {
            tracing::warn!(%error, "the realtime socket refused a message; the session is closed");
            *sink = None;
            return Err(closed());
        }
        Ok(())
    }

    async fn send(&self, event: &ClientEvent) -> Result<(), ProviderError> {
        self.write([message(event)]).await
    }
}

impl Drop for Sender {
    /// A sender dropped without [`RealtimeSender::close`] still ends the session politely.
    fn drop(&mut self) {
        if let Some(mut sink) = self.sink.get_mut().take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                let _ = sink.send(Message::Close(None)).await;
            });
        }
    }
}

#[async_trait]
impl RealtimeSender for Sender {
    async fn send_audio(&self, audio: Base64Audio) -> Result<(), ProviderError> {
        self.write([Message::text(protocol::append(&audio))]).await
    }

    /// Commits the candidate's audio and asks for the model's response (with turn detection off
    /// a commit alone creates none).
    async fn commit(&self) -> Result<(), ProviderError> {
        self.write([
            message(&ClientEvent::Commit),
            message(&ClientEvent::ResponseCreate { response: None }),
        ])
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
        let output = call_id.map(|call_id| message(&protocol::call_output(call_id, &text)));
        self.write(output.into_iter().chain([message(&protocol::say(&text))]))
            .await
    }

    async fn close(&self) {
        // a session already gone is closed enough
        if let Some(mut sink) = self.sink.lock().await.take()
            && let Err(error) = sink.send(Message::Close(None)).await
        {
            tracing::debug!(%error, "closing the realtime socket failed");
        }
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

    /// Interviewer audio, passed on as base64 once it is known to be well-formed.
    fn audio(&mut self, item_id: String, delta: String) {
        let audio = match Base64Audio::new(delta) {
            Ok(audio) => audio,
            Err(error) => {
                tracing::warn!(%error, "skipping realtime audio that is not base64 PCM16");
                return;
            }
        };
        {
            let mut playing = self.playing.lock().unwrap_or_else(PoisonError::into_inner);
            // every delta of a reply names the same item
            if playing.as_deref() != Some(item_id.as_str()) {
                *playing = Some(item_id);
            }
        }
        self.pending
            .push_back(Ok(RealtimeEvent::AudioDelta { audio }));
    }

    /// Queues what one server event means for the core.
    fn read(&mut self, text: &str) {
        if let Some(delta) = protocol::audio_delta(text) {
            return self.audio(delta.item_id, delta.delta);
        }
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
            ServerEvent::AudioDelta { item_id, delta } => return self.audio(item_id, delta),
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
