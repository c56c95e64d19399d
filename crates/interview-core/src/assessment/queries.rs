//! Reading assessments, reporting browser events and asking for a new version, each through
//! the permission matrix.

use crate::actor::Actor;
use crate::assessment::errors::{EventsError, RegenerateError};
use crate::assessment::model::{Assessment, AssessmentState, AssessmentSummary};
use crate::assessment::{
    AssessmentService, MAX_EVENT_COUNT, MAX_EVENTS_PER_REPORT, assessment_job,
};
use crate::ids::InterviewId;
use crate::interview::ReadError;
use crate::interview::access::{Access, permits};
use crate::jobs::{JobKind, JobState, NewJob};
use crate::ports::{InterviewRecord, RepositoryError};
use crate::rules::integrity::ClientEvent;
use crate::rules::lifecycle::InterviewStatus;

impl AssessmentService {
    async fn record_for(
        &self,
        interview_id: InterviewId,
        actor: &Actor,
        access: Access,
    ) -> Result<InterviewRecord, ReadError> {
        match self.interviews.load(interview_id).await? {
            Some(record) if permits(actor, &record.interview, access) => Ok(record),
            _ => Err(ReadError::NotFound),
        }
    }

    /// Where the assessment of an interview the caller already loaded stands.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn state_of(
        &self,
        record: &InterviewRecord,
    ) -> Result<AssessmentState, RepositoryError> {
        let interview_id = record.interview.id;
        // the job first: an assessment is stored in the transaction that marks its job
        // succeeded, so a job read as succeeded guarantees the assessment read after it sees it
        let job = self
            .jobs
            .latest(JobKind::Assessment, interview_id.as_uuid())
            .await?;
        if let Some(assessment) = self.assessments.latest(interview_id).await? {
            return Ok(AssessmentState::Ready(Box::new(assessment)));
        }
        Ok(match job {
            Some(job) => match job.state {
                JobState::Queued | JobState::Running => AssessmentState::Pending,
                JobState::Failed | JobState::Succeeded => AssessmentState::Failed {
                    error: job.last_error,
                },
            },
            None => AssessmentState::NotDue,
        })
    }

    /// The assessment of an interview the actor may read: the candidate's own (show them only a
    /// [`CandidateAssessment`](crate::assessment::CandidateAssessment)), or, for a recruiter,
    /// one of their organization's.
    ///
    /// # Errors
    /// [`ReadError::NotFound`] for an interview the actor may not read.
    pub async fn assessment(
        &self,
        interview_id: InterviewId,
        actor: Actor,
    ) -> Result<AssessmentState, ReadError> {
        let record = self.record_for(interview_id, &actor, Access::Read).await?;
        Ok(self.state_of(&record).await?)
    }

    /// The interview's status, where its assessment stands, and (once it is finished) its
    /// deterministic scores, which need no assessment to exist.
    ///
    /// # Errors
    /// [`ReadError::NotFound`] for an interview the actor may not read.
    pub async fn summary(
        &self,
        interview_id: InterviewId,
        actor: Actor,
    ) -> Result<AssessmentSummary, ReadError> {
        let record = self.record_for(interview_id, &actor, Access::Read).await?;
        let finished = record.interview.status.is_finished();
        Ok(AssessmentSummary {
            status: record.interview.status,
            state: self.state_of(&record).await?,
            scores: finished.then(|| self.scores(&record)),
        })
    }

    /// The events the candidate's browser reported during an interview the actor may read.
    ///
    /// # Errors
    /// [`ReadError::NotFound`] for an interview the actor may not read.
    pub async fn events(
        &self,
        interview_id: InterviewId,
        actor: Actor,
    ) -> Result<Vec<ClientEvent>, ReadError> {
        self.record_for(interview_id, &actor, Access::Read).await?;
        Ok(self.assessments.events(interview_id).await?)
    }

    /// Every version of an interview's assessment, oldest first (for recruiters).
    ///
    /// # Errors
    /// [`ReadError::NotFound`] for an interview the actor may not read.
    pub async fn versions(
        &self,
        interview_id: InterviewId,
        actor: Actor,
    ) -> Result<Vec<Assessment>, ReadError> {
        self.record_for(interview_id, &actor, Access::Read).await?;
        Ok(self.assessments.versions(interview_id).await?)
    }

    /// Queues a new version of the assessment from the stored transcript; the old versions
    /// stay. Returns false when one is already being produced.
    ///
    /// # Errors
    /// [`RegenerateError::NotAssessable`] for an interview not finished or never answered.
    pub async fn regenerate(
        &self,
        interview_id: InterviewId,
        actor: Actor,
    ) -> Result<bool, RegenerateError> {
        let record = self
            .record_for(interview_id, &actor, Access::Read)
            .await
            .map_err(|error| match error {
                ReadError::Storage(error) => RegenerateError::Storage(error),
                _ => RegenerateError::NotFound,
            })?;
        let now = self.clock.now();
        let job: NewJob = assessment_job(&record.interview, &record.session, now).ok_or(
            RegenerateError::NotAssessable {
                status: record.interview.status,
            },
        )?;
        Ok(self.jobs.enqueue(&job).await?)
    }

    /// Records events the candidate's browser reports during their interview. Returns how many
    /// were stored.
    ///
    /// # Errors
    /// [`EventsError::Validation`] for an empty or oversized report or a bad count;
    /// [`EventsError::InvalidState`] unless the interview is in progress.
    pub async fn record_events(
        &self,
        interview_id: InterviewId,
        actor: Actor,
        events: Vec<ClientEvent>,
    ) -> Result<usize, EventsError> {
        if events.is_empty() || events.len() > MAX_EVENTS_PER_REPORT {
            return Err(EventsError::Validation {
                field: "events",
                message: format!("send 1 to {MAX_EVENTS_PER_REPORT} events"),
            });
        }
        if events
            .iter()
            .any(|event| event.count == 0 || event.count > MAX_EVENT_COUNT)
        {
            return Err(EventsError::Validation {
                field: "count",
                message: format!("a count is 1 to {MAX_EVENT_COUNT}"),
            });
        }
        let record = self
            .record_for(interview_id, &actor, Access::Take)
            .await
            .map_err(|error| match error {
                ReadError::Storage(error) => EventsError::Storage(error),
                _ => EventsError::NotFound,
            })?;
        if record.interview.status != InterviewStatus::InProgress {
            return Err(EventsError::InvalidState {
                status: record.interview.status,
            });
        }
        self.assessments
            .record_events(interview_id, &events, self.clock.now())
            .await?;
        Ok(events.len())
    }
}
