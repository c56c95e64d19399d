//! Writing what a turn decided: the reply spoken when the interview is spoken, then one
//! atomic, version-checked write. Also the writes that end an interview without a turn.

use chrono::{DateTime, Utc};

use crate::actor::Actor;
use crate::assessment::assessment_job;
use crate::ids::InterviewId;
use crate::interview::InterviewService;
use crate::interview::access::Access;
use crate::interview::answer::replay;
use crate::interview::commands::{AnswerOutcome, CompletionSummary, SessionSnapshot};
use crate::interview::errors::{AnswerError, CompleteError};
use crate::interview::stored::StoredOutcome;
use crate::interview::turn::TurnDraft;
use crate::jobs::NewJob;
use crate::model::{Interview, InterviewMode, InterviewSession};
use crate::ports::{ClientKey, InterviewRecord, RepositoryError, StoredAnswer, TurnWrite};
use crate::rules::lifecycle::{CompletionReason, InterviewStatus, abandon, finish};

/// What a turn was computed from: the session version to check and the interview as loaded.
pub(crate) struct TurnBase {
    expected_version: i64,
    interview: Interview,
}

impl TurnBase {
    pub(crate) fn of(record: &InterviewRecord) -> Self {
        Self {
            expected_version: record.session.version,
            interview: record.interview.clone(),
        }
    }
}

/// The jobs a write causes that may end the interview: its assessment, and the
/// `interview.completed` event when it completes it.
pub(crate) fn finishing_jobs(
    interview: &Interview,
    session: &InterviewSession,
    now: DateTime<Utc>,
) -> Vec<NewJob> {
    assessment_job(interview, session, now)
        .into_iter()
        .chain(crate::webhooks::events::interview_completed(interview, now))
        .collect()
}

/// A write of the session alone (no messages) that moves it to its next version, with the
/// assessment job when the write ends the interview.
fn session_only_write(
    interview: Interview,
    mut session: InterviewSession,
    now: DateTime<Utc>,
) -> TurnWrite {
    let jobs = finishing_jobs(&interview, &session, now);
    let expected_version = session.version;
    session.pending_question = None;
    session.updated_at = now;
    session.version = expected_version + 1;
    TurnWrite {
        interview,
        interview_changed: true,
        session,
        expected_version,
        messages: Vec::new(),
        idempotency: None,
        jobs,
    }
}

impl InterviewService {
    pub(crate) async fn commit(
        &self,
        draft: TurnDraft,
        base: &TurnBase,
        client_key: Option<ClientKey>,
        now: DateTime<Utc>,
    ) -> Result<AnswerOutcome, AnswerError> {
        let TurnDraft {
            mut interview,
            mut session,
            answer,
            mut reply,
            completion_reason,
        } = draft;
        if interview.mode == InterviewMode::LegacyVoice || answer.audio.is_some() {
            self.speak_reply(&mut interview, &mut reply).await;
        }
        session.last_activity_at = now;
        session.updated_at = now;
        session.version = base.expected_version + 1;
        let outcome = AnswerOutcome {
            message_id: answer.id,
            transcript: answer.content_text.clone(),
            ai_message_id: reply.id,
            ai_response: reply.content_text.clone(),
            ai_sequence_number: reply.sequence_number,
            ai_audio: reply.audio.clone(),
            question_number: session.questions_asked_count,
            total_questions: self.settings.total_questions(),
            interview_complete: completion_reason.is_some(),
            completion_reason,
            session_state: SessionSnapshot::from(&session),
            replayed: false,
        };
        let interview_id = interview.id;
        let jobs = finishing_jobs(&interview, &session, now);
        let turn = TurnWrite {
            interview_changed: interview != base.interview,
            interview,
            session,
            expected_version: base.expected_version,
            messages: vec![answer, reply],
            idempotency: client_key.clone().map(|key| StoredAnswer {
                key,
                outcome: StoredOutcome::from_outcome(&outcome),
            }),
            jobs,
        };
        let result = self.interviews.save_turn(&turn).await;
        if result.is_err()
            && let Some(reply) = turn.messages.last()
        {
            // the candidate's audio is the caller's to discard; the reply's is ours
            self.discard_audio(reply).await;
        }
        match result {
            Ok(()) => Ok(outcome),
            Err(RepositoryError::Conflict(message)) => {
                // a concurrent retry with the same key may have won the race: answer as it did
                if let Some(key) = &client_key
                    && let Some(stored) = self.interviews.stored_answer(interview_id, key).await?
                {
                    return replay(stored.into_outcome(interview_id), &outcome.transcript);
                }
                Err(AnswerError::Conflict(format!(
                    "the question was answered concurrently ({message})"
                )))
            }
            Err(RepositoryError::MissingReference(_)) => Err(AnswerError::NotFound),
            Err(other) => Err(AnswerError::Storage(other)),
        }
    }

    /// Marks an interview found idle past the inactivity timeout as abandoned.
    pub(crate) async fn abandon(
        &self,
        record: InterviewRecord,
        now: DateTime<Utc>,
    ) -> Result<(), AnswerError> {
        let InterviewRecord {
            mut interview,
            session,
        } = record;
        abandon(&mut interview).map_err(|_| AnswerError::InvalidState {
            status: interview.status,
        })?;
        let turn = session_only_write(interview, session, now);
        self.interviews.save_turn(&turn).await?;
        Ok(())
    }

    /// Ends an interview at the candidate's request. Completing a completed interview returns
    /// its summary again.
    ///
    /// # Errors
    /// [`CompleteError::InvalidState`] for an abandoned or scheduled interview.
    #[tracing::instrument(name = "interview.complete", skip_all, fields(interview_id = %interview_id))]
    pub async fn complete(
        &self,
        interview_id: InterviewId,
        actor: Actor,
    ) -> Result<CompletionSummary, CompleteError> {
        let InterviewRecord {
            mut interview,
            mut session,
        } = self.load_for(interview_id, &actor, Access::Take).await?;
        if interview.status != InterviewStatus::Completed {
            let now = self.clock.now();
            finish(&mut interview, CompletionReason::CandidateRequested, now).map_err(|_| {
                CompleteError::InvalidState {
                    status: interview.status,
                }
            })?;
            session.last_activity_at = now;
            let turn = session_only_write(interview.clone(), session.clone(), now);
            match self.interviews.save_turn(&turn).await {
                Ok(()) => session = turn.session,
                // a concurrent answer or completion got there first: report what is stored now
                Err(RepositoryError::Conflict(_)) => {
                    return Box::pin(self.complete(interview_id, actor)).await;
                }
                Err(other) => return Err(other.into()),
            }
        }
        Ok(CompletionSummary {
            questions_answered: u32::try_from(session.progression.response_quality_history.len())
                .unwrap_or(u32::MAX),
            skill_boundaries_identified: session.skill_boundaries.len(),
            interview,
        })
    }

    /// Marks interviews idle for longer than the inactivity timeout as abandoned, each in its
    /// own version-checked write (an answer that lands first wins), and returns how many.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn abandon_inactive(&self) -> Result<u64, RepositoryError> {
        const BATCH: u64 = 100;
        let now = self.clock.now();
        let cutoff =
            now - chrono::Duration::seconds(self.settings.completion.inactivity_timeout_seconds);
        let mut abandoned = 0;
        loop {
            let idle = self.interviews.idle_interviews(cutoff, BATCH).await?;
            let mut progressed = false;
            for interview_id in &idle {
                let Some(record) = self.interviews.load(*interview_id).await? else {
                    continue;
                };
                if record.interview.status != InterviewStatus::InProgress
                    || record.session.last_activity_at >= cutoff
                {
                    continue;
                }
                match self.abandon(record, now).await {
                    Ok(()) => {
                        abandoned += 1;
                        progressed = true;
                    }
                    // answered or ended meanwhile: no longer idle
                    Err(AnswerError::Storage(RepositoryError::Conflict(_))) => progressed = true,
                    Err(AnswerError::Storage(error)) => return Err(error),
                    // checked in progress above: a refusal here cannot happen; skip it
                    Err(_) => {}
                }
            }
            if (idle.len() as u64) < BATCH || !progressed {
                return Ok(abandoned);
            }
        }
    }
}
