//! The errors of the assessment operations a client can call.

use thiserror::Error;

use crate::ports::RepositoryError;
use crate::rules::lifecycle::InterviewStatus;

/// Reporting browser events.
#[derive(Debug, Error)]
pub enum EventsError {
    /// No such interview, or not the actor's.
    #[error("interview not found")]
    NotFound,
    /// Events are taken only while the interview is in progress.
    #[error("the interview is {status}")]
    InvalidState { status: InterviewStatus },
    #[error("{field}: {message}")]
    Validation {
        field: &'static str,
        message: String,
    },
    #[error("storage failed")]
    Storage(#[source] RepositoryError),
}

impl From<RepositoryError> for EventsError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::MissingReference(_) | RepositoryError::NotFound => Self::NotFound,
            other => Self::Storage(other),
        }
    }
}

/// Asking for a new version of an assessment.
#[derive(Debug, Error)]
pub enum RegenerateError {
    #[error("interview not found")]
    NotFound,
    /// The interview is not finished, or ended before any answer.
    #[error("the interview is {status} and has nothing to assess")]
    NotAssessable { status: InterviewStatus },
    #[error("storage failed")]
    Storage(#[from] RepositoryError),
}
