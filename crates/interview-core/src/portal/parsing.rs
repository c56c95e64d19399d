//! The resume parsing job: the document's text, the facts in it, and feedback on it, stored in
//! one write with the job's completion. Parsed skills fill the profile's skills unless the
//! candidate has set their own. A document with no text fails for good with the reason.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Duration;

use crate::ids::{ResumeFeedbackId, ResumeId};
use crate::jobs::{ClaimedJob, JobFailure, JobHandler, JobKind};
use crate::portal::resumes::file_of;
use crate::portal::{Feedback, FeedbackState, ParseStatus, PortalService, SkillsSource};
use crate::ports::{
    DocumentReader, FeedbackAuthor, ParseOutcome, ProviderError, RepositoryError, ResumeAnalyzer,
};

/// Runs `resume_parse` jobs.
pub struct ResumeParser {
    portal: Arc<PortalService>,
    reader: Arc<dyn DocumentReader>,
    analyzer: Arc<dyn ResumeAnalyzer>,
    author: Arc<dyn FeedbackAuthor>,
}

impl ResumeParser {
    pub fn new(
        portal: Arc<PortalService>,
        reader: Arc<dyn DocumentReader>,
        analyzer: Arc<dyn ResumeAnalyzer>,
        author: Arc<dyn FeedbackAuthor>,
    ) -> Self {
        Self {
            portal,
            reader,
            analyzer,
            author,
        }
    }
}

fn retryable(error: &impl std::fmt::Display) -> JobFailure {
    JobFailure::Retryable(error.to_string())
}

fn provider(error: ProviderError) -> JobFailure {
    match error {
        ProviderError::NotSupported(_) | ProviderError::Rejected(_) => {
            JobFailure::Permanent(error.to_string())
        }
        other => retryable(&other),
    }
}

impl ResumeParser {
    async fn outcome(&self, job: &ClaimedJob) -> Result<(ResumeId, ParseOutcome), JobFailure> {
        let stores = &self.portal.stores;
        let id = ResumeId::from_uuid(job.subject);
        let resume = stores
            .resumes
            .by_id(id)
            .await
            .map_err(|error| retryable(&error))?
            .ok_or_else(|| JobFailure::Permanent("the resume was deleted".into()))?;
        if resume.parsing_status == ParseStatus::Pending {
            stores
                .resumes
                .start_parsing(id)
                .await
                .map_err(|error| retryable(&error))?;
        }
        let bytes = stores
            .files
            .get(&file_of(&resume))
            .await
            .map_err(|error| retryable(&error))?;
        let text = match self.reader.text(resume.format, bytes).await {
            Ok(text) => text,
            Err(error) => {
                return Ok((
                    id,
                    ParseOutcome::Failed {
                        reason: error.to_string(),
                    },
                ));
            }
        };
        let facts = self.analyzer.analyze(&text).await.map_err(provider)?.value;
        let draft = self
            .author
            .write(&facts, &text)
            .await
            .map_err(provider)?
            .value;
        let profile = stores
            .profiles
            .profile(resume.candidate_id)
            .await
            .map_err(|error| retryable(&error))?;
        let profile_skills = profile
            .filter(|profile| profile.skills_source != SkillsSource::Candidate)
            .map(|_| facts.skills.clone());
        let now = self.portal.clock.now();
        let feedback = Feedback {
            id: ResumeFeedbackId::new(),
            resume_id: id,
            candidate_id: resume.candidate_id,
            content: draft.summary,
            improvement_areas: draft.improvement_areas,
            recommended_resources: draft.recommended_resources,
            status: FeedbackState::PendingApproval,
            generated_at: now,
            auto_send_at: now + Duration::hours(self.portal.settings.feedback_auto_send_hours),
            edited_by: None,
            decided_by: None,
            decided_at: None,
            sent_at: None,
        };
        Ok((
            id,
            ParseOutcome::Completed {
                facts,
                profile_skills,
                feedback: Some(Box::new(feedback)),
            },
        ))
    }
}

#[async_trait]
impl JobHandler for ResumeParser {
    fn kind(&self) -> JobKind {
        JobKind::ResumeParse
    }

    async fn run(&self, job: &ClaimedJob) -> Result<(), JobFailure> {
        let (id, outcome) = self.outcome(job).await?;
        let now = self.portal.clock.now();
        match self
            .portal
            .stores
            .resumes
            .finish_parsing(job, id, &outcome, now)
            .await
        {
            Ok(()) => Ok(()),
            Err(RepositoryError::Conflict(_)) => Err(JobFailure::LeaseLost),
            Err(other) => Err(retryable(&other)),
        }
    }
}
