//! Recruiter sign-in, sign-out and the signed-in recruiter.

use actix_web::{HttpResponse, web};

use crate::auth::{AuthenticatedRecruiter, Role};
use crate::dto::{LoginRequest, MessageResponse, RecruiterAuthResponse, RecruiterDto};
use crate::error::{ApiError, ErrorResponse};
use crate::state::AppState;

/// Sign in as a recruiter. The candidates' lockout applies: five failures for one email lock it
/// for 15 minutes. A deactivated account cannot sign in.
#[utoipa::path(post, path = "/api/v1/recruiter/auth/login", tag = "recruiter",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = RecruiterAuthResponse),
        (status = 401, description = "Wrong email or password, or a deactivated account (`invalid_credentials`)", body = ErrorResponse),
        (status = 429, description = "Locked out (`account_locked`) or rate limited; see `Retry-After`", body = ErrorResponse)))]
pub async fn login(
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let recruiter = state.recruiting.login(&body.email, &body.password).await?;
    let organization = recruiter
        .organization_id
        .ok_or_else(|| ApiError::forbidden("the account belongs to no organization"))?;
    let issued = state
        .tokens
        .issue(recruiter.id, Role::Recruiter, state.clock.now())?;
    Ok(HttpResponse::Ok().json(RecruiterAuthResponse {
        token: issued.token,
        token_type: "bearer",
        expires_at: issued.expires_at,
        recruiter_id: recruiter.id.as_uuid(),
        organization_id: organization.as_uuid(),
        role: recruiter.role.as_str().to_owned(),
    }))
}

/// Sign out: the token is refused from now on.
#[utoipa::path(post, path = "/api/v1/recruiter/auth/logout", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    responses(
        (status = 200, description = "Signed out", body = MessageResponse)))]
pub async fn logout(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
) -> Result<HttpResponse, ApiError> {
    crate::routes::auth::signed_out(&state, &caller.jti, caller.expires_at).await
}

/// The signed-in recruiter, with their role and organization as they are now.
#[utoipa::path(get, path = "/api/v1/recruiter/auth/me", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    responses(
        (status = 200, description = "The recruiter", body = RecruiterDto)))]
pub async fn me(caller: AuthenticatedRecruiter) -> HttpResponse {
    HttpResponse::Ok().json(RecruiterDto::from(&caller.recruiter))
}

/// Relative to `/api/v1/recruiter/auth`, where `startup` adds the rate limiter.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/login").route(web::post().to(login)))
        .service(web::resource("/logout").route(web::post().to(logout)))
        .service(web::resource("/me").route(web::get().to(me)));
}
