//! Webhooks: an organization's admins register endpoints (`management`); the platform's events
//! (`events`) are enqueued with the change they report, fanned out to the subscribed endpoints
//! and delivered signed, with retries and a delivery log (`delivery`). An endpoint that keeps
//! failing is switched off.

mod delivery;
pub mod events;
mod management;
mod model;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use delivery::{Deliver, FanOut};
pub use management::{MAX_DELIVERY_LOG, WebhookChange};
pub use model::{DeliveryAttempt, DeliveryOrder, Event, EventType, Webhook};

use crate::ports::{Clock, WebhookRepository};

/// How webhooks behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookSettings {
    /// Allow endpoints on private and loopback addresses (tests, local development).
    pub allow_private: bool,
    /// How long a receiver has to answer one delivery.
    pub timeout_seconds: u64,
    /// Failed attempts in a row after which an endpoint is switched off.
    pub disable_after_failures: u32,
    /// Endpoints one organization may register.
    pub max_per_organization: usize,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout_seconds: 10,
            disable_after_failures: 15,
            max_per_organization: 20,
        }
    }
}

/// Webhook management for an organization's admins.
pub struct WebhookService {
    webhooks: Arc<dyn WebhookRepository>,
    clock: Arc<dyn Clock>,
    settings: WebhookSettings,
}

impl WebhookService {
    pub fn new(
        webhooks: Arc<dyn WebhookRepository>,
        clock: Arc<dyn Clock>,
        settings: WebhookSettings,
    ) -> Self {
        Self {
            webhooks,
            clock,
            settings,
        }
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod service_tests;
