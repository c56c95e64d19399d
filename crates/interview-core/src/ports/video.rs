//! Video recordings: their bytes in the object store, their bookkeeping in the database.

use std::ops::Range;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::ids::{InterviewId, VideoRecordingId};
use crate::ports::{BlobError, BlobRef, RepositoryError};
use crate::rules::video_container::VideoContainer;
use crate::video::{StoredChunk, VideoRecording};

/// A body read piece by piece (an upload streaming in from a request).
#[async_trait]
pub trait ByteSource: Send {
    /// The next piece; `None` at the end.
    async fn next_piece(&mut self) -> Option<Result<Vec<u8>, SourceError>>;
}

/// The client's body could not be read (it disconnected, or sent a broken multipart body).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the upload could not be read: {0}")]
pub struct SourceError(pub String);

/// An upload written to a staging object, not yet part of a recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedChunk {
    /// The staging object's key (opaque to the core).
    pub key: String,
    pub size: u64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// The first bytes (up to [`crate::rules::video_container::SNIFF_BYTES`]).
    pub head: Vec<u8>,
}

#[derive(Debug, Error)]
pub enum StageError {
    /// The upload is larger than allowed; nothing of it is kept.
    #[error("the upload is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Storage(#[from] BlobError),
}

/// The object store side of recordings. Keys are built by the adapter from typed ids and
/// hashes; the core keeps them and hands them back.
// the parentheses are needed by mockall, which cannot take the elided `dyn` lifetime
#[allow(unused_parens)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait VideoStorage: Send + Sync {
    /// Streams `body` into a staging object of the interview, hashing it as it goes, without
    /// holding it in memory. Beyond `max_bytes` it stops, removes what it wrote, and fails.
    ///
    /// # Errors
    /// [`StageError`].
    async fn stage(
        &self,
        interview: InterviewId,
        body: &mut (dyn ByteSource + 'static),
        max_bytes: u64,
    ) -> Result<StagedChunk, StageError>;

    /// Moves a staged upload to its place as chunk `index`; returns the chunk's key. The key
    /// includes the content hash, so two different bodies for one index never overwrite each
    /// other.
    ///
    /// # Errors
    /// [`BlobError`].
    async fn keep_chunk(
        &self,
        interview: InterviewId,
        staged: &StagedChunk,
        index: u32,
    ) -> Result<String, BlobError>;

    /// Removes an object; a missing one is not an error.
    ///
    /// # Errors
    /// [`BlobError::Unavailable`].
    async fn remove(&self, key: &str) -> Result<(), BlobError>;

    /// Writes the recording: the chunks' bytes in order, streamed from each chunk object into
    /// one object (a multipart upload on S3), never holding the recording in memory. Returns
    /// its key and size.
    ///
    /// # Errors
    /// [`BlobError`]; a partial recording is not left behind.
    async fn assemble(
        &self,
        interview: InterviewId,
        chunks: &[String],
        container: VideoContainer,
    ) -> Result<(String, u64), BlobError>;

    /// The bytes of `key` in `range` (end exclusive, within its size).
    ///
    /// # Errors
    /// [`BlobError::NotFound`] for a missing object.
    async fn read_range(&self, key: &str, range: Range<u64>) -> Result<Vec<u8>, BlobError>;
}

/// Recordings and their chunks in the database.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait VideoRepository: Send + Sync {
    /// The interview's recording, if one was started.
    ///
    /// # Errors
    /// Storage failures.
    async fn recording(
        &self,
        interview: InterviewId,
    ) -> Result<Option<VideoRecording>, RepositoryError>;

    /// Stores a new recording.
    ///
    /// # Errors
    /// [`RepositoryError::Duplicate`] when the interview already has one.
    async fn create(&self, recording: &VideoRecording) -> Result<(), RepositoryError>;

    /// The recording's chunks, by index.
    ///
    /// # Errors
    /// Storage failures.
    async fn chunks(
        &self,
        recording: VideoRecordingId,
    ) -> Result<Vec<StoredChunk>, RepositoryError>;

    /// In one transaction: stores a chunk and adds it to the recording's totals (count, bytes,
    /// last chunk time), with the container its first chunk opened and the chunk count the
    /// client announced, when given.
    ///
    /// # Errors
    /// [`RepositoryError::Duplicate`] when the index is stored already.
    async fn add_chunk(
        &self,
        recording: VideoRecordingId,
        chunk: &StoredChunk,
        container: Option<VideoContainer>,
        expected_chunks: Option<u32>,
    ) -> Result<(), RepositoryError>;

    /// Marks the recording finalized with its object, size and chunk count, forgets the chunk
    /// rows, and sets the interview's `video_recording_url` and status, in one transaction.
    ///
    /// # Errors
    /// Storage failures.
    async fn finalize(&self, recording: &VideoRecording, url: &str) -> Result<(), RepositoryError>;

    /// Marks the recording deleted (`deleted_at`, `deletion_reason`), forgets its chunk rows and
    /// clears the interview's `video_recording_url`; the row stays as the record that it existed.
    ///
    /// # Errors
    /// Storage failures.
    async fn mark_deleted(
        &self,
        recording: &VideoRecording,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;

    /// Recordings due for deletion: finalized before `finalized_before`, or still recording
    /// with no chunk since `abandoned_before`; at most `limit`.
    ///
    /// # Errors
    /// Storage failures.
    async fn expired(
        &self,
        finalized_before: DateTime<Utc>,
        abandoned_before: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<VideoRecording>, RepositoryError>;

    /// Stored message audio (recorded answers, spoken questions) of messages written before
    /// `before`, at most `limit`.
    ///
    /// # Errors
    /// Storage failures.
    async fn expired_audio(
        &self,
        before: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<BlobRef>, RepositoryError>;

    /// Forgets a message's stored audio: its link goes, its duration and metadata stay as the
    /// record that there was some.
    ///
    /// # Errors
    /// Storage failures.
    async fn forget_audio(&self, audio: &BlobRef) -> Result<(), RepositoryError>;

    /// Records the candidate's consent decision and its time on the interview.
    ///
    /// # Errors
    /// [`RepositoryError::NotFound`] for an unknown interview.
    async fn set_consent(
        &self,
        interview: InterviewId,
        consent: bool,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;

    /// Stores the interview's tech check.
    ///
    /// # Errors
    /// [`RepositoryError::NotFound`] for an unknown interview.
    async fn save_tech_check(
        &self,
        interview: InterviewId,
        check: &serde_json::Value,
    ) -> Result<(), RepositoryError>;
}
