//! An interview's assessment as its candidate sees it, and the browser's integrity events.

use actix_web::{HttpResponse, web};
use interview_core::assessment::{AssessmentState, CandidateAssessment};
use interview_core::ids::InterviewId;
use uuid::Uuid;

use crate::auth::AuthenticatedCandidate;
use crate::dto::{CandidateAssessmentResponse, ClientEventsRequest, ClientEventsResponse};
use crate::error::{ApiError, ErrorResponse};
use crate::state::AppState;

/// The candidate's assessment: scores per skill, highlights and growth areas (integrity flags,
/// recommendation and reasoning are for recruiters). 202 while it is being produced.
#[utoipa::path(get, path = "/api/v1/interviews/{id}/assessment", tag = "interviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Interview id")),
    responses(
        (status = 200, description = "Ready (`status: ready`), or every attempt to produce it failed (`status: failed`)", body = CandidateAssessmentResponse),
        (status = 202, description = "Being produced (`status: pending`); ask again shortly", body = CandidateAssessmentResponse),
        (status = 404, description = "No such interview of the caller", body = ErrorResponse),
        (status = 409, description = "None is due: the interview is not finished, or ended before any answer (`assessment_not_due`, `details.status`)", body = ErrorResponse)))]
pub async fn assessment(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let summary = state
        .assessments
        .summary(InterviewId::from_uuid(*id), caller.actor())
        .await?;
    Ok(match &summary.state {
        AssessmentState::Ready(assessment) => HttpResponse::Ok().json(
            CandidateAssessmentResponse::ready(*id, &CandidateAssessment::from(&**assessment)),
        ),
        AssessmentState::Pending => HttpResponse::Accepted()
            .insert_header(("Retry-After", "2"))
            .json(CandidateAssessmentResponse::status_only(*id, "pending")),
        AssessmentState::Failed { .. } => {
            HttpResponse::Ok().json(CandidateAssessmentResponse::status_only(*id, "failed"))
        }
        AssessmentState::NotDue => return Err(ApiError::assessment_not_due(summary.status)),
    })
}

/// Report what the browser observed during the interview (tab hidden, focus lost, paste,
/// fullscreen exit). They become integrity signals of the assessment.
#[utoipa::path(post, path = "/api/v1/interviews/{id}/events", tag = "interviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Interview id")),
    request_body = ClientEventsRequest,
    responses(
        (status = 202, description = "Recorded", body = ClientEventsResponse),
        (status = 404, description = "No such interview of the caller", body = ErrorResponse),
        (status = 409, description = "The interview is not in progress (`interview_not_active`)", body = ErrorResponse),
        (status = 422, description = "No events, more than 100, an unknown type, a bad timestamp or a count outside 1 to 10000", body = ErrorResponse)))]
pub async fn events(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
    body: web::Json<ClientEventsRequest>,
) -> Result<HttpResponse, ApiError> {
    let events = body.into_inner().into_events()?;
    let recorded = state
        .assessments
        .record_events(InterviewId::from_uuid(*id), caller.actor(), events)
        .await?;
    Ok(HttpResponse::Accepted().json(ClientEventsResponse { recorded }))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/{id}/assessment").route(web::get().to(assessment)))
        .service(web::resource("/{id}/events").route(web::post().to(events)));
}
