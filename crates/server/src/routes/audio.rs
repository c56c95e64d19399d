//! Recorded answers in (multipart, checked by content sniffing) and stored audio out (with
//! range support).

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentEncoding};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use interview_core::ids::{InterviewId, MessageId};
use interview_core::interview::{AnswerOutcome, SubmitVoiceAnswer};
use interview_core::model::AudioMetadata;
use interview_core::ports::{AudioClip, AudioFormat, BlobRef};
use uuid::Uuid;

use crate::auth::{AuthenticatedActor, AuthenticatedCandidate};
use crate::dto::{AnswerResponse, AudioAnswerForm, AudioAnswerResponse};
use crate::error::{ApiError, ErrorResponse};
use crate::observability::events::{self, TurnMode};
use crate::routes::interviews::client_key;
use crate::routes::ranges::requested_range;
use crate::state::AppState;

/// Where a client fetches a stored message audio: the route [`message_audio`] serves.
pub fn audio_url(blob: &BlobRef) -> String {
    match blob {
        BlobRef::MessageAudio {
            interview, message, ..
        } => format!(
            "/api/v1/interviews/{}/messages/{}/audio",
            interview.as_uuid(),
            message.as_uuid()
        ),
        BlobRef::Resume { resume, .. } => format!("/api/v1/resumes/{}/download", resume.as_uuid()),
    }
}

/// The largest recording accepted (OpenAI's Whisper limit).
pub const MAX_AUDIO_BYTES: usize = 25 * 1024 * 1024;
/// Any other form field is small.
const MAX_FIELD_BYTES: usize = 1024;

/// What a multipart answer carried.
#[derive(Debug)]
pub struct VoiceForm {
    pub clip: AudioClip,
    pub recording: AudioMetadata,
    pub in_reply_to: Option<i32>,
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!(
            "the recording is larger than {} MB",
            MAX_AUDIO_BYTES / 1024 / 1024
        ),
    )
}

pub(crate) fn malformed(error: &dyn std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "malformed_multipart",
        format!("the multipart body could not be read: {error}"),
    )
}

/// Reads one field, refusing more than `limit` bytes.
pub(crate) async fn read_field(
    field: &mut actix_multipart::Field,
    limit: usize,
    over_limit: impl FnOnce() -> ApiError,
) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|error| malformed(&error))?;
        if bytes.len() + chunk.len() > limit {
            return Err(over_limit());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Whether the body is `multipart/form-data`.
pub fn is_multipart(request: &HttpRequest) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().starts_with("multipart/form-data"))
}

/// A recorded answer, through the one answer path: the form's recording is stored,
/// transcribed and answered like a typed answer. `reply_field` names the form field that
/// carries the sequence number of the question answered (`in_reply_to` on `…/messages`,
/// `message_sequence` on `…/audio`).
///
/// # Errors
/// Those of [`read_voice_form`] and of the answer; 503 `speech_unavailable` before reading
/// the body when the provider has no speech (404 first when the interview is not the caller's).
pub async fn recorded_answer(
    state: &AppState,
    caller: &AuthenticatedCandidate,
    interview_id: InterviewId,
    request: &HttpRequest,
    payload: web::Payload,
    reply_field: &'static str,
) -> Result<AnswerOutcome, ApiError> {
    let client_key = client_key(request)?;
    require_boundary(request)?;
    // refuse before reading 25 MB that cannot be used, once the interview is known to be the
    // caller's: somebody else's interview is a 404 whatever the provider can do
    if let Err(no_speech) = state.interviews.ensure_speech() {
        state.interviews.get(interview_id, caller.actor()).await?;
        return Err(no_speech.into());
    }
    let form = read_voice_form(request, payload, reply_field).await?;
    let result = state
        .interviews
        .answer_voice(SubmitVoiceAnswer {
            interview_id,
            actor: caller.actor(),
            clip: form.clip,
            recording: form.recording,
            in_reply_to: form.in_reply_to,
            client_key,
        })
        .await;
    events::turn(TurnMode::Voice, &result);
    Ok(result?)
}

/// Answer the open question with a recording: `multipart/form-data` with `audio_file` (webm,
/// ogg, mp3, mp4, mpeg, mpga, m4a or wav; at most 25 MB) and `message_sequence`, the sequence
/// number of the question answered. The same answer as a multipart `POST …/messages`, for
/// clients written against this path; the reply also carries `transcription`. Send
/// `Idempotency-Key` to make a retry return the same reply instead of answering twice.
#[utoipa::path(post, path = "/api/v1/interviews/{id}/audio", tag = "interviews",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Interview id"),
        ("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters",
            min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body(content = AudioAnswerForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Answer recorded, or its `Idempotency-Key` replayed", body = AudioAnswerResponse,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the stored reply to an earlier request with the same key: nothing was answered or charged again"))),
        (status = 400, description = "Malformed multipart body (`malformed_multipart`)", body = ErrorResponse),
        (status = 404, description = "No such interview of the caller", body = ErrorResponse),
        (status = 409, description = "Already answered, answered concurrently, or the interview is not in progress (`details.status`)", body = ErrorResponse),
        (status = 413, description = "The recording is over 25 MB", body = ErrorResponse),
        (status = 415, description = "Not `multipart/form-data`, or a recording in an unaccepted format", body = ErrorResponse),
        (status = 422, description = "No, empty or undecodable recording, a `message_sequence` that is not a number, or a bad key", body = ErrorResponse),
        (status = 429, description = "Too many interviews started or answers sent by this account (`rate_limited`, `rate_limit.account_*`); see `Retry-After`", body = ErrorResponse),
        (status = 503, description = "AI unavailable (`ai_unavailable`), transcription failed (`transcription_unavailable`, with Retry-After) or no speech provider (`speech_unavailable`); nothing was recorded", body = ErrorResponse)))]
pub async fn answer_audio(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if !is_multipart(&request) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send multipart/form-data with audio_file and message_sequence",
        ));
    }
    let interview_id = InterviewId::from_uuid(*id);
    let outcome = recorded_answer(
        &state,
        &caller,
        interview_id,
        &request,
        payload,
        "message_sequence",
    )
    .await?;
    Ok(answered(&outcome).json(AudioAnswerResponse {
        transcription: outcome.transcript.clone(),
        answer: AnswerResponse::from(&outcome),
    }))
}

/// The 200 of an answer, marked `Idempotent-Replayed: true` when it replays a stored one.
pub(crate) fn answered(outcome: &AnswerOutcome) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    if outcome.replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    response
}

/// A multipart body cannot be read without its boundary: that is a 400 before anything else.
///
/// # Errors
/// 400 `malformed_multipart` when `Content-Type` names no boundary.
pub fn require_boundary(request: &HttpRequest) -> Result<(), ApiError> {
    let has_boundary = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<actix_web::mime::Mime>().ok())
        .is_some_and(|mime| mime.get_param(actix_web::mime::BOUNDARY).is_some());
    if has_boundary {
        Ok(())
    } else {
        Err(malformed(
            &"Content-Type multipart/form-data needs a boundary",
        ))
    }
}

/// Reads `audio_file` (required) and the sequence number of the question it answers (optional)
/// from the field named `reply_field` of a multipart body.
///
/// # Errors
/// 413 beyond 25 MB, 415 for anything but the accepted audio formats, 422 for a missing or
/// empty recording or a bad sequence number, 400 for a broken body.
pub async fn read_voice_form(
    request: &HttpRequest,
    payload: web::Payload,
    reply_field: &'static str,
) -> Result<VoiceForm, ApiError> {
    let declared_length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared_length.is_some_and(|length| length > MAX_AUDIO_BYTES + 64 * 1024) {
        return Err(too_large());
    }
    let mut form = Multipart::new(request.headers(), payload);
    let mut audio: Option<(Vec<u8>, Option<String>, Option<String>)> = None;
    let mut in_reply_to = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|error| malformed(&error))?;
        match field.name() {
            Some("audio_file") => {
                let declared = field.content_type().map(ToString::to_string);
                let filename = field
                    .content_disposition()
                    .and_then(|disposition| disposition.get_filename())
                    .map(str::to_owned);
                let bytes = read_field(&mut field, MAX_AUDIO_BYTES, too_large).await?;
                audio = Some((bytes, declared, filename));
            }
            Some(name) if name == reply_field => {
                let not_a_number = || ApiError::field(reply_field, "must be a sequence number");
                let bytes = read_field(&mut field, MAX_FIELD_BYTES, not_a_number).await?;
                let text = String::from_utf8_lossy(&bytes);
                let value = text.trim().parse::<i32>().map_err(|_| not_a_number())?;
                in_reply_to = Some(value);
            }
            _ => {
                read_field(&mut field, MAX_FIELD_BYTES, || {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        "unexpected large form field",
                    )
                })
                .await?;
            }
        }
    }
    let (bytes, declared, filename) =
        audio.ok_or_else(|| ApiError::field("audio_file", "a recording is required"))?;
    if bytes.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_audio",
            "the recording is empty",
        ));
    }
    let format = sniff(&bytes, declared.as_deref(), filename.as_deref())?;
    let recording = describe(&bytes, format);
    Ok(VoiceForm {
        clip: AudioClip { bytes, format },
        recording,
        in_reply_to,
    })
}

/// The container the bytes really are; the declared type and file name only choose between
/// aliases of the same container.
///
/// # Errors
/// 415 for anything else.
pub fn sniff(
    bytes: &[u8],
    declared: Option<&str>,
    filename: Option<&str>,
) -> Result<AudioFormat, ApiError> {
    let hint = |suffix: &str| {
        filename.is_some_and(|name| name.to_ascii_lowercase().ends_with(suffix))
            || declared.is_some_and(|mime| mime.contains(suffix.trim_start_matches('.')))
    };
    let detected = infer::get(bytes).map(|kind| kind.mime_type());
    let format = match detected {
        Some("audio/mpeg") if hint(".mpga") => AudioFormat::Mpga,
        Some("audio/mpeg") if hint(".mpeg") => AudioFormat::Mpeg,
        Some("audio/mpeg") => AudioFormat::Mp3,
        Some("video/webm" | "audio/webm") => AudioFormat::Webm,
        Some("audio/ogg" | "audio/opus") => AudioFormat::Ogg,
        Some("audio/x-wav" | "audio/wav") => AudioFormat::Wav,
        Some("audio/m4a" | "audio/mp4") => AudioFormat::M4a,
        Some("video/mp4") if hint(".m4a") => AudioFormat::M4a,
        Some("video/mp4") => AudioFormat::Mp4,
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!(
                    "the recording must be webm, ogg, mp3, mp4, mpeg, mpga, m4a or wav; these \
                     bytes are {}",
                    other.unwrap_or("not a recognised format")
                ),
            ));
        }
    };
    Ok(format)
}

/// The facts readable from the header without decoding (WAV's codec and sample rate).
fn describe(bytes: &[u8], format: AudioFormat) -> AudioMetadata {
    let mut metadata = AudioMetadata {
        format: Some(format),
        size_bytes: Some(bytes.len() as u64),
        ..AudioMetadata::default()
    };
    match format {
        AudioFormat::Wav if bytes.len() >= 28 && &bytes[12..16] == b"fmt " => {
            let tag = u16::from_le_bytes([bytes[20], bytes[21]]);
            metadata.codec = Some(if tag == 1 { "pcm" } else { "wav" }.to_owned());
            metadata.sample_rate_hz = Some(u32::from_le_bytes([
                bytes[24], bytes[25], bytes[26], bytes[27],
            ]));
        }
        AudioFormat::Mp3 | AudioFormat::Mpeg | AudioFormat::Mpga => {
            metadata.codec = Some("mp3".into());
        }
        _ => {}
    }
    metadata
}

/// Stream a message's recorded or spoken audio: to the candidate whose interview it is, or to a
/// recruiter (any role) of the interview's organization. Supports a single byte range.
#[utoipa::path(get, path = "/api/v1/interviews/{id}/messages/{message_id}/audio",
    tag = "interviews",
    security(("bearer" = []), ("recruiter_bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Interview id"),
        ("message_id" = Uuid, Path, description = "Message id"),
        ("Range" = Option<String>, Header, description = "One byte range, e.g. `bytes=0-1023`")),
    responses(
        (status = 200, description = "The audio", content_type = "audio/mpeg"),
        (status = 206, description = "The requested range"),
        (status = 404, description = "No such audio in an interview the caller may read", body = ErrorResponse),
        (status = 416, description = "The range is outside the audio", body = ErrorResponse)))]
pub async fn message_audio(
    state: web::Data<AppState>,
    caller: AuthenticatedActor,
    path: web::Path<(Uuid, Uuid)>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (interview, message) = path.into_inner();
    let audio = state
        .interviews
        .message_audio(
            InterviewId::from_uuid(interview),
            caller.actor(),
            MessageId::from_uuid(message),
        )
        .await
        .map_err(|error| match ApiError::from(error) {
            not_found if not_found.status == StatusCode::NOT_FOUND => ApiError::not_found("audio"),
            other => other,
        })?;
    let length = audio.size;
    let response = |status: StatusCode| {
        let mut builder = HttpResponse::build(status);
        builder
            .content_type(audio.format.mime_type())
            .insert_header((header::ACCEPT_RANGES, "bytes"))
            .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
            // already compressed; and a range must address the bytes as stored
            .insert_header(ContentEncoding::Identity);
        builder
    };
    if let Some((start, end)) = requested_range(&request, length, "audio")? {
        let bytes = state.interviews.read_audio(&audio, start..end + 1).await?;
        return Ok(response(StatusCode::PARTIAL_CONTENT)
            .insert_header((
                header::CONTENT_RANGE,
                format!("bytes {start}-{end}/{length}"),
            ))
            .body(bytes));
    }
    let bytes = state.interviews.read_audio(&audio, 0..length).await?;
    Ok(response(StatusCode::OK).body(bytes))
}

/// The audio routes, relative to `/api/v1/interviews`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/{id}/audio").route(web::post().to(answer_audio)))
        .service(
            web::resource("/{id}/messages/{message_id}/audio").route(web::get().to(message_audio)),
        );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav() -> Vec<u8> {
        let mut bytes = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00".to_vec();
        bytes.extend_from_slice(&16_000u32.to_le_bytes());
        bytes.extend_from_slice(&[0; 16]);
        bytes
    }

    #[test]
    fn formats_are_recognised_by_their_bytes_not_their_label() {
        assert_eq!(
            sniff(&wav(), Some("audio/mpeg"), None).unwrap(),
            AudioFormat::Wav
        );
        assert_eq!(
            sniff(b"ID3\x04\x00\x00\x00\x00\x00\x00", None, Some("a.mpga")).unwrap(),
            AudioFormat::Mpga
        );
        assert_eq!(
            sniff(b"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00", None, None).unwrap(),
            AudioFormat::Ogg
        );
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
        let refused = sniff(png, Some("audio/webm"), Some("answer.webm")).unwrap_err();
        assert_eq!(refused.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(
            sniff(b"plain text, not audio", Some("audio/wav"), None)
                .unwrap_err()
                .status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
    }

    #[test]
    fn wav_headers_give_codec_and_sample_rate() {
        let metadata = describe(&wav(), AudioFormat::Wav);
        assert_eq!(metadata.codec.as_deref(), Some("pcm"));
        assert_eq!(metadata.sample_rate_hz, Some(16_000));
        assert_eq!(metadata.size_bytes, Some(wav().len() as u64));
    }
}
