//! Open jobs ranked for the candidate, and why.

use actix_web::{HttpResponse, web};
use interview_core::ids::JobPostingId;
use uuid::Uuid;

use crate::auth::AuthenticatedCandidate;
use crate::dto::{
    ExplanationResponse, JobMatchDto, MatchingQuery, MatchingResponse, PostingDto, invalid_query,
};
use crate::error::{ApiError, ErrorResponse};
use crate::state::AppState;

/// Open jobs ranked by fit with the caller's profile and active resume: `{matches:[{job_posting,
/// score, matched_skills, missing_skills}], total_count, page, page_size}`.
#[utoipa::path(get, path = "/api/v1/matching/jobs", tag = "portal",
    security(("bearer" = [])),
    params(MatchingQuery),
    responses(
        (status = 200, description = "The ranking", body = MatchingResponse),
        (status = 400, description = "A page or limit out of range (`invalid_query`)", body = ErrorResponse)))]
pub async fn jobs(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    query: web::Query<MatchingQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.page.unwrap_or(1);
    let limit = query.limit.unwrap_or(20);
    if page == 0 || page > 10_000 || !(1..=100).contains(&limit) {
        return Err(invalid_query(
            "page must be 1 or more, limit 1 to 100".into(),
        ));
    }
    let ranked = state
        .portal
        .matching_jobs(caller.actor(), page, limit)
        .await?;
    Ok(HttpResponse::Ok().json(MatchingResponse {
        matches: ranked
            .matches
            .iter()
            .map(|(job, fit)| JobMatchDto {
                job_posting: PostingDto::public(job),
                score: fit.score,
                matched_skills: fit.matched_skills.clone(),
                missing_skills: fit.missing_skills.clone(),
            })
            .collect(),
        total_count: ranked.total_count,
        page,
        page_size: limit,
    }))
}

/// The terms of one open job's score for the caller.
#[utoipa::path(get, path = "/api/v1/matching/jobs/{id}/explanation", tag = "portal",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Job posting id")),
    responses(
        (status = 200, description = "The score's terms", body = ExplanationResponse),
        (status = 404, description = "No such open job", body = ErrorResponse)))]
pub async fn explanation(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (job, fit) = state
        .portal
        .match_explanation(caller.actor(), JobPostingId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Ok().json(ExplanationResponse::new(job.id.as_uuid(), &fit)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/jobs").route(web::get().to(jobs)))
        .service(web::resource("/jobs/{id}/explanation").route(web::get().to(explanation)));
}
