//! A turn: one answer, by any mode, judged and followed by the next question or the end.

use crate::interview::InterviewService;
use crate::interview::access::Access;
use crate::interview::commands::{AnswerOutcome, TurnInput};
use crate::interview::commit::TurnBase;
use crate::interview::errors::AnswerError;
use crate::interview::turn::{EvaluationPlan, Judged, NextStep, plan_turn, prepare_turn};
use crate::lifecycle::InterviewStatus;
use crate::model::PendingQuestion;
use crate::ports::InterviewRecord;

impl InterviewService {
    /// Records an answer, judges it, moves the ladder and asks the next question (or ends the
    /// interview). Exactly once: a retry with the same client key returns the stored outcome.
    ///
    /// # Errors
    /// [`AnswerError::Conflict`] when the question was already answered (or is being answered
    /// concurrently); provider and storage failures leave stored state untouched.
    #[tracing::instrument(name = "interview.answer", skip_all, fields(interview_id = %input.interview_id))]
    pub async fn answer(&self, input: TurnInput) -> Result<AnswerOutcome, AnswerError> {
        let text = self.checked_text(&input.text)?;
        let record = self
            .load_for(input.interview_id, &input.actor, Access::Take)
            .await?;
        // A request that names the open question of a running interview cannot be a retry of
        // a turn already stored, so the key lookup is only needed otherwise (and on a conflict).
        let answers_open_question = record.interview.status == InterviewStatus::InProgress
            && input.in_reply_to.is_some()
            && input.in_reply_to
                == record
                    .session
                    .pending_question
                    .as_ref()
                    .map(|pending| pending.sequence_number);
        if let Some(key) = &input.client_key
            && !answers_open_question
            && let Some(stored) = self
                .interviews
                .stored_answer(input.interview_id, key)
                .await?
        {
            return replay(stored.into_outcome(input.interview_id), &text);
        }
        let pending = open_question(&record, input.in_reply_to)?;
        let now = self.clock.now();
        if self
            .settings
            .completion
            .is_inactive(record.session.last_activity_at, now)
        {
            self.abandon(record, now).await?;
            return Err(AnswerError::InvalidState {
                status: InterviewStatus::Abandoned,
            });
        }
        let base = TurnBase::of(&record);
        let model = self.interviewer.model_name();
        let prepared = prepare_turn(
            record,
            pending,
            &text,
            input.source,
            &self.settings,
            &model,
            now,
        );
        let judged = match &prepared.evaluation {
            EvaluationPlan::Request(request) => {
                Some(Judged::ByModel(self.interviewer.evaluate(request).await?))
            }
            EvaluationPlan::Given(given) => Some(Judged::WithAnswer(given.clone())),
            EvaluationPlan::Unaffordable => None,
        };
        let plan = plan_turn(prepared, judged, &self.settings, &model, now);
        let draft = match &plan.next {
            NextStep::Ask(request) => {
                let generated = self.interviewer.next_question(request).await?;
                plan.ask(generated, &self.settings, now)
            }
            NextStep::Close(reason) => {
                let reason = *reason;
                plan.close(reason, now)?
            }
        };
        self.commit(draft, &base, input.client_key, now).await
    }

    /// The answer's text, trimmed, within the configured length.
    fn checked_text(&self, text: &str) -> Result<String, AnswerError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AnswerError::Validation {
                field: "message_text",
                message: "the answer must not be empty".into(),
            });
        }
        if text.chars().count() > self.settings.max_answer_characters {
            return Err(AnswerError::Validation {
                field: "message_text",
                message: format!(
                    "the answer must be at most {} characters",
                    self.settings.max_answer_characters
                ),
            });
        }
        Ok(text.to_owned())
    }
}

/// The open question of a running interview, checked against the one the client answers.
pub(crate) fn open_question(
    record: &InterviewRecord,
    in_reply_to: Option<i32>,
) -> Result<PendingQuestion, AnswerError> {
    if record.interview.status != InterviewStatus::InProgress {
        return Err(AnswerError::InvalidState {
            status: record.interview.status,
        });
    }
    let pending = record
        .session
        .pending_question
        .clone()
        .ok_or(AnswerError::InvalidState {
            status: record.interview.status,
        })?;
    if let Some(in_reply_to) = in_reply_to
        && in_reply_to != pending.sequence_number
    {
        return Err(AnswerError::Conflict(format!(
            "question {in_reply_to} is not the open question; the open question is {}",
            pending.sequence_number
        )));
    }
    Ok(pending)
}

/// A stored outcome, if it was stored for the same answer.
pub(crate) fn replay(stored: AnswerOutcome, text: &str) -> Result<AnswerOutcome, AnswerError> {
    if stored.transcript == text {
        Ok(stored)
    } else {
        Err(AnswerError::Conflict(
            "this idempotency key was already used for a different answer".into(),
        ))
    }
}
