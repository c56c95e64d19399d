//! Resumes: upload (multipart `file`), list, read, delete, activate, a signed download link and
//! the file it opens, the parsing status, the analysis and the feedback once sent.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use interview_core::ids::ResumeId;
use interview_core::portal::Upload;
use uuid::Uuid;

use crate::auth::AuthenticatedCandidate;
use crate::dto::{
    AnalysisResponse, DownloadResponse, FeedbackResponse, ParsingStatusResponse, ResumeResponse,
    ResumeUploadForm, SignedFileQuery,
};
use crate::error::{ApiError, ErrorResponse};
use crate::routes::audio::{malformed, read_field, require_boundary};
use crate::state::AppState;

/// Upload a resume (PDF or DOCX, at most 5 MB); it is parsed in the background.
#[utoipa::path(post, path = "/api/v1/resumes/upload", tag = "portal",
    security(("bearer" = [])),
    request_body(content = ResumeUploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored; parsing is `pending`", body = ResumeResponse),
        (status = 400, description = "A broken multipart body (`malformed_multipart`)", body = ErrorResponse),
        (status = 409, description = "Already 10 resumes (`resume_limit`)", body = ErrorResponse),
        (status = 413, description = "Larger than 5 MB", body = ErrorResponse),
        (status = 415, description = "Not a PDF or DOCX", body = ErrorResponse),
        (status = 422, description = "No `file` field", body = ErrorResponse)))]
pub async fn upload(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    require_boundary(&request)?;
    let limit = usize::try_from(state.portal.settings().max_resume_bytes).unwrap_or(usize::MAX);
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "a resume may be at most 5 MB",
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit + 64 * 1024) {
        return Err(too_large());
    }
    let mut form = Multipart::new(request.headers(), payload);
    let mut file = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|error| malformed(&error))?;
        if field.name() == Some("file") && file.is_none() {
            let file_name = field
                .content_disposition()
                .and_then(|disposition| disposition.get_filename())
                .unwrap_or_default()
                .to_owned();
            let bytes = read_field(&mut field, limit, || {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "a resume may be at most 5 MB",
                )
            })
            .await?;
            file = Some(Upload { file_name, bytes });
        } else {
            read_field(&mut field, 1024, || {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "unexpected large form field",
                )
            })
            .await?;
        }
    }
    let file = file.ok_or_else(|| ApiError::field("file", "a PDF or DOCX file is required"))?;
    let resume = state.portal.upload_resume(caller.actor(), file).await?;
    Ok(HttpResponse::Created().json(ResumeResponse::from(&resume)))
}

/// The caller's resumes, newest first.
#[utoipa::path(get, path = "/api/v1/resumes", tag = "portal",
    security(("bearer" = [])),
    responses((status = 200, description = "The resumes", body = [ResumeResponse])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
) -> Result<HttpResponse, ApiError> {
    let resumes = state.portal.resumes(caller.actor()).await?;
    let body: Vec<ResumeResponse> = resumes.iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// One of the caller's resumes.
#[utoipa::path(get, path = "/api/v1/resumes/{id}", tag = "portal",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resume id")),
    responses(
        (status = 200, description = "The resume", body = ResumeResponse),
        (status = 404, description = "No such resume of the caller", body = ErrorResponse)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let resume = state
        .portal
        .resume(caller.actor(), ResumeId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Ok().json(ResumeResponse::from(&resume)))
}

/// Delete one of the caller's resumes (its file and feedback too).
#[utoipa::path(delete, path = "/api/v1/resumes/{id}", tag = "portal",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resume id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such resume of the caller", body = ErrorResponse)))]
pub async fn delete(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state
        .portal
        .delete_resume(caller.actor(), ResumeId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Make this resume the active one (the others are not).
#[utoipa::path(post, path = "/api/v1/resumes/{id}/activate", tag = "portal",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resume id")),
    responses(
        (status = 200, description = "Active", body = ResumeResponse),
        (status = 404, description = "No such resume of the caller", body = ErrorResponse)))]
pub async fn activate(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let resume = state
        .portal
        .activate_resume(caller.actor(), ResumeId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Ok().json(ResumeResponse::from(&resume)))
}

/// A link to download the file, valid for `portal.download_link_seconds` (5 minutes).
#[utoipa::path(get, path = "/api/v1/resumes/{id}/download", tag = "portal",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resume id")),
    responses(
        (status = 200, description = "The link", body = DownloadResponse),
        (status = 404, description = "No such resume of the caller", body = ErrorResponse)))]
pub async fn download(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let link = state
        .portal
        .download_link(caller.actor(), ResumeId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Ok().json(DownloadResponse {
        signed_url: link.path,
        expires_at: link.expires_at,
    }))
}

/// The file a signed link opens (no token: the signature is the credential).
#[utoipa::path(get, path = "/api/v1/resumes/{id}/file", tag = "portal",
    params(("id" = Uuid, Path, description = "Resume id"), SignedFileQuery),
    responses(
        (status = 200, description = "The file", content_type = "application/pdf"),
        (status = 400, description = "No `expires` or `signature` (`invalid_query`)", body = ErrorResponse),
        (status = 403, description = "A wrong or expired signature (`link_invalid`)", body = ErrorResponse),
        (status = 404, description = "The resume is gone", body = ErrorResponse)))]
pub async fn file(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: web::Query<SignedFileQuery>,
) -> Result<HttpResponse, ApiError> {
    let (resume, bytes) = state
        .portal
        .linked_file(ResumeId::from_uuid(*id), query.expires, &query.signature)
        .await?;
    let content_type = match resume.format {
        interview_core::ports::DocumentFormat::Pdf => "application/pdf",
        interview_core::ports::DocumentFormat::Docx => {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        }
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(resume.file_name)],
        })
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}

/// Where parsing stands.
#[utoipa::path(get, path = "/api/v1/resumes/{id}/parsing-status", tag = "portal",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resume id")),
    responses(
        (status = 200, description = "The status", body = ParsingStatusResponse),
        (status = 404, description = "No such resume of the caller", body = ErrorResponse)))]
pub async fn parsing_status(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let resume = state
        .portal
        .parsing_state(caller.actor(), ResumeId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Ok().json(ParsingStatusResponse {
        resume_id: resume.id.as_uuid(),
        parsing_status: resume.parsing_status.as_str().to_owned(),
        parsing_error: resume.parsing_error,
        parsed_at: resume.parsed_at,
    }))
}

/// What parsing found (404 until it is parsed).
#[utoipa::path(get, path = "/api/v1/resumes/{id}/analysis", tag = "portal",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resume id")),
    responses(
        (status = 200, description = "The analysis", body = AnalysisResponse),
        (status = 404, description = "Not parsed (yet), or no such resume of the caller", body = ErrorResponse)))]
pub async fn analysis(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let facts = state
        .portal
        .analysis(caller.actor(), ResumeId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Ok().json(AnalysisResponse::new(*id, facts)))
}

/// The feedback on the resume, once it was sent (404 before).
#[utoipa::path(get, path = "/api/v1/resumes/{id}/feedback", tag = "portal",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resume id")),
    responses(
        (status = 200, description = "The feedback", body = FeedbackResponse),
        (status = 404, description = "Not sent yet, or no such resume of the caller", body = ErrorResponse)))]
pub async fn feedback(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let feedback = state
        .portal
        .resume_feedback(caller.actor(), ResumeId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Ok().json(FeedbackResponse::from(&feedback)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("").route(web::get().to(list)))
        .service(web::resource("/upload").route(web::post().to(upload)))
        .service(
            web::resource("/{id}")
                .route(web::get().to(get))
                .route(web::delete().to(delete)),
        )
        .service(web::resource("/{id}/activate").route(web::post().to(activate)))
        .service(web::resource("/{id}/download").route(web::get().to(download)))
        .service(web::resource("/{id}/file").route(web::get().to(file)))
        .service(web::resource("/{id}/parsing-status").route(web::get().to(parsing_status)))
        .service(web::resource("/{id}/analysis").route(web::get().to(analysis)))
        .service(web::resource("/{id}/feedback").route(web::get().to(feedback)));
}
