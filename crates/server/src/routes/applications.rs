//! A candidate's applications to open jobs.

use actix_web::{HttpResponse, web};
use interview_core::ids::{ApplicationId, JobPostingId};
use uuid::Uuid;

use crate::auth::AuthenticatedCandidate;
use crate::dto::{ApplicationDto, ApplyRequest};
use crate::error::{ApiError, ErrorResponse};
use crate::state::AppState;

/// Apply to an open job. Then start its interview with
/// `POST /api/v1/interviews/start {"application_id": …, "role_type": null}`.
#[utoipa::path(post, path = "/api/v1/applications", tag = "applications",
    security(("bearer" = [])),
    request_body = ApplyRequest,
    responses(
        (status = 201, description = "Applied", body = ApplicationDto),
        (status = 404, description = "No such job posting, or it is not open", body = ErrorResponse),
        (status = 409, description = "Already applied to this job (`conflict`)", body = ErrorResponse)))]
pub async fn apply(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    body: web::Json<ApplyRequest>,
) -> Result<HttpResponse, ApiError> {
    let application = state
        .recruiting
        .apply(caller.actor(), JobPostingId::from_uuid(body.job_posting_id))
        .await?;
    Ok(HttpResponse::Created().json(ApplicationDto::from(&application)))
}

/// The caller's applications, newest first (a bare array).
#[utoipa::path(get, path = "/api/v1/applications/me", tag = "applications",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The applications", body = [ApplicationDto])))]
pub async fn mine(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
) -> Result<HttpResponse, ApiError> {
    let applications = state.recruiting.my_applications(caller.actor()).await?;
    let body: Vec<ApplicationDto> = applications.iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// One of the caller's applications; its `status` follows the recruiters' decision
/// (`advanced`, `rejected`, `on_hold`).
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "The application", body = ApplicationDto),
        (status = 404, description = "No such application of the caller", body = ErrorResponse)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let application = state
        .recruiting
        .application(caller.actor(), ApplicationId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Ok().json(ApplicationDto::from(&application)))
}

/// Relative to `/api/v1/applications`; `/me` before `/{id}`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("").route(web::post().to(apply)))
        .service(web::resource("/me").route(web::get().to(mine)))
        .service(web::resource("/{id}").route(web::get().to(get)));
}
