//! The recruiter's view over their organization's interviews: the filtered list, the
//! assessment with its versions, regeneration, and hiring decisions.

use crate::actor::Actor;
use crate::assessment::{Assessment, AssessmentState, RegenerateError};
use crate::ids::{CandidateId, InterviewId};
use crate::jobs::NewJob;
use crate::ports::{CandidateRow, InterviewCursor, InterviewFilter, InterviewRecord, InterviewRow};
use crate::recruiting::{
    Decision, DecisionKind, RecruiterAction, RecruitingError, RecruitingService,
};
use crate::webhooks::events::decision_made;

/// The most rows one page of the interview list may hold.
pub const MAX_INTERVIEW_PAGE: u64 = 100;
const MAX_NOTE: usize = 2_000;

impl RecruitingService {
    /// The organization's interviews matching `filter`, newest first, after `cursor`.
    ///
    /// # Errors
    /// [`RecruitingError::WrongAudience`] for a candidate.
    pub async fn interviews(
        &self,
        actor: Actor,
        filter: &InterviewFilter,
        cursor: Option<InterviewCursor>,
        limit: u64,
    ) -> Result<Vec<InterviewRow>, RecruitingError> {
        let organization = Self::scope(&actor, RecruiterAction::Read)?;
        Ok(self
            .stores
            .interview_list
            .list(
                organization,
                filter,
                cursor,
                limit.clamp(1, MAX_INTERVIEW_PAGE),
            )
            .await?)
    }

    /// The organization's candidates (applied to its jobs or interviewed in it), by id after
    /// `after`, each with their interviews in the organization (newest first, at most 100).
    ///
    /// # Errors
    /// [`RecruitingError::WrongAudience`] for a candidate.
    pub async fn candidates(
        &self,
        actor: Actor,
        after: Option<CandidateId>,
        limit: u64,
    ) -> Result<Vec<(CandidateRow, Vec<InterviewRow>)>, RecruitingError> {
        let organization = Self::scope(&actor, RecruiterAction::Read)?;
        let list = &self.stores.interview_list;
        let candidates = list
            .candidates(organization, after, limit.clamp(1, MAX_INTERVIEW_PAGE))
            .await?;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        // one query for every listed candidate's interviews, then grouped
        let filter = InterviewFilter {
            candidates: candidates.iter().map(|c| c.candidate_id).collect(),
            ..InterviewFilter::default()
        };
        let every = list
            .list(
                organization,
                &filter,
                None,
                MAX_INTERVIEW_PAGE * candidates.len() as u64,
            )
            .await?;
        let rows = candidates
            .into_iter()
            .map(|candidate| {
                let theirs: Vec<InterviewRow> = every
                    .iter()
                    .filter(|row| row.candidate_id == candidate.candidate_id)
                    .take(usize::try_from(MAX_INTERVIEW_PAGE).unwrap_or(usize::MAX))
                    .cloned()
                    .collect();
                (candidate, theirs)
            })
            .collect();
        Ok(rows)
    }

    /// One of the organization's interviews with its session.
    ///
    /// # Errors
    /// [`RecruitingError::NotFound`] for another organization's.
    pub async fn interview(
        &self,
        actor: Actor,
        id: InterviewId,
    ) -> Result<InterviewRecord, RecruitingError> {
        Self::scope(&actor, RecruiterAction::Read)?;
        Ok(self.interviews.get(id, actor).await?)
    }

    /// The full assessment (flags, reasoning, recommendation) and every version.
    ///
    /// # Errors
    /// [`RecruitingError::NotFound`] for another organization's interview.
    pub async fn assessment(
        &self,
        actor: Actor,
        id: InterviewId,
    ) -> Result<(AssessmentState, Vec<Assessment>), RecruitingError> {
        Self::scope(&actor, RecruiterAction::Read)?;
        let mut state = self.assessments.assessment(id, actor).await?;
        let versions = self.assessments.versions(id, actor).await?;
        // a version stored between the two reads: show the newest as the current one
        if let (AssessmentState::Ready(current), Some(newest)) = (&state, versions.last())
            && newest.version > current.version
        {
            state = AssessmentState::Ready(Box::new(newest.clone()));
        }
        Ok((state, versions))
    }

    /// Queues a new version of the assessment; false when one is already queued.
    ///
    /// # Errors
    /// [`RecruitingError::Forbidden`] for a viewer; [`RecruitingError::Conflict`] for an
    /// interview with nothing to assess.
    pub async fn regenerate_assessment(
        &self,
        actor: Actor,
        id: InterviewId,
    ) -> Result<bool, RecruitingError> {
        Self::scope(&actor, RecruiterAction::RegenerateAssessment)?;
        self.assessments
            .regenerate(id, actor)
            .await
            .map_err(|error| match error {
                RegenerateError::NotFound => RecruitingError::NotFound("interview"),
                RegenerateError::NotAssessable { status } => RecruitingError::conflict(
                    "assessment_not_due",
                    format!(
                        "the interview is {status}; only a finished interview with answers is \
                         assessed"
                    ),
                ),
                RegenerateError::Storage(error) => RecruitingError::Storage(error),
            })
    }

    /// Records a hiring decision about a finished interview; its application moves with it.
    ///
    /// # Errors
    /// [`RecruitingError::Forbidden`] for a viewer; [`RecruitingError::Conflict`] for an
    /// interview still running; [`RecruitingError::Validation`] for a note over 2,000
    /// characters.
    pub async fn decide(
        &self,
        actor: Actor,
        id: InterviewId,
        decision: DecisionKind,
        note: Option<String>,
    ) -> Result<Decision, RecruitingError> {
        Self::scope(&actor, RecruiterAction::Decide)?;
        let note = note
            .map(|note| note.trim().to_owned())
            .filter(|note| !note.is_empty());
        if note
            .as_ref()
            .is_some_and(|note| note.chars().count() > MAX_NOTE)
        {
            return Err(RecruitingError::field(
                "note",
                format!("at most {MAX_NOTE} characters"),
            ));
        }
        let record = self.interviews.get(id, actor).await?;
        if !record.interview.status.is_finished() {
            return Err(RecruitingError::conflict(
                "interview_not_finished",
                format!(
                    "the interview is {}; decide once it is finished",
                    record.interview.status
                ),
            ));
        }
        let Actor::Recruiter { id: decided_by, .. } = actor else {
            return Err(RecruitingError::WrongAudience("recruiters"));
        };
        let decision = Decision {
            interview_id: id,
            decision,
            note,
            decided_by,
            decided_at: self.clock.now(),
        };
        let events: Vec<NewJob> = decision_made(&decision, &record.interview)
            .into_iter()
            .collect();
        self.stores
            .applications
            .record_decision(&decision, decision.decision.application_status(), &events)
            .await?;
        Ok(decision)
    }

    /// The latest decision about one of the organization's interviews.
    ///
    /// # Errors
    /// [`RecruitingError::NotFound`] for another organization's interview.
    pub async fn decision(
        &self,
        actor: Actor,
        id: InterviewId,
    ) -> Result<Option<Decision>, RecruitingError> {
        self.interview(actor, id).await?;
        Ok(self.stores.applications.decision(id).await?)
    }
}
