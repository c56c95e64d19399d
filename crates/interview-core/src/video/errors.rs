//! Why a video operation was refused.

use thiserror::Error;

use crate::interview::ReadError;
use crate::ports::{BlobError, RepositoryError, SourceError};

#[derive(Debug, Error)]
pub enum VideoError {
    /// No such interview or recording for this caller.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The candidate has not agreed to be recorded (or withdrew).
    #[error("the candidate has not consented to video recording")]
    ConsentRequired,
    /// Uploads are over: the interview ended more than the grace period ago, or never started.
    #[error("{0}")]
    UploadClosed(String),
    /// The recording is finalized or deleted; nothing more can be added.
    #[error("the recording is {0}; no more chunks are accepted")]
    RecordingClosed(&'static str),
    /// Not a WebM or MP4 chunk.
    #[error("{0}")]
    UnsupportedType(String),
    #[error("a chunk may be at most {limit} bytes")]
    ChunkTooLarge { limit: u64 },
    /// The recording would exceed its size limit.
    #[error("the recording would exceed its {limit} byte limit")]
    StorageLimit { limit: u64 },
    /// Another body is stored under this index.
    #[error("chunk {index} is already stored with different content")]
    ChunkMismatch { index: u32 },
    /// Chunks are missing: the recording cannot be assembled.
    #[error("chunks are missing: {missing:?}")]
    MissingChunks { missing: Vec<u32> },
    #[error("invalid {field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("storage failed")]
    Storage(#[source] RepositoryError),
    #[error("object storage failed: {0}")]
    Objects(#[source] BlobError),
}

impl From<RepositoryError> for VideoError {
    fn from(error: RepositoryError) -> Self {
        Self::Storage(error)
    }
}

impl From<BlobError> for VideoError {
    fn from(error: BlobError) -> Self {
        Self::Objects(error)
    }
}

impl From<ReadError> for VideoError {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::NotFound => Self::NotFound("interview"),
            ReadError::Storage(error) => Self::Storage(error),
            ReadError::Blobs(error) => Self::Objects(error),
        }
    }
}
