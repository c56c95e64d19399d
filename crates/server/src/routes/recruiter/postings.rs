//! The organization's job postings: recruiters and admins create, change, publish and close
//! them; every role reads them.

use actix_web::{HttpResponse, web};
use interview_core::ids::JobPostingId;
use uuid::Uuid;

use crate::auth::AuthenticatedRecruiter;
use crate::dto::{PostingDto, PostingPageResponse, PostingPatch, PostingQuery, PostingRequest};
use crate::error::{ApiError, ErrorResponse};
use crate::state::AppState;

/// Post a job for the caller's organization: a draft unless `status` is `open`.
#[utoipa::path(post, path = "/api/v1/recruiter/job-postings", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    request_body = PostingRequest,
    responses(
        (status = 201, description = "Created", body = PostingDto),
        (status = 403, description = "A viewer, or a candidate token (`forbidden`)", body = ErrorResponse),
        (status = 422, description = "Invalid or missing fields (`details.fields`)", body = ErrorResponse)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    body: web::Json<PostingRequest>,
) -> Result<HttpResponse, ApiError> {
    let (draft, status) = body.into_inner().into_draft()?;
    let posting = state
        .recruiting
        .create_posting(caller.actor(), draft, status)
        .await?;
    Ok(HttpResponse::Created().json(PostingDto::internal(&posting)))
}

/// The organization's postings in every status, newest first, with the public listing's
/// filters; `{items, total, skip, limit}`.
#[utoipa::path(get, path = "/api/v1/recruiter/job-postings", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(PostingQuery),
    responses(
        (status = 200, description = "A page of postings", body = PostingPageResponse),
        (status = 400, description = "A filter or paging value that does not parse or is out of range (`invalid_query`)", body = ErrorResponse)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    query: web::Query<PostingQuery>,
) -> Result<HttpResponse, ApiError> {
    let (filter, skip, limit) = query.parse()?;
    let page = state
        .recruiting
        .organization_postings(caller.actor(), filter, skip, limit)
        .await?;
    Ok(HttpResponse::Ok().json(PostingPageResponse {
        items: page.postings.iter().map(PostingDto::internal).collect(),
        total: page.total,
        skip,
        limit,
    }))
}

/// One of the organization's postings, in any status.
#[utoipa::path(get, path = "/api/v1/recruiter/job-postings/{id}", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(("id" = Uuid, Path, description = "Job posting id")),
    responses(
        (status = 200, description = "The posting", body = PostingDto),
        (status = 404, description = "No such posting in the caller's organization", body = ErrorResponse)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let posting = state
        .recruiting
        .posting(caller.actor(), JobPostingId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Ok().json(PostingDto::internal(&posting)))
}

/// Change a posting: the fields given (absent ones stay, `null` clears an optional one) and its
/// `status` (`open` publishes it, `closed` takes it off the public listing and refuses new
/// applications, `draft` withdraws it).
#[utoipa::path(patch, path = "/api/v1/recruiter/job-postings/{id}", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(("id" = Uuid, Path, description = "Job posting id")),
    request_body = PostingPatch,
    responses(
        (status = 200, description = "Updated", body = PostingDto),
        (status = 403, description = "A viewer (`forbidden`)", body = ErrorResponse),
        (status = 404, description = "No such posting in the caller's organization", body = ErrorResponse),
        (status = 422, description = "Invalid fields (`details.fields`)", body = ErrorResponse)))]
pub async fn update(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    id: web::Path<Uuid>,
    body: web::Json<crate::dto::JsonObject<PostingPatch>>,
) -> Result<HttpResponse, ApiError> {
    let id = JobPostingId::from_uuid(*id);
    let current = state.recruiting.posting(caller.actor(), id).await?;
    let (draft, status) = body.into_inner().0.apply_to(&current)?;
    let posting = state
        .recruiting
        .update_posting(caller.actor(), id, draft, status)
        .await?;
    Ok(HttpResponse::Ok().json(PostingDto::internal(&posting)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/job-postings")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(
        web::resource("/job-postings/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update)),
    );
}
