//! Webhook endpoints and their delivery log.

use chrono::{DateTime, Utc};
use interview_core::webhooks::{DeliveryAttempt, EventType, MAX_DELIVERY_LOG, Webhook};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::dto::{invalid_query, names, parse_field};
use crate::error::ApiError;

/// An admin registers an endpoint.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateWebhookRequest {
    /// `http` or `https`, at most 2048 characters, no user name or password; private and
    /// loopback hosts only where the deployment allows them (`webhooks.allow_private`).
    #[schema(example = "https://ats.example.com/hooks/interviews")]
    pub url: String,
    /// One or more of `interview.completed`, `assessment.ready`, `application.created`,
    /// `decision.made`.
    #[schema(example = json!(["interview.completed", "assessment.ready"]))]
    pub event_types: Vec<String>,
}

/// A change to an endpoint; absent fields stay. Switching an endpoint back on clears its
/// failure count.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateWebhookRequest {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub is_active: Option<bool>,
}

/// The event types of a request, or a 422 naming the field.
///
/// # Errors
/// 422 for an unknown event type.
pub fn parse_event_types(values: &[String]) -> Result<Vec<EventType>, ApiError> {
    let allowed = names(EventType::ALL, EventType::as_str);
    let mut errors = Vec::new();
    let parsed: Vec<EventType> = values
        .iter()
        .filter_map(|value| parse_field("event_types", Some(value), &allowed, &mut errors))
        .collect();
    if errors.is_empty() {
        Ok(parsed)
    } else {
        errors.truncate(1);
        Err(ApiError::validation("some fields are invalid", &errors))
    }
}

/// A registered endpoint (without its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDto {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub url: String,
    #[schema(example = json!(["interview.completed"]))]
    pub event_types: Vec<String>,
    /// False when switched off, by an admin or after `webhooks.disable_after_failures` failed
    /// attempts in a row (`disabled_reason` says so).
    pub is_active: bool,
    pub consecutive_failures: u32,
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_delivered_at: Option<DateTime<Utc>>,
}

impl From<&Webhook> for WebhookDto {
    fn from(webhook: &Webhook) -> Self {
        Self {
            id: webhook.id.as_uuid(),
            organization_id: webhook.organization_id.as_uuid(),
            url: webhook.url.clone(),
            event_types: webhook
                .event_types
                .iter()
                .map(|kind| kind.as_str().to_owned())
                .collect(),
            is_active: webhook.is_active,
            consecutive_failures: webhook.consecutive_failures,
            disabled_reason: webhook.disabled_reason.clone(),
            created_at: webhook.created_at,
            updated_at: webhook.updated_at,
            last_delivered_at: webhook.last_delivered_at,
        }
    }
}

/// A newly registered endpoint with its signing secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredWebhookDto {
    #[serde(flatten)]
    pub webhook: WebhookDto,
    /// The HMAC key of the `X-Signature-256` header: `sha256=` and the hex HMAC-SHA256 of
    /// `"<X-Webhook-Timestamp>.<raw body>"`. Never shown again.
    #[schema(example = "whsec_3f0c…")]
    pub secret: String,
}

/// One delivery attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryAttemptDto {
    /// The same across the retries of one delivery (the `X-Webhook-Delivery` header).
    pub delivery_id: Uuid,
    /// The event's id (the `X-Webhook-Id` header and the body's `id`).
    pub event_id: Uuid,
    #[schema(example = "interview.completed")]
    pub event_type: String,
    /// 1 for the first attempt of the delivery.
    pub attempt: u32,
    pub succeeded: bool,
    /// The receiver's status, when it answered.
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u64,
    pub attempted_at: DateTime<Utc>,
}

impl From<&DeliveryAttempt> for DeliveryAttemptDto {
    fn from(attempt: &DeliveryAttempt) -> Self {
        Self {
            delivery_id: attempt.delivery_id.as_uuid(),
            event_id: attempt.event_id.as_uuid(),
            event_type: attempt.event_type.as_str().to_owned(),
            attempt: attempt.attempt,
            succeeded: attempt.succeeded,
            status_code: attempt.status_code,
            error: attempt.error.clone(),
            duration_ms: attempt.duration_ms,
            attempted_at: attempt.attempted_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DeliveryLogQuery {
    /// At most this many attempts, newest first (1 to 200; 50 when absent).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

impl DeliveryLogQuery {
    /// # Errors
    /// 400 `invalid_query` for a limit out of range.
    pub fn limit(&self) -> Result<u64, ApiError> {
        match self.limit {
            None => Ok(50),
            Some(limit) if (1..=MAX_DELIVERY_LOG).contains(&limit) => Ok(limit),
            Some(_) => Err(invalid_query(format!(
                "limit must be 1 to {MAX_DELIVERY_LOG}"
            ))),
        }
    }
}
