//! The core's `VideoStorage` port over the same object store as the blobs.
//!
//! Key layout, all under `interviews/{interview}/video/`:
//! - `staging/{uuid v4}`: an upload while it streams in, until it is kept or removed;
//! - `chunks/{index:06}-{sha256}`: a kept chunk (the hash keeps two bodies for one index apart);
//! - `recording.{webm|mp4}`: the assembled recording.
//!
//! Every key is made of typed ids, fixed words, indexes and hex hashes, never client text.
//! Uploads and the assembly stream through multipart uploads, so memory stays bounded by a few
//! parts, whatever the size of a chunk or a recording.

use std::ops::Range;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::TryStreamExt;
use interview_core::ids::InterviewId;
use interview_core::ports::{BlobError, ByteSource, StageError, StagedChunk, VideoStorage};
use interview_core::rules::video_container::{SNIFF_BYTES, VideoContainer};
use object_store::path::Path;
use object_store::{ObjectStoreExt, WriteMultipart};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{ObjectBlobStore, translate};

/// Parts uploading at once; with the one being filled, memory stays under
/// `(MAX_PARTS_IN_FLIGHT + 1) * part_size` per upload.
const MAX_PARTS_IN_FLIGHT: usize = 2;

/// A hex SHA-256, as [`StagedChunk::sha256`] holds it.
fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

/// A key handed back by the core: one this adapter built for a recording.
fn video_path(key: &str) -> Result<Path, BlobError> {
    let invalid = || BlobError::Unavailable(format!("not a video storage key: {key:?}"));
    let path = Path::parse(key).map_err(|_| invalid())?;
    let parts: Vec<_> = path.parts().collect();
    let is_video = parts.len() >= 4
        && parts[0].as_ref() == "interviews"
        && parts[1].as_ref().parse::<InterviewId>().is_ok()
        && parts[2].as_ref() == "video";
    if is_video { Ok(path) } else { Err(invalid()) }
}

fn unavailable(error: &object_store::Error) -> StageError {
    StageError::Storage(BlobError::Unavailable(error.to_string()))
}

impl ObjectBlobStore {
    /// Where an interview's uploads wait while they stream in:
    /// `interviews/{interview}/video/staging`.
    pub fn video_staging_prefix(interview: InterviewId) -> Path {
        Path::from(format!("interviews/{interview}/video/staging"))
    }

    /// A kept chunk: `interviews/{interview}/video/chunks/{index:06}-{sha256}`.
    pub fn video_chunk_key(interview: InterviewId, index: u32, sha256: &str) -> Path {
        Path::from(format!(
            "interviews/{interview}/video/chunks/{index:06}-{sha256}"
        ))
    }

    /// The assembled recording: `interviews/{interview}/video/recording.{webm|mp4}`.
    pub fn video_recording_key(interview: InterviewId, container: VideoContainer) -> Path {
        Path::from(format!(
            "interviews/{interview}/video/recording.{}",
            container.as_str()
        ))
    }

    /// Streams the chunk objects, in order, into `writer`; returns the bytes written.
    async fn append_chunks(
        &self,
        writer: &mut WriteMultipart,
        chunks: &[String],
    ) -> Result<u64, BlobError> {
        let mut total = 0u64;
        for chunk in chunks {
            let path = video_path(chunk)?;
            let mut stream = self
                .store
                .get(&path)
                .await
                .map_err(translate)?
                .into_stream();
            while let Some(bytes) = stream.try_next().await.map_err(translate)? {
                writer
                    .wait_for_capacity(MAX_PARTS_IN_FLIGHT)
                    .await
                    .map_err(translate)?;
                total += bytes.len() as u64;
                writer.put(bytes);
            }
        }
        Ok(total)
    }
}

/// What [`ObjectBlobStore::stage`] learns of a body while it streams it.
struct Digesting {
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
}

impl Digesting {
    fn new() -> Self {
        Self {
            hasher: Sha256::new(),
            size: 0,
            head: Vec::with_capacity(SNIFF_BYTES),
        }
    }

    fn update(&mut self, piece: &[u8]) {
        self.hasher.update(piece);
        self.size += piece.len() as u64;
        let wanted = SNIFF_BYTES.saturating_sub(self.head.len()).min(piece.len());
        self.head.extend_from_slice(&piece[..wanted]);
    }
}

/// Pulls `body` into `writer` while digesting it; stops at the first error or beyond `max_bytes`.
async fn pump(
    body: &mut (dyn ByteSource + 'static),
    writer: &mut WriteMultipart,
    digest: &mut Digesting,
    max_bytes: u64,
) -> Result<(), StageError> {
    while let Some(piece) = body.next_piece().await {
        let piece = piece?;
        if piece.is_empty() {
            continue;
        }
        if digest.size + piece.len() as u64 > max_bytes {
            return Err(StageError::TooLarge { limit: max_bytes });
        }
        digest.update(&piece);
        writer
            .wait_for_capacity(MAX_PARTS_IN_FLIGHT)
            .await
            .map_err(|error| unavailable(&error))?;
        writer.put(Bytes::from(piece));
    }
    Ok(())
}

#[async_trait]
impl VideoStorage for ObjectBlobStore {
    async fn stage(
        &self,
        interview: InterviewId,
        body: &mut (dyn ByteSource + 'static),
        max_bytes: u64,
    ) -> Result<StagedChunk, StageError> {
        let path = Self::video_staging_prefix(interview).join(Uuid::new_v4().to_string());
        let upload = self
            .store
            .put_multipart(&path)
            .await
            .map_err(|error| unavailable(&error))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, self.part_size);
        let mut digest = Digesting::new();
        if let Err(error) = pump(body, &mut writer, &mut digest, max_bytes).await {
            // nothing becomes visible before `finish`; aborting drops the parts written so far
            let _ = writer.abort().await;
            return Err(error);
        }
        // on failure `finish` aborts the upload itself
        writer.finish().await.map_err(|error| unavailable(&error))?;
        Ok(StagedChunk {
            key: path.to_string(),
            size: digest.size,
            sha256: hex::encode(digest.hasher.finalize()),
            head: digest.head,
        })
    }

    async fn keep_chunk(
        &self,
        interview: InterviewId,
        staged: &StagedChunk,
        index: u32,
    ) -> Result<String, BlobError> {
        let from = video_path(&staged.key)?;
        if !from.prefix_matches(&Self::video_staging_prefix(interview))
            || !is_sha256_hex(&staged.sha256)
        {
            return Err(BlobError::Unavailable(format!(
                "not a staged upload of interview {interview}: {:?}",
                staged.key
            )));
        }
        let to = Self::video_chunk_key(interview, index, &staged.sha256);
        self.store.rename(&from, &to).await.map_err(translate)?;
        Ok(to.to_string())
    }

    async fn remove(&self, key: &str) -> Result<(), BlobError> {
        match self.store.delete(&video_path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(other) => Err(translate(other)),
        }
    }

    async fn assemble(
        &self,
        interview: InterviewId,
        chunks: &[String],
        container: VideoContainer,
    ) -> Result<(String, u64), BlobError> {
        let path = Self::video_recording_key(interview, container);
        let _turn = self
            .assemblies
            .acquire()
            .await
            .map_err(|_| BlobError::Unavailable("the store is shutting down".into()))?;
        let upload = self.store.put_multipart(&path).await.map_err(translate)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, self.part_size);
        match self.append_chunks(&mut writer, chunks).await {
            Ok(total) => {
                writer.finish().await.map_err(translate)?;
                Ok((path.to_string(), total))
            }
            Err(error) => {
                let _ = writer.abort().await;
                Err(error)
            }
        }
    }

    async fn read_range(&self, key: &str, range: Range<u64>) -> Result<Vec<u8>, BlobError> {
        let path = video_path(key)?;
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let bytes = self
            .store
            .get_range(&path, range)
            .await
            .map_err(translate)?;
        Ok(bytes.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_made_of_ids_indexes_and_hashes() {
        let interview = InterviewId::new();
        let sha = "ab".repeat(32);
        assert_eq!(
            ObjectBlobStore::video_chunk_key(interview, 7, &sha).to_string(),
            format!("interviews/{interview}/video/chunks/000007-{sha}")
        );
        assert_eq!(
            ObjectBlobStore::video_recording_key(interview, VideoContainer::Mp4).to_string(),
            format!("interviews/{interview}/video/recording.mp4")
        );
        assert_eq!(
            ObjectBlobStore::video_staging_prefix(interview).to_string(),
            format!("interviews/{interview}/video/staging")
        );
    }

    #[test]
    fn only_video_keys_are_accepted_back() {
        let interview = InterviewId::new();
        assert!(video_path(&format!("interviews/{interview}/video/recording.webm")).is_ok());
        for key in [
            String::new(),
            "interviews/../etc/passwd".to_owned(),
            format!("interviews/{interview}/audio/x.webm"),
            format!("interviews/{interview}/video/../../x"),
            "interviews/not-an-id/video/recording.webm".to_owned(),
        ] {
            assert!(video_path(&key).is_err(), "{key}");
        }
        assert!(is_sha256_hex(&"0f".repeat(32)));
        assert!(!is_sha256_hex(&"0F".repeat(32)));
        assert!(!is_sha256_hex("../"));
    }
}
