//! Reads: an interview, its state for recovery, its transcript. Every read names its actor and
//! goes through the permission matrix.

use crate::actor::Actor;
use crate::ids::InterviewId;
use crate::interview::InterviewService;
use crate::interview::access::Access;
use crate::interview::commands::{RecoveryView, SessionSnapshot, Transcript};
use crate::interview::errors::ReadError;
use crate::lifecycle::InterviewStatus;
use crate::model::{Interview, InterviewMessage};
use crate::ports::{InterviewRecord, MessagePage};

impl InterviewService {
    /// One interview the actor may read.
    ///
    /// # Errors
    /// [`ReadError::NotFound`] for one they may not.
    pub async fn get(
        &self,
        interview_id: InterviewId,
        actor: Actor,
    ) -> Result<InterviewRecord, ReadError> {
        self.load_for(interview_id, &actor, Access::Read).await
    }

    /// The actor's interviews, newest first (a candidate's own; none yet for a recruiter).
    ///
    /// # Errors
    /// Storage failures.
    pub async fn list(&self, actor: Actor) -> Result<Vec<Interview>, ReadError> {
        match actor.candidate() {
            Some(candidate) => Ok(self.interviews.list_for_candidate(candidate).await?),
            None => Ok(Vec::new()),
        }
    }

    /// What a client needs to resume after a reload or a crash.
    ///
    /// # Errors
    /// [`ReadError::NotFound`] for an interview the actor may not read.
    pub async fn status(
        &self,
        interview_id: InterviewId,
        actor: Actor,
    ) -> Result<RecoveryView, ReadError> {
        let InterviewRecord { interview, session } =
            self.load_for(interview_id, &actor, Access::Read).await?;
        Ok(match interview.status {
            InterviewStatus::Scheduled => RecoveryView::Scheduled { interview },
            InterviewStatus::InProgress => RecoveryView::InProgress {
                last_question: self.interviews.last_question(interview.id).await?,
                session: SessionSnapshot::from(&session),
                interview,
            },
            InterviewStatus::Completed => RecoveryView::Completed { interview },
            InterviewStatus::Abandoned => RecoveryView::Abandoned { interview },
        })
    }

    /// A page of the transcript.
    ///
    /// # Errors
    /// [`ReadError::NotFound`] for an interview the actor may not read.
    pub async fn messages(
        &self,
        interview_id: InterviewId,
        actor: Actor,
        skip: u64,
        limit: u64,
    ) -> Result<MessagePage, ReadError> {
        self.load_for(interview_id, &actor, Access::Read).await?;
        Ok(self
            .interviews
            .messages(interview_id, skip, Some(limit))
            .await?)
    }

    /// The interviewer's latest message: the open question, or the closing remark.
    ///
    /// # Errors
    /// [`ReadError::NotFound`] for an interview the actor may not read or one with no question.
    pub async fn latest_question(
        &self,
        interview_id: InterviewId,
        actor: Actor,
    ) -> Result<InterviewMessage, ReadError> {
        self.load_for(interview_id, &actor, Access::Read).await?;
        self.interviews
            .last_question(interview_id)
            .await?
            .ok_or(ReadError::NotFound)
    }

    /// The whole transcript.
    ///
    /// # Errors
    /// [`ReadError::NotFound`] for an interview the actor may not read.
    pub async fn transcript(
        &self,
        interview_id: InterviewId,
        actor: Actor,
    ) -> Result<Transcript, ReadError> {
        let record = self.load_for(interview_id, &actor, Access::Read).await?;
        let page = self.interviews.messages(interview_id, 0, None).await?;
        Ok(Transcript {
            interview: record.interview,
            messages: page.messages,
        })
    }
}
