use actix_web::{HttpResponse, web};

use crate::auth::{AuthenticatedCandidate, Role};
use crate::dto::{AuthResponse, LoginRequest, MeResponse, MessageResponse, RegisterRequest};
use crate::error::{ApiError, ErrorResponse};
use crate::state::AppState;

fn token_response(
    state: &AppState,
    candidate: &interview_core::model::Candidate,
) -> Result<AuthResponse, ApiError> {
    let issued = state
        .tokens
        .issue(candidate.id, Role::Candidate, state.clock.now())?;
    Ok(AuthResponse {
        token: issued.token,
        token_type: "bearer",
        expires_at: issued.expires_at,
        candidate_id: candidate.id.as_uuid(),
        email: candidate.email.as_str().to_owned(),
    })
}

/// Create a candidate account and sign in.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created", body = AuthResponse),
        (status = 400, description = "Malformed JSON", body = ErrorResponse),
        (status = 409, description = "The email is taken (`email_taken`)", body = ErrorResponse),
        (status = 422, description = "Invalid fields, listed in `details.fields`", body = ErrorResponse),
        (status = 429, description = "Too many requests from this address", body = ErrorResponse)))]
pub async fn register(
    state: web::Data<AppState>,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let candidate = state
        .accounts
        .register(&body.email, &body.password, &body.full_name)
        .await?;
    Ok(HttpResponse::Created().json(token_response(&state, &candidate)?))
}

/// Create a candidate account and sign in: the same as `POST /api/v1/auth/register`, at the
/// path clients of the original API use.
#[utoipa::path(post, path = "/api/v1/candidates/register", tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created", body = AuthResponse),
        (status = 400, description = "Malformed JSON", body = ErrorResponse),
        (status = 409, description = "The email is taken (`email_taken`)", body = ErrorResponse),
        (status = 422, description = "Invalid fields, listed in `details.fields`", body = ErrorResponse),
        (status = 429, description = "Too many requests from this address", body = ErrorResponse)))]
pub async fn register_candidate(
    state: web::Data<AppState>,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    register(state, body).await
}

/// Sign in. Five failures for one email lock it for 15 minutes.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = AuthResponse),
        (status = 401, description = "Wrong email or password (`invalid_credentials`)", body = ErrorResponse),
        (status = 429, description = "Locked out (`account_locked`) or rate limited; see `Retry-After`", body = ErrorResponse)))]
pub async fn login(
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let candidate = state.accounts.login(&body.email, &body.password).await?;
    Ok(HttpResponse::Ok().json(token_response(&state, &candidate)?))
}

/// Sign out: the token is refused from now on.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Signed out", body = MessageResponse),
        (status = 401, description = "Missing, invalid, expired or revoked token", body = ErrorResponse)))]
pub async fn logout(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
) -> Result<HttpResponse, ApiError> {
    signed_out(&state, &caller.jti, caller.expires_at).await
}

/// Revokes a token (a candidate's or a recruiter's) and says so.
pub async fn signed_out(
    state: &AppState,
    jti: &str,
    expires_at: chrono::DateTime<chrono::Utc>,
) -> Result<HttpResponse, ApiError> {
    state.accounts.logout(jti, expires_at).await?;
    Ok(HttpResponse::Ok().json(MessageResponse {
        message: "Logged out successfully".into(),
    }))
}

/// The signed-in candidate.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The candidate", body = MeResponse),
        (status = 401, description = "Missing, invalid, expired or revoked token", body = ErrorResponse)))]
pub async fn me(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
) -> Result<HttpResponse, ApiError> {
    let candidate = state.accounts.me(caller.id).await?;
    Ok(HttpResponse::Ok().json(MeResponse {
        id: candidate.id.as_uuid(),
        email: candidate.email.as_str().to_owned(),
        full_name: candidate.full_name.as_str().to_owned(),
        created_at: candidate.created_at,
    }))
}

/// The account routes, relative to the scope they are mounted under (`/api/v1/auth`, where
/// `startup` adds the rate limiter).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/register").route(web::post().to(register)))
        .service(web::resource("/login").route(web::post().to(login)))
        .service(web::resource("/logout").route(web::post().to(logout)))
        .service(web::resource("/me").route(web::get().to(me)));
}

/// The registration alias, relative to `/api/v1/candidates` (rate limited like `/api/v1/auth`).
pub fn configure_candidates(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/register").route(web::post().to(register_candidate)));
}
