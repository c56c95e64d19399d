//! Applications: a candidate applies to an open posting, and an interview started through the
//! application screens for that job (its role, its required skills as key skills, its
//! organization).

use crate::actor::Actor;
use crate::ids::{ApplicationId, CandidateId, JobPostingId, ResumeId};
use crate::interview::{StartError, StartInterview, Started};
use crate::model::{InterviewMode, RoleType};
use crate::ports::RepositoryError;
use crate::recruiting::{
    Application, ApplicationStatus, RecruiterAction, RecruitingError, RecruitingService,
};
use crate::rules::skills::key_skills_from_resume;
use crate::webhooks::events::application_created;

fn candidate_of(actor: &Actor) -> Result<CandidateId, RecruitingError> {
    actor
        .candidate()
        .ok_or(RecruitingError::WrongAudience("candidates"))
}

impl RecruitingService {
    /// A candidate applies to an open posting.
    ///
    /// # Errors
    /// [`RecruitingError::NotFound`] for an unknown, draft or closed posting;
    /// [`RecruitingError::Conflict`] when they already applied.
    pub async fn apply(
        &self,
        actor: Actor,
        posting: JobPostingId,
    ) -> Result<Application, RecruitingError> {
        let candidate = candidate_of(&actor)?;
        let posting = self.open_posting(posting).await?;
        let now = self.clock.now();
        let application = Application {
            id: ApplicationId::new(),
            job_posting_id: posting.id,
            candidate_id: candidate,
            organization_id: posting.organization_id,
            status: ApplicationStatus::Applied,
            interview_id: None,
            created_at: now,
            updated_at: now,
        };
        let events = [application_created(&application)];
        match self.stores.applications.insert(&application, &events).await {
            Ok(()) => Ok(application),
            Err(RepositoryError::Duplicate(_)) => Err(RecruitingError::conflict(
                "already_applied",
                "you already applied to this job",
            )),
            Err(RepositoryError::MissingReference(_)) => {
                Err(RecruitingError::NotFound("job posting"))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// The candidate's applications, newest first.
    ///
    /// # Errors
    /// [`RecruitingError::WrongAudience`] for a recruiter.
    pub async fn my_applications(&self, actor: Actor) -> Result<Vec<Application>, RecruitingError> {
        let candidate = candidate_of(&actor)?;
        Ok(self.stores.applications.for_candidate(candidate).await?)
    }

    /// One application: the candidate's own, or one to the recruiter's organization.
    ///
    /// # Errors
    /// [`RecruitingError::NotFound`] for anyone else.
    pub async fn application(
        &self,
        actor: Actor,
        id: ApplicationId,
    ) -> Result<Application, RecruitingError> {
        let found = self.stores.applications.by_id(id).await?;
        let visible = |application: &Application| match actor {
            Actor::Candidate(candidate) => application.candidate_id == candidate,
            Actor::Recruiter { .. } => Self::scope(&actor, RecruiterAction::Read)
                .is_ok_and(|organization| organization == application.organization_id),
        };
        match found {
            Some(application) if visible(&application) => Ok(application),
            _ => Err(RecruitingError::NotFound("application")),
        }
    }

    /// Starts an interview: through an application (the job's role, required skills and
    /// organization), or for a role (the platform's default organization).
    ///
    /// # Errors
    /// [`RecruitingError::NotFound`] for an application that is not the candidate's or whose
    /// posting closed; [`RecruitingError::Conflict`] when the application already has an
    /// interview (one screening per application); [`RecruitingError::Validation`] without a role or an application;
    /// [`RecruitingError::Start`] from the engine.
    pub async fn start_interview(
        &self,
        actor: Actor,
        role: Option<RoleType>,
        application: Option<ApplicationId>,
        mode: InterviewMode,
        resume: Option<(ResumeId, Vec<String>)>,
    ) -> Result<Started, RecruitingError> {
        let candidate = candidate_of(&actor)?;
        let (resume_id, resume_skills) =
            resume.map_or((None, Vec::new()), |(id, skills)| (Some(id), skills));
        let Some(application) = application else {
            let role = role.ok_or_else(|| {
                RecruitingError::field("role_type", "give a role_type or an application_id")
            })?;
            let mut command = StartInterview::for_role(candidate, role, mode);
            command.resume_id = resume_id;
            // the resume chooses among the role's key skills; the job's required skills win
            let role_skills = self.interviews.settings().completion.key_skills(role);
            command.key_skills = key_skills_from_resume(role_skills, &resume_skills);
            command.organization_id = self.default_organization().await?.map(|o| o.id);
            return self
                .interviews
                .start(command)
                .await
                .map_err(RecruitingError::Start);
        };
        let application = self.application(actor, application).await?;
        if application.interview_id.is_some() {
            return Err(RecruitingError::conflict(
                "already_interviewed",
                "an interview was already started for this application",
            ));
        }
        let posting = self.open_posting(application.job_posting_id).await?;
        let mut command = StartInterview::for_role(candidate, posting.role_category, mode);
        command.resume_id = resume_id;
        command.organization_id = Some(posting.organization_id);
        command.job_posting_id = Some(posting.id);
        command.key_skills = posting.required_skills;
        command.application_id = Some(application.id);
        self.interviews
            .start(command)
            .await
            .map_err(|error| match error {
                // a concurrent start through the same application won
                StartError::Storage(RepositoryError::Conflict(_)) => RecruitingError::conflict(
                    "already_interviewed",
                    "an interview was already started for this application",
                ),
                other => RecruitingError::Start(other),
            })
    }
}
