//! One realtime connection: the browser's frames in, the upstream session's events out, and every
//! candidate turn through the engine. The relay only translates; the rules are the core's.

use std::time::Duration;

use actix_web::web;
use actix_ws::{CloseCode, CloseReason, Message, MessageStream, Session};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use interview_core::actor::Actor;
use interview_core::ids::{ConnectionId, InterviewId, MessageId};
use interview_core::ports::{
    Base64Audio, RealtimeEvent, RealtimeSender, RealtimeSession, RealtimeVoice,
};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::observability::events::{self, Direction};
use crate::realtime::protocol::{ClientFrame, ErrorCode, MAX_FRAME_BYTES, ServerFrame};
use crate::realtime::spoken_turn::Turn;
use crate::state::AppState;

/// Upstream sessions a connection may roll over to after the first one ends.
pub(super) const MAX_ROLLOVERS: u32 = 3;

/// Why the relay stopped, and how the socket is closed.
pub(super) enum Ending {
    /// The interview is over: `interview_complete` was sent.
    Complete,
    ClientGone,
    Policy(ErrorCode, String),
    Failure(ErrorCode, String),
    Idle,
    /// A newer connection to the interview took over.
    Replaced,
}

pub struct Relay {
    pub state: web::Data<AppState>,
    pub ws: Session,
    pub interview_id: InterviewId,
    pub actor: Actor,
    /// This connection, as the interview's realtime lease names it.
    pub connection: ConnectionId,
    pub voice: std::sync::Arc<dyn RealtimeVoice>,
    pub idle_timeout: Duration,
    /// Candidate audio relayed since the last recorded turn, in bytes of PCM16 at 24 kHz.
    pub heard_bytes: usize,
    /// With `realtime.store_audio`: the candidate's audio since the last turn, and the
    /// interviewer's current reply with the message it speaks.
    pub heard: Vec<u8>,
    pub said: Vec<u8>,
    pub reply_message: Option<MessageId>,
}

/// The most audio kept for one message (about nine minutes), like a recorded answer's limit.
pub(super) const MAX_KEPT_AUDIO_BYTES: usize = 25 * 1024 * 1024;

/// Bytes of PCM16 mono at 24 kHz in one second.
pub(super) const PCM_BYTES_PER_SECOND: f64 = 48_000.0;

/// Watches the interview's lease off the frame path: when another node's connection took the
/// interview over, tells the relay through `replaced`.
pub async fn watch_lease(
    state: web::Data<AppState>,
    interview: InterviewId,
    connection: ConnectionId,
    replaced: std::sync::Arc<Notify>,
) {
    let mut every = tokio::time::interval(state.realtime.lease_check);
    every.tick().await;
    loop {
        every.tick().await;
        // boxed: this task lasts as long as the connection, the query's state only as it runs
        let owns = Box::pin(state.interviews.owns_realtime(interview, connection)).await;
        if let Ok(false) = owns {
            replaced.notify_one();
            return;
        }
    }
}

impl Relay {
    /// Runs until the interview completes, the client leaves or the upstream fails for good.
    pub async fn run(mut self, stream: MessageStream, session: RealtimeSession, replaced: &Notify) {
        let mut stream = stream.max_frame_size(2 * MAX_FRAME_BYTES);
        let RealtimeSession {
            mut sender,
            mut events,
        } = session;
        let mut turn = Turn::opening();
        let mut rollovers = 0;
        // one timer for the connection, pushed back on every client frame (a new one per frame
        // would register with the timer wheel 50 times a second per session)
        let idle = tokio::time::sleep(self.idle_timeout);
        tokio::pin!(idle);
        let ending = loop {
            tokio::select! {
                () = replaced.notified() => break Ending::Replaced,
                frame = stream.recv() => {
                    idle.as_mut().reset(Instant::now() + self.idle_timeout);
                    match frame {
                        None | Some(Ok(Message::Close(_))) => break Ending::ClientGone,
                        Some(Ok(message)) => self.client_message(message, sender.as_ref()).await,
                        Some(Err(error)) => {
                            self.send(ServerFrame::error(
                                ErrorCode::InvalidMessage,
                                format!("unreadable frame: {error}"),
                            ))
                            .await;
                            break Ending::ClientGone;
                        }
                    }
                }
                event = events.next() => {
                    // The connection's task holds the state of every call awaited here, the
                    // largest one at that: the calls off the audio path (a turn through the
                    // engine, a rollover) are boxed so that only the time they run costs their
                    // memory, not every session all along (docs/performance.md).
                    let outcome = match event {
                        Some(Ok(RealtimeEvent::AudioDelta { audio })) => {
                            self.relay_audio(audio).await;
                            None
                        }
                        Some(Ok(RealtimeEvent::Closed)) | None => {
                            match Box::pin(self.roll_over(&mut rollovers)).await {
                                Ok(fresh) => {
                                    sender.close().await;
                                    sender = fresh.sender;
                                    events = fresh.events;
                                    // what was half done is asked again by the new session,
                                    // whose item ids are its own
                                    let closing = turn.closing.take();
                                    let unpaid = std::mem::take(&mut turn.unpaid);
                                    turn = Turn::opening();
                                    turn.closing = closing;
                                    turn.unpaid = unpaid;
                                    None
                                }
                                Err(ending) => Some(ending),
                            }
                        }
                        Some(Ok(event)) => {
                            Box::pin(self.upstream_event(event, &mut turn, sender.as_ref())).await
                        }
                        Some(Err(error)) => {
                            self.send(ServerFrame::error(ErrorCode::UpstreamError, error.to_string()))
                                .await;
                            None
                        }
                    };
                    if let Some(ending) = outcome {
                        break ending;
                    }
                }
                () = &mut idle => break Ending::Idle,
            }
        };
        sender.close().await;
        if !turn.unpaid.is_empty() {
            // what the session used since the last reply (a client gone mid-turn)
            Box::pin(self.charge(std::mem::take(&mut turn.unpaid))).await;
        }
        Box::pin(self.finish(ending)).await;
    }

    pub(super) async fn send(&mut self, frame: ServerFrame) {
        self.send_text(frame.to_text()).await;
    }

    pub(super) async fn send_text(&mut self, text: String) {
        // a client that is gone is noticed on the next read
        let _ = self.ws.text(text).await;
    }

    /// Interviewer audio on to the client, as the upstream's base64 (kept when configured).
    pub(super) async fn relay_audio(&mut self, audio: Base64Audio) {
        let received = std::time::Instant::now();
        Self::keep(self.state.realtime.store_audio, &mut self.said, &audio);
        self.send_text(ServerFrame::audio_chunk(&audio)).await;
        events::frame_relayed(Direction::ToClient, received);
    }

    /// With `realtime.store_audio`, appends base64 PCM to `kept` (a message's audio), up to the
    /// limit of one message.
    pub(super) fn keep(store_audio: bool, kept: &mut Vec<u8>, audio: &Base64Audio) {
        if store_audio && kept.len() + audio.decoded_len() <= MAX_KEPT_AUDIO_BYTES {
            // checked base64 decodes; a failure would only drop this piece of the recording
            let _ = STANDARD.decode_vec(audio.as_str(), kept);
        }
    }

    async fn client_message(&mut self, message: Message, sender: &dyn RealtimeSender) {
        match message {
            Message::Text(text) => {
                if text.len() > MAX_FRAME_BYTES {
                    self.send(ServerFrame::error(
                        ErrorCode::InvalidMessage,
                        "frames are limited to 1 MiB",
                    ))
                    .await;
                    return;
                }
                match serde_json::from_str::<ClientFrame>(&text) {
                    Ok(frame) => self.client_frame(frame, sender).await,
                    Err(error) => {
                        self.send(ServerFrame::error(
                            ErrorCode::InvalidMessage,
                            format!("not a frame of this protocol: {error}"),
                        ))
                        .await;
                    }
                }
            }
            Message::Ping(bytes) => {
                let _ = self.ws.pong(&bytes).await;
            }
            Message::Binary(_) => {
                self.send(ServerFrame::error(
                    ErrorCode::InvalidMessage,
                    "binary frames are not part of this protocol; send JSON text",
                ))
                .await;
            }
            Message::Pong(_) | Message::Continuation(_) | Message::Nop | Message::Close(_) => {}
        }
    }

    async fn client_frame(&mut self, frame: ClientFrame, sender: &dyn RealtimeSender) {
        let sent = match frame {
            ClientFrame::Ping => {
                self.send(ServerFrame::Pong).await;
                Ok(())
            }
            // checked, not decoded: the base64 goes upstream as it came
            ClientFrame::AudioChunk { audio, .. } => {
                if let Ok(audio) = Base64Audio::new(audio) {
                    let received = std::time::Instant::now();
                    self.heard_bytes += audio.decoded_len();
                    Self::keep(self.state.realtime.store_audio, &mut self.heard, &audio);
                    let sent = sender.send_audio(audio).await;
                    events::frame_relayed(Direction::ToUpstream, received);
                    sent
                } else {
                    self.send(ServerFrame::error(
                        ErrorCode::InvalidMessage,
                        "audio must be base64 PCM16 (an even number of bytes)",
                    ))
                    .await;
                    Ok(())
                }
            }
            ClientFrame::AudioCommit => sender.commit().await,
            ClientFrame::Interrupt { played_ms } => sender.interrupt(played_ms).await,
        };
        if let Err(error) = sent {
            self.send(ServerFrame::error(
                ErrorCode::UpstreamError,
                error.to_string(),
            ))
            .await;
        }
    }

    async fn finish(mut self, ending: Ending) {
        let reason = match ending {
            Ending::Complete => Some(CloseReason {
                code: CloseCode::Normal,
                description: None,
            }),
            Ending::ClientGone => None,
            Ending::Idle => Some(CloseReason {
                code: CloseCode::Policy,
                description: Some("no frame from the client for too long".into()),
            }),
            Ending::Replaced => {
                self.send(ServerFrame::error(
                    ErrorCode::SessionReplaced,
                    "a newer connection to this interview took over",
                ))
                .await;
                Some(CloseReason {
                    code: CloseCode::Policy,
                    description: None,
                })
            }
            Ending::Policy(code, message) => {
                self.send(ServerFrame::error(code, message)).await;
                Some(CloseReason {
                    code: CloseCode::Policy,
                    description: None,
                })
            }
            Ending::Failure(code, message) => {
                self.send(ServerFrame::error(code, message)).await;
                Some(CloseReason {
                    code: CloseCode::Error,
                    description: None,
                })
            }
        };
        let _ = self.ws.close(reason).await;
    }
}
