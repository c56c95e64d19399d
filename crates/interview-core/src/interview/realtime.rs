//! Realtime voice as a way in, not a second engine: the core configures the upstream session
//! (instructions, the question to ask, what to seed it with), and every spoken answer becomes a
//! `TurnInput` like any other. The upstream's item id is the idempotency key, so a turn seen twice
//! is counted once.

use crate::actor::Actor;
use crate::ids::{ConnectionId, InterviewId, MessageId};
use crate::interview::InterviewService;
use crate::interview::access::Access;
use crate::interview::commands::{AnswerAudio, AnswerOutcome, AnswerSource, TurnInput};
use crate::interview::commit::finishing_jobs;
use crate::interview::errors::{AnswerError, ReadError};
use crate::interview::turn::open_question_text;
use crate::model::{AudioMetadata, Interview, InterviewSession};
use crate::ports::{
    AudioClip, BlobRef, ClientKey, InterviewRecord, RealtimeSessionConfig, RepositoryError,
    TurnDetection, TurnWrite,
};
use crate::rules::budget::PaidCall;
use crate::rules::cost::RealtimeUsage;
use crate::rules::ladder::Evaluation;
use crate::rules::lifecycle::{CompletionReason, InterviewStatus, finish};
use crate::rules::memory::Speaker;

/// What the relay needs to open (or reopen) the upstream session of an interview.
#[derive(Debug, Clone, PartialEq)]
pub struct RealtimeOpening {
    pub interview: Interview,
    pub config: RealtimeSessionConfig,
    /// True when the candidate already answered: the pending question is asked again.
    pub resumed: bool,
    /// Sequence number of the open question.
    pub open_question: i32,
}

/// A spoken answer, transcribed upstream.
#[derive(Debug, Clone, PartialEq)]
pub struct RealtimeAnswer {
    pub interview_id: InterviewId,
    pub actor: Actor,
    /// Names the candidate's turn: the same turn always has the same id, and no other turn of
    /// the interview has it (the relay qualifies the upstream's item id with its session).
    pub item_id: String,
    pub transcript: String,
    /// The realtime model's judgement, when it gave one; otherwise the interviewer judges.
    pub evaluation: Option<Evaluation>,
    /// Upstream usage since the last charge.
    pub usage: RealtimeUsage,
    /// How long the candidate spoke, when the relay measured it.
    pub audio_seconds: Option<f64>,
    /// What the candidate said, as a clip, when the deployment keeps realtime audio.
    pub recording: Option<AudioClip>,
}

/// The standing instructions of the realtime interviewer.
pub fn realtime_instructions(interview: &Interview, session: &InterviewSession) -> String {
    let level = session.current_difficulty;
    let asked = session
        .progression
        .asked_questions
        .iter()
        .map(|question| format!("- {question}"))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "You are a calm, friendly technical interviewer for a {role} developer role, speaking \
         English. The interview runs at the {level} level now. You never choose questions \
         yourself: you say exactly the text you are given, word for word, and nothing else. \
         After each answer of the candidate, call the function evaluate_candidate_answer with \
         your judgement of that answer (scores between 0 and 1), then wait for the text to say. \
         Do not give feedback on answers and do not reveal scores. Questions already asked, \
         never to be repeated:\n{asked}",
        role = interview.role_type.title(),
    )
}

/// A client key from an upstream item id: visible ASCII, at most 255 characters.
fn item_key(item_id: &str) -> Option<ClientKey> {
    let cleaned: String = format!("rt-{item_id}")
        .chars()
        .filter(char::is_ascii_graphic)
        .take(255)
        .collect();
    ClientKey::parse(&cleaned).ok()
}

impl InterviewService {
    /// Checks that `actor` may take the interview and that it is running, makes `connection` its
    /// one live realtime connection (replacing any other, on any node), and configures an
    /// upstream session for it: the standing instructions, the memory window as history, and
    /// the greeting with the first question, or the pending question again.
    ///
    /// # Errors
    /// [`AnswerError::NotFound`] for an interview the actor may not take;
    /// [`AnswerError::InvalidState`] unless it is in progress.
    pub async fn open_realtime(
        &self,
        interview_id: InterviewId,
        actor: Actor,
        connection: ConnectionId,
        turn_detection: TurnDetection,
    ) -> Result<RealtimeOpening, AnswerError> {
        let InterviewRecord { interview, session } =
            self.load_for(interview_id, &actor, Access::Take).await?;
        let pending = match (&interview.status, &session.pending_question) {
            (InterviewStatus::InProgress, Some(pending)) => pending.clone(),
            _ => {
                return Err(AnswerError::InvalidState {
                    status: interview.status,
                });
            }
        };
        let question = open_question_text(&session);
        let resumed = session
            .memory
            .messages()
            .iter()
            .any(|message| message.speaker == Speaker::Candidate);
        let opening = if resumed {
            format!("Welcome back. Let's pick up where we left off. {question}")
        } else {
            format!(
                "Hello, and thank you for joining this {} interview. Let's begin. {question}",
                interview.role_type.title()
            )
        };
        // this connection now owns the interview: any other one sees it has lost it
        self.interviews
            .claim_realtime(interview_id, connection, self.clock.now())
            .await?;
        let history = if resumed {
            session.memory.messages().to_vec()
        } else {
            Vec::new()
        };
        Ok(RealtimeOpening {
            config: RealtimeSessionConfig {
                instructions: realtime_instructions(&interview, &session),
                history,
                opening,
                turn_detection,
            },
            resumed,
            open_question: pending.sequence_number,
            interview,
        })
    }

    /// Whether `connection` is still the interview's live realtime connection (a newer one
    /// replaces it).
    ///
    /// # Errors
    /// Storage failures.
    pub async fn owns_realtime(
        &self,
        interview_id: InterviewId,
        connection: ConnectionId,
    ) -> Result<bool, ReadError> {
        Ok(self.interviews.realtime_owner(interview_id).await? == Some(connection))
    }

    /// A spoken answer through the one turn path: judged by the realtime model's evaluation
    /// when it gave one (else by the interviewer), its usage charged to realtime costs, counted
    /// once per upstream item id.
    ///
    /// # Errors
    /// Every error of [`Self::answer`].
    #[tracing::instrument(name = "interview.answer_realtime", skip_all, fields(interview_id = %answer.interview_id))]
    pub async fn answer_realtime(
        &self,
        answer: RealtimeAnswer,
    ) -> Result<AnswerOutcome, AnswerError> {
        let recording = match answer.recording {
            Some(clip) => {
                self.keep_clip(answer.interview_id, clip, answer.audio_seconds)
                    .await
            }
            None => None,
        };
        let blob = recording.as_ref().map(|audio| audio.blob.clone());
        let outcome = self
            .answer(TurnInput {
                interview_id: answer.interview_id,
                actor: answer.actor,
                text: answer.transcript,
                in_reply_to: None,
                client_key: item_key(&answer.item_id),
                source: AnswerSource::Realtime {
                    evaluation: answer.evaluation,
                    usage: answer.usage,
                    item_id: Some(answer.item_id),
                    audio_seconds: answer.audio_seconds,
                    recording,
                },
            })
            .await;
        if let (Err(_), Some(blob), Some(speech)) = (&outcome, &blob, &self.speech) {
            // the turn was not written (or was a replay): its clip is not needed
            let _ = speech.blobs.delete(blob).await;
        }
        outcome
    }

    /// Stores a candidate's clip for a message about to be written; `None` when the deployment
    /// has no audio storage or the store fails (the turn matters more than its audio).
    async fn keep_clip(
        &self,
        interview: InterviewId,
        clip: AudioClip,
        seconds: Option<f64>,
    ) -> Option<AnswerAudio> {
        let speech = self.speech.as_ref()?;
        let message_id = MessageId::new();
        let blob = BlobRef::MessageAudio {
            interview,
            message: message_id,
            format: clip.format,
        };
        let metadata = AudioMetadata {
            format: Some(clip.format),
            size_bytes: Some(clip.bytes.len() as u64),
            duration_seconds: seconds,
            ..AudioMetadata::default()
        };
        speech.blobs.put(&blob, clip.bytes).await.ok()?;
        Some(AnswerAudio {
            message_id,
            blob,
            metadata,
            transcribed: true,
        })
    }

    /// Keeps the audio of an interviewer message spoken live, once it has been said.
    ///
    /// # Errors
    /// [`AnswerError::NotFound`] for an interview the actor may not take or an unknown message;
    /// [`AnswerError::Blobs`] when the store fails; [`AnswerError::SpeechUnavailable`] without
    /// audio storage.
    pub async fn keep_reply_audio(
        &self,
        interview_id: InterviewId,
        actor: Actor,
        message: MessageId,
        clip: AudioClip,
        seconds: f64,
    ) -> Result<(), AnswerError> {
        self.load_for(interview_id, &actor, Access::Take).await?;
        let speech = self.speech.as_ref().ok_or(AnswerError::SpeechUnavailable)?;
        let blob = BlobRef::MessageAudio {
            interview: interview_id,
            message,
            format: clip.format,
        };
        let metadata = AudioMetadata {
            format: Some(clip.format),
            size_bytes: Some(clip.bytes.len() as u64),
            duration_seconds: Some(seconds),
            ..AudioMetadata::default()
        };
        speech.blobs.put(&blob, clip.bytes).await?;
        if let Err(error) = self
            .interviews
            .attach_audio(interview_id, message, &blob, &metadata)
            .await
        {
            let _ = speech.blobs.delete(&blob).await;
            return Err(error.into());
        }
        Ok(())
    }

    /// Charges realtime usage that belongs to no answer (the interviewer's speech after the last
    /// turn, a session that ended). When the interview can no longer afford another realtime
    /// turn it completes with `budget_exhausted`; returns whether it did.
    ///
    /// # Errors
    /// [`AnswerError::NotFound`] for an interview the actor may not take; storage failures.
    pub async fn charge_realtime(
        &self,
        interview_id: InterviewId,
        actor: Actor,
        usage: RealtimeUsage,
    ) -> Result<bool, AnswerError> {
        // a concurrent write (a turn, an assessment's charge) moved the version: charge the
        // interview as it is now
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.charge_realtime_once(interview_id, actor, usage).await {
                Err(AnswerError::Storage(RepositoryError::Conflict(_))) if attempts < 3 => {}
                other => return other,
            }
        }
    }

    async fn charge_realtime_once(
        &self,
        interview_id: InterviewId,
        actor: Actor,
        usage: RealtimeUsage,
    ) -> Result<bool, AnswerError> {
        let InterviewRecord {
            mut interview,
            mut session,
        } = self.load_for(interview_id, &actor, Access::Take).await?;
        let before = interview.clone();
        interview.charge_realtime(&self.settings.pricing, &usage);
        let now = self.clock.now();
        // another turn costs at least what this stretch of the session did
        let exhausted = interview.status == InterviewStatus::InProgress
            && !self
                .settings
                .budget_guard()
                .allows(&interview.costs(), PaidCall::Realtime(usage));
        if exhausted {
            finish(&mut interview, CompletionReason::BudgetExhausted, now)?;
            session.pending_question = None;
        }
        if usage.is_empty() && !exhausted {
            return Ok(false);
        }
        let expected_version = session.version;
        session.updated_at = now;
        session.version = expected_version + 1;
        let jobs = if exhausted {
            finishing_jobs(&interview, &session, now)
        } else {
            Vec::new()
        };
        self.interviews
            .save_turn(&TurnWrite {
                interview_changed: interview != before,
                interview,
                session,
                expected_version,
                messages: Vec::new(),
                idempotency: None,
                jobs,
            })
            .await?;
        Ok(exhausted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_ids_make_valid_client_keys() {
        assert_eq!(
            item_key("item_C9x 7").map(|key| key.as_str().to_owned()),
            Some("rt-item_C9x7".to_owned())
        );
        assert!(item_key(&"x".repeat(400)).is_some());
    }
}
