//! Helpers of the video tests: chunk bodies, the two upload shapes, and the in-process S3 server.

use reqwest::Response;
use reqwest::multipart::{Form, Part};

use crate::helpers::TestApp;

/// Chunk `index` of a recording: the first opens a WebM (EBML header), the rest continue it
/// (they start like a WebM cluster); the rest of each is a deterministic byte pattern.
pub fn chunk(index: u32, size: usize) -> Vec<u8> {
    let mut bytes: Vec<u8> = if index == 0 {
        vec![0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01]
    } else {
        vec![0x1f, 0x43, 0xb6, 0x75, 0x01, 0xff, 0xff, 0xff]
    };
    let mut state = u64::from(index).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    while bytes.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.push((state >> 24) as u8);
    }
    bytes.truncate(size);
    bytes
}

/// `POST /api/v1/videos/{id}/upload-chunk`.
pub async fn upload_chunk(
    app: &TestApp,
    token: &str,
    interview: &str,
    index: u32,
    total: Option<u32>,
    bytes: Vec<u8>,
) -> Response {
    let mut form = Form::new()
        .part(
            "video_chunk",
            Part::bytes(bytes)
                .file_name(format!("chunk-{index}.webm"))
                .mime_str("video/webm")
                .unwrap(),
        )
        .text("chunk_index", index.to_string());
    if let Some(total) = total {
        form = form.text("total_chunks", total.to_string());
    }
    app.client
        .post(app.url(&format!("/api/v1/videos/{interview}/upload-chunk")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// `POST /api/v1/interviews/{id}/video/upload`, with the fields before the file.
pub async fn upload_for_interview(
    app: &TestApp,
    token: &str,
    interview: &str,
    index: u32,
    is_final: bool,
    bytes: Vec<u8>,
) -> Response {
    let form = Form::new()
        .text("chunk_index", index.to_string())
        .text("is_final", is_final.to_string())
        .part(
            "chunk",
            Part::bytes(bytes)
                .file_name("chunk.webm")
                .mime_str("video/webm")
                .unwrap(),
        );
    app.client
        .post(app.url(&format!("/api/v1/interviews/{interview}/video/upload")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// The in-process S3 server: its endpoint and directory.
pub async fn s3_server() -> (String, tempfile::TempDir) {
    adapter_object_store::test_s3::s3_server().await.unwrap()
}

/// Blob settings for the test S3 server's bucket.
pub fn s3_settings(endpoint: &str) -> adapter_object_store::BlobSettings {
    adapter_object_store::test_s3::s3_settings(endpoint, adapter_object_store::test_s3::SECRET_KEY)
}
