//! Tech checks, consent, chunk uploads and recordings.

use chrono::{DateTime, Utc};
use interview_core::video::{ChunkList, VideoRecording, recording_url};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The browser's device check before the interview.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TechCheckRequest {
    pub audio_test_passed: bool,
    pub camera_test_passed: bool,
    /// `{device_name, level, duration}`.
    #[schema(value_type = Option<Object>)]
    pub audio_metadata: Option<serde_json::Value>,
    /// `{device_name, resolution, format}`.
    #[schema(value_type = Option<Object>)]
    pub camera_metadata: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub browser_info: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TechCheckResponse {
    pub success: bool,
    /// What was stored, with `checked_at`.
    #[schema(value_type = Object)]
    pub tech_check: serde_json::Value,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ConsentRequest {
    pub video_recording_consent: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentResponse {
    pub interview_id: Uuid,
    pub video_recording_consent: bool,
    /// When this decision was recorded.
    pub decided_at: DateTime<Utc>,
}

/// `POST /api/v1/interviews/{id}/video/upload`, multipart.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the form for the OpenAPI document
pub struct InterviewChunkForm {
    /// The chunk's bytes (WebM or MP4; at most `video.max_chunk_bytes`, 10 MB by default).
    #[schema(value_type = String, format = Binary)]
    pub chunk: Vec<u8>,
    /// 0-based.
    pub chunk_index: u32,
    /// `true` on the last chunk: the recording is assembled once every chunk up to it is stored.
    pub is_final: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InterviewChunkResponse {
    pub success: bool,
    pub chunk_index: u32,
    pub uploaded_at: DateTime<Utc>,
    /// Chunks stored so far.
    pub total_uploaded: u32,
    /// Set once this chunk completed the recording.
    pub video_recording_url: Option<String>,
}

/// `POST /api/v1/videos/{interview_id}/upload-chunk`, multipart.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the form for the OpenAPI document
pub struct VideoChunkForm {
    /// The chunk's bytes (WebM or MP4; at most `video.max_chunk_bytes`, 10 MB by default).
    #[schema(value_type = String, format = Binary)]
    pub video_chunk: Vec<u8>,
    /// 0-based.
    pub chunk_index: u32,
    /// How many chunks the recording will have; once all are stored it is assembled.
    pub total_chunks: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VideoChunkResponse {
    pub chunk_uploaded: bool,
    pub chunk_index: u32,
    pub total_uploaded: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FinalizeResponse {
    pub video_recording_url: String,
    pub total_chunks: u32,
    pub file_size_bytes: u64,
}

/// What is stored of a recording, for resuming an upload.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChunkListResponse {
    /// Stored chunk indexes, ascending.
    pub chunks: Vec<u32>,
    /// Indexes below the announced (or highest stored) count that are missing.
    pub missing: Vec<u32>,
    pub total_uploaded: u32,
    pub expected_chunks: Option<u32>,
    /// `recording`, `finalized` or `deleted`; null before the first chunk.
    pub status: Option<String>,
}

impl From<&ChunkList> for ChunkListResponse {
    fn from(list: &ChunkList) -> Self {
        Self {
            total_uploaded: u32::try_from(list.indexes.len()).unwrap_or(u32::MAX),
            chunks: list.indexes.clone(),
            missing: list.missing.clone(),
            expected_chunks: list.recording.as_ref().and_then(|r| r.expected_chunks),
            status: list
                .recording
                .as_ref()
                .map(|recording| recording.status.as_str().to_owned()),
        }
    }
}

/// A recording's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct VideoRecordingResponse {
    pub id: Uuid,
    pub interview_id: Uuid,
    /// `recording`, `finalized` or `deleted`.
    pub status: String,
    /// `webm` or `mp4`.
    pub container: Option<String>,
    pub chunk_count: u32,
    pub file_size_bytes: u64,
    pub expected_chunks: Option<u32>,
    /// Where it streams from, once finalized.
    pub video_recording_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_chunk_at: Option<DateTime<Utc>>,
    pub finalized_at: Option<DateTime<Utc>>,
    /// Set when its bytes were deleted (retention, an abandoned upload, the candidate's request).
    pub deleted_at: Option<DateTime<Utc>>,
    pub deletion_reason: Option<String>,
}

impl From<&VideoRecording> for VideoRecordingResponse {
    fn from(recording: &VideoRecording) -> Self {
        let finalized = recording.storage_key.is_some();
        Self {
            id: recording.id.as_uuid(),
            interview_id: recording.interview_id.as_uuid(),
            status: recording.status.as_str().to_owned(),
            container: recording.container.map(|c| c.as_str().to_owned()),
            chunk_count: recording.chunk_count,
            file_size_bytes: recording.file_size_bytes,
            expected_chunks: recording.expected_chunks,
            video_recording_url: finalized.then(|| recording_url(recording.interview_id)),
            created_at: recording.created_at,
            last_chunk_at: recording.last_chunk_at,
            finalized_at: recording.finalized_at,
            deleted_at: recording.deleted_at,
            deletion_reason: recording.deletion_reason.clone(),
        }
    }
}
