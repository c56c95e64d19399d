//! An in-process S3-compatible server (s3s-fs over a temp directory) for the S3 tests: real
//! signed HTTP requests on loopback, no network.
#![allow(clippy::unwrap_used, dead_code)] // test helpers may panic; each test uses a part

pub mod video;

use adapter_object_store::ObjectBlobStore;
pub use adapter_object_store::test_s3::{ACCESS_KEY, BUCKET, SECRET_KEY, s3_settings};

/// The in-process S3 server: its endpoint and directory.
pub async fn s3_server() -> (String, tempfile::TempDir) {
    adapter_object_store::test_s3::s3_server().await.unwrap()
}

/// A store on the test server's bucket, signing with `secret`.
pub fn s3_store(endpoint: &str, secret: &str) -> ObjectBlobStore {
    ObjectBlobStore::from_settings(&s3_settings(endpoint, secret)).unwrap()
}
