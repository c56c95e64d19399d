//! The ports of the core: everything the interview service needs from the outside world, as
//! traits that adapters implement. No driver type crosses them; each adapter translates its
//! driver's errors into the error enums below.

use std::ops::Range;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ids::{ApplicationId, CandidateId, ConnectionId, InterviewId, MessageId, ResumeId};
use crate::interview::stored::StoredOutcome;
use crate::jobs::NewJob;
use crate::model::{
    AudioMetadata, Candidate, Interview, InterviewMessage, InterviewSession, RoleType,
};
use crate::rules::cost::ChatUsage;
use crate::rules::ladder::{DifficultyLevel, Evaluation, SkillArea};
use crate::rules::memory::PromptMemory;
use crate::rules::skills::QuestionIntent;
use crate::validation::Email;

mod assessment;
mod jobs;
mod portal;
mod portal_store;
mod realtime;
mod recruiting;
mod speech;
mod video;
mod webhooks;
pub use assessment::{
    AssessmentCharge, AssessmentRepository, AssessmentRequest, AssessmentWriter, JudgedAnswer,
    Speaker, TranscriptLine,
};
#[cfg(any(test, feature = "mock"))]
pub use assessment::{MockAssessmentRepository, MockAssessmentWriter};
pub use jobs::JobQueue;
#[cfg(any(test, feature = "mock"))]
pub use jobs::MockJobQueue;
pub use portal::{
    DocumentFormat, DocumentReader, ExtractError, FeedbackAuthor, FeedbackDraft, ImprovementArea,
    LearningResource, MailError, Mailer, OutgoingEmail, ResumeAnalyzer, ResumeFacts,
};
#[cfg(any(test, feature = "mock"))]
pub use portal::{MockDocumentReader, MockFeedbackAuthor, MockMailer, MockResumeAnalyzer};
pub use portal_store::{
    FeedbackRepository, FeedbackRow, ParseOutcome, ProfileRepository, ResumeRepository,
};
#[cfg(any(test, feature = "mock"))]
pub use portal_store::{MockFeedbackRepository, MockProfileRepository, MockResumeRepository};
#[cfg(any(test, feature = "mock"))]
pub use realtime::MockRealtimeSender;
pub use realtime::{
    Base64Audio, InvalidAudio, RealtimeEvent, RealtimeEvents, RealtimeSender, RealtimeSession,
    RealtimeSessionConfig, RealtimeVoice, TurnDetection,
};
pub use recruiting::{
    ApplicationRepository, CandidateRow, InterviewCursor, InterviewFilter, InterviewRow,
    JobPostingRepository, RecruiterInterviews, RecruiterRepository,
};
#[cfg(any(test, feature = "mock"))]
pub use recruiting::{
    MockApplicationRepository, MockJobPostingRepository, MockRecruiterInterviews,
    MockRecruiterRepository,
};
pub use speech::{
    AudioClip, AudioFormat, SpeechAudio, SpeechSynthesizer, Transcriber, Transcription,
};
#[cfg(any(test, feature = "mock"))]
pub use speech::{MockSpeechSynthesizer, MockTranscriber};
pub use video::{ByteSource, SourceError, StageError, StagedChunk, VideoRepository, VideoStorage};
#[cfg(any(test, feature = "mock"))]
pub use video::{MockVideoRepository, MockVideoStorage};
#[cfg(any(test, feature = "mock"))]
pub use webhooks::{MockWebhookRepository, MockWebhookSender};
pub use webhooks::{OutgoingDelivery, SendError, WebhookRepository, WebhookSender};

type BoxedError = Box<dyn std::error::Error + Send + Sync>;

/// Failures of a repository.
#[derive(Debug, Error)]
pub enum RepositoryError {
    /// The record to change does not exist.
    #[error("record not found")]
    NotFound,
    /// Somebody else changed the record first (the session version moved, the sequence number
    /// is taken).
    #[error("conflicting write: {0}")]
    Conflict(String),
    /// A natural key (such as an email) is already taken.
    #[error("duplicate {0}")]
    Duplicate(String),
    /// The database cannot be reached or timed out.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// A record the write refers to does not exist (a deleted candidate, say).
    #[error("a referenced record is missing: {0}")]
    MissingReference(String),
    /// Stored data could not be read back into domain types.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("storage error")]
    Unknown(#[source] BoxedError),
}

/// Failures of an AI provider (interviewer model, transcriber, speech synthesizer).
#[derive(Debug, Clone, Error)]
pub enum ProviderError {
    /// The provider asked us to slow down.
    #[error("rate limited by the AI provider")]
    RateLimited { retry_after: Option<Duration> },
    /// The provider failed, timed out or its circuit breaker is open.
    #[error("AI provider unavailable: {message}")]
    Unavailable {
        message: String,
        retry_after: Option<Duration>,
    },
    /// The provider refused the request (bad request, authentication).
    #[error("AI provider rejected the request: {0}")]
    Rejected(String),
    /// The reply could not be used even after repair.
    #[error("AI provider sent an unusable reply: {0}")]
    InvalidResponse(String),
    /// This provider does not offer the capability (the offline interviewer has no speech).
    #[error("{0} is not available with the configured AI provider")]
    NotSupported(&'static str),
}

/// Everything an interviewer model needs to ask a question. The core has decided what to ask
/// about (skill, level, whether to probe); the model only phrases it.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionRequest {
    pub role: RoleType,
    pub level: DifficultyLevel,
    /// The skill area the question must be about.
    pub skill: SkillArea,
    /// Whether it digs into the last answer or opens the area afresh.
    pub intent: QuestionIntent,
    pub skills_explored: Vec<SkillArea>,
    /// Questions already asked in this interview, never to be repeated.
    pub asked_questions: Vec<String>,
    /// The bounded conversation window (no system prompt), and its shortened form for a
    /// provider whose context is too small.
    pub memory: PromptMemory,
    /// 1-based number of the question about to be asked.
    pub question_number: u32,
}

/// A question the interviewer asks: about the requested skill and level, unless the provider
/// had none left there (the offline bank then takes the nearest level), and it says so here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub text: String,
    pub skill: SkillArea,
    pub level: DifficultyLevel,
}

/// Everything an interviewer model needs to judge one answer.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationRequest {
    pub role: RoleType,
    pub level: DifficultyLevel,
    pub skill: SkillArea,
    pub question: String,
    pub answer: String,
    pub memory: PromptMemory,
}

/// A model's output with the tokens it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated<T> {
    pub value: T,
    pub usage: ChatUsage,
}

/// The AI interviewer: asks questions and judges answers.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait InterviewerModel: Send + Sync {
    /// The model name calls are priced by (a key of the pricing table).
    fn model_name(&self) -> String;

    /// The opening (warmup) question of an interview.
    ///
    /// # Errors
    /// Any [`ProviderError`]; nothing has been stored when it fails.
    async fn first_question(
        &self,
        request: &QuestionRequest,
    ) -> Result<Generated<Question>, ProviderError>;

    /// The next question for the level and focus the ladder chose.
    ///
    /// # Errors
    /// Any [`ProviderError`].
    async fn next_question(
        &self,
        request: &QuestionRequest,
    ) -> Result<Generated<Question>, ProviderError>;

    /// Judges one answer. Scores must be within `0..=1`.
    ///
    /// # Errors
    /// Any [`ProviderError`]; an adapter that received an unusable reply should repair it or
    /// return a conservative evaluation flagged `fallback` rather than fail.
    async fn evaluate(
        &self,
        request: &EvaluationRequest,
    ) -> Result<Generated<Evaluation>, ProviderError>;
}

/// An interview with its live session, as read from storage.
#[derive(Debug, Clone, PartialEq)]
pub struct InterviewRecord {
    pub interview: Interview,
    pub session: InterviewSession,
}

/// A client-chosen key that makes an answer safe to retry: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientKey(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("an idempotency key must be 1 to 255 visible ASCII characters")]
pub struct InvalidClientKey;

impl ClientKey {
    pub fn parse(raw: &str) -> Result<Self, InvalidClientKey> {
        if raw.is_empty() || raw.len() > 255 || !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidClientKey);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The outcome stored under a client key, returned again when the same answer is retried.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAnswer {
    pub key: ClientKey,
    pub outcome: StoredOutcome,
}

/// Everything one turn changes, written atomically.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnWrite {
    /// The interview after the turn.
    pub interview: Interview,
    /// False when the turn left the interview's row as it was (a free provider mid-interview):
    /// the adapter may skip writing it.
    pub interview_changed: bool,
    /// The session after the turn; its `version` is `expected_version + 1`.
    pub session: InterviewSession,
    /// The session version the turn was computed from.
    pub expected_version: i64,
    /// New messages, in sequence order.
    pub messages: Vec<InterviewMessage>,
    pub idempotency: Option<StoredAnswer>,
    /// Background jobs the turn causes (the assessment of an interview it ends), enqueued in
    /// the same transaction.
    pub jobs: Vec<NewJob>,
}

/// One page of a transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct MessagePage {
    pub total_count: u64,
    pub messages: Vec<InterviewMessage>,
}

/// Candidate accounts.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait CandidateRepository: Send + Sync {
    /// # Errors
    /// [`RepositoryError::Duplicate`] when the email is taken.
    async fn insert(&self, candidate: &Candidate) -> Result<(), RepositoryError>;

    /// # Errors
    /// [`RepositoryError::Unavailable`] and other storage failures.
    async fn by_email(&self, email: &Email) -> Result<Option<Candidate>, RepositoryError>;

    /// # Errors
    /// [`RepositoryError::Unavailable`] and other storage failures.
    async fn by_id(&self, id: CandidateId) -> Result<Option<Candidate>, RepositoryError>;

    /// # Errors
    /// [`RepositoryError::NotFound`] for an unknown candidate.
    async fn record_login(&self, id: CandidateId, at: DateTime<Utc>)
    -> Result<(), RepositoryError>;
}

/// Interviews with their session and messages.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait InterviewRepository: Send + Sync {
    /// Stores a new interview, its session and its opening question in one transaction; when
    /// it screens for an application, that transaction also links the application to it and
    /// moves it to `interviewing`.
    ///
    /// # Errors
    /// [`RepositoryError::Duplicate`] when the interview exists;
    /// [`RepositoryError::MissingReference`] when its candidate does not;
    /// [`RepositoryError::Conflict`] when the application is unknown or already has an
    /// interview (a concurrent start won). Nothing is stored then.
    async fn create(
        &self,
        interview: &Interview,
        session: &InterviewSession,
        opening: &InterviewMessage,
        application: Option<ApplicationId>,
    ) -> Result<(), RepositoryError>;

    /// # Errors
    /// [`RepositoryError::Corrupt`] when stored state cannot be read back.
    async fn load(&self, id: InterviewId) -> Result<Option<InterviewRecord>, RepositoryError>;

    /// The candidate's interviews, newest first.
    ///
    /// # Errors
    /// Storage failures.
    async fn list_for_candidate(
        &self,
        candidate: CandidateId,
    ) -> Result<Vec<Interview>, RepositoryError>;

    /// Writes one turn atomically: all of it or nothing.
    ///
    /// # Errors
    /// [`RepositoryError::Conflict`] when the session's version is no longer
    /// `expected_version`, a sequence number is taken, or the client key was used; nothing is
    /// written then.
    async fn save_turn(&self, turn: &TurnWrite) -> Result<(), RepositoryError>;

    /// The outcome stored under a client key, if any.
    ///
    /// # Errors
    /// Storage failures.
    async fn stored_answer(
        &self,
        interview: InterviewId,
        key: &ClientKey,
    ) -> Result<Option<StoredOutcome>, RepositoryError>;

    /// Messages in sequence order; `limit: None` means all of them.
    ///
    /// # Errors
    /// Storage failures.
    async fn messages(
        &self,
        interview: InterviewId,
        skip: u64,
        limit: Option<u64>,
    ) -> Result<MessagePage, RepositoryError>;

    /// One message of an interview.
    ///
    /// # Errors
    /// Storage failures.
    async fn message(
        &self,
        interview: InterviewId,
        message: MessageId,
    ) -> Result<Option<InterviewMessage>, RepositoryError>;

    /// The most recent interviewer message (a question, or the closing remark).
    ///
    /// # Errors
    /// Storage failures.
    async fn last_question(
        &self,
        interview: InterviewId,
    ) -> Result<Option<InterviewMessage>, RepositoryError>;

    /// Attaches stored audio to a message after it was written (speech generated live).
    ///
    /// # Errors
    /// [`RepositoryError::NotFound`] for an unknown message of the interview.
    async fn attach_audio(
        &self,
        interview: InterviewId,
        message: MessageId,
        audio: &BlobRef,
        metadata: &AudioMetadata,
    ) -> Result<(), RepositoryError>;

    /// Makes `connection` the live realtime connection of the interview, replacing any other.
    ///
    /// # Errors
    /// [`RepositoryError::MissingReference`] for an unknown interview; storage failures.
    async fn claim_realtime(
        &self,
        interview: InterviewId,
        connection: ConnectionId,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;

    /// The live realtime connection of the interview, if any claimed it.
    ///
    /// # Errors
    /// Storage failures.
    async fn realtime_owner(
        &self,
        interview: InterviewId,
    ) -> Result<Option<ConnectionId>, RepositoryError>;

    /// Up to `limit` in-progress interviews whose session was last active before `cutoff`,
    /// least recently active first.
    ///
    /// # Errors
    /// Storage failures.
    async fn idle_interviews(
        &self,
        cutoff: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<InterviewId>, RepositoryError>;
}

/// A blob, named by what it is rather than by a path; the adapter builds the storage key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BlobRef {
    MessageAudio {
        interview: InterviewId,
        message: MessageId,
        format: AudioFormat,
    },
    /// A resume a candidate uploaded.
    Resume {
        candidate: CandidateId,
        resume: ResumeId,
        format: DocumentFormat,
    },
}

impl BlobRef {
    /// The audio format of a message's audio; `None` for a resume.
    pub const fn audio_format(&self) -> Option<AudioFormat> {
        match self {
            Self::MessageAudio { format, .. } => Some(*format),
            Self::Resume { .. } => None,
        }
    }
}

#[derive(Debug, Error)]
pub enum BlobError {
    #[error("blob not found")]
    NotFound,
    #[error("blob storage unavailable: {0}")]
    Unavailable(String),
    #[error("blob storage error")]
    Unknown(#[source] BoxedError),
}

/// Binary storage for audio and video.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// # Errors
    /// [`BlobError::Unavailable`] when the store cannot be reached.
    async fn put(&self, blob: &BlobRef, bytes: Vec<u8>) -> Result<(), BlobError>;

    /// # Errors
    /// [`BlobError::NotFound`] for a blob never stored.
    async fn get(&self, blob: &BlobRef) -> Result<Vec<u8>, BlobError>;

    /// The blob's size in bytes.
    ///
    /// # Errors
    /// [`BlobError::NotFound`] for a blob never stored.
    async fn size(&self, blob: &BlobRef) -> Result<u64, BlobError>;

    /// The bytes in `range` (end exclusive, within the blob's size).
    ///
    /// # Errors
    /// [`BlobError::NotFound`] for a blob never stored.
    async fn get_range(&self, blob: &BlobRef, range: Range<u64>) -> Result<Vec<u8>, BlobError>;

    /// # Errors
    /// [`BlobError::Unavailable`]; deleting a missing blob is not an error.
    async fn delete(&self, blob: &BlobRef) -> Result<(), BlobError>;
}

/// The time. A port so tests can control it.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock, at microsecond precision: what every supported database stores, so a value
/// reads back exactly as it was written.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        chrono::SubsecRound::trunc_subsecs(Utc::now(), 6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_keys_are_bounded_visible_ascii() {
        assert!(ClientKey::parse("retry-7f3c").is_ok());
        assert_eq!(ClientKey::parse(""), Err(InvalidClientKey));
        assert_eq!(ClientKey::parse("has space"), Err(InvalidClientKey));
        assert_eq!(ClientKey::parse(&"k".repeat(256)), Err(InvalidClientKey));
    }

    #[test]
    fn audio_debug_shows_the_size_not_the_bytes() {
        let clip = AudioClip {
            bytes: vec![7; 1024],
            format: AudioFormat::Wav,
        };
        assert!(format!("{clip:?}").contains("1024"));
    }
}
