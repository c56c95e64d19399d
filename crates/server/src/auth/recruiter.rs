//! Recruiter requests: the extractor that turns a recruiter token into the recruiter (loaded on
//! every request, so a deactivation or a role change applies at once), and the one that accepts
//! either audience (stored audio, which candidates and their organization's recruiters stream).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::{DateTime, TimeZone, Utc};
use interview_core::actor::Actor;
use interview_core::ids::RecruiterId;
use interview_core::model::Recruiter;
use interview_core::recruiting::RecruitingError;

use super::{AuthenticatedCandidate, Role, bearer};
use crate::error::ApiError;
use crate::state::AppState;

/// The recruiter a valid, unrevoked recruiter token speaks for: active, with their role and
/// organization as stored now.
#[derive(Debug, Clone)]
pub struct AuthenticatedRecruiter {
    pub recruiter: Recruiter,
    pub actor: Actor,
    pub jti: String,
    pub expires_at: DateTime<Utc>,
}

impl AuthenticatedRecruiter {
    /// The caller as the engine knows them.
    pub const fn actor(&self) -> Actor {
        self.actor
    }

    /// The recruiter a token speaks for: valid, a recruiter's, not revoked, account active.
    ///
    /// # Errors
    /// 401 for an invalid, expired or revoked token or a deactivated account; 403 for a
    /// candidate's token.
    pub async fn from_token(state: &AppState, token: &str) -> Result<Self, ApiError> {
        let claims = state.tokens.verify(token)?;
        if claims.role == Role::Candidate {
            return Err(ApiError::forbidden(
                "this endpoint is for recruiters; a candidate token cannot be used here",
            ));
        }
        let id: RecruiterId = claims
            .sub
            .parse()
            .map_err(|_| ApiError::unauthorized("the token is invalid or has expired"))?;
        if state.accounts.is_token_revoked(&claims.jti).await? {
            return Err(ApiError::unauthorized("the token has been revoked"));
        }
        let expires_at = Utc
            .timestamp_opt(claims.exp, 0)
            .single()
            .ok_or_else(|| ApiError::unauthorized("the token is invalid or has expired"))?;
        let recruiter =
            state
                .recruiting
                .active_recruiter(id)
                .await
                .map_err(|error| match error {
                    RecruitingError::NotFound(_) => {
                        ApiError::unauthorized("the account is deactivated or no longer exists")
                    }
                    other => ApiError::from(other),
                })?;
        let organization = recruiter
            .organization_id
            .ok_or_else(|| ApiError::forbidden("the account belongs to no organization"))?;
        let actor = Actor::Recruiter {
            id: recruiter.id,
            role: recruiter.role,
            organization,
        };
        Ok(Self {
            recruiter,
            actor,
            jti: claims.jti,
            expires_at,
        })
    }
}

fn app_state(request: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    request
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(&std::io::Error::other("application state missing")))
}

impl FromRequest for AuthenticatedRecruiter {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let token = bearer(request);
        let state = app_state(request);
        Box::pin(async move {
            let state = state?;
            Self::from_token(&state, &token?).await
        })
    }
}

/// A candidate or a recruiter: for the few routes both audiences use (stored audio).
#[derive(Debug, Clone)]
pub enum AuthenticatedActor {
    Candidate(AuthenticatedCandidate),
    Recruiter(Box<AuthenticatedRecruiter>),
}

impl AuthenticatedActor {
    pub const fn actor(&self) -> Actor {
        match self {
            Self::Candidate(candidate) => candidate.actor(),
            Self::Recruiter(recruiter) => recruiter.actor,
        }
    }

    /// # Errors
    /// As [`AuthenticatedCandidate::from_token`] and [`AuthenticatedRecruiter::from_token`].
    pub async fn from_token(state: &AppState, token: &str) -> Result<Self, ApiError> {
        if state.tokens.verify(token)?.role == Role::Candidate {
            AuthenticatedCandidate::from_token(state, token)
                .await
                .map(Self::Candidate)
        } else {
            AuthenticatedRecruiter::from_token(state, token)
                .await
                .map(|recruiter| Self::Recruiter(Box::new(recruiter)))
        }
    }
}

impl FromRequest for AuthenticatedActor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let token = bearer(request);
        let state = app_state(request);
        Box::pin(async move {
            let state = state?;
            Self::from_token(&state, &token?).await
        })
    }
}
