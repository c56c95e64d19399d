//! The domain's events as metrics: turns, budgets, realtime sessions and frames, job runs.
//! The core knows nothing of metrics; the server records what its calls into the core returned.

use std::time::Instant;

use interview_core::interview::{AnswerError, AnswerOutcome};
use interview_core::jobs::{JobKind, JobOutcome};
use interview_core::lifecycle::CompletionReason;

use super::{BUDGET_EXHAUSTED, JOB_RUNS, REALTIME_SESSIONS, RELAY_FRAME, TURNS};

/// How an answer arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnMode {
    /// Typed (`POST …/messages` with JSON).
    Text,
    /// A recording, transcribed (`POST …/messages` multipart, `POST …/audio`).
    Voice,
    /// Spoken live over the realtime WebSocket.
    Realtime,
}

impl TurnMode {
    /// The `mode` label.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Voice => "voice",
            Self::Realtime => "realtime",
        }
    }
}

/// The `outcome` label of an answer: `replayed` (a retry answered with the stored outcome of its
/// idempotency key: not a new answer), `answered` (the next question was asked), `completed`,
/// `budget_exhausted` (completed because the budget was spent), `refused` (the client's doing:
/// not found, not in progress, conflict, invalid), `ai_unavailable` (the model, transcription
/// or speech failed or is missing) or `failed` (storage, a bug).
pub fn turn_outcome(result: &Result<AnswerOutcome, AnswerError>) -> &'static str {
    match result {
        Ok(outcome) if outcome.replayed => "replayed",
        Ok(outcome) if !outcome.interview_complete => "answered",
        Ok(outcome) if outcome.completion_reason == Some(CompletionReason::BudgetExhausted) => {
            "budget_exhausted"
        }
        Ok(_) => "completed",
        Err(
            AnswerError::NotFound
            | AnswerError::InvalidState { .. }
            | AnswerError::Conflict(_)
            | AnswerError::Validation { .. }
            | AnswerError::AudioRejected(_),
        ) => "refused",
        Err(
            AnswerError::SpeechUnavailable
            | AnswerError::TranscriptionUnavailable(_)
            | AnswerError::Interviewer(_),
        ) => "ai_unavailable",
        Err(AnswerError::Storage(_) | AnswerError::Blobs(_) | AnswerError::Lifecycle(_)) => {
            "failed"
        }
    }
}

/// Counts one answer request (a retry that replays a stored answer as `replayed`).
pub fn turn(mode: TurnMode, result: &Result<AnswerOutcome, AnswerError>) {
    let outcome = turn_outcome(result);
    metrics::counter!(TURNS, "mode" => mode.as_str(), "outcome" => outcome).increment(1);
    if outcome == "budget_exhausted" {
        budget_exhausted(mode);
    }
}

/// Counts an interview ended because its budget was spent.
pub fn budget_exhausted(mode: TurnMode) {
    metrics::counter!(BUDGET_EXHAUSTED, "mode" => mode.as_str()).increment(1);
}

/// Counts one realtime session as open until dropped (however the relay ends).
#[must_use = "the session counts as open while this lives"]
pub struct OpenSession(());

impl OpenSession {
    /// Counts a session that starts relaying now.
    pub fn start() -> Self {
        metrics::gauge!(REALTIME_SESSIONS).increment(1.0);
        Self(())
    }
}

impl Drop for OpenSession {
    fn drop(&mut self) {
        metrics::gauge!(REALTIME_SESSIONS).decrement(1.0);
    }
}

/// Which way an audio frame went through the relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The candidate's audio, from the browser to the provider.
    ToUpstream,
    /// The interviewer's audio, from the provider to the browser.
    ToClient,
}

/// Records how long the relay took to pass a frame on, from `received` until it was sent.
pub fn frame_relayed(direction: Direction, received: Instant) {
    let direction = match direction {
        Direction::ToUpstream => "to_upstream",
        Direction::ToClient => "to_client",
    };
    metrics::histogram!(RELAY_FRAME, "direction" => direction)
        .record(received.elapsed().as_secs_f64() * 1000.0);
}

/// The `outcome` label of a job run.
pub const fn job_outcome(outcome: &JobOutcome) -> &'static str {
    match outcome {
        JobOutcome::Succeeded => "succeeded",
        JobOutcome::Retrying { .. } => "retrying",
        JobOutcome::Failed { .. } => "failed",
        JobOutcome::LeaseLost => "lease_lost",
    }
}

/// Counts one job run.
pub fn job_run(kind: JobKind, outcome: &JobOutcome) {
    metrics::counter!(JOB_RUNS, "kind" => kind.as_str(), "outcome" => job_outcome(outcome))
        .increment(1);
}

#[cfg(test)]
mod tests {
    use interview_core::ports::{ProviderError, RepositoryError};

    use super::*;

    #[test]
    fn failed_answers_are_told_apart_by_whose_doing_they_are() {
        let outcome = |error: AnswerError| turn_outcome(&Err(error));
        assert_eq!(outcome(AnswerError::NotFound), "refused");
        assert_eq!(outcome(AnswerError::Conflict("taken".into())), "refused");
        assert_eq!(
            outcome(AnswerError::Interviewer(ProviderError::RateLimited {
                retry_after: None
            })),
            "ai_unavailable"
        );
        assert_eq!(outcome(AnswerError::SpeechUnavailable), "ai_unavailable");
        assert_eq!(
            outcome(AnswerError::Storage(RepositoryError::Unavailable(
                "down".into()
            ))),
            "failed"
        );
    }

    #[test]
    fn job_outcomes_have_stable_labels() {
        assert_eq!(job_outcome(&JobOutcome::Succeeded), "succeeded");
        assert_eq!(
            job_outcome(&JobOutcome::Failed {
                error: "gone".into()
            }),
            "failed"
        );
        assert_eq!(job_outcome(&JobOutcome::LeaseLost), "lease_lost");
    }
}
