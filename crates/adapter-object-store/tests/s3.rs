//! The S3 backend against an in-process S3-compatible server (s3s-fs over a temp directory):
//! real signed HTTP requests on loopback, no network.
#![allow(clippy::unwrap_used)] // test helpers may panic

mod support;

use interview_core::ids::{InterviewId, MessageId};
use interview_core::ports::{AudioFormat, BlobError, BlobRef, BlobStore};
use support::{BUCKET, SECRET_KEY, s3_server, s3_store as store};

#[tokio::test]
async fn audio_round_trips_through_an_s3_server_under_a_key_made_of_ids() {
    let (endpoint, root) = s3_server().await;
    let store = store(&endpoint, SECRET_KEY);
    let interview = InterviewId::new();
    let message = MessageId::new();
    let blob = BlobRef::MessageAudio {
        interview,
        message,
        format: AudioFormat::Webm,
    };
    let audio: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();

    store.put(&blob, audio.clone()).await.unwrap();

    assert_eq!(store.get(&blob).await.unwrap(), audio);
    assert_eq!(store.size(&blob).await.unwrap(), 200_000);
    assert_eq!(
        store.get_range(&blob, 1_000..1_016).await.unwrap(),
        audio[1_000..1_016]
    );
    assert_eq!(
        store.get_range(&blob, 199_990..200_000).await.unwrap(),
        audio[199_990..]
    );
    let on_disk = root
        .path()
        .join(BUCKET)
        .join(format!("interviews/{interview}/audio/{message}.webm"));
    assert_eq!(std::fs::read(on_disk).unwrap(), audio);

    store.delete(&blob).await.unwrap();
    assert!(matches!(store.get(&blob).await, Err(BlobError::NotFound)));
    store.delete(&blob).await.unwrap();
}

#[tokio::test]
async fn wrong_credentials_are_an_error_not_a_silent_loss() {
    let (endpoint, _root) = s3_server().await;
    let store = store(&endpoint, "not-the-secret");
    let blob = BlobRef::MessageAudio {
        interview: InterviewId::new(),
        message: MessageId::new(),
        format: AudioFormat::Mp3,
    };
    let error = store.put(&blob, b"mp3".to_vec()).await.unwrap_err();
    assert!(matches!(error, BlobError::Unavailable(_)), "{error:?}");
}
