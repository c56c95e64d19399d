//! In-memory fakes of the repository ports and a manual clock, for tests and simulations in any
//! crate (feature `testing`). They keep the same contract as the real adapters: `save_turn` is
//! all-or-nothing and fails with a conflict when the version moved.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use crate::accounts::{CredentialStore, LoginAttempts};
use crate::cost::ChatUsage;
use crate::ids::{CandidateId, ConnectionId, InterviewId, MessageId};
use crate::interview::stored::StoredOutcome;
use crate::jobs::NewJob;
use crate::ladder::{AnswerQuality, Evaluation, Score, SkillArea};
use crate::lifecycle::InterviewStatus;
use crate::model::{
    AudioMetadata, Candidate, Interview, InterviewMessage, InterviewMode, InterviewSession,
    RoleType,
};
use crate::ports::{
    BlobRef, CandidateRepository, ClientKey, Clock, InterviewRecord, InterviewRepository,
    MessagePage, RepositoryError, TurnWrite,
};
use crate::ports::{
    EvaluationRequest, Generated, InterviewerModel, ProviderError, Question, QuestionRequest,
};
use crate::validation::Email;

mod assessments;
mod video;
pub use assessments::{FixedWriter, InMemoryAssessments, InMemoryJobs};
pub use video::{InMemoryVideos, PieceSource};

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[derive(Default)]
struct Interviews {
    records: HashMap<InterviewId, InterviewRecord>,
    messages: HashMap<InterviewId, Vec<InterviewMessage>>,
    answers: HashMap<(InterviewId, ClientKey), StoredOutcome>,
    leases: HashMap<InterviewId, ConnectionId>,
    jobs: Vec<NewJob>,
}

/// Interviews kept in memory.
#[derive(Default)]
pub struct InMemoryInterviews {
    state: Mutex<Interviews>,
    queue: Option<std::sync::Arc<InMemoryJobs>>,
}

impl InMemoryInterviews {
    pub fn new() -> Self {
        Self::default()
    }

    /// Interviews whose turns enqueue their jobs on `queue`, as the database does.
    pub fn with_queue(queue: std::sync::Arc<InMemoryJobs>) -> Self {
        Self {
            state: Mutex::default(),
            queue: Some(queue),
        }
    }

    /// Every job a turn enqueued, in order.
    pub fn enqueued_jobs(&self) -> Vec<NewJob> {
        locked(&self.state).jobs.clone()
    }

    /// Changes a stored interview in place (what another repository's write does to its row).
    pub fn update_interview(&self, id: InterviewId, change: impl FnOnce(&mut Interview)) -> bool {
        locked(&self.state)
            .records
            .get_mut(&id)
            .map(|record| change(&mut record.interview))
            .is_some()
    }

    /// Every stored message of an interview, for assertions.
    pub fn all_messages(&self, interview: InterviewId) -> Vec<InterviewMessage> {
        locked(&self.state)
            .messages
            .get(&interview)
            .cloned()
            .unwrap_or_default()
    }
}

#[async_trait]
impl InterviewRepository for InMemoryInterviews {
    async fn create(
        &self,
        interview: &Interview,
        session: &InterviewSession,
        opening: &InterviewMessage,
        _application: Option<crate::ids::ApplicationId>,
    ) -> Result<(), RepositoryError> {
        let mut state = locked(&self.state);
        if state.records.contains_key(&interview.id) {
            return Err(RepositoryError::Duplicate("interview".into()));
        }
        state.records.insert(
            interview.id,
            InterviewRecord {
                interview: interview.clone(),
                session: session.clone(),
            },
        );
        state.messages.insert(interview.id, vec![opening.clone()]);
        Ok(())
    }

    async fn load(&self, id: InterviewId) -> Result<Option<InterviewRecord>, RepositoryError> {
        Ok(locked(&self.state).records.get(&id).cloned())
    }

    async fn list_for_candidate(
        &self,
        candidate: CandidateId,
    ) -> Result<Vec<Interview>, RepositoryError> {
        let state = locked(&self.state);
        let mut interviews: Vec<Interview> = state
            .records
            .values()
            .filter(|record| record.interview.candidate_id == candidate)
            .map(|record| record.interview.clone())
            .collect();
        interviews.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(interviews)
    }

    async fn save_turn(&self, turn: &TurnWrite) -> Result<(), RepositoryError> {
        let mut state = locked(&self.state);
        let id = turn.interview.id;
        let stored_version = state
            .records
            .get(&id)
            .map(|record| record.session.version)
            .ok_or(RepositoryError::NotFound)?;
        if stored_version != turn.expected_version {
            return Err(RepositoryError::Conflict("session version moved".into()));
        }
        let existing = state.messages.get(&id).map_or(&[][..], Vec::as_slice);
        if turn.messages.iter().any(|new| {
            existing
                .iter()
                .any(|old| old.sequence_number == new.sequence_number)
        }) {
            return Err(RepositoryError::Conflict("sequence number taken".into()));
        }
        if let Some(stored) = &turn.idempotency
            && state.answers.contains_key(&(id, stored.key.clone()))
        {
            return Err(RepositoryError::Conflict("idempotency key used".into()));
        }
        state.records.insert(
            id,
            InterviewRecord {
                interview: turn.interview.clone(),
                session: turn.session.clone(),
            },
        );
        state
            .messages
            .entry(id)
            .or_default()
            .extend(turn.messages.iter().cloned());
        if let Some(stored) = &turn.idempotency {
            state
                .answers
                .insert((id, stored.key.clone()), stored.outcome.clone());
        }
        state.jobs.extend(turn.jobs.iter().cloned());
        if let Some(queue) = &self.queue {
            for job in &turn.jobs {
                queue.push(job);
            }
        }
        Ok(())
    }

    async fn stored_answer(
        &self,
        interview: InterviewId,
        key: &ClientKey,
    ) -> Result<Option<StoredOutcome>, RepositoryError> {
        Ok(locked(&self.state)
            .answers
            .get(&(interview, key.clone()))
            .cloned())
    }

    async fn messages(
        &self,
        interview: InterviewId,
        skip: u64,
        limit: Option<u64>,
    ) -> Result<MessagePage, RepositoryError> {
        let state = locked(&self.state);
        let all = state
            .messages
            .get(&interview)
            .map_or(&[][..], Vec::as_slice);
        let skip = usize::try_from(skip).unwrap_or(usize::MAX);
        let limit = limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
        Ok(MessagePage {
            total_count: all.len() as u64,
            messages: all.iter().skip(skip).take(limit).cloned().collect(),
        })
    }

    async fn message(
        &self,
        interview: InterviewId,
        message: MessageId,
    ) -> Result<Option<InterviewMessage>, RepositoryError> {
        let state = locked(&self.state);
        Ok(state
            .messages
            .get(&interview)
            .and_then(|messages| messages.iter().find(|stored| stored.id == message).cloned()))
    }

    async fn last_question(
        &self,
        interview: InterviewId,
    ) -> Result<Option<InterviewMessage>, RepositoryError> {
        let state = locked(&self.state);
        Ok(state.messages.get(&interview).and_then(|messages| {
            messages
                .iter()
                .rev()
                .find(|message| message.message_type.is_interviewer())
                .cloned()
        }))
    }

    async fn attach_audio(
        &self,
        interview: InterviewId,
        message: MessageId,
        audio: &BlobRef,
        metadata: &AudioMetadata,
    ) -> Result<(), RepositoryError> {
        let mut state = locked(&self.state);
        let found = state
            .messages
            .get_mut(&interview)
            .and_then(|messages| messages.iter_mut().find(|stored| stored.id == message))
            .ok_or(RepositoryError::NotFound)?;
        found.audio = Some(audio.clone());
        found.audio_duration_seconds = metadata.duration_seconds;
        found.audio_metadata = Some(metadata.clone());
        Ok(())
    }

    async fn claim_realtime(
        &self,
        interview: InterviewId,
        connection: ConnectionId,
        _at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let mut state = locked(&self.state);
        if !state.records.contains_key(&interview) {
            return Err(RepositoryError::MissingReference("interview".into()));
        }
        state.leases.insert(interview, connection);
        Ok(())
    }

    async fn realtime_owner(
        &self,
        interview: InterviewId,
    ) -> Result<Option<ConnectionId>, RepositoryError> {
        Ok(locked(&self.state).leases.get(&interview).copied())
    }

    async fn idle_interviews(
        &self,
        cutoff: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<InterviewId>, RepositoryError> {
        let state = locked(&self.state);
        let mut idle: Vec<(DateTime<Utc>, InterviewId)> = state
            .records
            .values()
            .filter(|record| {
                record.interview.status == InterviewStatus::InProgress
                    && record.session.last_activity_at < cutoff
            })
            .map(|record| (record.session.last_activity_at, record.interview.id))
            .collect();
        idle.sort();
        Ok(idle
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|(_, id)| id)
            .collect())
    }
}

/// Candidates kept in memory.
#[derive(Default)]
pub struct InMemoryCandidates {
    candidates: Mutex<HashMap<CandidateId, Candidate>>,
}

#[async_trait]
impl CandidateRepository for InMemoryCandidates {
    async fn insert(&self, candidate: &Candidate) -> Result<(), RepositoryError> {
        let mut candidates = locked(&self.candidates);
        if candidates.values().any(|c| c.email == candidate.email) {
            return Err(RepositoryError::Duplicate("email".into()));
        }
        candidates.insert(candidate.id, candidate.clone());
        Ok(())
    }

    async fn by_email(&self, email: &Email) -> Result<Option<Candidate>, RepositoryError> {
        Ok(locked(&self.candidates)
            .values()
            .find(|c| &c.email == email)
            .cloned())
    }

    async fn by_id(&self, id: CandidateId) -> Result<Option<Candidate>, RepositoryError> {
        Ok(locked(&self.candidates).get(&id).cloned())
    }

    async fn record_login(
        &self,
        id: CandidateId,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let mut candidates = locked(&self.candidates);
        let candidate = candidates.get_mut(&id).ok_or(RepositoryError::NotFound)?;
        candidate.last_login_at = Some(at);
        Ok(())
    }
}

/// A clock that only moves when told to.
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    pub fn at(now: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(now),
        }
    }

    pub fn advance(&self, by: Duration) {
        let mut now = locked(&self.now);
        *now += by;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::at(Utc::now())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *locked(&self.now)
    }
}

/// Login attempts and revoked tokens kept in memory.
#[derive(Default)]
pub struct InMemoryCredentials {
    attempts: Mutex<HashMap<Email, (LoginAttempts, DateTime<Utc>)>>,
    revoked: Mutex<HashMap<String, DateTime<Utc>>>,
}

#[async_trait]
impl CredentialStore for InMemoryCredentials {
    async fn record_failed_login(
        &self,
        email: &Email,
        now: DateTime<Utc>,
        window_start: DateTime<Utc>,
        max_failures: u32,
        lock_until: DateTime<Utc>,
    ) -> Result<LoginAttempts, RepositoryError> {
        let mut attempts = locked(&self.attempts);
        let entry = attempts.entry(email.clone()).or_insert((
            LoginAttempts {
                failed_count: 0,
                locked_until: None,
            },
            now,
        ));
        if entry.1 < window_start {
            *entry = (
                LoginAttempts {
                    failed_count: 0,
                    locked_until: None,
                },
                now,
            );
        }
        entry.0.failed_count += 1;
        if entry.0.failed_count >= max_failures {
            entry.0.locked_until = Some(lock_until);
        }
        Ok(entry.0)
    }

    async fn login_attempts(
        &self,
        email: &Email,
    ) -> Result<Option<LoginAttempts>, RepositoryError> {
        Ok(locked(&self.attempts).get(email).map(|entry| entry.0))
    }

    async fn clear_failed_logins(&self, email: &Email) -> Result<(), RepositoryError> {
        locked(&self.attempts).remove(email);
        Ok(())
    }

    async fn revoke_token(
        &self,
        jti: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        locked(&self.revoked).insert(jti.to_owned(), expires_at);
        Ok(())
    }

    async fn is_token_revoked(&self, jti: &str) -> Result<bool, RepositoryError> {
        Ok(locked(&self.revoked).contains_key(jti))
    }

    async fn revoked_tokens(&self, now: DateTime<Utc>) -> Result<Vec<String>, RepositoryError> {
        Ok(locked(&self.revoked)
            .iter()
            .filter(|(_, expires_at)| **expires_at > now)
            .map(|(jti, _)| jti.clone())
            .collect())
    }

    async fn purge_expired_tokens(&self, now: DateTime<Utc>) -> Result<u64, RepositoryError> {
        let mut revoked = locked(&self.revoked);
        let before = revoked.len();
        revoked.retain(|_, expires_at| *expires_at > now);
        Ok((before - revoked.len()) as u64)
    }
}

/// An interviewer that asks "Question n?" in one skill and rates every answer good
/// (accuracy and clarity 0.7), reporting fixed token usage per call.
pub struct ScriptedInterviewer {
    pub model: String,
    /// Input and output tokens reported by each question.
    pub question_tokens: (u64, u64),
    /// Input and output tokens reported by each evaluation.
    pub evaluation_tokens: (u64, u64),
}

impl ScriptedInterviewer {
    /// Free and silent about tokens, like the offline interviewer.
    pub fn free() -> Self {
        Self {
            model: "offline".into(),
            question_tokens: (0, 0),
            evaluation_tokens: (0, 0),
        }
    }

    fn usage(&self, (input_tokens, output_tokens): (u64, u64)) -> ChatUsage {
        ChatUsage {
            model: self.model.clone(),
            input_tokens,
            output_tokens,
        }
    }
}

#[async_trait]
impl InterviewerModel for ScriptedInterviewer {
    fn model_name(&self) -> String {
        self.model.clone()
    }

    async fn first_question(
        &self,
        request: &QuestionRequest,
    ) -> Result<Generated<Question>, ProviderError> {
        self.next_question(request).await
    }

    async fn next_question(
        &self,
        request: &QuestionRequest,
    ) -> Result<Generated<Question>, ProviderError> {
        Ok(Generated {
            value: Question {
                text: format!("Question {}?", request.question_number),
                skill: SkillArea::new("general"),
                level: request.level,
            },
            usage: self.usage(self.question_tokens),
        })
    }

    async fn evaluate(
        &self,
        _request: &EvaluationRequest,
    ) -> Result<Generated<Evaluation>, ProviderError> {
        Ok(Generated {
            value: Evaluation {
                quality: AnswerQuality::Good,
                technical_accuracy: Score::clamped(0.7),
                explanation_clarity: Score::clamped(0.7),
                identified_skills: Vec::new(),
                boundaries_noticed: Vec::new(),
                rationale: None,
                fallback: false,
            },
            usage: self.usage(self.evaluation_tokens),
        })
    }
}

/// An evaluation with these scores (which must be within `0..=1`) and nothing else.
pub fn evaluation(quality: AnswerQuality, accuracy: f64, clarity: f64) -> Evaluation {
    Evaluation {
        quality,
        technical_accuracy: Score::clamped(accuracy),
        explanation_clarity: Score::clamped(clarity),
        identified_skills: vec![],
        boundaries_noticed: vec![],
        rationale: None,
        fallback: false,
    }
}

/// Any evaluation: every quality label with any scores in `0..=1` (property tests).
#[cfg(test)]
pub fn arbitrary_evaluation() -> impl proptest::strategy::Strategy<Value = Evaluation> {
    use proptest::prelude::*;
    (
        prop_oneof![
            Just(AnswerQuality::Excellent),
            Just(AnswerQuality::Good),
            Just(AnswerQuality::Fair),
            Just(AnswerQuality::Poor)
        ],
        0.0f64..=1.0,
        0.0f64..=1.0,
    )
        .prop_map(|(quality, accuracy, clarity)| evaluation(quality, accuracy, clarity))
}

/// An in-progress text interview for `python`, started at the Unix epoch, for rule tests.
pub fn sample_interview() -> Interview {
    let epoch = DateTime::<Utc>::UNIX_EPOCH;
    let mut interview = Interview::scheduled(
        CandidateId::new(),
        RoleType::Python,
        InterviewMode::Text,
        None,
        epoch,
    );
    interview.status = InterviewStatus::InProgress;
    interview.started_at = Some(epoch);
    interview.ai_model_used = Some("gpt-4o-mini".into());
    interview
}
