//! Feedback on resumes: recruiters of the organizations a candidate applied to (and of the
//! default organization) read it, edit it, approve it (it is sent now) or reject it; what nobody
//! decided is sent at its `auto_send_at`. Sending is a job per feedback, so across nodes and
//! retries it is sent once: the job marks it `sent` in the same write as its own completion.

use std::fmt::Write as _;
use std::sync::Arc;

use async_trait::async_trait;

use crate::actor::Actor;
use crate::ids::{OrganizationId, ResumeFeedbackId, ResumeId};
use crate::jobs::{ClaimedJob, JobFailure, JobHandler, JobKind, NewJob};
use crate::portal::profile::candidate_of;
use crate::portal::{Feedback, FeedbackState, PortalError, PortalService};
use crate::ports::{FeedbackRow, MailError, Mailer, OutgoingEmail, RepositoryError};
use crate::recruiting::RecruiterAction;
use crate::recruiting::permissions::{Refusal, organization_for};

/// Feedback with its candidate, as recruiters see it.
pub type FeedbackView = FeedbackRow;

/// The longest feedback text.
const MAX_CONTENT_CHARS: usize = 10_000;
/// Due feedback queued per sweep.
const DUE_BATCH: u64 = 500;

fn scope(actor: &Actor, action: RecruiterAction) -> Result<OrganizationId, PortalError> {
    organization_for(actor, action).map_err(|refusal| match refusal {
        Refusal::NotRecruiter => PortalError::WrongAudience("recruiters"),
        Refusal::RoleForbids => PortalError::Forbidden,
    })
}

fn send_job(id: ResumeFeedbackId, at: chrono::DateTime<chrono::Utc>) -> NewJob {
    NewJob::new(JobKind::FeedbackEmail, id.as_uuid(), at)
}

impl PortalService {
    async fn is_default(&self, organization: OrganizationId) -> Result<bool, PortalError> {
        Ok(self
            .stores
            .recruiters
            .default_organization()
            .await?
            .is_some_and(|default| default.id == organization))
    }

    /// Feedback the recruiter's organization sees, oldest first.
    ///
    /// # Errors
    /// [`PortalError::WrongAudience`] for a candidate.
    pub async fn feedback_for_recruiter(
        &self,
        actor: Actor,
        status: Option<FeedbackState>,
        limit: u64,
    ) -> Result<Vec<FeedbackView>, PortalError> {
        let organization = scope(&actor, RecruiterAction::Read)?;
        let default = self.is_default(organization).await?;
        Ok(self
            .stores
            .feedback
            .visible(organization, default, status, limit.clamp(1, 200))
            .await?)
    }

    /// One feedback the recruiter may act on.
    async fn visible_feedback(
        &self,
        actor: &Actor,
        action: RecruiterAction,
        id: ResumeFeedbackId,
    ) -> Result<FeedbackView, PortalError> {
        let organization = scope(actor, action)?;
        let row = self
            .stores
            .feedback
            .by_id(id)
            .await?
            .ok_or(PortalError::NotFound("feedback"))?;
        let visible = self.is_default(organization).await?
            || self
                .stores
                .feedback
                .applied_to(row.feedback.candidate_id, organization)
                .await?;
        if visible {
            Ok(row)
        } else {
            Err(PortalError::NotFound("feedback"))
        }
    }

    /// One feedback, for a recruiter.
    ///
    /// # Errors
    /// [`PortalError::NotFound`] for feedback the organization does not see.
    pub async fn feedback_by_id(
        &self,
        actor: Actor,
        id: ResumeFeedbackId,
    ) -> Result<FeedbackView, PortalError> {
        self.visible_feedback(&actor, RecruiterAction::Read, id)
            .await
    }

    async fn decide(
        &self,
        actor: Actor,
        id: ResumeFeedbackId,
        change: impl FnOnce(&mut Feedback) -> Result<(FeedbackState, Option<NewJob>), PortalError>,
    ) -> Result<FeedbackView, PortalError> {
        let mut row = self
            .visible_feedback(&actor, RecruiterAction::Decide, id)
            .await?;
        let expected = row.feedback.status;
        if !matches!(expected, FeedbackState::PendingApproval) {
            return Err(PortalError::Conflict {
                code: "feedback_decided",
                message: format!("the feedback is already {expected}"),
            });
        }
        let (status, job) = change(&mut row.feedback)?;
        let Actor::Recruiter { id: recruiter, .. } = actor else {
            return Err(PortalError::WrongAudience("recruiters"));
        };
        row.feedback.status = status;
        if status == FeedbackState::PendingApproval {
            row.feedback.edited_by = Some(recruiter);
        } else {
            row.feedback.decided_by = Some(recruiter);
            row.feedback.decided_at = Some(self.clock.now());
        }
        match self
            .stores
            .feedback
            .update(&row.feedback, expected, job)
            .await
        {
            Ok(()) => Ok(row),
            Err(RepositoryError::Conflict(_)) => Err(PortalError::Conflict {
                code: "feedback_decided",
                message: "the feedback was decided or sent meanwhile".into(),
            }),
            Err(other) => Err(other.into()),
        }
    }

    /// Replaces the feedback's text before it is sent.
    ///
    /// # Errors
    /// [`PortalError::Validation`] for an empty or too long text;
    /// [`PortalError::Conflict`] (`feedback_decided`) once decided.
    pub async fn edit_feedback(
        &self,
        actor: Actor,
        id: ResumeFeedbackId,
        content: &str,
    ) -> Result<FeedbackView, PortalError> {
        let content = content.trim().to_owned();
        if content.is_empty() || content.chars().count() > MAX_CONTENT_CHARS {
            return Err(PortalError::field(
                "feedback_content",
                format!("1 to {MAX_CONTENT_CHARS} characters"),
            ));
        }
        self.decide(actor, id, |feedback| {
            feedback.content = content;
            Ok((FeedbackState::PendingApproval, None))
        })
        .await
    }

    /// Approves the feedback: it is sent now.
    ///
    /// # Errors
    /// As [`Self::edit_feedback`].
    pub async fn approve_feedback(
        &self,
        actor: Actor,
        id: ResumeFeedbackId,
    ) -> Result<FeedbackView, PortalError> {
        let now = self.clock.now();
        self.decide(actor, id, |_| {
            Ok((FeedbackState::Approved, Some(send_job(id, now))))
        })
        .await
    }

    /// Rejects the feedback: it is never sent.
    ///
    /// # Errors
    /// As [`Self::edit_feedback`].
    pub async fn reject_feedback(
        &self,
        actor: Actor,
        id: ResumeFeedbackId,
    ) -> Result<FeedbackView, PortalError> {
        self.decide(actor, id, |_| Ok((FeedbackState::Rejected, None)))
            .await
    }

    /// The feedback on one of the candidate's resumes, once it was sent.
    ///
    /// # Errors
    /// [`PortalError::NotFound`] before it is sent, or for anyone else's resume.
    pub async fn resume_feedback(
        &self,
        actor: Actor,
        resume: ResumeId,
    ) -> Result<Feedback, PortalError> {
        let candidate = candidate_of(&actor)?;
        self.owned_resume(candidate, resume).await?;
        match self.stores.feedback.for_resume(resume).await? {
            Some(feedback) if feedback.status == FeedbackState::Sent => Ok(feedback),
            _ => Err(PortalError::NotFound("feedback")),
        }
    }

    /// Queues the sending of every feedback past its `auto_send_at` that nobody decided;
    /// returns how many were queued now.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn queue_due_feedback(&self) -> Result<usize, RepositoryError> {
        let now = self.clock.now();
        let mut queued = 0;
        for id in self.stores.feedback.due(now, DUE_BATCH).await? {
            if self.stores.jobs.enqueue(&send_job(id, now)).await? {
                queued += 1;
            }
        }
        Ok(queued)
    }
}

/// Runs `feedback_email` jobs.
pub struct FeedbackSender {
    portal: Arc<PortalService>,
    mailer: Arc<dyn Mailer>,
}

impl FeedbackSender {
    pub fn new(portal: Arc<PortalService>, mailer: Arc<dyn Mailer>) -> Self {
        Self { portal, mailer }
    }
}

/// The email a candidate gets.
pub fn feedback_email(to: &str, name: &str, file_name: &str, feedback: &Feedback) -> OutgoingEmail {
    let mut body = format!(
        "Hello {name},\n\nhere is our feedback on your resume \"{file_name}\".\n\n{}\n",
        feedback.content
    );
    if !feedback.improvement_areas.is_empty() {
        body.push_str("\nWhat to improve:\n");
        for area in &feedback.improvement_areas {
            let _ = writeln!(
                body,
                "- {}: {} ({})",
                area.area, area.suggestion, area.evidence
            );
        }
    }
    if !feedback.recommended_resources.is_empty() {
        body.push_str("\nRecommended resources:\n");
        for resource in &feedback.recommended_resources {
            let link = resource.url.as_deref().unwrap_or("");
            let _ = writeln!(body, "- {} {link} — {}", resource.title, resource.reason);
        }
    }
    body.push_str("\nGood luck with your applications.\n");
    OutgoingEmail {
        to: to.to_owned(),
        subject: "Feedback on your resume".into(),
        body,
    }
}

#[async_trait]
impl JobHandler for FeedbackSender {
    fn kind(&self) -> JobKind {
        JobKind::FeedbackEmail
    }

    async fn run(&self, job: &ClaimedJob) -> Result<(), JobFailure> {
        let stores = &self.portal.stores;
        let id = ResumeFeedbackId::from_uuid(job.subject);
        let retry = |error: &dyn std::fmt::Display| JobFailure::Retryable(error.to_string());
        let row = stores
            .feedback
            .by_id(id)
            .await
            .map_err(|error| retry(&error))?
            .ok_or_else(|| JobFailure::Permanent("the feedback was deleted".into()))?;
        let now = self.portal.clock.now();
        if matches!(
            row.feedback.status,
            FeedbackState::Sent | FeedbackState::Rejected
        ) {
            // sent by an earlier job, or rejected meanwhile: nothing to do
            return match stores.jobs.succeed(job, now).await {
                Ok(()) => Ok(()),
                Err(RepositoryError::Conflict(_)) => Err(JobFailure::LeaseLost),
                Err(other) => Err(retry(&other)),
            };
        }
        let resume = stores
            .resumes
            .by_id(row.feedback.resume_id)
            .await
            .map_err(|error| retry(&error))?
            .ok_or_else(|| JobFailure::Permanent("the resume was deleted".into()))?;
        let email = feedback_email(
            &row.candidate_email,
            &row.candidate_name,
            &resume.file_name,
            &row.feedback,
        );
        self.mailer
            .send(&email)
            .await
            .map_err(|error| match error {
                MailError::Rejected(reason) => JobFailure::Permanent(reason),
                MailError::Unavailable(reason) => JobFailure::Retryable(reason),
            })?;
        match stores.feedback.mark_sent(job, id, now).await {
            Ok(()) => Ok(()),
            Err(RepositoryError::Conflict(_)) => Err(JobFailure::LeaseLost),
            Err(other) => Err(retry(&other)),
        }
    }
}
