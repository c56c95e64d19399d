//! The candidate's profile.

use actix_web::{HttpResponse, web};
use interview_core::portal::{Preferences, WorkPreference};
use interview_core::recruiting::EmploymentType;

use crate::auth::AuthenticatedCandidate;
use crate::dto::{
    BasicInfoRequest, PreferencesRequest, ProfileResponse, SkillsRequest, names, parse_field,
};
use crate::error::{ApiError, ErrorResponse};
use crate::state::AppState;

/// The caller's profile.
#[utoipa::path(get, path = "/api/v1/profile", tag = "portal",
    security(("bearer" = [])),
    responses((status = 200, description = "The profile", body = ProfileResponse)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
) -> Result<HttpResponse, ApiError> {
    let profile = state.portal.profile(caller.actor()).await?;
    Ok(HttpResponse::Ok().json(ProfileResponse::from(&profile)))
}

/// Change the name and phone.
#[utoipa::path(put, path = "/api/v1/profile/basic-info", tag = "portal",
    security(("bearer" = [])),
    request_body = BasicInfoRequest,
    responses(
        (status = 200, description = "Updated", body = ProfileResponse),
        (status = 422, description = "A bad name or phone (`details.fields`)", body = ErrorResponse)))]
pub async fn basic_info(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    body: web::Json<BasicInfoRequest>,
) -> Result<HttpResponse, ApiError> {
    let profile = state
        .portal
        .update_basic_info(caller.actor(), &body.full_name, body.phone.as_deref())
        .await?;
    Ok(HttpResponse::Ok().json(ProfileResponse::from(&profile)))
}

/// Replace the skills (parsed resumes no longer fill them afterwards).
#[utoipa::path(put, path = "/api/v1/profile/skills", tag = "portal",
    security(("bearer" = [])),
    request_body = SkillsRequest,
    responses(
        (status = 200, description = "Updated", body = ProfileResponse),
        (status = 422, description = "Too many or too long skills", body = ErrorResponse)))]
pub async fn skills(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    body: web::Json<SkillsRequest>,
) -> Result<HttpResponse, ApiError> {
    let profile = state
        .portal
        .update_skills(caller.actor(), &body.skills)
        .await?;
    Ok(HttpResponse::Ok().json(ProfileResponse::from(&profile)))
}

/// Replace the job preferences.
#[utoipa::path(put, path = "/api/v1/profile/preferences", tag = "portal",
    security(("bearer" = [])),
    request_body = PreferencesRequest,
    responses(
        (status = 200, description = "Updated", body = ProfileResponse),
        (status = 422, description = "Unknown job types or work setup, salary_min above salary_max, too many locations (`details.fields`)", body = ErrorResponse)))]
pub async fn preferences(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    body: web::Json<PreferencesRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut errors = Vec::new();
    let job_kinds = names(EmploymentType::ALL, EmploymentType::as_str);
    let preferred_job_types: Vec<EmploymentType> = body
        .preferred_job_types
        .iter()
        .filter_map(|kind| parse_field("preferred_job_types", Some(kind), &job_kinds, &mut errors))
        .collect();
    let setups = names(WorkPreference::ALL, WorkPreference::as_str);
    let preferred_work_setup = parse_field(
        "preferred_work_setup",
        body.preferred_work_setup.as_deref(),
        &setups,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(ApiError::validation("some fields are invalid", &errors));
    }
    let profile = state
        .portal
        .update_preferences(
            caller.actor(),
            Preferences {
                preferred_job_types,
                preferred_locations: body.preferred_locations,
                preferred_work_setup,
                salary_min: body.salary_min,
                salary_max: body.salary_max,
                salary_currency: body.salary_currency,
                experience_years: body.experience_years,
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(ProfileResponse::from(&profile)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("").route(web::get().to(get)))
        .service(web::resource("/basic-info").route(web::put().to(basic_info)))
        .service(web::resource("/skills").route(web::put().to(skills)))
        .service(web::resource("/preferences").route(web::put().to(preferences)));
}
