//! Recordings and their objects in memory, with the database's and the object store's rules
//! (one chunk per index, totals kept with each chunk, staging keys apart from chunk keys).

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::{InMemoryInterviews, locked};
use crate::ids::{InterviewId, VideoRecordingId};
use crate::ports::{
    BlobError, BlobRef, ByteSource, RepositoryError, SourceError, StageError, StagedChunk,
    VideoRepository, VideoStorage,
};
use crate::rules::video_container::{SNIFF_BYTES, VideoContainer};
use crate::video::{RecordingStatus, StoredChunk, VideoRecording};

#[derive(Default)]
struct State {
    audio: Vec<(BlobRef, DateTime<Utc>)>,
    recordings: HashMap<InterviewId, VideoRecording>,
    chunks: HashMap<VideoRecordingId, BTreeMap<u32, StoredChunk>>,
    objects: HashMap<String, Vec<u8>>,
    staged: u64,
}

/// The video repository and storage ports in memory; consent and tech checks go to the
/// interviews they belong to.
pub struct InMemoryVideos {
    interviews: Arc<InMemoryInterviews>,
    state: Mutex<State>,
}

impl InMemoryVideos {
    pub fn new(interviews: Arc<InMemoryInterviews>) -> Self {
        Self {
            interviews,
            state: Mutex::default(),
        }
    }

    /// The keys of every stored object, sorted.
    pub fn object_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = locked(&self.state).objects.keys().cloned().collect();
        keys.sort();
        keys
    }

    pub fn object(&self, key: &str) -> Option<Vec<u8>> {
        locked(&self.state).objects.get(key).cloned()
    }

    /// Notes a message's stored audio, written at `at`.
    pub fn add_audio(&self, audio: BlobRef, at: DateTime<Utc>) {
        locked(&self.state).audio.push((audio, at));
    }

    /// The audio still linked from its message.
    pub fn linked_audio(&self) -> Vec<BlobRef> {
        locked(&self.state)
            .audio
            .iter()
            .map(|(audio, _)| audio.clone())
            .collect()
    }
}

/// A body given as pieces, optionally failing after them.
pub struct PieceSource {
    pieces: std::vec::IntoIter<Vec<u8>>,
    fail_at_end: bool,
}

impl PieceSource {
    pub fn new(pieces: Vec<Vec<u8>>) -> Self {
        Self {
            pieces: pieces.into_iter(),
            fail_at_end: false,
        }
    }

    pub fn broken(pieces: Vec<Vec<u8>>) -> Self {
        Self {
            pieces: pieces.into_iter(),
            fail_at_end: true,
        }
    }
}

#[async_trait]
impl ByteSource for PieceSource {
    async fn next_piece(&mut self) -> Option<Result<Vec<u8>, SourceError>> {
        match self.pieces.next() {
            Some(piece) => Some(Ok(piece)),
            None if self.fail_at_end => {
                self.fail_at_end = false;
                Some(Err(SourceError("connection reset".into())))
            }
            None => None,
        }
    }
}

#[async_trait]
impl VideoStorage for InMemoryVideos {
    async fn stage(
        &self,
        interview: InterviewId,
        body: &mut (dyn ByteSource + 'static),
        max_bytes: u64,
    ) -> Result<StagedChunk, StageError> {
        let mut bytes = Vec::new();
        while let Some(piece) = body.next_piece().await {
            bytes.extend_from_slice(&piece?);
            if bytes.len() as u64 > max_bytes {
                return Err(StageError::TooLarge { limit: max_bytes });
            }
        }
        let mut state = locked(&self.state);
        state.staged += 1;
        let key = format!("interviews/{interview}/video/staging/{}", state.staged);
        let staged = StagedChunk {
            key: key.clone(),
            size: bytes.len() as u64,
            sha256: hex::encode(Sha256::digest(&bytes)),
            head: bytes.iter().copied().take(SNIFF_BYTES).collect(),
        };
        state.objects.insert(key, bytes);
        Ok(staged)
    }

    async fn keep_chunk(
        &self,
        interview: InterviewId,
        staged: &StagedChunk,
        index: u32,
    ) -> Result<String, BlobError> {
        let mut state = locked(&self.state);
        let bytes = state
            .objects
            .remove(&staged.key)
            .ok_or(BlobError::NotFound)?;
        let key = format!(
            "interviews/{interview}/video/chunks/{index:06}-{}",
            staged.sha256
        );
        state.objects.insert(key.clone(), bytes);
        Ok(key)
    }

    async fn remove(&self, key: &str) -> Result<(), BlobError> {
        locked(&self.state).objects.remove(key);
        Ok(())
    }

    async fn assemble(
        &self,
        interview: InterviewId,
        chunks: &[String],
        container: VideoContainer,
    ) -> Result<(String, u64), BlobError> {
        let mut state = locked(&self.state);
        let mut whole = Vec::new();
        for key in chunks {
            whole.extend_from_slice(state.objects.get(key).ok_or(BlobError::NotFound)?);
        }
        let key = format!("interviews/{interview}/video/recording.{container}");
        let size = whole.len() as u64;
        state.objects.insert(key.clone(), whole);
        Ok((key, size))
    }

    async fn read_range(&self, key: &str, range: Range<u64>) -> Result<Vec<u8>, BlobError> {
        let state = locked(&self.state);
        let bytes = state.objects.get(key).ok_or(BlobError::NotFound)?;
        let end = usize::try_from(range.end)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        let start = usize::try_from(range.start).unwrap_or(usize::MAX).min(end);
        Ok(bytes[start..end].to_vec())
    }
}

#[async_trait]
impl VideoRepository for InMemoryVideos {
    async fn recording(
        &self,
        interview: InterviewId,
    ) -> Result<Option<VideoRecording>, RepositoryError> {
        Ok(locked(&self.state).recordings.get(&interview).cloned())
    }

    async fn create(&self, recording: &VideoRecording) -> Result<(), RepositoryError> {
        let mut state = locked(&self.state);
        if state.recordings.contains_key(&recording.interview_id) {
            return Err(RepositoryError::Duplicate("recording".into()));
        }
        state
            .recordings
            .insert(recording.interview_id, recording.clone());
        Ok(())
    }

    async fn chunks(
        &self,
        recording: VideoRecordingId,
    ) -> Result<Vec<StoredChunk>, RepositoryError> {
        Ok(locked(&self.state)
            .chunks
            .get(&recording)
            .map(|chunks| chunks.values().cloned().collect())
            .unwrap_or_default())
    }

    async fn add_chunk(
        &self,
        recording: VideoRecordingId,
        chunk: &StoredChunk,
        container: Option<VideoContainer>,
        expected_chunks: Option<u32>,
    ) -> Result<(), RepositoryError> {
        let mut state = locked(&self.state);
        let chunks = state.chunks.entry(recording).or_default();
        if chunks.contains_key(&chunk.index) {
            return Err(RepositoryError::Duplicate("chunk".into()));
        }
        chunks.insert(chunk.index, chunk.clone());
        let stored = state
            .recordings
            .values_mut()
            .find(|stored| stored.id == recording)
            .ok_or(RepositoryError::NotFound)?;
        stored.chunk_count += 1;
        stored.file_size_bytes += chunk.size;
        stored.last_chunk_at = Some(chunk.stored_at);
        stored.container = container.or(stored.container);
        stored.expected_chunks = expected_chunks.or(stored.expected_chunks);
        Ok(())
    }

    async fn finalize(&self, recording: &VideoRecording, url: &str) -> Result<(), RepositoryError> {
        let mut state = locked(&self.state);
        state.chunks.remove(&recording.id);
        state
            .recordings
            .insert(recording.interview_id, recording.clone());
        drop(state);
        self.interviews
            .update_interview(recording.interview_id, |interview| {
                interview.video_recording_url = Some(url.to_owned());
            });
        Ok(())
    }

    async fn mark_deleted(
        &self,
        recording: &VideoRecording,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let mut state = locked(&self.state);
        state.chunks.remove(&recording.id);
        if let Some(stored) = state.recordings.get_mut(&recording.interview_id) {
            stored.status = RecordingStatus::Deleted;
            stored.deleted_at = Some(at);
            stored.deletion_reason = Some(reason.to_owned());
            stored.storage_key = None;
        }
        drop(state);
        self.interviews
            .update_interview(recording.interview_id, |interview| {
                interview.video_recording_url = None;
            });
        Ok(())
    }

    async fn expired(
        &self,
        finalized_before: DateTime<Utc>,
        abandoned_before: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<VideoRecording>, RepositoryError> {
        Ok(locked(&self.state)
            .recordings
            .values()
            .filter(|recording| match recording.status {
                RecordingStatus::Finalized => recording
                    .finalized_at
                    .is_some_and(|at| at < finalized_before),
                RecordingStatus::Recording => {
                    recording.last_chunk_at.unwrap_or(recording.created_at) < abandoned_before
                }
                RecordingStatus::Deleted => false,
            })
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .cloned()
            .collect())
    }

    async fn expired_audio(
        &self,
        before: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<BlobRef>, RepositoryError> {
        Ok(locked(&self.state)
            .audio
            .iter()
            .filter(|(_, at)| *at < before)
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|(audio, _)| audio.clone())
            .collect())
    }

    async fn forget_audio(&self, audio: &BlobRef) -> Result<(), RepositoryError> {
        locked(&self.state).audio.retain(|(kept, _)| kept != audio);
        Ok(())
    }

    async fn set_consent(
        &self,
        interview: InterviewId,
        consent: bool,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let found = self.interviews.update_interview(interview, |stored| {
            stored.video_recording_consent = consent;
            stored.video_consent_at = Some(at);
        });
        found.then_some(()).ok_or(RepositoryError::NotFound)
    }

    async fn save_tech_check(
        &self,
        interview: InterviewId,
        check: &serde_json::Value,
    ) -> Result<(), RepositoryError> {
        let found = self.interviews.update_interview(interview, |stored| {
            stored.tech_check_metadata = Some(check.clone());
        });
        found.then_some(()).ok_or(RepositoryError::NotFound)
    }
}
