//! Registering, listing, changing and removing an organization's endpoints, and reading their
//! delivery log. Admins only; another organization's endpoint does not exist for the caller.

use uuid::Uuid;

use crate::actor::Actor;
use crate::ids::{OrganizationId, WebhookId};
use crate::ports::RepositoryError;
use crate::recruiting::permissions::{Refusal, organization_for};
use crate::recruiting::{RecruiterAction, RecruitingError};
use crate::rules::webhook_target::check_url;
use crate::webhooks::{DeliveryAttempt, EventType, Webhook, WebhookService};

/// The most attempts one read of the delivery log returns.
pub const MAX_DELIVERY_LOG: u64 = 200;

/// A change to an endpoint; what is `None` stays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookChange {
    pub url: Option<String>,
    pub event_types: Option<Vec<EventType>>,
    /// Switching an endpoint back on clears its failure count.
    pub is_active: Option<bool>,
}

fn admin_scope(actor: &Actor) -> Result<OrganizationId, RecruitingError> {
    organization_for(actor, RecruiterAction::ManageWebhooks).map_err(|refusal| match refusal {
        Refusal::NotRecruiter => RecruitingError::WrongAudience("recruiters"),
        Refusal::RoleForbids => RecruitingError::Forbidden,
    })
}

fn event_set(mut types: Vec<EventType>) -> Result<Vec<EventType>, RecruitingError> {
    types.sort_unstable();
    types.dedup();
    if types.is_empty() {
        return Err(RecruitingError::field(
            "event_types",
            "subscribe to at least one event type",
        ));
    }
    Ok(types)
}

/// A signing secret: 244 random bits from the operating system's generator (through UUIDv4).
fn new_secret() -> String {
    format!(
        "whsec_{}{}",
        Uuid::new_v4().simple(),
        Uuid::new_v4().simple()
    )
}

impl WebhookService {
    fn checked_url(&self, url: &str) -> Result<String, RecruitingError> {
        check_url(url.trim(), self.settings.allow_private)
            .map(String::from)
            .map_err(|error| RecruitingError::field("url", error.to_string()))
    }

    /// Registers an endpoint; the returned one carries the secret, which is never shown again.
    ///
    /// # Errors
    /// [`RecruitingError::Validation`] for a URL or event list that is not allowed;
    /// [`RecruitingError::Conflict`] (`webhook_limit`) beyond the organization's limit;
    /// [`RecruitingError::Forbidden`] for anyone but an admin.
    pub async fn register(
        &self,
        actor: Actor,
        url: &str,
        event_types: Vec<EventType>,
    ) -> Result<Webhook, RecruitingError> {
        let organization = admin_scope(&actor)?;
        let url = self.checked_url(url)?;
        let event_types = event_set(event_types)?;
        let registered = self.webhooks.list(organization).await?.len();
        if registered >= self.settings.max_per_organization {
            return Err(RecruitingError::conflict(
                "webhook_limit",
                format!(
                    "an organization may register at most {} webhooks",
                    self.settings.max_per_organization
                ),
            ));
        }
        let now = self.clock.now();
        let webhook = Webhook {
            id: WebhookId::new(),
            organization_id: organization,
            url,
            event_types,
            secret: new_secret(),
            is_active: true,
            consecutive_failures: 0,
            disabled_reason: None,
            created_at: now,
            updated_at: now,
            last_delivered_at: None,
        };
        self.webhooks.insert(&webhook).await?;
        Ok(webhook)
    }

    /// The organization's endpoints.
    ///
    /// # Errors
    /// [`RecruitingError::Forbidden`] for anyone but an admin.
    pub async fn list(&self, actor: Actor) -> Result<Vec<Webhook>, RecruitingError> {
        let organization = admin_scope(&actor)?;
        Ok(self.webhooks.list(organization).await?)
    }

    /// One endpoint of the caller's organization.
    ///
    /// # Errors
    /// [`RecruitingError::NotFound`] for an unknown endpoint or another organization's.
    pub async fn get(&self, actor: Actor, id: WebhookId) -> Result<Webhook, RecruitingError> {
        let organization = admin_scope(&actor)?;
        match self.webhooks.by_id(id).await? {
            Some(webhook) if webhook.organization_id == organization => Ok(webhook),
            _ => Err(RecruitingError::NotFound("webhook")),
        }
    }

    /// Changes an endpoint's URL, events or state.
    ///
    /// # Errors
    /// As [`Self::get`] and [`Self::register`].
    pub async fn update(
        &self,
        actor: Actor,
        id: WebhookId,
        change: WebhookChange,
    ) -> Result<Webhook, RecruitingError> {
        let mut webhook = self.get(actor, id).await?;
        if let Some(url) = change.url {
            webhook.url = self.checked_url(&url)?;
        }
        if let Some(types) = change.event_types {
            webhook.event_types = event_set(types)?;
        }
        if let Some(active) = change.is_active {
            if active {
                webhook.consecutive_failures = 0;
                webhook.disabled_reason = None;
            }
            webhook.is_active = active;
        }
        webhook.updated_at = self.clock.now();
        match self.webhooks.update(&webhook).await {
            Ok(()) => Ok(webhook),
            Err(RepositoryError::NotFound) => Err(RecruitingError::NotFound("webhook")),
            Err(other) => Err(other.into()),
        }
    }

    /// Removes an endpoint and its log; deliveries still queued for it are dropped.
    ///
    /// # Errors
    /// As [`Self::get`].
    pub async fn delete(&self, actor: Actor, id: WebhookId) -> Result<(), RecruitingError> {
        self.get(actor, id).await?;
        match self.webhooks.delete(id).await {
            Ok(()) | Err(RepositoryError::NotFound) => Ok(()),
            Err(other) => Err(other.into()),
        }
    }

    /// The endpoint's latest delivery attempts, newest first.
    ///
    /// # Errors
    /// As [`Self::get`].
    pub async fn deliveries(
        &self,
        actor: Actor,
        id: WebhookId,
        limit: u64,
    ) -> Result<Vec<DeliveryAttempt>, RecruitingError> {
        self.get(actor, id).await?;
        Ok(self
            .webhooks
            .deliveries(id, limit.clamp(1, MAX_DELIVERY_LOG))
            .await?)
    }
}
