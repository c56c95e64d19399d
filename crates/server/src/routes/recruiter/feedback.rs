//! Resume feedback waiting for recruiters: read, edit, approve (sent now) or reject.

use actix_web::{HttpResponse, web};
use interview_core::ids::ResumeFeedbackId;
use interview_core::portal::FeedbackState;
use uuid::Uuid;

use crate::auth::AuthenticatedRecruiter;
use crate::dto::{FeedbackEdit, FeedbackQuery, FeedbackResponse, invalid_query};
use crate::error::{ApiError, ErrorResponse};
use crate::state::AppState;

/// Feedback on the resumes of candidates who applied to the organization's jobs (every
/// candidate's for the default organization), oldest first.
#[utoipa::path(get, path = "/api/v1/recruiter/resume-feedback", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(FeedbackQuery),
    responses(
        (status = 200, description = "The feedback", body = [FeedbackResponse]),
        (status = 400, description = "An unknown status or a limit out of range (`invalid_query`)", body = ErrorResponse)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    query: web::Query<FeedbackQuery>,
) -> Result<HttpResponse, ApiError> {
    let status = query
        .status
        .as_deref()
        .map(|status| {
            status.parse::<FeedbackState>().map_err(|_| {
                invalid_query("status must be pending_approval, approved, rejected or sent".into())
            })
        })
        .transpose()?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(invalid_query("limit must be 1 to 200".into()));
    }
    let rows = state
        .portal
        .feedback_for_recruiter(caller.actor(), status, limit)
        .await?;
    let body: Vec<FeedbackResponse> = rows.iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// One feedback.
#[utoipa::path(get, path = "/api/v1/recruiter/resume-feedback/{id}", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(("id" = Uuid, Path, description = "Feedback id")),
    responses(
        (status = 200, description = "The feedback", body = FeedbackResponse),
        (status = 404, description = "Not visible to the organization", body = ErrorResponse)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = state
        .portal
        .feedback_by_id(caller.actor(), ResumeFeedbackId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Ok().json(FeedbackResponse::from(&row)))
}

/// Edit the text before it is sent (recruiters and admins).
#[utoipa::path(patch, path = "/api/v1/recruiter/resume-feedback/{id}", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(("id" = Uuid, Path, description = "Feedback id")),
    request_body = FeedbackEdit,
    responses(
        (status = 200, description = "Edited", body = FeedbackResponse),
        (status = 404, description = "Not visible to the organization", body = ErrorResponse),
        (status = 409, description = "Already decided or sent (`feedback_decided`)", body = ErrorResponse),
        (status = 422, description = "Empty or too long", body = ErrorResponse)))]
pub async fn edit(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    id: web::Path<Uuid>,
    body: web::Json<FeedbackEdit>,
) -> Result<HttpResponse, ApiError> {
    let row = state
        .portal
        .edit_feedback(
            caller.actor(),
            ResumeFeedbackId::from_uuid(*id),
            &body.feedback_content,
        )
        .await?;
    Ok(HttpResponse::Ok().json(FeedbackResponse::from(&row)))
}

/// Approve: the feedback is emailed to the candidate now.
#[utoipa::path(post, path = "/api/v1/recruiter/resume-feedback/{id}/approve", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(("id" = Uuid, Path, description = "Feedback id")),
    responses(
        (status = 200, description = "Approved; sending is queued", body = FeedbackResponse),
        (status = 404, description = "Not visible to the organization", body = ErrorResponse),
        (status = 409, description = "Already decided or sent (`feedback_decided`)", body = ErrorResponse)))]
pub async fn approve(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = state
        .portal
        .approve_feedback(caller.actor(), ResumeFeedbackId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Ok().json(FeedbackResponse::from(&row)))
}

/// Reject: the feedback is never sent.
#[utoipa::path(post, path = "/api/v1/recruiter/resume-feedback/{id}/reject", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(("id" = Uuid, Path, description = "Feedback id")),
    responses(
        (status = 200, description = "Rejected", body = FeedbackResponse),
        (status = 404, description = "Not visible to the organization", body = ErrorResponse),
        (status = 409, description = "Already decided or sent (`feedback_decided`)", body = ErrorResponse)))]
pub async fn reject(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = state
        .portal
        .reject_feedback(caller.actor(), ResumeFeedbackId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Ok().json(FeedbackResponse::from(&row)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/resume-feedback").route(web::get().to(list)))
        .service(
            web::resource("/resume-feedback/{id}")
                .route(web::get().to(get))
                .route(web::patch().to(edit)),
        )
        .service(web::resource("/resume-feedback/{id}/approve").route(web::post().to(approve)))
        .service(web::resource("/resume-feedback/{id}/reject").route(web::post().to(reject)));
}
