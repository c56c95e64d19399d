//! The core's `BlobStore` port over `Arc<dyn ObjectStore>`: a local directory (the default,
//! `./data/objects`), any S3-compatible service, or memory (tests). Storage keys are built here
//! from typed ids, never from anything a client sends, so no key can escape its prefix.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use interview_core::ports::{BlobError, BlobRef, BlobStore};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use serde::Deserialize;
use thiserror::Error;

#[cfg(feature = "test-s3")]
pub mod test_s3;
mod video;

/// Where blobs live.
#[derive(Clone, Deserialize)]
#[serde(tag = "backend", rename_all = "snake_case")]
pub enum BlobSettings {
    /// Files under a directory, created when missing.
    Local { directory: PathBuf },
    /// An S3-compatible bucket (AWS, MinIO, Ceph…).
    S3 {
        bucket: String,
        region: String,
        /// Custom endpoint for S3-compatible servers; AWS when absent.
        endpoint: Option<String>,
        access_key_id: Option<String>,
        secret_access_key: Option<String>,
        /// `https://endpoint/bucket/key` addressing, which MinIO-like servers need.
        #[serde(default = "default_true")]
        path_style: bool,
        /// Allow plain-HTTP endpoints (local MinIO, tests).
        #[serde(default)]
        allow_http: bool,
    },
    /// Memory, for tests: nothing survives the process.
    Memory,
}

fn default_true() -> bool {
    true
}

impl fmt::Debug for BlobSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Local { directory } => f
                .debug_struct("Local")
                .field("directory", directory)
                .finish(),
            Self::S3 {
                bucket,
                region,
                endpoint,
                path_style,
                ..
            } => f
                .debug_struct("S3")
                .field("bucket", bucket)
                .field("region", region)
                .field("endpoint", endpoint)
                .field("path_style", path_style)
                .finish_non_exhaustive(),
            Self::Memory => f.write_str("Memory"),
        }
    }
}

#[derive(Debug, Error)]
pub enum BlobSetupError {
    #[error("cannot create the blob directory {path}: {source}")]
    Directory {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid blob storage settings: {0}")]
    Invalid(String),
}

/// The blob store port over any `object_store` backend.
#[derive(Clone)]
pub struct ObjectBlobStore {
    store: Arc<dyn ObjectStore>,
    /// The part size of the multipart uploads that stage and assemble video: S3's minimum on
    /// S3, small elsewhere (a local file takes parts of any size), since each upload in progress
    /// holds about two parts in memory.
    part_size: usize,
    /// Recordings assembled at once on this node: each holds its parts in memory and keeps
    /// blocking threads busy reading chunks, so many at once would multiply both.
    assemblies: Arc<tokio::sync::Semaphore>,
}

/// The smallest part S3 accepts (except for the last one).
const S3_PART_SIZE: usize = 5 * 1024 * 1024;
/// The part size on a local directory or in memory.
const LOCAL_PART_SIZE: usize = 256 * 1024;
/// Recordings assembled at once per node.
const CONCURRENT_ASSEMBLIES: usize = 2;

impl fmt::Debug for ObjectBlobStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectBlobStore({})", self.store)
    }
}

impl ObjectBlobStore {
    /// A store with S3-sized parts (safe on every backend).
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self::with_part_size(store, S3_PART_SIZE)
    }

    fn with_part_size(store: Arc<dyn ObjectStore>, part_size: usize) -> Self {
        Self {
            store,
            part_size,
            assemblies: Arc::new(tokio::sync::Semaphore::new(CONCURRENT_ASSEMBLIES)),
        }
    }

    /// Builds the backend the settings name.
    ///
    /// # Errors
    /// [`BlobSetupError`] when the directory cannot be created or the S3 settings are invalid.
    pub fn from_settings(settings: &BlobSettings) -> Result<Self, BlobSetupError> {
        let store: Arc<dyn ObjectStore> = match settings {
            BlobSettings::Local { directory } => {
                std::fs::create_dir_all(directory).map_err(|source| BlobSetupError::Directory {
                    path: directory.display().to_string(),
                    source,
                })?;
                Arc::new(
                    LocalFileSystem::new_with_prefix(directory)
                        .map_err(|error| BlobSetupError::Invalid(error.to_string()))?,
                )
            }
            BlobSettings::S3 {
                bucket,
                region,
                endpoint,
                access_key_id,
                secret_access_key,
                path_style,
                allow_http,
            } => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_region(region)
                    .with_virtual_hosted_style_request(!path_style)
                    .with_allow_http(*allow_http);
                if let Some(endpoint) = endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                if let (Some(key), Some(secret)) = (access_key_id, secret_access_key) {
                    builder = builder
                        .with_access_key_id(key)
                        .with_secret_access_key(secret);
                }
                Arc::new(
                    builder
                        .build()
                        .map_err(|error| BlobSetupError::Invalid(error.to_string()))?,
                )
            }
            BlobSettings::Memory => Arc::new(InMemory::new()),
        };
        let part_size = match settings {
            BlobSettings::S3 { .. } => S3_PART_SIZE,
            BlobSettings::Local { .. } | BlobSettings::Memory => LOCAL_PART_SIZE,
        };
        Ok(Self::with_part_size(store, part_size))
    }

    /// The storage key of a blob: made of typed ids and fixed words only.
    pub fn key(blob: &BlobRef) -> Path {
        match blob {
            BlobRef::MessageAudio {
                interview,
                message,
                format,
            } => Path::from(format!(
                "interviews/{interview}/audio/{message}.{}",
                format.extension()
            )),
            BlobRef::Resume {
                candidate,
                resume,
                format,
            } => Path::from(format!("candidates/{candidate}/resumes/{resume}.{format}")),
        }
    }
}

fn translate(error: object_store::Error) -> BlobError {
    match error {
        object_store::Error::NotFound { .. } => BlobError::NotFound,
        other => BlobError::Unavailable(other.to_string()),
    }
}

#[async_trait]
impl BlobStore for ObjectBlobStore {
    async fn put(&self, blob: &BlobRef, bytes: Vec<u8>) -> Result<(), BlobError> {
        self.store
            .put(&Self::key(blob), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(translate)
    }

    async fn get(&self, blob: &BlobRef) -> Result<Vec<u8>, BlobError> {
        let result = self.store.get(&Self::key(blob)).await.map_err(translate)?;
        let bytes = result.bytes().await.map_err(translate)?;
        Ok(bytes.to_vec())
    }

    async fn size(&self, blob: &BlobRef) -> Result<u64, BlobError> {
        let meta = self.store.head(&Self::key(blob)).await.map_err(translate)?;
        Ok(meta.size)
    }

    async fn get_range(&self, blob: &BlobRef, range: Range<u64>) -> Result<Vec<u8>, BlobError> {
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let bytes = self
            .store
            .get_range(&Self::key(blob), range)
            .await
            .map_err(translate)?;
        Ok(bytes.to_vec())
    }

    async fn delete(&self, blob: &BlobRef) -> Result<(), BlobError> {
        match self.store.delete(&Self::key(blob)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(other) => Err(translate(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use interview_core::ids::{InterviewId, MessageId};
    use interview_core::ports::AudioFormat;

    fn clip() -> BlobRef {
        BlobRef::MessageAudio {
            interview: InterviewId::new(),
            message: MessageId::new(),
            format: AudioFormat::Webm,
        }
    }

    async fn round_trip(store: &ObjectBlobStore) {
        let blob = clip();
        let audio: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        store.put(&blob, audio.clone()).await.unwrap();
        assert_eq!(store.get(&blob).await.unwrap(), audio);
        assert_eq!(store.size(&blob).await.unwrap(), 70_000);
        assert_eq!(
            store.get_range(&blob, 300..310).await.unwrap(),
            audio[300..310]
        );
        assert!(store.get_range(&blob, 5..5).await.unwrap().is_empty());
        store.delete(&blob).await.unwrap();
        assert!(matches!(store.get(&blob).await, Err(BlobError::NotFound)));
        assert!(matches!(store.size(&blob).await, Err(BlobError::NotFound)));
        // deleting what is gone is not an error
        store.delete(&blob).await.unwrap();
        assert!(matches!(store.get(&clip()).await, Err(BlobError::NotFound)));
    }

    #[tokio::test]
    async fn blobs_round_trip_in_memory() {
        round_trip(&ObjectBlobStore::from_settings(&BlobSettings::Memory).unwrap()).await;
    }

    #[tokio::test]
    async fn blobs_round_trip_on_disk_under_the_configured_directory() {
        let dir = tempfile::tempdir().unwrap();
        let directory = dir.path().join("objects");
        let store = ObjectBlobStore::from_settings(&BlobSettings::Local {
            directory: directory.clone(),
        })
        .unwrap();
        round_trip(&store).await;
        let blob = clip();
        store.put(&blob, b"RIFF....WAVE".to_vec()).await.unwrap();
        let on_disk = directory.join(ObjectBlobStore::key(&blob).to_string());
        assert_eq!(std::fs::read(on_disk).unwrap(), b"RIFF....WAVE");
    }

    #[test]
    fn keys_are_built_from_typed_ids_only() {
        let interview = InterviewId::new();
        let message = MessageId::new();
        let key = ObjectBlobStore::key(&BlobRef::MessageAudio {
            interview,
            message,
            format: AudioFormat::Mp3,
        });
        assert_eq!(
            key.to_string(),
            format!("interviews/{interview}/audio/{message}.mp3")
        );
        assert!(!key.to_string().contains(".."));
    }

    #[test]
    fn s3_credentials_never_appear_in_debug_output() {
        let settings = BlobSettings::S3 {
            bucket: "interviews".into(),
            region: "eu-west-1".into(),
            endpoint: Some("http://127.0.0.1:9000".into()),
            access_key_id: Some("AKIAEXAMPLE".into()),
            secret_access_key: Some("very-secret".into()),
            path_style: true,
            allow_http: true,
        };
        let debug = format!("{settings:?}");
        assert!(
            !debug.contains("very-secret") && !debug.contains("AKIAEXAMPLE"),
            "{debug}"
        );
        // a complete S3 configuration builds without touching the network
        ObjectBlobStore::from_settings(&settings).unwrap();
    }
}
