//! Sending events: [`FanOut`] turns an event into one delivery job per subscribed endpoint;
//! [`Deliver`] POSTs one delivery, signed, logs the attempt, and leaves retries to the job
//! runner's backoff. An endpoint that fails `disable_after_failures` times in a row is switched
//! off, and its pending deliveries then stop.

use std::sync::Arc;

use async_trait::async_trait;
use serde::de::DeserializeOwned;

use crate::ids::WebhookDeliveryId;
use crate::jobs::{ClaimedJob, JobFailure, JobHandler, JobKind, NewJob};
use crate::ports::{
    Clock, OutgoingDelivery, RepositoryError, SendError, WebhookRepository, WebhookSender,
};
use crate::rules::webhook_signature::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use crate::webhooks::{DeliveryAttempt, DeliveryOrder, Event, WebhookSettings};

fn payload<T: DeserializeOwned>(job: &ClaimedJob) -> Result<T, JobFailure> {
    job.payload
        .clone()
        .and_then(|payload| serde_json::from_value(payload).ok())
        .ok_or_else(|| {
            JobFailure::Permanent(format!("the {} job's payload is unreadable", job.kind))
        })
}

fn retryable(error: &RepositoryError) -> JobFailure {
    JobFailure::Retryable(error.to_string())
}

/// Runs `webhook_event` jobs.
pub struct FanOut {
    webhooks: Arc<dyn WebhookRepository>,
    clock: Arc<dyn Clock>,
}

impl FanOut {
    pub fn new(webhooks: Arc<dyn WebhookRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { webhooks, clock }
    }
}

#[async_trait]
impl JobHandler for FanOut {
    fn kind(&self) -> JobKind {
        JobKind::WebhookEvent
    }

    async fn run(&self, job: &ClaimedJob) -> Result<(), JobFailure> {
        let event: Event = payload(job)?;
        let endpoints = self
            .webhooks
            .subscribed(event.organization_id, event.event_type)
            .await
            .map_err(|error| retryable(&error))?;
        let now = self.clock.now();
        let deliveries: Vec<NewJob> = endpoints
            .iter()
            .map(|webhook| {
                let order = DeliveryOrder {
                    webhook_id: webhook.id,
                    event: event.clone(),
                };
                let order = serde_json::to_value(&order).unwrap_or_default();
                NewJob::new(
                    JobKind::WebhookDelivery,
                    WebhookDeliveryId::new().as_uuid(),
                    now,
                )
                .with_payload(order)
            })
            .collect();
        match self.webhooks.fan_out(job, &deliveries, now).await {
            Ok(()) => Ok(()),
            Err(RepositoryError::Conflict(_)) => Err(JobFailure::LeaseLost),
            Err(other) => Err(retryable(&other)),
        }
    }
}

/// Runs `webhook_delivery` jobs.
pub struct Deliver {
    webhooks: Arc<dyn WebhookRepository>,
    sender: Arc<dyn WebhookSender>,
    clock: Arc<dyn Clock>,
    settings: WebhookSettings,
}

impl Deliver {
    pub fn new(
        webhooks: Arc<dyn WebhookRepository>,
        sender: Arc<dyn WebhookSender>,
        clock: Arc<dyn Clock>,
        settings: WebhookSettings,
    ) -> Self {
        Self {
            webhooks,
            sender,
            clock,
            settings,
        }
    }
}

/// The signed request for `event`, sent at `timestamp`.
fn signed(
    url: &str,
    secret: &str,
    event: &Event,
    delivery: WebhookDeliveryId,
    timestamp: i64,
) -> OutgoingDelivery {
    let body = serde_json::to_vec(event).unwrap_or_default();
    let headers = vec![
        ("Content-Type", "application/json".to_owned()),
        ("X-Webhook-Event", event.event_type.to_string()),
        ("X-Webhook-Id", event.id.to_string()),
        ("X-Webhook-Delivery", delivery.to_string()),
        (TIMESTAMP_HEADER, timestamp.to_string()),
        (SIGNATURE_HEADER, sign(secret, timestamp, &body)),
    ];
    OutgoingDelivery {
        url: url.to_owned(),
        headers,
        body,
    }
}

#[async_trait]
impl JobHandler for Deliver {
    fn kind(&self) -> JobKind {
        JobKind::WebhookDelivery
    }

    async fn run(&self, job: &ClaimedJob) -> Result<(), JobFailure> {
        let order: DeliveryOrder = payload(job)?;
        let webhook = self
            .webhooks
            .by_id(order.webhook_id)
            .await
            .map_err(|error| retryable(&error))?
            .ok_or_else(|| JobFailure::Permanent("the webhook was removed".to_owned()))?;
        if !webhook.is_active {
            return Err(JobFailure::Permanent(
                "the webhook is switched off".to_owned(),
            ));
        }
        let delivery_id = WebhookDeliveryId::from_uuid(job.subject);
        let started = self.clock.now();
        let request = signed(
            &webhook.url,
            &webhook.secret,
            &order.event,
            delivery_id,
            started.timestamp(),
        );
        let result = self.sender.send(&request).await;
        let finished = self.clock.now();
        let (status_code, error) = match result {
            Ok(status) if (200..300).contains(&status) => (Some(status), None),
            Ok(status) => (
                Some(status),
                Some(format!("the receiver answered {status}")),
            ),
            Err(SendError::TimedOut) => (
                None,
                Some(format!(
                    "no answer within {} s",
                    self.settings.timeout_seconds
                )),
            ),
            Err(other) => (None, Some(other.to_string())),
        };
        let attempt = DeliveryAttempt {
            webhook_id: webhook.id,
            delivery_id,
            event_id: order.event.id,
            event_type: order.event.event_type,
            attempt: job.attempts,
            succeeded: error.is_none(),
            status_code,
            error: error.clone(),
            duration_ms: u64::try_from((finished - started).num_milliseconds()).unwrap_or(0),
            attempted_at: started,
        };
        let Some(error) = error else {
            return match self.webhooks.record_success(job, &attempt).await {
                Ok(()) => Ok(()),
                Err(RepositoryError::Conflict(_)) => Err(JobFailure::LeaseLost),
                Err(other) => Err(retryable(&other)),
            };
        };
        let limit = self.settings.disable_after_failures;
        let reason =
            format!("switched off after {limit} failed deliveries in a row; last: {error}");
        let still_active = self
            .webhooks
            .record_failure(&attempt, limit, &reason)
            .await
            .map_err(|error| retryable(&error))?;
        if still_active {
            Err(JobFailure::Retryable(error))
        } else {
            Err(JobFailure::Permanent(reason))
        }
    }
}
