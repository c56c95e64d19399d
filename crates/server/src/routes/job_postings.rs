//! The public job listing: open postings of every organization, no sign-in.

use actix_web::{HttpResponse, web};
use interview_core::ids::JobPostingId;
use uuid::Uuid;

use crate::dto::{PostingDto, PostingPageResponse, PostingQuery};
use crate::error::{ApiError, ErrorResponse};
use crate::state::AppState;

/// Open job postings, newest first: `{items, total, skip, limit}`, where `total` counts every
/// posting matching the filters.
#[utoipa::path(get, path = "/api/v1/job-postings", tag = "jobs",
    params(PostingQuery),
    responses(
        (status = 200, description = "A page of open postings", body = PostingPageResponse),
        (status = 400, description = "A filter or paging value that does not parse or is out of range (`invalid_query`)", body = ErrorResponse)))]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<PostingQuery>,
) -> Result<HttpResponse, ApiError> {
    let (filter, skip, limit) = query.parse()?;
    let page = state.recruiting.open_postings(filter, skip, limit).await?;
    Ok(HttpResponse::Ok().json(PostingPageResponse {
        items: page.postings.iter().map(PostingDto::public).collect(),
        total: page.total,
        skip,
        limit,
    }))
}

/// One open posting.
#[utoipa::path(get, path = "/api/v1/job-postings/{id}", tag = "jobs",
    params(("id" = Uuid, Path, description = "Job posting id")),
    responses(
        (status = 200, description = "The posting", body = PostingDto),
        (status = 404, description = "No such posting, or it is a draft or closed", body = ErrorResponse)))]
pub async fn get(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let posting = state
        .recruiting
        .open_posting(JobPostingId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Ok().json(PostingDto::public(&posting)))
}

/// Relative to `/api/v1/job-postings`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("").route(web::get().to(list)))
        .service(web::resource("/{id}").route(web::get().to(get)));
}
