//! Why a portal operation was refused.

use thiserror::Error;

use crate::accounts::FieldError;
use crate::ports::{BlobError, RepositoryError};

#[derive(Debug, Error)]
pub enum PortalError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("this is for {0} only")]
    WrongAudience(&'static str),
    #[error("your role does not allow this")]
    Forbidden,
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// Not a PDF or DOCX.
    #[error("{0}")]
    UnsupportedType(String),
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    /// The request clashes with what is stored: `code` says how.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// A download link that is wrong or expired.
    #[error("the download link is invalid or expired")]
    LinkInvalid,
    #[error("storage failed")]
    Storage(#[source] RepositoryError),
    #[error("file storage failed: {0}")]
    Files(#[source] BlobError),
}

impl From<RepositoryError> for PortalError {
    fn from(error: RepositoryError) -> Self {
        Self::Storage(error)
    }
}

impl From<BlobError> for PortalError {
    fn from(error: BlobError) -> Self {
        Self::Files(error)
    }
}

impl PortalError {
    pub(crate) fn field(field: &'static str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError {
            field,
            message: message.into(),
        }])
    }
}
