//! Video recordings with consent: the tech check and the consent decision, resumable chunk
//! uploads (`uploads`), assembly into one object and watching it (`recordings`), and the
//! retention sweep (`retention`), which also removes stored message audio past its time.

mod errors;
mod model;
mod recordings;
mod retention;
mod uploads;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use errors::VideoError;
pub use model::{
    ChunkAccepted, ChunkList, RecordingStatus, StoredChunk, SweepReport, VideoRecording,
};
pub use recordings::{Playable, TECH_CHECK_MAX_BYTES, TechCheck};
pub use uploads::{UploadPermit, recording_url};

use crate::interview::InterviewService;
use crate::ports::{BlobStore, Clock, VideoRepository, VideoStorage};

/// Limits of video recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VideoSettings {
    /// The largest chunk.
    pub max_chunk_bytes: u64,
    /// The largest recording, all chunks together.
    pub max_recording_bytes: u64,
    /// The most chunks one recording may have.
    pub max_chunks: u32,
    /// How long after the interview ends its last chunks may still arrive.
    pub upload_grace_seconds: i64,
    /// Finalized recordings older than this are deleted (configured as
    /// `storage.retention_days`, beside the storage it applies to).
    #[serde(skip)]
    pub retention_days: i64,
    /// Uploads never finalized are deleted this long after their last chunk.
    pub abandoned_upload_hours: i64,
}

impl Default for VideoSettings {
    fn default() -> Self {
        Self {
            max_chunk_bytes: 10 * 1024 * 1024,
            max_recording_bytes: 2 * 1024 * 1024 * 1024,
            max_chunks: 10_000,
            upload_grace_seconds: 600,
            retention_days: 90,
            abandoned_upload_hours: 24,
        }
    }
}

pub struct VideoService {
    interviews: Arc<InterviewService>,
    recordings: Arc<dyn VideoRepository>,
    storage: Arc<dyn VideoStorage>,
    /// Where message audio lives: retention removes it too.
    audio: Arc<dyn BlobStore>,
    clock: Arc<dyn Clock>,
    settings: VideoSettings,
}

impl VideoService {
    pub fn new(
        interviews: Arc<InterviewService>,
        recordings: Arc<dyn VideoRepository>,
        storage: Arc<dyn VideoStorage>,
        audio: Arc<dyn BlobStore>,
        clock: Arc<dyn Clock>,
        settings: VideoSettings,
    ) -> Self {
        Self {
            interviews,
            recordings,
            storage,
            audio,
            clock,
            settings,
        }
    }

    pub const fn settings(&self) -> &VideoSettings {
        &self.settings
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod service_tests;
