//! The S3 backend against an in-process S3-compatible server (s3s-fs over a temp directory):
//! real signed HTTP requests on loopback, no network.
#![allow(clippy::unwrap_used)] // test helpers may panic

use adapter_object_store::{BlobSettings, ObjectBlobStore};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use interview_core::ids::{InterviewId, MessageId};
use interview_core::ports::{AudioFormat, BlobError, BlobRef, BlobStore};
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use tokio::net::TcpListener;

const ACCESS_KEY: &str = "test-access-key";
const SECRET_KEY: &str = "test-secret-key";
const BUCKET: &str = "interview-audio";

/// Serves an S3 API over a fresh directory; returns its endpoint and the directory.
async fn s3_server() -> (String, tempfile::TempDir) {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join(BUCKET)).unwrap();
    let mut builder = S3ServiceBuilder::new(s3s_fs::FileSystem::new(root.path()).unwrap());
    builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
    let service = builder.build();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let service = service.clone();
            tokio::spawn(async move {
                let _ = Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            });
        }
    });
    (endpoint, root)
}

fn store(endpoint: &str, secret: &str) -> ObjectBlobStore {
    ObjectBlobStore::from_settings(&BlobSettings::S3 {
        bucket: BUCKET.into(),
        region: "us-east-1".into(),
        endpoint: Some(endpoint.into()),
        access_key_id: Some(ACCESS_KEY.into()),
        secret_access_key: Some(secret.into()),
        path_style: true,
        allow_http: true,
    })
    .unwrap()
}

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
