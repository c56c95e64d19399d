//! The one place where errors become HTTP responses:
//! `{"error": {"code", "message", "request_id", "details"?}, "detail"}`.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use interview_core::accounts::{AccountError, FieldError};
use interview_core::assessment::{EventsError, RegenerateError};
use interview_core::interview::{AnswerError, CompleteError, ReadError, StartError};
use interview_core::lifecycle::InterviewStatus;
use interview_core::portal::PortalError;
use interview_core::ports::{BlobError, ProviderError, RepositoryError};
use interview_core::recruiting::RecruitingError;
use interview_core::video::VideoError;
use serde::Serialize;
use utoipa::ToSchema;

/// An error response body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorResponse {
    pub error: ErrorBody,
    /// The same human-readable explanation as `error.message`, for clients written against
    /// FastAPI's `{"detail": …}` convention.
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, such as `validation_failed` or `interview_not_active`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// The request's `X-Request-Id`, to quote when reporting a problem.
    pub request_id: Option<String>,
    /// Extra facts, such as the invalid fields or an interview's status.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Option<serde_json::Value>,
    pub retry_after_seconds: Option<u64>,
    /// `Content-Range` of a 416 (`bytes */length`).
    pub content_range: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: None,
            retry_after_seconds: None,
            content_range: None,
        }
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_seconds = Some(seconds.max(1));
        self
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// The caller is known but may not do this: the token is another audience's (a candidate's
    /// on a recruiter endpoint, or the reverse), or their role does not allow it.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn validation(message: impl Into<String>, fields: &[FieldError]) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            message,
        )
        .with_details(serde_json::json!({ "fields": fields }))
    }

    pub fn field(field: &'static str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::validation(
            format!("{field}: {message}"),
            &[FieldError { field, message }],
        )
    }

    /// The database cannot be reached; the client may retry shortly.
    pub fn storage_unavailable(cause: &str) -> Self {
        tracing::warn!(%cause, "storage unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            "storage is temporarily unavailable; please retry",
        )
        .retry_after(2)
    }

    /// An unexpected failure: the cause is logged, the client gets a generic message.
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        tracing::error!(cause = %chain(cause), "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "something went wrong on our side; the request id identifies it in our logs",
        )
    }

    /// The response, carrying the error in its extensions, for code that must hand over a
    /// plain response (a middleware's callback): the error middleware renders it again with the
    /// request id.
    pub fn into_tagged_response(self) -> HttpResponse {
        let mut response = self.render(None);
        response.extensions_mut().insert(self);
        response
    }

    /// The response, with the request id when known.
    pub fn render(&self, request_id: Option<&str>) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(seconds) = self.retry_after_seconds
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.insert_header((header::RETRY_AFTER, value));
        }
        if let Some(range) = &self.content_range
            && let Ok(value) = HeaderValue::from_str(range)
        {
            response.insert_header((header::CONTENT_RANGE, value));
        }
        response.json(ErrorResponse {
            error: ErrorBody {
                code: self.code.to_owned(),
                message: self.message.clone(),
                request_id: request_id.map(str::to_owned),
                details: self.details.clone(),
            },
            detail: self.message.clone(),
        })
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        self.render(None)
    }
}

fn seconds(duration: Option<std::time::Duration>) -> u64 {
    duration.map_or(5, |d| d.as_secs().max(1))
}

/// `error` and its sources, joined: what the logs get.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

impl ApiError {
    fn interview_not_active(status: InterviewStatus) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "interview_not_active",
            format!("the interview is {status}"),
        )
        .with_details(serde_json::json!({ "status": status.as_str() }))
    }

    /// No assessment exists or is coming: the interview is not finished, or ended before any
    /// answer.
    pub fn assessment_not_due(status: InterviewStatus) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "assessment_not_due",
            format!(
                "the interview is {status}; an assessment is produced when an interview with at \
                 least one answer ends"
            ),
        )
        .with_details(serde_json::json!({ "status": status.as_str() }))
    }

    fn speech_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "speech_unavailable",
            "voice needs an AI provider with speech; the configured one has none (set \
             OPENAI_API_KEY on the server, or answer by text)",
        )
    }

    /// A failed interviewer call; nothing was recorded.
    fn interviewer(error: &ProviderError) -> Self {
        match error {
            ProviderError::RateLimited { retry_after } => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ai_rate_limited",
                "the AI provider is rate limiting us; try again shortly",
            )
            .retry_after(seconds(*retry_after)),
            other => {
                tracing::warn!(cause = %chain(other), "AI provider unavailable");
                let retry_after = match other {
                    ProviderError::Unavailable { retry_after, .. } => *retry_after,
                    _ => None,
                };
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ai_unavailable",
                    "the AI interviewer is unavailable; nothing was recorded, please retry",
                )
                .retry_after(seconds(retry_after))
            }
        }
    }

    fn repository(error: &RepositoryError) -> Self {
        match error {
            RepositoryError::NotFound | RepositoryError::MissingReference(_) => {
                Self::not_found("interview")
            }
            RepositoryError::Conflict(message) | RepositoryError::Duplicate(message) => {
                tracing::info!(cause = %message, "write conflict");
                Self::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    "the data changed concurrently; reload it and retry",
                )
            }
            RepositoryError::Unavailable(_) => Self::storage_unavailable(&chain(error)),
            RepositoryError::Corrupt(_) | RepositoryError::Unknown(_) => Self::internal(error),
        }
    }

    fn blobs(error: &BlobError) -> Self {
        match error {
            BlobError::NotFound => Self::not_found("audio"),
            BlobError::Unavailable(_) | BlobError::Unknown(_) => {
                Self::storage_unavailable(&chain(error))
            }
        }
    }
}

impl From<StartError> for ApiError {
    fn from(error: StartError) -> Self {
        match &error {
            StartError::UnknownCandidate => Self::unauthorized("the account no longer exists"),
            StartError::BudgetExhausted => Self::new(
                StatusCode::CONFLICT,
                "budget_exhausted",
                "the interview budget does not allow another AI call",
            ),
            StartError::SpeechUnavailable => Self::speech_unavailable(),
            StartError::Interviewer(source) => Self::interviewer(source),
            StartError::Storage(source) => Self::repository(source),
            StartError::Lifecycle(_) => Self::internal(&error),
        }
    }
}

impl From<AnswerError> for ApiError {
    fn from(error: AnswerError) -> Self {
        match &error {
            AnswerError::NotFound => Self::not_found("interview"),
            AnswerError::InvalidState { status } => Self::interview_not_active(*status),
            AnswerError::Conflict(message) => {
                Self::new(StatusCode::CONFLICT, "conflict", message.clone())
            }
            AnswerError::Validation { field, message } => Self::field(field, message.clone()),
            AnswerError::SpeechUnavailable => Self::speech_unavailable(),
            AnswerError::TranscriptionUnavailable(source) => {
                tracing::warn!(cause = %chain(&error), "transcription unavailable");
                let retry_after = match source {
                    ProviderError::RateLimited { retry_after }
                    | ProviderError::Unavailable { retry_after, .. } => *retry_after,
                    _ => None,
                };
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "transcription_unavailable",
                    "the recording could not be transcribed right now; nothing was recorded, \
                     please send it again",
                )
                .retry_after(seconds(retry_after))
            }
            AnswerError::AudioRejected(message) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_audio",
                message.clone(),
            ),
            AnswerError::Interviewer(source) => Self::interviewer(source),
            AnswerError::Storage(source) => Self::repository(source),
            AnswerError::Blobs(source) => Self::blobs(source),
            AnswerError::Lifecycle(_) => Self::internal(&error),
        }
    }
}

impl From<ReadError> for ApiError {
    fn from(error: ReadError) -> Self {
        match &error {
            ReadError::NotFound => Self::not_found("interview"),
            ReadError::Storage(source) => Self::repository(source),
            ReadError::Blobs(source) => Self::blobs(source),
        }
    }
}

impl From<CompleteError> for ApiError {
    fn from(error: CompleteError) -> Self {
        match &error {
            CompleteError::NotFound => Self::not_found("interview"),
            CompleteError::InvalidState { status } => Self::interview_not_active(*status),
            CompleteError::Storage(source) => Self::repository(source),
        }
    }
}

impl From<EventsError> for ApiError {
    fn from(error: EventsError) -> Self {
        match &error {
            EventsError::NotFound => Self::not_found("interview"),
            EventsError::InvalidState { status } => Self::interview_not_active(*status),
            EventsError::Validation { field, message } => Self::field(field, message.clone()),
            EventsError::Storage(source) => Self::repository(source),
        }
    }
}

impl From<RegenerateError> for ApiError {
    fn from(error: RegenerateError) -> Self {
        match &error {
            RegenerateError::NotFound => Self::not_found("interview"),
            RegenerateError::NotAssessable { status } => Self::assessment_not_due(*status),
            RegenerateError::Storage(source) => Self::repository(source),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Validation(fields) => {
                Self::validation("some fields are invalid", &fields)
            }
            AccountError::EmailTaken => Self::new(
                StatusCode::CONFLICT,
                "email_taken",
                "an account with this email already exists",
            ),
            AccountError::InvalidCredentials => Self::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "invalid email or password",
            ),
            AccountError::LockedOut {
                retry_after_seconds,
            } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "account_locked",
                "too many failed logins for this email; try again later",
            )
            .retry_after(u64::try_from(retry_after_seconds).unwrap_or(1)),
            AccountError::NotFound => Self::unauthorized("the account no longer exists"),
            AccountError::Storage(source) => Self::repository(&source),
            AccountError::Hashing(_) => Self::internal(&error),
        }
    }
}

impl From<RecruitingError> for ApiError {
    fn from(error: RecruitingError) -> Self {
        match error {
            RecruitingError::NotFound(what) => Self::not_found(what),
            RecruitingError::Forbidden => Self::forbidden("your role does not allow this"),
            RecruitingError::WrongAudience(who) => {
                Self::forbidden(format!("this endpoint is for {who} only"))
            }
            RecruitingError::Validation(fields) => {
                Self::validation("some fields are invalid", &fields)
            }
            RecruitingError::Conflict { code, message } => {
                Self::new(StatusCode::CONFLICT, code, message)
            }
            RecruitingError::InvalidCredentials => Self::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "invalid email or password",
            ),
            RecruitingError::LockedOut {
                retry_after_seconds,
            } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "account_locked",
                "too many failed logins for this email; try again later",
            )
            .retry_after(u64::try_from(retry_after_seconds).unwrap_or(1)),
            RecruitingError::Start(source) => Self::from(source),
            RecruitingError::Storage(source) => Self::repository(&source),
            RecruitingError::Hashing(_) => Self::internal(&error),
        }
    }
}

impl From<PortalError> for ApiError {
    fn from(error: PortalError) -> Self {
        match error {
            PortalError::NotFound(what) => Self::not_found(what),
            PortalError::WrongAudience(who) => {
                Self::forbidden(format!("this endpoint is for {who} only"))
            }
            PortalError::Forbidden => Self::forbidden("your role does not allow this"),
            PortalError::Validation(fields) => Self::validation("some fields are invalid", &fields),
            PortalError::UnsupportedType(message) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                message,
            ),
            PortalError::TooLarge { .. } => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                error.to_string(),
            ),
            PortalError::Conflict { code, message } => {
                Self::new(StatusCode::CONFLICT, code, message)
            }
            PortalError::LinkInvalid => Self::new(
                StatusCode::FORBIDDEN,
                "link_invalid",
                "the download link is invalid or has expired; ask for a new one",
            ),
            PortalError::Storage(source) => Self::repository(&source),
            PortalError::Files(source) => match source {
                BlobError::NotFound => Self::not_found("file"),
                other => Self::blobs(&other),
            },
        }
    }
}

impl From<VideoError> for ApiError {
    fn from(error: VideoError) -> Self {
        match error {
            VideoError::NotFound(what) => Self::not_found(what),
            VideoError::ConsentRequired => Self::new(
                StatusCode::FORBIDDEN,
                "consent_required",
                "the candidate has not consented to video recording",
            ),
            VideoError::UploadClosed(message) => {
                Self::new(StatusCode::CONFLICT, "upload_closed", message)
            }
            VideoError::RecordingClosed(_) => {
                Self::new(StatusCode::CONFLICT, "recording_closed", error.to_string())
            }
            VideoError::UnsupportedType(message) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                message,
            ),
            VideoError::ChunkTooLarge { .. } => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                error.to_string(),
            ),
            VideoError::StorageLimit { limit } => Self::new(
                StatusCode::INSUFFICIENT_STORAGE,
                "storage_limit",
                error.to_string(),
            )
            .with_details(serde_json::json!({ "limit_bytes": limit })),
            VideoError::ChunkMismatch { .. } => {
                Self::new(StatusCode::CONFLICT, "chunk_mismatch", error.to_string())
            }
            VideoError::MissingChunks { ref missing } => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "missing_chunks",
                error.to_string(),
            )
            .with_details(serde_json::json!({ "missing": missing })),
            VideoError::Invalid { field, message } => Self::field(field, message),
            VideoError::Source(source) => Self::new(
                StatusCode::BAD_REQUEST,
                "malformed_multipart",
                source.to_string(),
            ),
            VideoError::Storage(source) => Self::repository(&source),
            VideoError::Objects(source) => match source {
                BlobError::NotFound => Self::not_found("recording"),
                other => Self::blobs(&other),
            },
        }
    }
}

/// Body errors: malformed JSON is a 400, well-formed JSON of the wrong shape a 422.
#[allow(clippy::needless_pass_by_value)] // the signature actix's error handlers require
pub fn json_error(error: JsonPayloadError, _request: &HttpRequest) -> actix_web::Error {
    let api = match &error {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is larger than {limit} bytes"),
        ),
        JsonPayloadError::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the body must be JSON (Content-Type: application/json)",
        ),
        JsonPayloadError::Deserialize(inner) if inner.is_data() => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            format!("the body does not have the expected shape: {inner}"),
        ),
        JsonPayloadError::Deserialize(inner) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("the body is not valid JSON: {inner}"),
        ),
        other => ApiError::new(StatusCode::BAD_REQUEST, "bad_request", other.to_string()),
    };
    api.into()
}

/// A path segment that does not parse (an id that is not a UUID) names no resource.
#[allow(clippy::needless_pass_by_value)] // the signature actix's error handlers require
pub fn path_error(_error: PathError, _request: &HttpRequest) -> actix_web::Error {
    ApiError::not_found("resource").into()
}

#[allow(clippy::needless_pass_by_value)] // the signature actix's error handlers require
pub fn query_error(error: QueryPayloadError, _request: &HttpRequest) -> actix_web::Error {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_query",
        format!("invalid query string: {error}"),
    )
    .into()
}
