//! The `VideoStorage` port on every backend: memory, a local directory, and S3 (an in-process
//! S3-compatible server on loopback). Each scenario runs once per backend.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod support;

use adapter_object_store::ObjectBlobStore;
use interview_core::ids::InterviewId;
use interview_core::ports::{BlobError, StageError, VideoStorage};
use interview_core::rules::video_container::{SNIFF_BYTES, VideoContainer};
use object_store::path::Path;
use support::video::{Backend, Body, MIB, PIECE, bytes, read_all, sha256_hex};

async fn chunks_are_staged_kept_out_of_order_and_assembled(backend: Backend) {
    let store = &backend.video;
    let interview = InterviewId::new();
    let mut first = vec![0x1a, 0x45, 0xdf, 0xa3];
    first.extend(bytes(6 * MIB, 1)); // more than one multipart part
    let bodies = [first, bytes(300 * 1024 + 17, 2), bytes(MIB + 5, 3)];

    let mut staged = Vec::new();
    for body in &bodies {
        let chunk = store
            .stage(interview, &mut Body::new(body), 8 * MIB as u64)
            .await
            .unwrap();
        assert_eq!(chunk.size, body.len() as u64);
        assert_eq!(chunk.sha256, sha256_hex(body));
        assert_eq!(chunk.head, body[..SNIFF_BYTES]);
        assert!(
            chunk
                .key
                .starts_with(&format!("interviews/{interview}/video/staging/"))
        );
        staged.push(chunk);
    }
    assert_ne!(staged[1].key, staged[2].key);

    let mut keys = vec![String::new(); 3];
    for index in [2, 0, 1] {
        let key = store
            .keep_chunk(interview, &staged[index], index as u32)
            .await
            .unwrap();
        assert_eq!(
            key,
            format!(
                "interviews/{interview}/video/chunks/{index:06}-{}",
                staged[index].sha256
            )
        );
        keys[index] = key;
    }
    let staging = ObjectBlobStore::video_staging_prefix(interview);
    assert!(backend.keys(&staging).await.is_empty());
    assert_eq!(
        read_all(store, &keys[1], bodies[1].len() as u64).await,
        bodies[1]
    );

    let (key, size) = store
        .assemble(interview, &keys, VideoContainer::Webm)
        .await
        .unwrap();
    assert_eq!(key, format!("interviews/{interview}/video/recording.webm"));
    let whole = bodies.concat();
    assert_eq!(size, whole.len() as u64);
    assert!(
        read_all(store, &key, size).await == whole,
        "the recording differs"
    );
    let boundary = bodies[0].len() as u64;
    assert_eq!(
        store
            .read_range(&key, boundary - 10..boundary + 10)
            .await
            .unwrap(),
        whole[boundary as usize - 10..boundary as usize + 10]
    );
    assert!(store.read_range(&key, 5..5).await.unwrap().is_empty());

    for chunk in &keys {
        store.remove(chunk).await.unwrap();
    }
    store.remove(&key).await.unwrap();
    backend.assert_nothing_left(interview).await;
}

async fn an_upload_over_the_limit_leaves_nothing_behind(backend: Backend) {
    let interview = InterviewId::new();
    let limit = 7 * MIB as u64; // a part is uploaded before the limit is crossed
    let error = backend
        .video
        .stage(interview, &mut Body::new(&bytes(8 * MIB, 4)), limit)
        .await
        .unwrap_err();
    assert!(
        matches!(error, StageError::TooLarge { limit: l } if l == limit),
        "{error:?}"
    );
    backend.assert_nothing_left(interview).await;

    // exactly the limit is fine
    let staged = backend
        .video
        .stage(interview, &mut Body::new(&bytes(10_000, 4)), 10_000)
        .await
        .unwrap();
    assert_eq!(staged.size, 10_000);
}

async fn a_broken_body_leaves_nothing_behind(backend: Backend) {
    let interview = InterviewId::new();
    let mut body = Body::failing_at(&bytes(7 * MIB, 5), 5 * MIB + 3 * PIECE);
    let error = backend
        .video
        .stage(interview, &mut body, 10 * MIB as u64)
        .await
        .unwrap_err();
    assert!(matches!(error, StageError::Source(_)), "{error:?}");
    backend.assert_nothing_left(interview).await;
}

async fn an_empty_body_stages_as_empty(backend: Backend) {
    let interview = InterviewId::new();
    let staged = backend
        .video
        .stage(interview, &mut Body::new(&[]), 100)
        .await
        .unwrap();
    assert_eq!((staged.size, staged.head.len()), (0, 0));
    assert_eq!(staged.sha256, sha256_hex(&[]));
    backend.video.remove(&staged.key).await.unwrap();
    backend.assert_nothing_left(interview).await;
}

async fn keeping_one_body_twice_for_an_index_gives_one_key(backend: Backend) {
    let store = &backend.video;
    let interview = InterviewId::new();
    let body = bytes(50_000, 6);
    let mut keys = Vec::new();
    for _ in 0..2 {
        let staged = store
            .stage(interview, &mut Body::new(&body), 100_000)
            .await
            .unwrap();
        keys.push(store.keep_chunk(interview, &staged, 3).await.unwrap());
    }
    assert_eq!(keys[0], keys[1]);
    let chunks = Path::from(format!("interviews/{interview}/video"));
    assert_eq!(backend.keys(&chunks).await, vec![keys[0].clone()]);
    assert_eq!(read_all(store, &keys[0], 50_000).await, body);

    // another body for the same index is kept apart
    let other = store
        .stage(interview, &mut Body::new(&bytes(50_000, 7)), 100_000)
        .await
        .unwrap();
    assert_ne!(
        store.keep_chunk(interview, &other, 3).await.unwrap(),
        keys[0]
    );
}

async fn removing_a_missing_object_is_not_an_error(backend: Backend) {
    let store = &backend.video;
    let interview = InterviewId::new();
    let staged = store
        .stage(interview, &mut Body::new(b"\x1a\x45\xdf\xa3 cluster"), 100)
        .await
        .unwrap();
    let key = store.keep_chunk(interview, &staged, 0).await.unwrap();
    store.remove(&key).await.unwrap();
    store.remove(&key).await.unwrap();
    assert!(matches!(
        store.read_range(&key, 0..4).await,
        Err(BlobError::NotFound)
    ));
    let never = ObjectBlobStore::video_chunk_key(interview, 9, &"0".repeat(64));
    store.remove(never.as_ref()).await.unwrap();
    // the staged upload was moved, so keeping it again finds nothing
    assert!(store.keep_chunk(interview, &staged, 0).await.is_err());
}

async fn a_missing_chunk_fails_the_assembly_without_a_recording(backend: Backend) {
    let store = &backend.video;
    let interview = InterviewId::new();
    let staged = store
        .stage(
            interview,
            &mut Body::new(&bytes(6 * MIB, 8)),
            8 * MIB as u64,
        )
        .await
        .unwrap();
    let kept = store.keep_chunk(interview, &staged, 0).await.unwrap();
    let missing = ObjectBlobStore::video_chunk_key(interview, 1, &"0".repeat(64)).to_string();
    let error = store
        .assemble(interview, &[kept.clone(), missing], VideoContainer::Mp4)
        .await
        .unwrap_err();
    assert!(matches!(error, BlobError::NotFound), "{error:?}");
    let recording = ObjectBlobStore::video_recording_key(interview, VideoContainer::Mp4);
    assert!(backend.keys(&recording).await.is_empty());
    store.remove(&kept).await.unwrap();
    backend.assert_nothing_left(interview).await;
}

async fn keys_not_made_here_are_refused(backend: Backend) {
    let store = &backend.video;
    let interview = InterviewId::new();
    for key in [
        "../outside",
        "interviews/x/video/recording.webm",
        "config.toml",
    ] {
        assert!(store.remove(key).await.is_err(), "{key}");
        assert!(store.read_range(key, 0..1).await.is_err(), "{key}");
    }
    let mut staged = store
        .stage(interview, &mut Body::new(b"bytes"), 100)
        .await
        .unwrap();
    staged.sha256 = "../../x".into();
    assert!(store.keep_chunk(interview, &staged, 0).await.is_err());
    // another interview's staged upload is not moved into this one
    staged.sha256 = sha256_hex(b"bytes");
    assert!(
        store
            .keep_chunk(InterviewId::new(), &staged, 0)
            .await
            .is_err()
    );
    assert!(store.keep_chunk(interview, &staged, 0).await.is_ok());
}

macro_rules! on_every_backend {
    ($($scenario:ident),* $(,)?) => {
        mod memory {
            $(#[tokio::test]
            async fn $scenario() {
                super::$scenario(super::Backend::memory().await).await;
            })*
        }
        mod local_directory {
            $(#[tokio::test]
            async fn $scenario() {
                super::$scenario(super::Backend::local().await).await;
            })*
        }
        mod s3 {
            $(#[tokio::test]
            async fn $scenario() {
                super::$scenario(super::Backend::s3().await).await;
            })*
        }
    };
}

on_every_backend!(
    chunks_are_staged_kept_out_of_order_and_assembled,
    an_upload_over_the_limit_leaves_nothing_behind,
    a_broken_body_leaves_nothing_behind,
    an_empty_body_stages_as_empty,
    keeping_one_body_twice_for_an_index_gives_one_key,
    removing_a_missing_object_is_not_an_error,
    a_missing_chunk_fails_the_assembly_without_a_recording,
    keys_not_made_here_are_refused,
);
