//! Consent, the tech check, reading and watching a recording, and deleting it.

use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::ids::InterviewId;
use crate::rules::video_container::VideoContainer;
use crate::video::uploads::owned;
use crate::video::{RecordingStatus, VideoError, VideoRecording, VideoService};

/// The largest tech check stored, as JSON.
pub const TECH_CHECK_MAX_BYTES: usize = 4096;

/// The browser's device check before the interview, stored as given (within bounds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TechCheck {
    pub audio_test_passed: bool,
    pub camera_test_passed: bool,
    pub audio_metadata: Option<serde_json::Value>,
    pub camera_metadata: Option<serde_json::Value>,
    pub browser_info: Option<serde_json::Value>,
}

/// A finished recording to stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Playable {
    pub key: String,
    pub size: u64,
    pub container: VideoContainer,
}

impl VideoService {
    /// Stores the tech check of the candidate's own interview.
    ///
    /// # Errors
    /// [`VideoError::Invalid`] beyond [`TECH_CHECK_MAX_BYTES`]; [`VideoError::NotFound`] for
    /// anyone but the owner.
    pub async fn record_tech_check(
        &self,
        actor: Actor,
        interview: InterviewId,
        check: &TechCheck,
    ) -> Result<serde_json::Value, VideoError> {
        owned(self, actor, interview).await?;
        let mut stored = serde_json::to_value(check).unwrap_or_default();
        if let Some(fields) = stored.as_object_mut() {
            fields.insert(
                "checked_at".into(),
                serde_json::Value::String(self.clock.now().to_rfc3339()),
            );
        }
        if stored.to_string().len() > TECH_CHECK_MAX_BYTES {
            return Err(VideoError::Invalid {
                field: "tech_check",
                message: format!("at most {TECH_CHECK_MAX_BYTES} bytes of JSON"),
            });
        }
        self.recordings.save_tech_check(interview, &stored).await?;
        Ok(stored)
    }

    /// Records the candidate's consent decision (and when). Withdrawing stops further chunks;
    /// what is stored stays until the candidate deletes it ([`Self::delete`]).
    ///
    /// # Errors
    /// [`VideoError::NotFound`] for anyone but the owner.
    pub async fn set_consent(
        &self,
        actor: Actor,
        interview: InterviewId,
        consent: bool,
    ) -> Result<chrono::DateTime<chrono::Utc>, VideoError> {
        owned(self, actor, interview).await?;
        let now = self.clock.now();
        self.recordings.set_consent(interview, consent, now).await?;
        Ok(now)
    }

    /// The interview's recording: for its candidate, and for recruiters of its organization.
    ///
    /// # Errors
    /// [`VideoError::NotFound`] for anyone else, or when nothing was recorded.
    pub async fn recording(
        &self,
        actor: Actor,
        interview: InterviewId,
    ) -> Result<VideoRecording, VideoError> {
        self.interviews.get(interview, actor).await?;
        self.recordings
            .recording(interview)
            .await?
            .ok_or(VideoError::NotFound("recording"))
    }

    /// The finished recording to stream, for the same readers as [`Self::recording`].
    ///
    /// # Errors
    /// [`VideoError::NotFound`] unless it is finalized.
    pub async fn playable(
        &self,
        actor: Actor,
        interview: InterviewId,
    ) -> Result<Playable, VideoError> {
        let recording = self.recording(actor, interview).await?;
        match (recording.status, recording.storage_key, recording.container) {
            (RecordingStatus::Finalized, Some(key), Some(container)) => Ok(Playable {
                key,
                size: recording.file_size_bytes,
                container,
            }),
            _ => Err(VideoError::NotFound("recording")),
        }
    }

    /// Bytes of a playable recording.
    ///
    /// # Errors
    /// [`VideoError::Objects`].
    pub async fn read(
        &self,
        playable: &Playable,
        range: std::ops::Range<u64>,
    ) -> Result<Vec<u8>, VideoError> {
        Ok(self.storage.read_range(&playable.key, range).await?)
    }

    /// Deletes the candidate's recording at their request (chunks and assembled object); the
    /// row keeps that it existed.
    ///
    /// # Errors
    /// [`VideoError::NotFound`] for anyone but the owner, or when nothing was recorded.
    pub async fn delete(&self, actor: Actor, interview: InterviewId) -> Result<(), VideoError> {
        owned(self, actor, interview).await?;
        let recording = self
            .recordings
            .recording(interview)
            .await?
            .ok_or(VideoError::NotFound("recording"))?;
        if recording.status == RecordingStatus::Deleted {
            return Ok(());
        }
        self.erase(&recording, "candidate_request").await
    }

    /// Removes a recording's objects, then marks it deleted.
    pub(crate) async fn erase(
        &self,
        recording: &VideoRecording,
        reason: &str,
    ) -> Result<(), VideoError> {
        for chunk in self.recordings.chunks(recording.id).await? {
            self.storage.remove(&chunk.storage_key).await?;
        }
        if let Some(key) = &recording.storage_key {
            self.storage.remove(key).await?;
        }
        self.recordings
            .mark_deleted(recording, reason, self.clock.now())
            .await?;
        Ok(())
    }
}
