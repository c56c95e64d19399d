//! Video recording with consent: the tech check and the consent decision, chunk uploads in the
//! two shapes clients use (`/interviews/{id}/video/upload` with `is_final`, and
//! `/videos/{id}/upload-chunk` with `total_chunks` plus `finalize`), the resumable listing, the
//! recording's metadata, streaming it with `Range`, and deleting it.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentEncoding};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::stream;
use interview_core::ids::InterviewId;
use interview_core::video::{ChunkAccepted, Playable, TechCheck, VideoService, recording_url};
use std::sync::Arc;
use uuid::Uuid;

use crate::auth::{AuthenticatedActor, AuthenticatedCandidate};
use crate::dto::{
    ChunkListResponse, ConsentRequest, ConsentResponse, FinalizeResponse, InterviewChunkForm,
    InterviewChunkResponse, TechCheckRequest, TechCheckResponse, VideoChunkForm,
    VideoChunkResponse, VideoRecordingResponse,
};
use crate::error::{ApiError, ErrorResponse};
use crate::routes::ranges::requested_range;
use crate::routes::video_upload::{ChunkForm, read_chunk_form};
use crate::state::AppState;

/// How much of a recording one piece of a streamed response carries.
const STREAM_PIECE_BYTES: u64 = 1024 * 1024;

/// Store the browser's device check (owner only).
#[utoipa::path(post, path = "/api/v1/interviews/{id}/tech-check", tag = "video",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Interview id")),
    request_body = TechCheckRequest,
    responses(
        (status = 200, description = "Stored", body = TechCheckResponse),
        (status = 404, description = "No such interview of the caller", body = ErrorResponse),
        (status = 422, description = "More than 4 KB of metadata (`validation_failed`)", body = ErrorResponse)))]
pub async fn tech_check(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
    body: web::Json<TechCheckRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let check = TechCheck {
        audio_test_passed: body.audio_test_passed,
        camera_test_passed: body.camera_test_passed,
        audio_metadata: body.audio_metadata,
        camera_metadata: body.camera_metadata,
        browser_info: body.browser_info,
    };
    let stored = state
        .video
        .record_tech_check(caller.actor(), InterviewId::from_uuid(*id), &check)
        .await?;
    Ok(HttpResponse::Ok().json(TechCheckResponse {
        success: true,
        tech_check: stored,
    }))
}

/// Record the candidate's decision about being filmed (owner only). Withdrawing refuses later
/// chunks; `DELETE /api/v1/videos/{id}` removes what was recorded.
#[utoipa::path(post, path = "/api/v1/interviews/{id}/consent", tag = "video",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Interview id")),
    request_body = ConsentRequest,
    responses(
        (status = 200, description = "Recorded", body = ConsentResponse),
        (status = 404, description = "No such interview of the caller", body = ErrorResponse)))]
pub async fn consent(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
    body: web::Json<ConsentRequest>,
) -> Result<HttpResponse, ApiError> {
    let interview = InterviewId::from_uuid(*id);
    let consent = body.video_recording_consent;
    let decided_at = state
        .video
        .set_consent(caller.actor(), interview, consent)
        .await?;
    Ok(HttpResponse::Ok().json(ConsentResponse {
        interview_id: interview.as_uuid(),
        video_recording_consent: consent,
        decided_at,
    }))
}

fn number(form: &ChunkForm, name: &'static str) -> Result<Option<u32>, ApiError> {
    form.field(name)
        .filter(|value| !value.is_empty())
        .map(|value| {
            value
                .parse::<u32>()
                .map_err(|_| ApiError::field(name, "must be a whole number from 0"))
        })
        .transpose()
}

/// Reads a chunk upload and commits it; a staged body is removed when its fields are invalid.
async fn upload(
    video: &VideoService,
    caller: &AuthenticatedCandidate,
    interview: InterviewId,
    request: &HttpRequest,
    payload: web::Payload,
    file_field: &'static str,
) -> Result<ChunkAccepted, ApiError> {
    let permit = video.begin_upload(caller.actor(), interview).await?;
    let form = read_chunk_form(video, &permit, request, payload, file_field).await?;
    let fields = (|| {
        let index = number(&form, "chunk_index")?
            .ok_or_else(|| ApiError::field("chunk_index", "is required"))?;
        let expected = match file_field {
            "chunk" => {
                let last = form
                    .field("is_final")
                    .is_some_and(|value| matches!(value, "true" | "1" | "True"));
                last.then_some(index.saturating_add(1))
            }
            _ => number(&form, "total_chunks")?,
        };
        Ok::<_, ApiError>((index, expected))
    })();
    let (index, expected) = match fields {
        Ok(fields) => fields,
        Err(error) => {
            video.discard(&form.staged).await;
            return Err(error);
        }
    };
    Ok(video
        .commit_chunk(&permit, form.staged, index, expected)
        .await?)
}

/// Upload one chunk of the interview's recording (owner, with consent, while the interview runs
/// or within `video.upload_grace_seconds` after it ended). The same bytes for a stored index are
/// accepted again and stored once. With `is_final` the recording is assembled once every chunk
/// up to this one is stored.
#[utoipa::path(post, path = "/api/v1/interviews/{id}/video/upload", tag = "video",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Interview id")),
    request_body(content = InterviewChunkForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Stored", body = InterviewChunkResponse),
        (status = 400, description = "A broken multipart body (`malformed_multipart`)", body = ErrorResponse),
        (status = 403, description = "No consent to record (`consent_required`)", body = ErrorResponse),
        (status = 404, description = "No such interview of the caller", body = ErrorResponse),
        (status = 409, description = "Uploads are over (`upload_closed`), the recording is finalized or deleted (`recording_closed`), or other bytes are stored under this index (`chunk_mismatch`)", body = ErrorResponse),
        (status = 413, description = "The chunk is over `video.max_chunk_bytes`", body = ErrorResponse),
        (status = 415, description = "Not a WebM or MP4 chunk", body = ErrorResponse),
        (status = 422, description = "A missing chunk or `chunk_index`, or an index out of range", body = ErrorResponse),
        (status = 503, description = "Storage unavailable; retry", body = ErrorResponse),
        (status = 507, description = "The recording would exceed `video.max_recording_bytes` (`storage_limit`)", body = ErrorResponse)))]
pub async fn upload_for_interview(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let interview = InterviewId::from_uuid(*id);
    let accepted = upload(&state.video, &caller, interview, &request, payload, "chunk").await?;
    Ok(HttpResponse::Ok().json(InterviewChunkResponse {
        success: true,
        chunk_index: accepted.index,
        uploaded_at: accepted.uploaded_at,
        total_uploaded: accepted.total_uploaded,
        video_recording_url: accepted.finalized.map(|_| recording_url(interview)),
    }))
}

/// Upload one chunk (the `total_chunks` shape); the same rules as
/// `/api/v1/interviews/{id}/video/upload`. Once `total_chunks` chunks are stored the recording is
/// assembled.
#[utoipa::path(post, path = "/api/v1/videos/{interview_id}/upload-chunk", tag = "video",
    security(("bearer" = [])),
    params(("interview_id" = Uuid, Path, description = "Interview id")),
    request_body(content = VideoChunkForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Stored", body = VideoChunkResponse),
        (status = 400, description = "A broken multipart body (`malformed_multipart`)", body = ErrorResponse),
        (status = 403, description = "No consent to record (`consent_required`)", body = ErrorResponse),
        (status = 404, description = "No such interview of the caller", body = ErrorResponse),
        (status = 409, description = "`upload_closed`, `recording_closed` or `chunk_mismatch`", body = ErrorResponse),
        (status = 413, description = "The chunk is over `video.max_chunk_bytes`", body = ErrorResponse),
        (status = 415, description = "Not a WebM or MP4 chunk", body = ErrorResponse),
        (status = 422, description = "A missing chunk or `chunk_index`, or `total_chunks` out of range", body = ErrorResponse),
        (status = 503, description = "Storage unavailable; retry", body = ErrorResponse),
        (status = 507, description = "The recording would exceed its limit (`storage_limit`)", body = ErrorResponse)))]
pub async fn upload_chunk(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let interview = InterviewId::from_uuid(*id);
    let accepted = upload(
        &state.video,
        &caller,
        interview,
        &request,
        payload,
        "video_chunk",
    )
    .await?;
    Ok(HttpResponse::Ok().json(VideoChunkResponse {
        chunk_uploaded: true,
        chunk_index: accepted.index,
        total_uploaded: accepted.total_uploaded,
    }))
}

/// Assemble the recording from its chunks (owner). Repeating it on a finalized recording
/// answers the same.
#[utoipa::path(post, path = "/api/v1/videos/{interview_id}/finalize", tag = "video",
    security(("bearer" = [])),
    params(("interview_id" = Uuid, Path, description = "Interview id")),
    responses(
        (status = 200, description = "Assembled", body = FinalizeResponse),
        (status = 404, description = "No such interview of the caller, or no chunk uploaded", body = ErrorResponse),
        (status = 409, description = "The recording was deleted, or uploads are over (`upload_closed`)", body = ErrorResponse),
        (status = 422, description = "Chunks are missing (`missing_chunks`, `details.missing` lists them)", body = ErrorResponse),
        (status = 503, description = "Storage unavailable; retry", body = ErrorResponse)))]
pub async fn finalize(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let interview = InterviewId::from_uuid(*id);
    let recording = state.video.finalize(caller.actor(), interview).await?;
    Ok(HttpResponse::Ok().json(FinalizeResponse {
        video_recording_url: recording_url(interview),
        total_chunks: recording.chunk_count,
        file_size_bytes: recording.file_size_bytes,
    }))
}

/// The stored chunks and the missing ones, to resume an upload (owner).
#[utoipa::path(get, path = "/api/v1/videos/{interview_id}/chunks", tag = "video",
    security(("bearer" = [])),
    params(("interview_id" = Uuid, Path, description = "Interview id")),
    responses(
        (status = 200, description = "The chunks", body = ChunkListResponse),
        (status = 404, description = "No such interview of the caller", body = ErrorResponse)))]
pub async fn chunks(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let list = state
        .video
        .chunks(caller.actor(), InterviewId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Ok().json(ChunkListResponse::from(&list)))
}

/// The recording's metadata: for its candidate and the recruiters of the interview's
/// organization.
#[utoipa::path(get, path = "/api/v1/videos/{interview_id}", tag = "video",
    security(("bearer" = []), ("recruiter_bearer" = [])),
    params(("interview_id" = Uuid, Path, description = "Interview id")),
    responses(
        (status = 200, description = "The recording", body = VideoRecordingResponse),
        (status = 404, description = "No recording the caller may see", body = ErrorResponse)))]
pub async fn metadata(
    state: web::Data<AppState>,
    caller: AuthenticatedActor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let recording = state
        .video
        .recording(caller.actor(), InterviewId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Ok().json(VideoRecordingResponse::from(&recording)))
}

/// Delete the recording and its chunks at the candidate's request (owner); the metadata keeps
/// that it existed and when it was deleted.
#[utoipa::path(delete, path = "/api/v1/videos/{interview_id}", tag = "video",
    security(("bearer" = [])),
    params(("interview_id" = Uuid, Path, description = "Interview id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No recording of the caller", body = ErrorResponse),
        (status = 503, description = "Storage unavailable; retry", body = ErrorResponse)))]
pub async fn delete(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state
        .video
        .delete(caller.actor(), InterviewId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The bytes `first..=last` of the recording, read piece by piece as the client takes them.
fn body(
    video: Arc<VideoService>,
    playable: Playable,
    first: u64,
    last: u64,
) -> impl futures_util::Stream<Item = Result<web::Bytes, actix_web::Error>> {
    stream::try_unfold(first, move |next| {
        let (video, playable) = (video.clone(), playable.clone());
        async move {
            if next > last {
                return Ok(None);
            }
            let end = (next + STREAM_PIECE_BYTES).min(last + 1);
            let piece = video
                .read(&playable, next..end)
                .await
                .map_err(|error| actix_web::Error::from(ApiError::from(error)))?;
            Ok(Some((web::Bytes::from(piece), end)))
        }
    })
}

/// Stream the finished recording, with one byte range: to its candidate and to the recruiters
/// of the interview's organization.
#[utoipa::path(get, path = "/api/v1/videos/{interview_id}/stream", tag = "video",
    security(("bearer" = []), ("recruiter_bearer" = [])),
    params(
        ("interview_id" = Uuid, Path, description = "Interview id"),
        ("Range" = Option<String>, Header, description = "One byte range, e.g. `bytes=0-1048575`")),
    responses(
        (status = 200, description = "The recording", content_type = "video/webm"),
        (status = 206, description = "The requested range"),
        (status = 404, description = "No finished recording the caller may watch", body = ErrorResponse),
        (status = 416, description = "The range is outside the recording", body = ErrorResponse)))]
pub async fn watch(
    state: web::Data<AppState>,
    caller: AuthenticatedActor,
    id: web::Path<Uuid>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let playable = state
        .video
        .playable(caller.actor(), InterviewId::from_uuid(*id))
        .await?;
    let length = playable.size;
    let response = |status: StatusCode| {
        let mut builder = HttpResponse::build(status);
        builder
            .content_type(playable.container.content_type())
            .insert_header((header::ACCEPT_RANGES, "bytes"))
            .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
            .insert_header(ContentEncoding::Identity);
        builder
    };
    let video = state.video.clone();
    if let Some((first, last)) = requested_range(&request, length, "recording")? {
        return Ok(response(StatusCode::PARTIAL_CONTENT)
            .insert_header((
                header::CONTENT_RANGE,
                format!("bytes {first}-{last}/{length}"),
            ))
            .no_chunking(last - first + 1)
            .streaming(body(video, playable.clone(), first, last)));
    }
    if length == 0 {
        return Ok(response(StatusCode::OK).finish());
    }
    Ok(response(StatusCode::OK).no_chunking(length).streaming(body(
        video,
        playable.clone(),
        0,
        length - 1,
    )))
}

/// The routes under `/api/v1/interviews`.
pub fn configure_interview(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/{id}/tech-check").route(web::post().to(tech_check)))
        .service(web::resource("/{id}/consent").route(web::post().to(consent)))
        .service(web::resource("/{id}/video/upload").route(web::post().to(upload_for_interview)));
}

/// The routes under `/api/v1/videos`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/{interview_id}")
            .route(web::get().to(metadata))
            .route(web::delete().to(delete)),
    )
    .service(web::resource("/{interview_id}/upload-chunk").route(web::post().to(upload_chunk)))
    .service(web::resource("/{interview_id}/finalize").route(web::post().to(finalize)))
    .service(web::resource("/{interview_id}/chunks").route(web::get().to(chunks)))
    .service(web::resource("/{interview_id}/stream").route(web::get().to(watch)));
}
