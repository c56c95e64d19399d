//! Chunk uploads: who may upload when, staging the body, keeping it under its index exactly
//! once, and assembling the recording when every chunk is there.
//!
//! An upload is checked before its body is read ([`VideoService::begin_upload`]: the owner,
//! consent, an interview in progress or within the grace period after it ended), staged while it
//! streams in ([`VideoService::stage`]), then committed under its index
//! ([`VideoService::commit_chunk`]). The same body for a stored index is accepted again without
//! storing it twice; a different body is refused.

use std::collections::BTreeSet;

use chrono::Duration;

use crate::actor::Actor;
use crate::ids::{InterviewId, VideoRecordingId};
use crate::model::Interview;
use crate::ports::{ByteSource, RepositoryError, StageError, StagedChunk};
use crate::rules::lifecycle::InterviewStatus;
use crate::rules::video_container::accept;
use crate::video::{
    ChunkAccepted, ChunkList, RecordingStatus, StoredChunk, VideoError, VideoRecording,
    VideoService,
};

/// The right to upload to an interview's recording, checked before the body is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadPermit {
    interview: InterviewId,
}

/// The interview, when `actor` is the candidate who owns it.
pub(crate) async fn owned(
    service: &VideoService,
    actor: Actor,
    interview: InterviewId,
) -> Result<Interview, VideoError> {
    let record = service.interviews.get(interview, actor).await?;
    if actor.candidate() == Some(record.interview.candidate_id) {
        Ok(record.interview)
    } else {
        Err(VideoError::NotFound("interview"))
    }
}

/// The chunk indexes below `expected` (or the highest stored one) that are not stored.
fn gaps(indexes: &BTreeSet<u32>, expected: Option<u32>) -> Vec<u32> {
    let end = expected
        .or_else(|| indexes.last().map(|last| last + 1))
        .unwrap_or(0);
    (0..end).filter(|index| !indexes.contains(index)).collect()
}

impl VideoService {
    fn check_window(&self, interview: &Interview) -> Result<(), VideoError> {
        if !interview.video_recording_consent {
            return Err(VideoError::ConsentRequired);
        }
        match interview.status {
            InterviewStatus::InProgress => Ok(()),
            InterviewStatus::Scheduled => Err(VideoError::UploadClosed(
                "the interview has not started".into(),
            )),
            InterviewStatus::Completed | InterviewStatus::Abandoned => {
                let grace = Duration::seconds(self.settings.upload_grace_seconds);
                let ended = interview.completed_at.unwrap_or(interview.created_at);
                if self.clock.now() <= ended + grace {
                    Ok(())
                } else {
                    Err(VideoError::UploadClosed(format!(
                        "the interview ended more than {} seconds ago",
                        self.settings.upload_grace_seconds
                    )))
                }
            }
        }
    }

    /// Checks that `actor` may upload to the interview's recording now.
    ///
    /// # Errors
    /// [`VideoError::NotFound`] for anyone but the owner; [`VideoError::ConsentRequired`];
    /// [`VideoError::UploadClosed`]; [`VideoError::RecordingClosed`].
    pub async fn begin_upload(
        &self,
        actor: Actor,
        interview: InterviewId,
    ) -> Result<UploadPermit, VideoError> {
        let found = owned(self, actor, interview).await?;
        self.check_window(&found)?;
        if let Some(recording) = self.recordings.recording(interview).await? {
            match recording.status {
                RecordingStatus::Recording => {}
                RecordingStatus::Finalized => return Err(VideoError::RecordingClosed("finalized")),
                RecordingStatus::Deleted => return Err(VideoError::RecordingClosed("deleted")),
            }
        }
        Ok(UploadPermit { interview })
    }

    /// Streams an upload's body into staging.
    ///
    /// # Errors
    /// [`VideoError::ChunkTooLarge`]; [`VideoError::Source`] when the body breaks off.
    pub async fn stage(
        &self,
        permit: &UploadPermit,
        body: &mut (dyn ByteSource + 'static),
    ) -> Result<StagedChunk, VideoError> {
        let limit = self.settings.max_chunk_bytes;
        self.storage
            .stage(permit.interview, body, limit)
            .await
            .map_err(|error| match error {
                StageError::TooLarge { limit } => VideoError::ChunkTooLarge { limit },
                StageError::Source(error) => VideoError::Source(error),
                StageError::Storage(error) => VideoError::Objects(error),
            })
    }

    /// Drops a staged upload that will not be committed (its request failed). A staging
    /// object that cannot be removed now is only wasted space.
    pub async fn discard(&self, staged: &StagedChunk) {
        self.storage.remove(&staged.key).await.ok();
    }

    async fn recording_for(&self, interview: InterviewId) -> Result<VideoRecording, VideoError> {
        if let Some(recording) = self.recordings.recording(interview).await? {
            return Ok(recording);
        }
        let fresh = VideoRecording {
            id: VideoRecordingId::new(),
            interview_id: interview,
            status: RecordingStatus::Recording,
            container: None,
            chunk_count: 0,
            file_size_bytes: 0,
            expected_chunks: None,
            storage_key: None,
            created_at: self.clock.now(),
            last_chunk_at: None,
            finalized_at: None,
            deleted_at: None,
            deletion_reason: None,
        };
        match self.recordings.create(&fresh).await {
            Ok(()) => Ok(fresh),
            // a concurrent first chunk created it
            Err(RepositoryError::Duplicate(_)) => self
                .recordings
                .recording(interview)
                .await?
                .ok_or(VideoError::NotFound("recording")),
            Err(other) => Err(other.into()),
        }
    }

    /// Keeps a staged upload as chunk `index`. `expected_chunks` is the count the client
    /// announced (`total_chunks`, or `index + 1` for its final chunk); once every announced
    /// chunk is stored the recording is assembled.
    ///
    /// # Errors
    /// [`VideoError::UnsupportedType`], [`VideoError::StorageLimit`],
    /// [`VideoError::ChunkMismatch`], [`VideoError::Invalid`]; the staged upload is removed.
    pub async fn commit_chunk(
        &self,
        permit: &UploadPermit,
        staged: StagedChunk,
        index: u32,
        expected_chunks: Option<u32>,
    ) -> Result<ChunkAccepted, VideoError> {
        let result = self.keep(permit, &staged, index, expected_chunks).await;
        if result.is_err() {
            self.discard(&staged).await;
        }
        let (recording, stored) = result?;
        let finalized = match recording.expected_chunks {
            Some(expected) if stored.len() as u64 >= u64::from(expected) => {
                match self.assemble(recording).await {
                    Ok(done) => Some(done),
                    // chunks still in flight (an index beyond the announced count): wait for them
                    Err(VideoError::MissingChunks { .. }) => None,
                    Err(other) => return Err(other),
                }
            }
            _ => None,
        };
        Ok(ChunkAccepted {
            index,
            total_uploaded: u32::try_from(stored.len()).unwrap_or(u32::MAX),
            uploaded_at: self.clock.now(),
            finalized,
        })
    }

    async fn keep(
        &self,
        permit: &UploadPermit,
        staged: &StagedChunk,
        index: u32,
        expected_chunks: Option<u32>,
    ) -> Result<(VideoRecording, Vec<StoredChunk>), VideoError> {
        if index >= self.settings.max_chunks {
            return Err(VideoError::Invalid {
                field: "chunk_index",
                message: format!("at most {} chunks", self.settings.max_chunks),
            });
        }
        if let Some(expected) = expected_chunks
            && (expected == 0 || expected > self.settings.max_chunks || index >= expected)
        {
            return Err(VideoError::Invalid {
                field: "total_chunks",
                message: format!(
                    "must be above chunk_index and at most {}",
                    self.settings.max_chunks
                ),
            });
        }
        let container = accept(index, &staged.head).map_err(|_| {
            VideoError::UnsupportedType(if index == 0 {
                "the first chunk must start a WebM or MP4 video".to_owned()
            } else {
                "the chunk is not part of a WebM or MP4 video".to_owned()
            })
        })?;
        let recording = self.recording_for(permit.interview).await?;
        let stored = self.recordings.chunks(recording.id).await?;
        if let Some(existing) = stored.iter().find(|chunk| chunk.index == index) {
            return if existing.sha256 == staged.sha256 {
                self.discard(staged).await;
                Ok((recording, stored))
            } else {
                Err(VideoError::ChunkMismatch { index })
            };
        }
        let limit = self.settings.max_recording_bytes;
        if recording.file_size_bytes.saturating_add(staged.size) > limit {
            return Err(VideoError::StorageLimit { limit });
        }
        let key = self
            .storage
            .keep_chunk(permit.interview, staged, index)
            .await?;
        let chunk = StoredChunk {
            index,
            size: staged.size,
            sha256: staged.sha256.clone(),
            storage_key: key.clone(),
            stored_at: self.clock.now(),
        };
        match self
            .recordings
            .add_chunk(recording.id, &chunk, container, expected_chunks)
            .await
        {
            Ok(()) => {}
            Err(RepositoryError::Duplicate(_)) => {
                // a concurrent upload of this index won; the same body means the same key
                let winner = self.recordings.chunks(recording.id).await?;
                let same = winner
                    .iter()
                    .any(|chunk| chunk.index == index && chunk.sha256 == staged.sha256);
                if !same {
                    self.storage.remove(&key).await?;
                    return Err(VideoError::ChunkMismatch { index });
                }
            }
            Err(other) => return Err(other.into()),
        }
        let recording = self
            .recordings
            .recording(permit.interview)
            .await?
            .ok_or(VideoError::NotFound("recording"))?;
        let stored = self.recordings.chunks(recording.id).await?;
        Ok((recording, stored))
    }

    /// What is stored of the interview's recording, so a client can resend only the missing
    /// chunks.
    ///
    /// # Errors
    /// [`VideoError::NotFound`] for anyone but the owner.
    pub async fn chunks(
        &self,
        actor: Actor,
        interview: InterviewId,
    ) -> Result<ChunkList, VideoError> {
        owned(self, actor, interview).await?;
        let Some(recording) = self.recordings.recording(interview).await? else {
            return Ok(ChunkList {
                recording: None,
                indexes: Vec::new(),
                missing: Vec::new(),
            });
        };
        let indexes: BTreeSet<u32> = self
            .recordings
            .chunks(recording.id)
            .await?
            .iter()
            .map(|chunk| chunk.index)
            .collect();
        let missing = gaps(&indexes, recording.expected_chunks);
        Ok(ChunkList {
            recording: Some(recording),
            indexes: indexes.into_iter().collect(),
            missing,
        })
    }

    /// Assembles the recording from its chunks (again, harmlessly, when it is finalized).
    ///
    /// # Errors
    /// [`VideoError::MissingChunks`] listing the gaps; [`VideoError::NotFound`] without any
    /// chunk; as [`Self::begin_upload`] for who may.
    pub async fn finalize(
        &self,
        actor: Actor,
        interview: InterviewId,
    ) -> Result<VideoRecording, VideoError> {
        let found = owned(self, actor, interview).await?;
        let recording = self
            .recordings
            .recording(interview)
            .await?
            .ok_or(VideoError::NotFound("recording"))?;
        match recording.status {
            RecordingStatus::Finalized => Ok(recording),
            RecordingStatus::Deleted => Err(VideoError::RecordingClosed("deleted")),
            RecordingStatus::Recording => {
                self.check_window(&found)?;
                self.assemble(recording).await
            }
        }
    }

    async fn assemble(&self, mut recording: VideoRecording) -> Result<VideoRecording, VideoError> {
        let chunks = self.recordings.chunks(recording.id).await?;
        let indexes: BTreeSet<u32> = chunks.iter().map(|chunk| chunk.index).collect();
        let missing = gaps(&indexes, recording.expected_chunks);
        if !missing.is_empty() {
            return Err(VideoError::MissingChunks { missing });
        }
        let (false, Some(container)) = (chunks.is_empty(), recording.container) else {
            return Err(VideoError::MissingChunks { missing: vec![0] });
        };
        let keys: Vec<String> = chunks
            .iter()
            .map(|chunk| chunk.storage_key.clone())
            .collect();
        let (key, size) = self
            .storage
            .assemble(recording.interview_id, &keys, container)
            .await?;
        recording.status = RecordingStatus::Finalized;
        recording.chunk_count = u32::try_from(chunks.len()).unwrap_or(u32::MAX);
        recording.file_size_bytes = size;
        recording.storage_key = Some(key);
        recording.finalized_at = Some(self.clock.now());
        let url = recording_url(recording.interview_id);
        self.recordings.finalize(&recording, &url).await?;
        for chunk in &chunks {
            // the recording is whole: a chunk left behind is only wasted space
            self.storage.remove(&chunk.storage_key).await.ok();
        }
        Ok(recording)
    }
}

/// Where a finished recording streams from.
pub fn recording_url(interview: InterviewId) -> String {
    format!("/api/v1/videos/{interview}/stream")
}
