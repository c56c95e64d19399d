//! The recruiter side: organizations and recruiter accounts (`accounts`), job postings
//! (`postings`), applications and interviews started through them (`applications`), and the
//! recruiter's view over interviews with decisions (`interviews`). Every operation names its
//! actor; `permissions` holds the role matrix and the organization scope.

mod accounts;
mod applications;
mod errors;
mod interviews;
mod model;
pub mod permissions;
mod postings;

use std::sync::Arc;

pub use errors::RecruitingError;
pub use model::{
    Application, ApplicationStatus, Decision, DecisionKind, EmploymentType, ExperienceLevel,
    JobPosting, Organization, PostingDraft, PostingFilter, PostingPage, PostingStatus, WorkSetup,
};
pub use permissions::{RecruiterAction, role_allows};
pub use postings::validate_draft;

use crate::accounts::{CredentialStore, LockoutSettings, PasswordHasher};
use crate::actor::Actor;
use crate::assessment::AssessmentService;
use crate::ids::OrganizationId;
use crate::interview::InterviewService;
use crate::ports::{
    ApplicationRepository, Clock, JobPostingRepository, RecruiterInterviews, RecruiterRepository,
};
use crate::recruiting::permissions::{Refusal, organization_for};
use crate::validation::PasswordPolicy;

/// The stores the recruiter side reads and writes.
pub struct RecruitingStores {
    pub recruiters: Arc<dyn RecruiterRepository>,
    pub postings: Arc<dyn JobPostingRepository>,
    pub applications: Arc<dyn ApplicationRepository>,
    pub interview_list: Arc<dyn RecruiterInterviews>,
    pub credentials: Arc<dyn CredentialStore>,
}

pub struct RecruitingService {
    stores: RecruitingStores,
    interviews: Arc<InterviewService>,
    assessments: Arc<AssessmentService>,
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
    lockout: LockoutSettings,
    decoy_hash: String,
    password_policy: PasswordPolicy,
}

impl RecruitingService {
    pub fn new(
        stores: RecruitingStores,
        interviews: Arc<InterviewService>,
        assessments: Arc<AssessmentService>,
        hasher: Arc<dyn PasswordHasher>,
        clock: Arc<dyn Clock>,
        lockout: LockoutSettings,
        decoy_hash: String,
    ) -> Self {
        Self {
            stores,
            interviews,
            assessments,
            hasher,
            clock,
            lockout,
            decoy_hash,
            password_policy: PasswordPolicy::default(),
        }
    }

    /// New recruiter accounts' passwords are checked against `policy` instead of the default.
    #[must_use]
    pub fn with_password_policy(mut self, policy: PasswordPolicy) -> Self {
        self.password_policy = policy;
        self
    }

    /// The organization the actor may `action` in, or why not.
    fn scope(actor: &Actor, action: RecruiterAction) -> Result<OrganizationId, RecruitingError> {
        organization_for(actor, action).map_err(|refusal| match refusal {
            Refusal::NotRecruiter => RecruitingError::WrongAudience("recruiters"),
            Refusal::RoleForbids => RecruitingError::Forbidden,
        })
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod service_tests;
