//! Webhook endpoints, the events they receive and the log of delivery attempts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{OrganizationId, WebhookDeliveryId, WebhookEventId, WebhookId};
use crate::model::named_enum;

/// What happened, as a receiver subscribes to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventType {
    #[serde(rename = "interview.completed")]
    InterviewCompleted,
    #[serde(rename = "assessment.ready")]
    AssessmentReady,
    #[serde(rename = "application.created")]
    ApplicationCreated,
    #[serde(rename = "decision.made")]
    DecisionMade,
}

named_enum!(EventType, "event type", {
    InterviewCompleted => "interview.completed",
    AssessmentReady => "assessment.ready",
    ApplicationCreated => "application.created",
    DecisionMade => "decision.made",
});

/// An endpoint of an organization that receives its events, signed with `secret`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: WebhookId,
    pub organization_id: OrganizationId,
    pub url: String,
    /// At least one; sorted, no duplicates.
    pub event_types: Vec<EventType>,
    /// The signing key; shown once, when the endpoint is registered.
    pub secret: String,
    pub is_active: bool,
    /// Failed attempts since the last successful delivery.
    pub consecutive_failures: u32,
    /// Why it was switched off automatically, while it is.
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_delivered_at: Option<DateTime<Utc>>,
}

impl Webhook {
    pub fn wants(&self, event: EventType) -> bool {
        self.is_active && self.event_types.contains(&event)
    }
}

/// An event as receivers get it: the JSON body of every delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The same in every delivery and retry of the event: receivers deduplicate on it.
    pub id: WebhookEventId,
    #[serde(rename = "type")]
    pub event_type: EventType,
    pub organization_id: OrganizationId,
    pub created_at: DateTime<Utc>,
    pub data: serde_json::Value,
}

/// What a delivery job carries: the event and the endpoint it goes to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryOrder {
    pub webhook_id: WebhookId,
    pub event: Event,
}

/// One attempt to deliver an event to an endpoint, as the delivery log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    pub webhook_id: WebhookId,
    pub delivery_id: WebhookDeliveryId,
    pub event_id: WebhookEventId,
    pub event_type: EventType,
    /// 1 for the first attempt of this delivery.
    pub attempt: u32,
    pub succeeded: bool,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<u16>,
    /// Why it failed: the status, a timeout, a refused connection.
    pub error: Option<String>,
    pub duration_ms: u64,
    pub attempted_at: DateTime<Utc>,
}
