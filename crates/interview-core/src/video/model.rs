//! A recording, its chunks, and what the operations report.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{InterviewId, VideoRecordingId};
use crate::model::named_enum;
use crate::rules::video_container::VideoContainer;

/// Where a recording stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordingStatus {
    /// Chunks are coming in.
    Recording,
    /// Assembled into one object; watchable.
    Finalized,
    /// Its bytes are gone (retention, an abandoned upload, or the candidate's request); the
    /// row stays as the record that it existed.
    Deleted,
}

named_enum!(RecordingStatus, "recording status", {
    Recording => "recording",
    Finalized => "finalized",
    Deleted => "deleted",
});

/// An interview's video recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoRecording {
    pub id: VideoRecordingId,
    pub interview_id: InterviewId,
    pub status: RecordingStatus,
    /// From the first chunk.
    pub container: Option<VideoContainer>,
    /// Chunks stored so far (while recording), or assembled (once finalized).
    pub chunk_count: u32,
    /// Bytes stored so far, or the recording's size once finalized.
    pub file_size_bytes: u64,
    /// The chunk count the client announced (`total_chunks`, or the index of the final chunk
    /// plus one).
    pub expected_chunks: Option<u32>,
    /// The assembled object, once finalized.
    pub storage_key: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_chunk_at: Option<DateTime<Utc>>,
    pub finalized_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub deletion_reason: Option<String>,
}

/// One stored chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChunk {
    pub index: u32,
    pub size: u64,
    pub sha256: String,
    pub storage_key: String,
    pub stored_at: DateTime<Utc>,
}

/// What an accepted chunk upload reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkAccepted {
    pub index: u32,
    /// Chunks stored, this one included.
    pub total_uploaded: u32,
    pub uploaded_at: DateTime<Utc>,
    /// The recording, when this chunk completed it (the last announced chunk arrived).
    pub finalized: Option<VideoRecording>,
}

/// What the resumable-upload listing says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkList {
    pub recording: Option<VideoRecording>,
    /// The stored indexes, ascending.
    pub indexes: Vec<u32>,
    /// Indexes below the announced (or highest seen) count that are not stored.
    pub missing: Vec<u32>,
}

/// What a retention sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Finalized recordings past the retention period.
    pub expired: u32,
    /// Uploads never finalized, abandoned past the cut-off.
    pub abandoned: u32,
    /// Stored message audio past the retention period.
    pub audio: u32,
    /// Recordings or audio whose objects could not be removed now (tried again next sweep).
    pub failed: u32,
}
