//! One realtime connection: the browser's frames in, the upstream session's events out, and every
//! candidate turn through the engine. The relay only translates; the rules are the core's.

use std::collections::HashSet;
use std::time::Duration;

use actix_web::web;
use actix_ws::{CloseCode, CloseReason, Message, MessageStream, Session};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use interview_core::actor::Actor;
use interview_core::ids::{ConnectionId, InterviewId, MessageId};
use interview_core::interview::turn::closing_remark;
use interview_core::interview::{AnswerError, AnswerOutcome, RealtimeAnswer};
use interview_core::ladder::Evaluation;
use interview_core::lifecycle::CompletionReason;
use interview_core::ports::{
    AudioClip, AudioFormat, ProviderError, RealtimeEvent, RealtimeSender, RealtimeSession,
    RealtimeVoice,
};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::realtime::protocol::{ClientFrame, ErrorCode, MAX_FRAME_BYTES, Role, ServerFrame};
use crate::realtime::wav::wav;
use crate::state::AppState;

/// Upstream sessions a connection may roll over to after the first one ends.
const MAX_ROLLOVERS: u32 = 3;

/// Why the relay stopped, and how the socket is closed.
enum Ending {
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
const MAX_KEPT_AUDIO_BYTES: usize = 25 * 1024 * 1024;

/// Bytes of PCM16 mono at 24 kHz in one second.
const PCM_BYTES_PER_SECOND: f64 = 48_000.0;

/// A connection's progress through the current turn.
struct Turn {
    /// The candidate's transcribed turn (upstream item id, text), until it is recorded.
    transcript: Option<(String, String)>,
    /// The model's judgement of it (call id, evaluation), until it is recorded.
    evaluation: Option<(String, Evaluation)>,
    /// Replies the interviewer was asked to say and has not finished (the opening counts).
    speaking: u32,
    /// The model replied on its own without judging the candidate's turn.
    replied_unjudged: bool,
    /// Set once the closing remark is being spoken: what to report when it is done.
    closing: Option<(CompletionReason, i32)>,
    /// Upstream item and call ids already recorded: an event delivered twice is ignored (the
    /// engine would replay the same outcome anyway).
    recorded: HashSet<String>,
    /// Names the upstream session: its item ids are only unique within it, so the idempotency
    /// key of a turn is this plus the item id.
    upstream: uuid::Uuid,
}

impl Turn {
    /// A session that starts by speaking its opening.
    fn opening() -> Self {
        Self {
            transcript: None,
            evaluation: None,
            speaking: 1,
            replied_unjudged: false,
            closing: None,
            recorded: HashSet::new(),
            upstream: uuid::Uuid::new_v4(),
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
        let mut last_heard = Instant::now();
        let mut lease_check = tokio::time::interval(self.state.realtime.lease_check);
        lease_check.tick().await;
        let ending = loop {
            let idle = tokio::time::sleep_until(last_heard + self.idle_timeout);
            tokio::select! {
                () = replaced.notified() => break Ending::Replaced,
                _ = lease_check.tick() => {
                    if !self.still_owner().await {
                        break Ending::Replaced;
                    }
                }
                frame = stream.recv() => {
                    last_heard = Instant::now();
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
                    let outcome = match event {
                        Some(Ok(RealtimeEvent::Closed)) | None => {
                            match self.roll_over(&mut rollovers).await {
                                Ok(fresh) => {
                                    sender.close().await;
                                    sender = fresh.sender;
                                    events = fresh.events;
                                    // what was half done is asked again by the new session,
                                    // whose item ids are its own
                                    let closing = turn.closing.take();
                                    turn = Turn::opening();
                                    turn.closing = closing;
                                    None
                                }
                                Err(ending) => Some(ending),
                            }
                        }
                        Some(Ok(event)) => self.upstream_event(event, &mut turn, sender.as_ref()).await,
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
                () = idle => break Ending::Idle,
            }
        };
        sender.close().await;
        self.finish(ending).await;
    }

    async fn send(&mut self, frame: ServerFrame) {
        // a client that is gone is noticed on the next read
        let _ = self.ws.text(frame.to_text()).await;
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
            ClientFrame::AudioChunk { audio, .. } => match STANDARD.decode(audio.as_bytes()) {
                Ok(pcm) if pcm.len() % 2 == 0 => {
                    self.heard_bytes += pcm.len();
                    if self.state.realtime.store_audio
                        && self.heard.len() + pcm.len() <= MAX_KEPT_AUDIO_BYTES
                    {
                        self.heard.extend_from_slice(&pcm);
                    }
                    sender.send_audio(pcm).await
                }
                _ => {
                    self.send(ServerFrame::error(
                        ErrorCode::InvalidMessage,
                        "audio must be base64 PCM16 (an even number of bytes)",
                    ))
                    .await;
                    Ok(())
                }
            },
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

    async fn upstream_event(
        &mut self,
        event: RealtimeEvent,
        turn: &mut Turn,
        sender: &dyn RealtimeSender,
    ) -> Option<Ending> {
        match event {
            RealtimeEvent::AudioDelta { audio } => {
                if self.state.realtime.store_audio
                    && self.said.len() + audio.len() <= MAX_KEPT_AUDIO_BYTES
                {
                    self.said.extend_from_slice(&audio);
                }
                self.send(ServerFrame::AiAudioChunk {
                    audio: STANDARD.encode(audio),
                    is_final: false,
                })
                .await;
            }
            RealtimeEvent::TranscriptDelta { text } => {
                self.send(ServerFrame::TranscriptDelta {
                    role: Role::Assistant,
                    text,
                })
                .await;
            }
            RealtimeEvent::CandidateTranscript { item_id, text } => {
                if turn.recorded.contains(&item_id) {
                    return None;
                }
                turn.transcript = Some((item_id, text));
                if turn.evaluation.is_some() || turn.replied_unjudged {
                    return self.take_turn(turn, sender).await;
                }
            }
            RealtimeEvent::Evaluation {
                call_id,
                evaluation,
            } => {
                if turn.recorded.contains(&call_id) {
                    return None;
                }
                turn.evaluation = Some((call_id, evaluation));
                if turn.transcript.is_some() {
                    return self.take_turn(turn, sender).await;
                }
            }
            RealtimeEvent::ResponseDone { transcript, usage } => {
                tracing::debug!(
                    speaking = turn.speaking,
                    closing = turn.closing.is_some(),
                    said = transcript.len(),
                    "upstream response done"
                );
                let exhausted = self.charge(usage).await;
                if transcript.trim().is_empty() {
                    // a response that only called the evaluation tool: nothing was said
                    return None;
                }
                // kept before the client hears the reply ended, so it can fetch it at once
                self.keep_reply_audio().await;
                self.send(ServerFrame::AiAudioChunk {
                    audio: String::new(),
                    is_final: true,
                })
                .await;
                if turn.speaking > 0 {
                    turn.speaking -= 1;
                    if turn.speaking == 0
                        && let Some((reason, answered)) = turn.closing
                    {
                        self.send(ServerFrame::InterviewComplete {
                            reason: reason.as_str().to_owned(),
                            questions_answered: answered,
                        })
                        .await;
                        return Some(Ending::Complete);
                    }
                } else if turn.transcript.is_some() && turn.evaluation.is_none() {
                    // the model answered without judging the answer: the interviewer judges it
                    return self.take_turn(turn, sender).await;
                } else {
                    turn.replied_unjudged = true;
                }
                if exhausted && turn.closing.is_none() {
                    self.send(ServerFrame::error(
                        ErrorCode::BudgetExhausted,
                        "the interview budget is spent; the interview ends here",
                    ))
                    .await;
                    turn.closing = Some((CompletionReason::BudgetExhausted, 0));
                    turn.speaking += 1;
                    let _ = sender
                        .say(
                            None,
                            closing_remark(CompletionReason::BudgetExhausted).to_owned(),
                        )
                        .await;
                }
            }
            RealtimeEvent::SpeechStarted | RealtimeEvent::Closed => {}
        }
        None
    }

    /// Charges upstream usage; true when it exhausted the budget and completed the interview.
    async fn charge(&mut self, usage: interview_core::cost::RealtimeUsage) -> bool {
        match self
            .state
            .interviews
            .charge_realtime(self.interview_id, self.actor, usage)
            .await
        {
            Ok(exhausted) => exhausted,
            Err(error) => {
                tracing::warn!(%error, "charging realtime usage failed");
                false
            }
        }
    }

    /// With `realtime.store_audio`, stores the reply just spoken with the message it said.
    async fn keep_reply_audio(&mut self) {
        let said = std::mem::take(&mut self.said);
        let Some(message) = self.reply_message.take() else {
            return;
        };
        if said.is_empty() {
            return;
        }
        let seconds = said.len() as f64 / PCM_BYTES_PER_SECOND;
        let clip = AudioClip {
            bytes: wav(&said),
            format: AudioFormat::Wav,
        };
        if let Err(error) = self
            .state
            .interviews
            .keep_reply_audio(self.interview_id, self.actor, message, clip, seconds)
            .await
        {
            tracing::warn!(%error, "keeping the interviewer's audio failed");
        }
    }

    /// Whether no newer connection took the interview over (a storage failure counts as still
    /// owning it: the next check decides).
    async fn still_owner(&self) -> bool {
        self.state
            .interviews
            .owns_realtime(self.interview_id, self.connection)
            .await
            .unwrap_or(true)
    }

    /// The candidate's turn through the engine, then the interviewer says what comes next.
    async fn take_turn(&mut self, turn: &mut Turn, sender: &dyn RealtimeSender) -> Option<Ending> {
        if !self.still_owner().await {
            return Some(Ending::Replaced);
        }
        let (item_id, transcript) = turn.transcript.take()?;
        let evaluation = turn.evaluation.take();
        turn.replied_unjudged = false;
        let call_id = evaluation.as_ref().map(|(call, _)| call.clone());
        turn.recorded.insert(item_id.clone());
        if let Some(call) = &call_id {
            turn.recorded.insert(call.clone());
        }
        let result = self
            .state
            .interviews
            .answer_realtime(RealtimeAnswer {
                interview_id: self.interview_id,
                actor: self.actor,
                item_id: format!("{}-{item_id}", turn.upstream.simple()),
                transcript,
                evaluation: evaluation.map(|(_, evaluation)| evaluation),
                usage: interview_core::cost::RealtimeUsage::default(),
                audio_seconds: (self.heard_bytes > 0)
                    .then(|| self.heard_bytes as f64 / PCM_BYTES_PER_SECOND),
                recording: (!self.heard.is_empty()).then(|| AudioClip {
                    bytes: wav(&self.heard),
                    format: AudioFormat::Wav,
                }),
            })
            .await;
        self.heard_bytes = 0;
        self.heard.clear();
        match result {
            Ok(outcome) => {
                self.announce(&outcome).await;
                self.reply_message = Some(outcome.ai_message_id);
                if outcome.interview_complete {
                    turn.closing = Some((
                        outcome
                            .completion_reason
                            .unwrap_or(CompletionReason::MaxQuestions),
                        outcome.question_number,
                    ));
                }
                turn.speaking += 1;
                if let Err(error) = sender.say(call_id, outcome.ai_response).await {
                    self.send(ServerFrame::error(
                        ErrorCode::UpstreamError,
                        error.to_string(),
                    ))
                    .await;
                }
                None
            }
            Err(AnswerError::InvalidState { status }) => Some(Ending::Policy(
                ErrorCode::InterviewNotActive,
                format!("the interview is {status}"),
            )),
            Err(AnswerError::NotFound) => Some(Ending::Policy(
                ErrorCode::InterviewNotActive,
                "the interview is not available".into(),
            )),
            Err(error) => {
                tracing::warn!(%error, "a realtime turn failed; the candidate is asked again");
                let code = match &error {
                    AnswerError::Interviewer(ProviderError::RateLimited { .. }) => {
                        ErrorCode::RateLimitExceeded
                    }
                    _ => ErrorCode::UpstreamError,
                };
                self.send(ServerFrame::error(
                    code,
                    "the answer could not be recorded; nothing was stored, please answer again",
                ))
                .await;
                turn.speaking += 1;
                let _ = sender
                    .say(
                        call_id,
                        "I'm sorry, I could not record that. Could you give your answer again?"
                            .to_owned(),
                    )
                    .await;
                None
            }
        }
    }

    /// Both stored messages of a turn, in conversation order.
    async fn announce(&mut self, outcome: &AnswerOutcome) {
        self.send(ServerFrame::Transcript {
            role: Role::User,
            text: outcome.transcript.clone(),
            message_id: outcome.message_id.as_uuid(),
            is_final: true,
        })
        .await;
        self.send(ServerFrame::Transcript {
            role: Role::Assistant,
            text: outcome.ai_response.clone(),
            message_id: outcome.ai_message_id.as_uuid(),
            is_final: true,
        })
        .await;
    }

    /// A fresh upstream session seeded like a resumed interview, when the last one ended.
    async fn roll_over(&mut self, rollovers: &mut u32) -> Result<RealtimeSession, Ending> {
        if *rollovers >= MAX_ROLLOVERS {
            return Err(Ending::Failure(
                ErrorCode::UpstreamError,
                "the realtime service keeps disconnecting".into(),
            ));
        }
        *rollovers += 1;
        // a connection that lost the interview must not claim it back
        if !self.still_owner().await {
            return Err(Ending::Replaced);
        }
        let opening = self
            .state
            .interviews
            .open_realtime(
                self.interview_id,
                self.actor,
                self.connection,
                self.state.realtime.turn_detection,
            )
            .await
            .map_err(|error| Ending::Policy(ErrorCode::InterviewNotActive, error.to_string()))?;
        self.voice
            .connect(opening.config)
            .await
            .map_err(|error| Ending::Failure(ErrorCode::RealtimeUnavailable, error.to_string()))
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
