//! An in-process S3-compatible server (s3s-fs over a temporary directory) for tests in any
//! crate (feature `test-s3`): real signed HTTP requests on loopback, no network.

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use tokio::net::TcpListener;

use crate::BlobSettings;

pub const ACCESS_KEY: &str = "test-access-key";
pub const SECRET_KEY: &str = "test-secret-key";
pub const BUCKET: &str = "interview-audio";

/// Serves an S3 API over a fresh directory; returns its endpoint and the directory (the bucket
/// is the `BUCKET` directory under it; multipart parts in progress sit at its top level).
///
/// # Errors
/// When the directory or the loopback listener cannot be made.
pub async fn s3_server() -> std::io::Result<(String, tempfile::TempDir)> {
    let root = tempfile::tempdir()?;
    std::fs::create_dir(root.path().join(BUCKET))?;
    let filesystem = s3s_fs::FileSystem::new(root.path())
        .map_err(|error| std::io::Error::other(format!("{error:?}")))?;
    let mut builder = S3ServiceBuilder::new(filesystem);
    builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
    let service = builder.build();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let endpoint = format!("http://{}", listener.local_addr()?);
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
    Ok((endpoint, root))
}

/// The settings of the test server's bucket, signing with `secret`.
pub fn s3_settings(endpoint: &str, secret: &str) -> BlobSettings {
    BlobSettings::S3 {
        bucket: BUCKET.into(),
        region: "us-east-1".into(),
        endpoint: Some(endpoint.into()),
        access_key_id: Some(ACCESS_KEY.into()),
        secret_access_key: Some(secret.into()),
        path_style: true,
        allow_http: true,
    }
}
