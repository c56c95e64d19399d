//! What assessments need: a writer of the judgement, and storage for assessments and for the
//! browser's integrity events.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::assessment::{Assessment, Judgement};
use crate::ids::InterviewId;
use crate::jobs::{ClaimedJob, NewJob};
use crate::lifecycle::CompletionReason;
use crate::model::RoleType;
use crate::ports::{Generated, ProviderError, RepositoryError};
use crate::rules::integrity::{ClientEvent, IntegrityFlag};
use crate::rules::ladder::{DifficultyLevel, SkillArea};
use crate::rules::scoring::Scores;

/// Who said a line of the transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    Interviewer,
    Candidate,
}

/// One message of the transcript, as the writer sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptLine {
    pub sequence_number: i32,
    pub speaker: Speaker,
    pub text: String,
    /// For a judged answer: what it was about and how the interviewer scored it.
    pub judged: Option<JudgedAnswer>,
}

/// How the interviewer judged one answer during the interview.
#[derive(Debug, Clone, PartialEq)]
pub struct JudgedAnswer {
    pub skill: SkillArea,
    pub level: DifficultyLevel,
    /// `0..=1`.
    pub composite: f64,
}

/// Everything a writer needs to judge an interview. The scores and flags are the core's and
/// final; the writer explains them and adds what only reading the answers can tell.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentRequest {
    pub role: RoleType,
    pub transcript: Vec<TranscriptLine>,
    pub scores: Scores,
    pub integrity_flags: Vec<IntegrityFlag>,
    pub completion_reason: Option<CompletionReason>,
    pub duration_seconds: Option<i64>,
}

/// Writes the judgement part of an assessment (strengths, growth areas, highlights, reasoning,
/// recommendation).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait AssessmentWriter: Send + Sync {
    /// `offline`, or `openai:<model>`: stored with each assessment.
    fn generator(&self) -> String;

    /// The version of the prompt or rules that produced the judgement, stored with it.
    fn prompt_version(&self) -> String;

    /// Judges one finished interview.
    ///
    /// # Errors
    /// Any [`ProviderError`]; an adapter that received an unusable reply should repair it once
    /// and then return [`Judgement::conservative`] rather than fail.
    async fn judge(
        &self,
        request: &AssessmentRequest,
    ) -> Result<Generated<Judgement>, ProviderError>;
}

/// What producing an assessment cost, added to the interview's language-model ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentCharge {
    pub tokens: i64,
    pub cost_usd: Decimal,
}

/// Stored assessments (every version) and the browser's integrity events.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait AssessmentRepository: Send + Sync {
    /// In one transaction: stores a new version, adds `charge` to the interview's cost, moves
    /// its session to the next version (so a turn computed from the interview as it was before
    /// cannot overwrite the charge), enqueues `events` and marks `job` succeeded.
    ///
    /// # Errors
    /// [`RepositoryError::Conflict`] when the job's lease was lost or the version exists;
    /// nothing is written then.
    async fn save(
        &self,
        assessment: &Assessment,
        charge: &AssessmentCharge,
        job: &ClaimedJob,
        events: &[NewJob],
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;

    /// The newest version.
    ///
    /// # Errors
    /// [`RepositoryError::Corrupt`] when it cannot be read back.
    async fn latest(&self, interview: InterviewId) -> Result<Option<Assessment>, RepositoryError>;

    /// Every version, oldest first.
    ///
    /// # Errors
    /// Storage failures.
    async fn versions(&self, interview: InterviewId) -> Result<Vec<Assessment>, RepositoryError>;

    /// Stores events the candidate's browser reported.
    ///
    /// # Errors
    /// [`RepositoryError::MissingReference`] for an unknown interview.
    async fn record_events(
        &self,
        interview: InterviewId,
        events: &[ClientEvent],
        received_at: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;

    /// The events reported for an interview, in the order received.
    ///
    /// # Errors
    /// Storage failures.
    async fn events(&self, interview: InterviewId) -> Result<Vec<ClientEvent>, RepositoryError>;
}
