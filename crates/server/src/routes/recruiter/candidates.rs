//! The organization's candidates: everyone who applied to its jobs or interviewed in it, with
//! their interviews.

use actix_web::{HttpResponse, web};
use interview_core::ids::CandidateId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::AuthenticatedRecruiter;
use crate::dto::InterviewRowDto;
use crate::error::{ApiError, ErrorResponse};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
pub struct CandidateListQuery {
    /// Continue after this candidate id (the previous page's `next_after`).
    pub after: Option<Uuid>,
    /// 1 to 100; 20 when absent.
    pub limit: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationCandidateDto {
    pub candidate_id: Uuid,
    pub full_name: String,
    pub email: String,
    /// Their interviews in the organization, newest first (at most 100).
    pub interviews: Vec<InterviewRowDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidatePageResponse {
    pub items: Vec<OrganizationCandidateDto>,
    /// Pass as `after` for the next page; absent on the last one.
    pub next_after: Option<Uuid>,
}

/// The organization's candidates, by id, each with their interviews in the organization.
#[utoipa::path(get, path = "/api/v1/recruiter/candidates", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(CandidateListQuery),
    responses(
        (status = 200, description = "A page of candidates", body = CandidatePageResponse),
        (status = 400, description = "A cursor or limit that does not parse or is out of range (`invalid_query`)", body = ErrorResponse)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    query: web::Query<CandidateListQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::new(
            actix_web::http::StatusCode::BAD_REQUEST,
            "invalid_query",
            "limit must be 1 to 100",
        ));
    }
    let rows = state
        .recruiting
        .candidates(
            caller.actor(),
            query.after.map(CandidateId::from_uuid),
            limit,
        )
        .await?;
    let next_after = (rows.len() as u64 == limit)
        .then(|| {
            rows.last()
                .map(|(candidate, _)| candidate.candidate_id.as_uuid())
        })
        .flatten();
    Ok(HttpResponse::Ok().json(CandidatePageResponse {
        items: rows
            .iter()
            .map(|(candidate, interviews)| OrganizationCandidateDto {
                candidate_id: candidate.candidate_id.as_uuid(),
                full_name: candidate.full_name.clone(),
                email: candidate.email.clone(),
                interviews: interviews.iter().map(InterviewRowDto::from).collect(),
            })
            .collect(),
        next_after,
    }))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/candidates").route(web::get().to(list)));
}
