//! An application to one of the organization's jobs, as its recruiters see it.

use actix_web::{HttpResponse, web};
use interview_core::ids::ApplicationId;
use uuid::Uuid;

use crate::auth::AuthenticatedRecruiter;
use crate::dto::ApplicationDto;
use crate::error::{ApiError, ErrorResponse};
use crate::state::AppState;

/// One application to a job of the caller's organization.
#[utoipa::path(get, path = "/api/v1/recruiter/applications/{id}", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "The application", body = ApplicationDto),
        (status = 404, description = "No such application to the caller's organization", body = ErrorResponse)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let application = state
        .recruiting
        .application(caller.actor(), ApplicationId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Ok().json(ApplicationDto::from(&application)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/applications/{id}").route(web::get().to(get)));
}
