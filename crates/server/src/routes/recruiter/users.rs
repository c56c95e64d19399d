//! The organization's recruiter accounts: admins add them and change their role or status.

use actix_web::{HttpResponse, web};
use interview_core::ids::RecruiterId;
use uuid::Uuid;

use crate::auth::AuthenticatedRecruiter;
use crate::dto::{
    CreateRecruiterRequest, JsonObject, RecruiterDto, UpdateRecruiterRequest, parse_role,
};
use crate::error::{ApiError, ErrorResponse};
use crate::state::AppState;

/// Add a recruiter to the caller's organization (admins only).
#[utoipa::path(post, path = "/api/v1/recruiter/users", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    request_body = CreateRecruiterRequest,
    responses(
        (status = 201, description = "Created", body = RecruiterDto),
        (status = 403, description = "Not an admin, or a candidate token (`forbidden`)", body = ErrorResponse),
        (status = 409, description = "A recruiter with this email exists (`conflict`)", body = ErrorResponse),
        (status = 422, description = "Invalid email, name, password or role (`details.fields`)", body = ErrorResponse)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    body: web::Json<CreateRecruiterRequest>,
) -> Result<HttpResponse, ApiError> {
    let role = parse_role(&body.role)?;
    let recruiter = state
        .recruiting
        .create_user(
            caller.actor(),
            &body.email,
            &body.full_name,
            &body.password,
            role,
        )
        .await?;
    Ok(HttpResponse::Created().json(RecruiterDto::from(&recruiter)))
}

/// The recruiters of the caller's organization, oldest first (every role may look).
#[utoipa::path(get, path = "/api/v1/recruiter/users", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    responses(
        (status = 200, description = "The recruiters", body = [RecruiterDto])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
) -> Result<HttpResponse, ApiError> {
    let recruiters = state.recruiting.users(caller.actor()).await?;
    let body: Vec<RecruiterDto> = recruiters.iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// Change a recruiter's role or deactivate (reactivate) them (admins only). A deactivated
/// recruiter's tokens are refused at once. An admin cannot demote or deactivate themselves.
#[utoipa::path(patch, path = "/api/v1/recruiter/users/{id}", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(("id" = Uuid, Path, description = "Recruiter id")),
    request_body = UpdateRecruiterRequest,
    responses(
        (status = 200, description = "Updated", body = RecruiterDto),
        (status = 403, description = "Not an admin (`forbidden`)", body = ErrorResponse),
        (status = 404, description = "No such recruiter in the caller's organization", body = ErrorResponse),
        (status = 409, description = "An admin demoting or deactivating themselves (`conflict`)", body = ErrorResponse),
        (status = 422, description = "Unknown role", body = ErrorResponse)))]
pub async fn update(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    id: web::Path<Uuid>,
    body: web::Json<JsonObject<UpdateRecruiterRequest>>,
) -> Result<HttpResponse, ApiError> {
    let role = body.role.as_deref().map(parse_role).transpose()?;
    let recruiter = state
        .recruiting
        .update_user(
            caller.actor(),
            RecruiterId::from_uuid(*id),
            role,
            body.is_active,
        )
        .await?;
    Ok(HttpResponse::Ok().json(RecruiterDto::from(&recruiter)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/users")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(web::resource("/users/{id}").route(web::patch().to(update)));
}
