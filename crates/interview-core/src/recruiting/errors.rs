//! The errors of the recruiter side's operations.

use thiserror::Error;

use crate::accounts::{AccountError, FieldError, HashError};
use crate::interview::{ReadError, StartError};
use crate::ports::RepositoryError;

#[derive(Debug, Error)]
pub enum RecruitingError {
    /// No such thing for this caller (another organization's does not exist for them).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The caller's role does not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    /// A candidate called a recruiter operation, or a recruiter a candidate one.
    #[error("this is for {0} only")]
    WrongAudience(&'static str),
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// The request clashes with what is stored: `code` says how (`email_taken`,
    /// `already_applied`, `already_interviewed`, `admin_self_change`, `interview_not_finished`,
    /// `assessment_not_due`).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("invalid email or password")]
    InvalidCredentials,
    #[error("too many failed logins; try again later")]
    LockedOut { retry_after_seconds: i64 },
    #[error("the interview could not start")]
    Start(#[source] StartError),
    #[error("storage failed")]
    Storage(#[source] RepositoryError),
    #[error("password hashing failed")]
    Hashing(#[source] HashError),
}

impl From<RepositoryError> for RecruitingError {
    fn from(error: RepositoryError) -> Self {
        Self::Storage(error)
    }
}

impl From<AccountError> for RecruitingError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::LockedOut {
                retry_after_seconds,
            } => Self::LockedOut {
                retry_after_seconds,
            },
            AccountError::Storage(error) => Self::Storage(error),
            AccountError::Hashing(error) => Self::Hashing(error),
            AccountError::Validation(fields) => Self::Validation(fields),
            AccountError::InvalidCredentials
            | AccountError::EmailTaken
            | AccountError::NotFound => Self::InvalidCredentials,
        }
    }
}

impl From<HashError> for RecruitingError {
    fn from(error: HashError) -> Self {
        Self::Hashing(error)
    }
}

impl From<ReadError> for RecruitingError {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::NotFound => Self::NotFound("interview"),
            ReadError::Storage(error) => Self::Storage(error),
            ReadError::Blobs(error) => {
                Self::Storage(RepositoryError::Unavailable(error.to_string()))
            }
        }
    }
}

impl RecruitingError {
    pub(crate) fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn field(field: &'static str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError {
            field,
            message: message.into(),
        }])
    }
}
