//! The spoken turn: upstream events while the candidate answers and the interviewer replies,
//! each candidate turn through the engine, the interviewer's audio kept when configured, and the
//! upstream session replaced when it ends.

use std::collections::HashSet;

use interview_core::cost::RealtimeUsage;
use interview_core::interview::turn::closing_remark;
use interview_core::interview::{AnswerError, AnswerOutcome, RealtimeAnswer};
use interview_core::ladder::Evaluation;
use interview_core::lifecycle::CompletionReason;
use interview_core::ports::{
    AudioClip, AudioFormat, ProviderError, RealtimeEvent, RealtimeSender, RealtimeSession,
};

use crate::observability::cost;
use crate::observability::events::{self, TurnMode};
use crate::realtime::protocol::{ErrorCode, Role, ServerFrame};
use crate::realtime::relay::{Ending, MAX_ROLLOVERS, PCM_BYTES_PER_SECOND, Relay};
use crate::realtime::wav::wav;

/// A connection's progress through the current turn.
pub(super) struct Turn {
    /// The candidate's transcribed turn (upstream item id, text), until it is recorded.
    pub(super) transcript: Option<(String, String)>,
    /// The model's judgement of it (call id, evaluation), until it is recorded.
    pub(super) evaluation: Option<(String, Evaluation)>,
    /// Replies the interviewer was asked to say and has not finished (the opening counts).
    pub(super) speaking: u32,
    /// The model replied on its own without judging the candidate's turn.
    pub(super) replied_unjudged: bool,
    /// Set once the closing remark is being spoken: what to report when it is done.
    pub(super) closing: Option<(CompletionReason, i32)>,
    /// Upstream item and call ids already recorded: an event delivered twice is ignored (the
    /// engine would replay the same outcome anyway).
    pub(super) recorded: HashSet<String>,
    /// Names the upstream session: its item ids are only unique within it, so the idempotency
    /// key of a turn is this plus the item id.
    pub(super) upstream: uuid::Uuid,
    /// Upstream usage not charged yet.
    pub(super) unpaid: RealtimeUsage,
}

impl Turn {
    /// A session that starts by speaking its opening.
    pub(super) fn opening() -> Self {
        Self {
            transcript: None,
            evaluation: None,
            speaking: 1,
            replied_unjudged: false,
            closing: None,
            recorded: HashSet::new(),
            upstream: uuid::Uuid::new_v4(),
            unpaid: RealtimeUsage::default(),
        }
    }
}

impl Relay {
    pub(super) async fn upstream_event(
        &mut self,
        event: RealtimeEvent,
        turn: &mut Turn,
        sender: &dyn RealtimeSender,
    ) -> Option<Ending> {
        match event {
            RealtimeEvent::AudioDelta { audio } => self.relay_audio(audio).await,
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
                turn.unpaid = turn.unpaid.plus(usage);
                if transcript.trim().is_empty() {
                    // a response that only called the evaluation tool: nothing was said; its
                    // usage is charged with the reply that follows (one write a reply)
                    return None;
                }
                let exhausted = self.charge(std::mem::take(&mut turn.unpaid)).await;
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
    pub(super) async fn charge(&mut self, usage: RealtimeUsage) -> bool {
        let usd = self
            .state
            .interviews
            .settings()
            .pricing
            .realtime_cost(&usage);
        cost::charge("realtime", usd);
        match self
            .state
            .interviews
            .charge_realtime(self.interview_id, self.actor, usage)
            .await
        {
            Ok(exhausted) => {
                if exhausted {
                    events::budget_exhausted(TurnMode::Realtime);
                }
                exhausted
            }
            Err(error) => {
                tracing::warn!(%error, "charging realtime usage failed");
                false
            }
        }
    }

    /// With `realtime.store_audio`, stores the reply just spoken with the message it said.
    pub(super) async fn keep_reply_audio(&mut self) {
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
    pub(super) async fn still_owner(&self) -> bool {
        self.state
            .interviews
            .owns_realtime(self.interview_id, self.connection)
            .await
            .unwrap_or(true)
    }

    /// The candidate's turn through the engine, then the interviewer says what comes next.
    pub(super) async fn take_turn(
        &mut self,
        turn: &mut Turn,
        sender: &dyn RealtimeSender,
    ) -> Option<Ending> {
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
        events::turn(TurnMode::Realtime, &result);
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
    pub(super) async fn announce(&mut self, outcome: &AnswerOutcome) {
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
    pub(super) async fn roll_over(
        &mut self,
        rollovers: &mut u32,
    ) -> Result<RealtimeSession, Ending> {
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
}
