//! Storage for the recruiter side: organizations, recruiter accounts, job postings,
//! applications, decisions, and the recruiter's view over interviews.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::assessment::Recommendation;
use crate::ids::{
    ApplicationId, CandidateId, InterviewId, JobPostingId, OrganizationId, RecruiterId,
};
use crate::jobs::NewJob;
use crate::lifecycle::InterviewStatus;
use crate::model::{Recruiter, RoleType};
use crate::ports::RepositoryError;
use crate::recruiting::{
    Application, ApplicationStatus, Decision, JobPosting, Organization, PostingFilter, PostingPage,
};
use crate::validation::Email;

/// Organizations and recruiter accounts.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait RecruiterRepository: Send + Sync {
    /// The organization named `name`, if any.
    ///
    /// # Errors
    /// Storage failures.
    async fn organization_by_name(
        &self,
        name: &str,
    ) -> Result<Option<Organization>, RepositoryError>;

    /// Stores a new organization. When it is the first one, it becomes the platform's default
    /// organization: in the same transaction it takes every interview that has none.
    ///
    /// # Errors
    /// [`RepositoryError::Duplicate`] when the name is taken.
    async fn create_organization(&self, organization: &Organization)
    -> Result<(), RepositoryError>;

    /// The default organization: the first one created.
    ///
    /// # Errors
    /// Storage failures.
    async fn default_organization(&self) -> Result<Option<Organization>, RepositoryError>;

    /// # Errors
    /// [`RepositoryError::Duplicate`] when the email is taken (by a recruiter);
    /// [`RepositoryError::MissingReference`] for an unknown organization.
    async fn insert(&self, recruiter: &Recruiter) -> Result<(), RepositoryError>;

    /// # Errors
    /// Storage failures.
    async fn by_email(&self, email: &Email) -> Result<Option<Recruiter>, RepositoryError>;

    /// # Errors
    /// Storage failures.
    async fn by_id(&self, id: RecruiterId) -> Result<Option<Recruiter>, RepositoryError>;

    /// The organization's recruiters, oldest first.
    ///
    /// # Errors
    /// Storage failures.
    async fn list(&self, organization: OrganizationId) -> Result<Vec<Recruiter>, RepositoryError>;

    /// Writes a recruiter's role, `is_active` and `last_login_at`.
    ///
    /// # Errors
    /// [`RepositoryError::NotFound`] for an unknown recruiter.
    async fn update(&self, recruiter: &Recruiter) -> Result<(), RepositoryError>;
}

/// Job postings.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait JobPostingRepository: Send + Sync {
    /// # Errors
    /// [`RepositoryError::MissingReference`] for an unknown organization.
    async fn insert(&self, posting: &JobPosting) -> Result<(), RepositoryError>;

    /// # Errors
    /// [`RepositoryError::NotFound`] for an unknown posting.
    async fn update(&self, posting: &JobPosting) -> Result<(), RepositoryError>;

    /// # Errors
    /// Storage failures.
    async fn by_id(&self, id: JobPostingId) -> Result<Option<JobPosting>, RepositoryError>;

    /// Postings matching `filter`, newest first, `skip` then at most `limit`, with the total.
    ///
    /// # Errors
    /// Storage failures.
    async fn search(
        &self,
        filter: &PostingFilter,
        skip: u64,
        limit: u64,
    ) -> Result<PostingPage, RepositoryError>;
}

/// Applications and hiring decisions.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ApplicationRepository: Send + Sync {
    /// Stores the application and, in the same transaction, enqueues `events`.
    ///
    /// # Errors
    /// [`RepositoryError::Duplicate`] when the candidate already applied to the posting.
    async fn insert(
        &self,
        application: &Application,
        events: &[NewJob],
    ) -> Result<(), RepositoryError>;

    /// # Errors
    /// Storage failures.
    async fn by_id(&self, id: ApplicationId) -> Result<Option<Application>, RepositoryError>;

    /// The candidate's applications, newest first.
    ///
    /// # Errors
    /// Storage failures.
    async fn for_candidate(
        &self,
        candidate: CandidateId,
    ) -> Result<Vec<Application>, RepositoryError>;

    /// The application an interview was started for, if any.
    ///
    /// # Errors
    /// Storage failures.
    async fn for_interview(
        &self,
        interview: InterviewId,
    ) -> Result<Option<Application>, RepositoryError>;

    /// Records a decision and, in the same transaction, moves the interview's application (if
    /// any) to `status` and enqueues `events`.
    ///
    /// # Errors
    /// [`RepositoryError::MissingReference`] for an unknown interview.
    async fn record_decision(
        &self,
        decision: &Decision,
        status: ApplicationStatus,
        events: &[NewJob],
    ) -> Result<(), RepositoryError>;

    /// The latest decision about an interview.
    ///
    /// # Errors
    /// Storage failures.
    async fn decision(&self, interview: InterviewId) -> Result<Option<Decision>, RepositoryError>;
}

/// Filters of the recruiter's interview list; every one optional.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InterviewFilter {
    /// Only these candidates' interviews (all candidates when empty).
    pub candidates: Vec<CandidateId>,
    pub status: Option<InterviewStatus>,
    pub role: Option<RoleType>,
    pub job_posting: Option<JobPostingId>,
    /// Started at or after.
    pub from: Option<DateTime<Utc>>,
    /// Started before.
    pub to: Option<DateTime<Utc>>,
    pub recommendation: Option<Recommendation>,
    pub min_score: Option<u8>,
    pub max_score: Option<u8>,
    /// Only interviews whose latest assessment has (true) or has no (false) integrity flag.
    pub integrity_flagged: Option<bool>,
}

/// Where a page of the interview list continues: after the interview created at `created_at`
/// with id `id` (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterviewCursor {
    pub created_at: DateTime<Utc>,
    pub id: InterviewId,
}

/// One row of the recruiter's interview list.
#[derive(Debug, Clone, PartialEq)]
pub struct InterviewRow {
    pub interview_id: InterviewId,
    pub candidate_id: CandidateId,
    pub candidate_name: String,
    pub candidate_email: String,
    pub role: RoleType,
    pub job_posting_id: Option<JobPostingId>,
    pub job_title: Option<String>,
    pub status: InterviewStatus,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub questions_answered: i32,
    /// From the latest assessment, when there is one.
    pub overall_score: Option<u8>,
    pub recommendation: Option<Recommendation>,
    pub integrity_flags: Option<usize>,
}

/// A candidate of an organization: one who applied to its jobs or interviewed in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateRow {
    pub candidate_id: CandidateId,
    pub full_name: String,
    pub email: String,
}

/// The recruiter's read model over interviews (joins interviews, candidates, postings and the
/// latest assessment).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait RecruiterInterviews: Send + Sync {
    /// The organization's interviews matching `filter`, newest first, after `cursor`, at most
    /// `limit`.
    ///
    /// # Errors
    /// Storage failures.
    async fn list(
        &self,
        organization: OrganizationId,
        filter: &InterviewFilter,
        cursor: Option<InterviewCursor>,
        limit: u64,
    ) -> Result<Vec<InterviewRow>, RepositoryError>;

    /// The organization's candidates (applied to one of its jobs, or interviewed in it), by id,
    /// after `after`, at most `limit`.
    ///
    /// # Errors
    /// Storage failures.
    async fn candidates(
        &self,
        organization: OrganizationId,
        after: Option<CandidateId>,
        limit: u64,
    ) -> Result<Vec<CandidateRow>, RepositoryError>;
}
