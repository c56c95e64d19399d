//! Storage of the candidate portal: profiles, resumes and feedback.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::ids::{CandidateId, OrganizationId, ResumeFeedbackId, ResumeId};
use crate::jobs::{ClaimedJob, NewJob};
use crate::portal::{CandidateProfile, Feedback, FeedbackState, StoredResume};
use crate::ports::{RepositoryError, ResumeFacts};

/// Candidate profiles: the account's name and phone, and the profile's own fields.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ProfileRepository: Send + Sync {
    /// The candidate's profile (defaults for the fields never set); `None` for an unknown
    /// candidate.
    ///
    /// # Errors
    /// Storage failures.
    async fn profile(
        &self,
        candidate: CandidateId,
    ) -> Result<Option<CandidateProfile>, RepositoryError>;

    /// Writes everything of the profile: name and phone on the account, the rest on the
    /// profile (created when missing).
    ///
    /// # Errors
    /// [`RepositoryError::NotFound`] for an unknown candidate.
    async fn save(&self, profile: &CandidateProfile) -> Result<(), RepositoryError>;
}

/// What parsing a resume came to.
#[derive(Debug, Clone, PartialEq)]
pub enum ParseOutcome {
    Completed {
        facts: ResumeFacts,
        /// The profile's new skills, when the candidate has not set their own.
        profile_skills: Option<Vec<String>>,
        feedback: Option<Box<Feedback>>,
    },
    Failed {
        reason: String,
    },
}

/// Uploaded resumes.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ResumeRepository: Send + Sync {
    /// Stores a resume and its parsing job in one transaction, unless the candidate already
    /// has `limit` resumes.
    ///
    /// # Errors
    /// [`RepositoryError::Conflict`] at the limit.
    async fn insert(
        &self,
        resume: &StoredResume,
        parse: &NewJob,
        limit: u32,
    ) -> Result<(), RepositoryError>;

    /// # Errors
    /// Storage failures.
    async fn by_id(&self, id: ResumeId) -> Result<Option<StoredResume>, RepositoryError>;

    /// The candidate's resumes, newest first.
    ///
    /// # Errors
    /// Storage failures.
    async fn list(&self, candidate: CandidateId) -> Result<Vec<StoredResume>, RepositoryError>;

    /// Removes a resume (and its feedback).
    ///
    /// # Errors
    /// [`RepositoryError::NotFound`] for an unknown resume.
    async fn delete(&self, id: ResumeId) -> Result<(), RepositoryError>;

    /// Makes the resume the candidate's only active one.
    ///
    /// # Errors
    /// [`RepositoryError::NotFound`] for an unknown resume.
    async fn activate(&self, candidate: CandidateId, id: ResumeId) -> Result<(), RepositoryError>;

    /// Marks parsing started (`processing`).
    ///
    /// # Errors
    /// Storage failures.
    async fn start_parsing(&self, id: ResumeId) -> Result<(), RepositoryError>;

    /// In one transaction under the parsing job's lease: the resume's outcome (and for a
    /// completed one the profile's skills and the feedback), and the job marked succeeded.
    ///
    /// # Errors
    /// [`RepositoryError::Conflict`] when the lease was lost; nothing is written then.
    async fn finish_parsing(
        &self,
        job: &ClaimedJob,
        id: ResumeId,
        outcome: &ParseOutcome,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;
}

/// Feedback with the candidate it is about, for recruiters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRow {
    pub feedback: Feedback,
    pub candidate_name: String,
    pub candidate_email: String,
}

/// Feedback on resumes.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait FeedbackRepository: Send + Sync {
    /// # Errors
    /// Storage failures.
    async fn by_id(&self, id: ResumeFeedbackId) -> Result<Option<FeedbackRow>, RepositoryError>;

    /// # Errors
    /// Storage failures.
    async fn for_resume(&self, resume: ResumeId) -> Result<Option<Feedback>, RepositoryError>;

    /// Feedback an organization's recruiters see: on candidates who applied to its jobs, or
    /// every candidate's when it is the default organization; oldest first, at most `limit`.
    ///
    /// # Errors
    /// Storage failures.
    async fn visible(
        &self,
        organization: OrganizationId,
        default_organization: bool,
        status: Option<FeedbackState>,
        limit: u64,
    ) -> Result<Vec<FeedbackRow>, RepositoryError>;

    /// Whether the candidate applied to one of the organization's jobs.
    ///
    /// # Errors
    /// Storage failures.
    async fn applied_to(
        &self,
        candidate: CandidateId,
        organization: OrganizationId,
    ) -> Result<bool, RepositoryError>;

    /// Writes the feedback if its status is still `expected`, with `job` enqueued in the same
    /// transaction.
    ///
    /// # Errors
    /// [`RepositoryError::Conflict`] when the status moved.
    async fn update(
        &self,
        feedback: &Feedback,
        expected: FeedbackState,
        job: Option<NewJob>,
    ) -> Result<(), RepositoryError>;

    /// Feedback still pending approval whose `auto_send_at` has passed, at most `limit`.
    ///
    /// # Errors
    /// Storage failures.
    async fn due(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<ResumeFeedbackId>, RepositoryError>;

    /// Marks the feedback sent and the sending job succeeded, in one transaction under the
    /// job's lease.
    ///
    /// # Errors
    /// [`RepositoryError::Conflict`] when the lease was lost.
    async fn mark_sent(
        &self,
        job: &ClaimedJob,
        id: ResumeFeedbackId,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;
}
