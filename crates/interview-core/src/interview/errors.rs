//! One error enum per operation of the engine. Each keeps the port error that caused it as its
//! `source`, so the server can log the whole chain once.

use thiserror::Error;

use crate::ports::{BlobError, ProviderError, RepositoryError};
use crate::rules::lifecycle::{IllegalTransition, InterviewStatus};

/// Starting an interview.
#[derive(Debug, Error)]
pub enum StartError {
    /// The candidate named by the caller no longer exists.
    #[error("the candidate does not exist")]
    UnknownCandidate,
    /// Even the opening question would cross the budget.
    #[error("the interview budget is exhausted")]
    BudgetExhausted,
    /// A voice interview was asked of a provider without speech.
    #[error("{}", SPEECH_UNAVAILABLE)]
    SpeechUnavailable,
    #[error("the interviewer failed")]
    Interviewer(#[source] ProviderError),
    #[error("storage failed")]
    Storage(#[source] RepositoryError),
    /// A lifecycle rule refused a transition the engine tried (a bug, never a client's doing).
    #[error("the interview could not start")]
    Lifecycle(#[from] IllegalTransition),
}

/// Answering a question, by any mode.
#[derive(Debug, Error)]
pub enum AnswerError {
    /// No such interview, or the actor may not take it (never revealed).
    #[error("interview not found")]
    NotFound,
    /// The interview's status does not allow answering.
    #[error("the interview is {status}")]
    InvalidState { status: InterviewStatus },
    /// The question was already answered, or is being answered concurrently, or the
    /// idempotency key was used for another answer.
    #[error("{0}")]
    Conflict(String),
    #[error("{field}: {message}")]
    Validation {
        field: &'static str,
        message: String,
    },
    /// A recorded answer needs speech, which the configured provider does not offer.
    #[error("{}", SPEECH_UNAVAILABLE)]
    SpeechUnavailable,
    /// The recording could not be transcribed for now; nothing was stored.
    #[error("transcription is unavailable")]
    TranscriptionUnavailable(#[source] ProviderError),
    /// The recording is empty, undecodable or holds no speech.
    #[error("{0}")]
    AudioRejected(String),
    #[error("the interviewer failed")]
    Interviewer(#[source] ProviderError),
    #[error("storage failed")]
    Storage(#[source] RepositoryError),
    #[error("audio storage failed")]
    Blobs(#[source] BlobError),
    /// A lifecycle rule refused a transition the engine tried (a bug, never a client's doing).
    #[error("the turn could not be completed")]
    Lifecycle(#[from] IllegalTransition),
}

/// Reading an interview, its transcript or its audio.
#[derive(Debug, Error)]
pub enum ReadError {
    /// No such interview (or message, or audio), or the actor may not read it.
    #[error("not found")]
    NotFound,
    #[error("storage failed")]
    Storage(#[source] RepositoryError),
    #[error("audio storage failed")]
    Blobs(#[source] BlobError),
}

/// Completing an interview at the candidate's request.
#[derive(Debug, Error)]
pub enum CompleteError {
    #[error("interview not found")]
    NotFound,
    #[error("the interview is {status}")]
    InvalidState { status: InterviewStatus },
    #[error("storage failed")]
    Storage(#[source] RepositoryError),
}

pub(crate) const SPEECH_UNAVAILABLE: &str =
    "voice needs an AI provider with speech; the configured one has none (answer by text)";

impl From<RepositoryError> for StartError {
    fn from(error: RepositoryError) -> Self {
        Self::Storage(error)
    }
}

impl From<ProviderError> for StartError {
    fn from(error: ProviderError) -> Self {
        Self::Interviewer(error)
    }
}

impl From<RepositoryError> for AnswerError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::NotFound => Self::NotFound,
            other => Self::Storage(other),
        }
    }
}

impl From<ProviderError> for AnswerError {
    fn from(error: ProviderError) -> Self {
        Self::Interviewer(error)
    }
}

impl From<BlobError> for AnswerError {
    fn from(error: BlobError) -> Self {
        Self::Blobs(error)
    }
}

impl From<ReadError> for AnswerError {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::NotFound => Self::NotFound,
            ReadError::Storage(source) => Self::Storage(source),
            ReadError::Blobs(source) => Self::Blobs(source),
        }
    }
}

impl From<RepositoryError> for ReadError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::NotFound => Self::NotFound,
            other => Self::Storage(other),
        }
    }
}

impl From<BlobError> for ReadError {
    fn from(error: BlobError) -> Self {
        match error {
            BlobError::NotFound => Self::NotFound,
            other => Self::Blobs(other),
        }
    }
}

impl From<RepositoryError> for CompleteError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::NotFound => Self::NotFound,
            other => Self::Storage(other),
        }
    }
}

impl From<ReadError> for CompleteError {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::NotFound => Self::NotFound,
            ReadError::Storage(source) => Self::Storage(source),
            ReadError::Blobs(source) => Self::Storage(RepositoryError::Unknown(Box::new(source))),
        }
    }
}
