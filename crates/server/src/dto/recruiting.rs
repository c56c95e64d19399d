//! Bodies of the recruiter accounts and applications, and the parsing helpers the recruiter
//! bodies share.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use interview_core::accounts::FieldError;
use interview_core::ids::{InterviewId, OrganizationId};
use interview_core::model::{Recruiter, RecruiterRole};
use interview_core::recruiting::Application;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;

/// A recruiter token and who it is for.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecruiterAuthResponse {
    /// Bearer token for the `Authorization` header of the recruiter endpoints.
    pub token: String,
    pub token_type: &'static str,
    pub expires_at: DateTime<Utc>,
    pub recruiter_id: Uuid,
    pub organization_id: Uuid,
    /// `admin`, `recruiter` or `viewer`.
    #[schema(example = "admin")]
    pub role: String,
}

/// A recruiter account.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecruiterDto {
    pub id: Uuid,
    pub email: String,
    pub full_name: String,
    /// `admin`, `recruiter` or `viewer`.
    #[schema(example = "recruiter")]
    pub role: String,
    pub organization_id: Option<Uuid>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

impl From<&Recruiter> for RecruiterDto {
    fn from(recruiter: &Recruiter) -> Self {
        Self {
            id: recruiter.id.as_uuid(),
            email: recruiter.email.as_str().to_owned(),
            full_name: recruiter.full_name.as_str().to_owned(),
            role: recruiter.role.as_str().to_owned(),
            organization_id: recruiter.organization_id.map(OrganizationId::as_uuid),
            is_active: recruiter.is_active,
            created_at: recruiter.created_at,
            last_login_at: recruiter.last_login_at,
        }
    }
}

/// An admin adds a recruiter to their organization.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateRecruiterRequest {
    #[schema(example = "grace@acme.example")]
    pub email: String,
    #[schema(example = "Grace Hopper")]
    pub full_name: String,
    /// The candidates' password policy: 8 (`auth.password.min_length`) to 128 characters, not
    /// one of the most common passwords, not containing the email's name part.
    #[schema(example = "Str0ng!pass")]
    pub password: String,
    /// `admin`, `recruiter` or `viewer`.
    #[schema(example = "recruiter")]
    pub role: String,
}

/// What an admin changes about a recruiter; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateRecruiterRequest {
    /// `admin`, `recruiter` or `viewer`.
    #[serde(default)]
    pub role: Option<String>,
    /// False deactivates the account: its tokens are refused at once.
    #[serde(default)]
    pub is_active: Option<bool>,
}

/// `value` parsed as `T`, or a field error saying what is allowed.
pub fn parse_field<T: FromStr>(
    field: &'static str,
    value: Option<&str>,
    allowed: &[&str],
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let value = value?.trim();
    value.parse().ok().or_else(|| {
        errors.push(FieldError {
            field,
            message: format!("must be one of {}", allowed.join(", ")),
        });
        None
    })
}

pub fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|value| name(*value)).collect()
}

/// The recruiter role of a request, or a 422 naming the field.
///
/// # Errors
/// 422 for an unknown role.
pub fn parse_role(value: &str) -> Result<RecruiterRole, ApiError> {
    let mut errors = Vec::new();
    let allowed = names(RecruiterRole::ALL, RecruiterRole::as_str);
    match parse_field("role", Some(value), &allowed, &mut errors) {
        Some(role) => Ok(role),
        None => Err(ApiError::validation("some fields are invalid", &errors)),
    }
}

/// A candidate applies to an open job.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ApplyRequest {
    pub job_posting_id: Uuid,
}

/// An application to a job.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationDto {
    pub id: Uuid,
    pub job_posting_id: Uuid,
    pub candidate_id: Uuid,
    pub organization_id: Uuid,
    /// `applied`, `interviewing`, `advanced`, `rejected` or `on_hold`.
    #[schema(example = "applied")]
    pub status: String,
    /// The interview started for it (`POST /api/v1/interviews/start` with `application_id`).
    pub interview_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Application> for ApplicationDto {
    fn from(application: &Application) -> Self {
        Self {
            id: application.id.as_uuid(),
            job_posting_id: application.job_posting_id.as_uuid(),
            candidate_id: application.candidate_id.as_uuid(),
            organization_id: application.organization_id.as_uuid(),
            status: application.status.as_str().to_owned(),
            interview_id: application.interview_id.map(InterviewId::as_uuid),
            created_at: application.created_at,
            updated_at: application.updated_at,
        }
    }
}

/// A 400 `invalid_query`: a query parameter that does not parse or is out of range.
pub fn invalid_query(message: String) -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::BAD_REQUEST,
        "invalid_query",
        message,
    )
}

/// A query value parsed as `T`, or a 400 naming the parameter.
///
/// # Errors
/// 400 `invalid_query`.
pub fn query_value<T: FromStr>(name: &str, value: Option<&str>) -> Result<Option<T>, ApiError> {
    match value.map(str::trim).filter(|value| !value.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| invalid_query(format!("{name}: `{text}` is not a valid value"))),
    }
}
