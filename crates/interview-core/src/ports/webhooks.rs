//! Webhook endpoints and their delivery log, and the HTTP client that delivers to them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::ids::{OrganizationId, WebhookId};
use crate::jobs::{ClaimedJob, NewJob};
use crate::ports::RepositoryError;
use crate::webhooks::{DeliveryAttempt, EventType, Webhook};

/// Webhook endpoints, the fan-out of events to them, and the delivery log.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait WebhookRepository: Send + Sync {
    /// # Errors
    /// [`RepositoryError::MissingReference`] for an unknown organization.
    async fn insert(&self, webhook: &Webhook) -> Result<(), RepositoryError>;

    /// # Errors
    /// Storage failures.
    async fn by_id(&self, id: WebhookId) -> Result<Option<Webhook>, RepositoryError>;

    /// The organization's endpoints, oldest first.
    ///
    /// # Errors
    /// Storage failures.
    async fn list(&self, organization: OrganizationId) -> Result<Vec<Webhook>, RepositoryError>;

    /// Writes the URL, event types, `is_active`, failure count, disabled reason and
    /// `updated_at` (not the secret, which never changes).
    ///
    /// # Errors
    /// [`RepositoryError::NotFound`] for an unknown endpoint.
    async fn update(&self, webhook: &Webhook) -> Result<(), RepositoryError>;

    /// Removes an endpoint and its delivery log.
    ///
    /// # Errors
    /// [`RepositoryError::NotFound`] for an unknown endpoint.
    async fn delete(&self, id: WebhookId) -> Result<(), RepositoryError>;

    /// In one transaction: enqueues `deliveries` and marks the event's `job` succeeded, so an
    /// event is fanned out once even when its job runs twice.
    ///
    /// # Errors
    /// [`RepositoryError::Conflict`] when the job's lease was lost; nothing is written then.
    async fn fan_out(
        &self,
        job: &ClaimedJob,
        deliveries: &[NewJob],
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;

    /// Logs a successful attempt and, in the same transaction, marks the delivery's `job`
    /// succeeded, clears the endpoint's failure count and sets its `last_delivered_at`.
    ///
    /// # Errors
    /// [`RepositoryError::Conflict`] when the job's lease was lost; nothing is written then.
    async fn record_success(
        &self,
        job: &ClaimedJob,
        attempt: &DeliveryAttempt,
    ) -> Result<(), RepositoryError>;

    /// Logs a failed attempt and counts it against the endpoint; when that makes
    /// `disable_after` failures in a row, switches the endpoint off with `reason`. Returns
    /// whether the endpoint is still active.
    ///
    /// # Errors
    /// Storage failures.
    async fn record_failure(
        &self,
        attempt: &DeliveryAttempt,
        disable_after: u32,
        reason: &str,
    ) -> Result<bool, RepositoryError>;

    /// The endpoint's most recent attempts, newest first, at most `limit`.
    ///
    /// # Errors
    /// Storage failures.
    async fn deliveries(
        &self,
        webhook: WebhookId,
        limit: u64,
    ) -> Result<Vec<DeliveryAttempt>, RepositoryError>;

    /// The organization's active endpoints subscribed to `event`.
    ///
    /// # Errors
    /// Storage failures.
    async fn subscribed(
        &self,
        organization: OrganizationId,
        event: EventType,
    ) -> Result<Vec<Webhook>, RepositoryError>;
}

/// A signed POST to a webhook endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingDelivery {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// Why a delivery got no HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SendError {
    /// The target is not allowed (it resolves to a private address).
    #[error("refused: {0}")]
    Refused(String),
    #[error("timed out")]
    TimedOut,
    /// Connecting or talking to the receiver failed.
    #[error("{0}")]
    Failed(String),
}

/// Sends webhook deliveries over HTTP, with a timeout, following no redirects, and refusing
/// targets that resolve to a private address unless the deployment allows them.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait WebhookSender: Send + Sync {
    /// POSTs the delivery; the receiver's HTTP status, whatever it is.
    ///
    /// # Errors
    /// [`SendError`] when no status came back.
    async fn send(&self, delivery: &OutgoingDelivery) -> Result<u16, SendError>;
}
