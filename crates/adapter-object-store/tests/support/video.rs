//! Test bodies, test bytes, and the three backends the video scenarios run on.

use std::sync::Arc;

use adapter_object_store::{BlobSettings, ObjectBlobStore};
use async_trait::async_trait;
use futures_util::TryStreamExt;
use interview_core::ids::InterviewId;
use interview_core::ports::{ByteSource, SourceError, VideoStorage};
use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use sha2::{Digest, Sha256};

pub const MIB: usize = 1024 * 1024;
/// The size of the pieces a test body yields: a few KB, like a request body.
pub const PIECE: usize = 4 * 1024;

/// A body yielding `data` in pieces, failing instead of yielding the byte at `fail_at`.
pub struct Body {
    data: Vec<u8>,
    at: usize,
    fail_at: Option<usize>,
}

impl Body {
    pub fn new(data: &[u8]) -> Self {
        Self {
            data: data.to_vec(),
            at: 0,
            fail_at: None,
        }
    }

    pub fn failing_at(data: &[u8], fail_at: usize) -> Self {
        Self {
            fail_at: Some(fail_at),
            ..Self::new(data)
        }
    }
}

#[async_trait]
impl ByteSource for Body {
    async fn next_piece(&mut self) -> Option<Result<Vec<u8>, SourceError>> {
        let end = (self.at + PIECE).min(self.data.len());
        if self.fail_at.is_some_and(|fail_at| fail_at < end) {
            return Some(Err(SourceError("the client went away".into())));
        }
        if self.at == end {
            return None;
        }
        let piece = self.data[self.at..end].to_vec();
        self.at = end;
        Some(Ok(piece))
    }
}

/// Bytes that differ per `seed` and do not repeat at any part or piece boundary.
pub fn bytes(len: usize, seed: u8) -> Vec<u8> {
    let mut state = 0x9e37_79b9_u32 ^ u32::from(seed);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state.to_le_bytes()[0]
        })
        .collect()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The port under test, and a second handle on the same objects to look behind it.
pub struct Backend {
    pub video: ObjectBlobStore,
    pub raw: Arc<dyn ObjectStore>,
    /// The S3 server's directory, where its multipart parts in progress sit.
    pub s3_root: Option<std::path::PathBuf>,
    _dir: Option<tempfile::TempDir>,
}

// every backend is built the same way by the scenarios' macro, though only S3 needs to await
#[allow(clippy::unused_async)]
impl Backend {
    pub async fn memory() -> Self {
        let raw: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        Self {
            video: ObjectBlobStore::new(Arc::clone(&raw)),
            raw,
            s3_root: None,
            _dir: None,
        }
    }

    pub async fn local() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let directory = dir.path().join("objects");
        let video = ObjectBlobStore::from_settings(&BlobSettings::Local {
            directory: directory.clone(),
        })
        .unwrap();
        Self {
            video,
            raw: Arc::new(LocalFileSystem::new_with_prefix(directory).unwrap()),
            s3_root: None,
            _dir: Some(dir),
        }
    }

    pub async fn s3() -> Self {
        let (endpoint, root) = super::s3_server().await;
        let raw = AmazonS3Builder::new()
            .with_bucket_name(super::BUCKET)
            .with_region("us-east-1")
            .with_endpoint(&endpoint)
            .with_access_key_id(super::ACCESS_KEY)
            .with_secret_access_key(super::SECRET_KEY)
            .with_allow_http(true)
            .build()
            .unwrap();
        Self {
            video: super::s3_store(&endpoint, super::SECRET_KEY),
            raw: Arc::new(raw),
            s3_root: Some(root.path().to_path_buf()),
            _dir: Some(root),
        }
    }

    /// The keys stored under `prefix`, sorted.
    pub async fn keys(&self, prefix: &Path) -> Vec<String> {
        let mut keys: Vec<String> = self
            .raw
            .list(Some(prefix))
            .map_ok(|meta| meta.location.to_string())
            .try_collect()
            .await
            .unwrap();
        keys.sort();
        keys
    }

    /// Nothing of the interview is stored, nor any multipart upload left open.
    pub async fn assert_nothing_left(&self, interview: InterviewId) {
        let prefix = Path::from(format!("interviews/{interview}"));
        assert_eq!(self.keys(&prefix).await, Vec::<String>::new());
        if let Some(root) = &self.s3_root {
            let pending: Vec<_> = std::fs::read_dir(root)
                .unwrap()
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|name| name.starts_with(".upload"))
                .collect();
            assert!(pending.is_empty(), "open multipart uploads: {pending:?}");
        }
    }
}

/// Reads `key` back in pieces of an odd size.
pub async fn read_all(store: &ObjectBlobStore, key: &str, size: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < size {
        let end = (at + 1_000_003).min(size);
        out.extend(store.read_range(key, at..end).await.unwrap());
        at = end;
    }
    out
}
