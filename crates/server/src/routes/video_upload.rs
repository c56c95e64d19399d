//! Reading a chunk upload: the multipart body's file field is streamed into staging while it
//! arrives (through a small bounded channel, so the request's pieces are copied once and never
//! collected), the small fields are read as text.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, web};
use async_trait::async_trait;
use futures_util::StreamExt;
use interview_core::ports::{ByteSource, SourceError, StagedChunk};
use interview_core::video::{UploadPermit, VideoService};
use tokio::sync::mpsc;

use crate::error::ApiError;

/// Any field but the file is small.
const MAX_FIELD_BYTES: usize = 64;
/// Pieces in flight between the request and the store.
const PIECES_IN_FLIGHT: usize = 4;

/// What a chunk upload carried.
pub struct ChunkForm {
    pub staged: StagedChunk,
    pub fields: Vec<(String, String)>,
}

impl ChunkForm {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
    }
}

struct ChannelSource(mpsc::Receiver<Result<Vec<u8>, SourceError>>);

#[async_trait]
impl ByteSource for ChannelSource {
    async fn next_piece(&mut self) -> Option<Result<Vec<u8>, SourceError>> {
        self.0.recv().await
    }
}

fn malformed(error: &dyn std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "malformed_multipart",
        format!("the multipart body could not be read: {error}"),
    )
}

/// Feeds a field's pieces into the channel until it ends or the receiver stops listening.
async fn pump(
    field: &mut actix_multipart::Field,
    pieces: mpsc::Sender<Result<Vec<u8>, SourceError>>,
) {
    while let Some(piece) = field.next().await {
        let piece = piece.map_err(|error| SourceError(error.to_string()));
        let failed = piece.is_err();
        if pieces
            .send(piece.map(|bytes| bytes.to_vec()))
            .await
            .is_err()
            || failed
        {
            return;
        }
    }
}

async fn small_field(field: &mut actix_multipart::Field) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(piece) = field.next().await {
        let piece = piece.map_err(|error| malformed(&error))?;
        if bytes.len() + piece.len() > MAX_FIELD_BYTES {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "a form field other than the chunk is too large",
            ));
        }
        bytes.extend_from_slice(&piece);
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Reads a chunk upload whose file field is `file_field`, staging the file as it streams in.
/// A staged file is discarded when the rest of the body fails.
///
/// # Errors
/// 400 for a broken body, 413 beyond the chunk limit, 422 without the file.
pub async fn read_chunk_form(
    video: &VideoService,
    permit: &UploadPermit,
    request: &HttpRequest,
    payload: web::Payload,
    file_field: &str,
) -> Result<ChunkForm, ApiError> {
    let limit = video.settings().max_chunk_bytes;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit + 64 * 1024) {
        return Err(ApiError::from(
            interview_core::video::VideoError::ChunkTooLarge { limit },
        ));
    }
    crate::routes::audio::require_boundary(request)?;
    let mut form = Multipart::new(request.headers(), payload);
    let mut staged: Option<StagedChunk> = None;
    let mut fields = Vec::new();
    let result: Result<(), ApiError> = async {
        while let Some(field) = form.next().await {
            let mut field = field.map_err(|error| malformed(&error))?;
            let name = field.name().unwrap_or_default().to_owned();
            if name == file_field && staged.is_none() {
                let (sender, receiver) = mpsc::channel(PIECES_IN_FLIGHT);
                let mut source = ChannelSource(receiver);
                let (stored, ()) =
                    tokio::join!(video.stage(permit, &mut source), pump(&mut field, sender));
                staged = Some(stored.map_err(ApiError::from)?);
            } else {
                fields.push((name, small_field(&mut field).await?));
            }
        }
        Ok(())
    }
    .await;
    match (result, staged) {
        (Ok(()), Some(staged)) => Ok(ChunkForm { staged, fields }),
        (Ok(()), None) => Err(ApiError::field(
            "chunk",
            format!("the `{file_field}` file field is required"),
        )),
        (Err(error), staged) => {
            if let Some(staged) = staged {
                video.discard(&staged).await;
            }
            Err(error)
        }
    }
}
