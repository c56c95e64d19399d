//! Webhook endpoints and their delivery log on sea-orm. Fanning an event out and logging a
//! successful attempt finish the job in the same transaction, under its lease; a failed
//! attempt counts against the endpoint in one `UPDATE`, so concurrent deliveries to one
//! endpoint cannot lose a count.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use interview_core::ids::{OrganizationId, WebhookDeliveryId, WebhookEventId, WebhookId};
use interview_core::jobs::{ClaimedJob, JobState, NewJob};
use interview_core::ports::{RepositoryError, WebhookRepository};
use interview_core::webhooks::{DeliveryAttempt, EventType, Webhook};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use uuid::Uuid;

use crate::connection::Database;
use crate::entities::{integration_webhooks, webhook_deliveries};
use crate::error::{corrupt, translate};
use crate::mapping::{from_json, json, parse};

/// Webhooks and deliveries.
#[derive(Clone)]
pub struct SeaOrmWebhooks {
    database: Database,
}

impl SeaOrmWebhooks {
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

fn webhook_row(webhook: &Webhook) -> Result<integration_webhooks::ActiveModel, RepositoryError> {
    Ok(integration_webhooks::ActiveModel {
        id: Set(webhook.id.as_uuid()),
        organization_id: Set(webhook.organization_id.as_uuid()),
        url: Set(webhook.url.clone()),
        event_types: Set(json(&webhook.event_types, "webhook event types")?),
        signing_secret: Set(webhook.secret.clone()),
        is_active: Set(webhook.is_active),
        consecutive_failures: Set(i32::try_from(webhook.consecutive_failures).unwrap_or(i32::MAX)),
        disabled_reason: Set(webhook.disabled_reason.clone()),
        created_at: Set(webhook.created_at),
        updated_at: Set(webhook.updated_at),
        last_delivered_at: Set(webhook.last_delivered_at),
    })
}

fn webhook(row: integration_webhooks::Model) -> Result<Webhook, RepositoryError> {
    Ok(Webhook {
        id: WebhookId::from_uuid(row.id),
        organization_id: OrganizationId::from_uuid(row.organization_id),
        url: row.url,
        event_types: from_json(row.event_types, "webhook event types")?,
        secret: row.signing_secret,
        is_active: row.is_active,
        consecutive_failures: u32::try_from(row.consecutive_failures)
            .map_err(|error| corrupt("webhook failure count", error))?,
        disabled_reason: row.disabled_reason,
        created_at: row.created_at,
        updated_at: row.updated_at,
        last_delivered_at: row.last_delivered_at,
    })
}

fn attempt_row(attempt: &DeliveryAttempt) -> webhook_deliveries::ActiveModel {
    webhook_deliveries::ActiveModel {
        id: Set(Uuid::now_v7()),
        webhook_id: Set(attempt.webhook_id.as_uuid()),
        delivery_id: Set(attempt.delivery_id.as_uuid()),
        event_id: Set(attempt.event_id.as_uuid()),
        event_type: Set(attempt.event_type.as_str().to_owned()),
        attempt: Set(i32::try_from(attempt.attempt).unwrap_or(i32::MAX)),
        succeeded: Set(attempt.succeeded),
        status_code: Set(attempt.status_code.map(i32::from)),
        error: Set(attempt.error.clone()),
        duration_ms: Set(i64::try_from(attempt.duration_ms).unwrap_or(i64::MAX)),
        attempted_at: Set(attempt.attempted_at),
    }
}

fn attempt(row: webhook_deliveries::Model) -> Result<DeliveryAttempt, RepositoryError> {
    Ok(DeliveryAttempt {
        webhook_id: WebhookId::from_uuid(row.webhook_id),
        delivery_id: WebhookDeliveryId::from_uuid(row.delivery_id),
        event_id: WebhookEventId::from_uuid(row.event_id),
        event_type: parse::<EventType>(&row.event_type, "webhook event type")?,
        attempt: u32::try_from(row.attempt).map_err(|error| corrupt("attempt", error))?,
        succeeded: row.succeeded,
        status_code: row
            .status_code
            .map(u16::try_from)
            .transpose()
            .map_err(|error| corrupt("status code", error))?,
        error: row.error,
        duration_ms: u64::try_from(row.duration_ms).map_err(|error| corrupt("duration", error))?,
        attempted_at: row.attempted_at,
    })
}

async fn log_attempt(
    connection: &impl ConnectionTrait,
    attempt: &DeliveryAttempt,
) -> Result<(), RepositoryError> {
    webhook_deliveries::Entity::insert(attempt_row(attempt))
        .exec_without_returning(connection)
        .await
        .map_err(translate)?;
    Ok(())
}

#[async_trait]
impl WebhookRepository for SeaOrmWebhooks {
    async fn insert(&self, webhook: &Webhook) -> Result<(), RepositoryError> {
        let row = webhook_row(webhook)?;
        let _permit = self.database.write_permit().await;
        integration_webhooks::Entity::insert(row)
            .exec_without_returning(self.database.connection())
            .await
            .map_err(translate)?;
        Ok(())
    }

    async fn by_id(&self, id: WebhookId) -> Result<Option<Webhook>, RepositoryError> {
        integration_webhooks::Entity::find_by_id(id.as_uuid())
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .map(webhook)
            .transpose()
    }

    async fn list(&self, organization: OrganizationId) -> Result<Vec<Webhook>, RepositoryError> {
        integration_webhooks::Entity::find()
            .filter(integration_webhooks::Column::OrganizationId.eq(organization.as_uuid()))
            .order_by_asc(integration_webhooks::Column::CreatedAt)
            .order_by_asc(integration_webhooks::Column::Id)
            .all(self.database.connection())
            .await
            .map_err(translate)?
            .into_iter()
            .map(webhook)
            .collect()
    }

    async fn update(&self, webhook: &Webhook) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let result = integration_webhooks::Entity::update_many()
            .col_expr(
                integration_webhooks::Column::Url,
                Expr::value(webhook.url.clone()),
            )
            .col_expr(
                integration_webhooks::Column::EventTypes,
                Expr::value(json(&webhook.event_types, "webhook event types")?),
            )
            .col_expr(
                integration_webhooks::Column::IsActive,
                Expr::value(webhook.is_active),
            )
            .col_expr(
                integration_webhooks::Column::ConsecutiveFailures,
                Expr::value(i32::try_from(webhook.consecutive_failures).unwrap_or(i32::MAX)),
            )
            .col_expr(
                integration_webhooks::Column::DisabledReason,
                Expr::value(webhook.disabled_reason.clone()),
            )
            .col_expr(
                integration_webhooks::Column::UpdatedAt,
                Expr::value(webhook.updated_at),
            )
            .filter(integration_webhooks::Column::Id.eq(webhook.id.as_uuid()))
            .exec(self.database.connection())
            .await
            .map_err(translate)?;
        if result.rows_affected == 0 {
            return Err(RepositoryError::NotFound);
        }
        Ok(())
    }

    async fn delete(&self, id: WebhookId) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        // explicitly, not by the foreign key's cascade: SQLite enforces it only when asked to
        webhook_deliveries::Entity::delete_many()
            .filter(webhook_deliveries::Column::WebhookId.eq(id.as_uuid()))
            .exec(&transaction)
            .await
            .map_err(translate)?;
        let result = integration_webhooks::Entity::delete_by_id(id.as_uuid())
            .exec(&transaction)
            .await
            .map_err(translate)?;
        if result.rows_affected == 0 {
            return Err(RepositoryError::NotFound);
        }
        transaction.commit().await.map_err(translate)
    }

    async fn fan_out(
        &self,
        job: &ClaimedJob,
        deliveries: &[NewJob],
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        // the lease first: a worker that lost it writes nothing
        crate::jobs::finish(&transaction, job, JobState::Succeeded, now, []).await?;
        crate::jobs::insert(&transaction, deliveries).await?;
        transaction.commit().await.map_err(translate)
    }

    async fn record_success(
        &self,
        job: &ClaimedJob,
        attempt: &DeliveryAttempt,
    ) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        crate::jobs::finish(
            &transaction,
            job,
            JobState::Succeeded,
            attempt.attempted_at,
            [],
        )
        .await?;
        log_attempt(&transaction, attempt).await?;
        integration_webhooks::Entity::update_many()
            .col_expr(
                integration_webhooks::Column::ConsecutiveFailures,
                Expr::value(0),
            )
            .col_expr(
                integration_webhooks::Column::LastDeliveredAt,
                Expr::value(Some(attempt.attempted_at)),
            )
            .filter(integration_webhooks::Column::Id.eq(attempt.webhook_id.as_uuid()))
            .exec(&transaction)
            .await
            .map_err(translate)?;
        transaction.commit().await.map_err(translate)
    }

    async fn record_failure(
        &self,
        attempt: &DeliveryAttempt,
        disable_after: u32,
        reason: &str,
    ) -> Result<bool, RepositoryError> {
        let limit = i32::try_from(Ord::max(disable_after, 1)).unwrap_or(i32::MAX);
        let failures = Expr::col(integration_webhooks::Column::ConsecutiveFailures).add(1);
        let reaches_limit = failures.clone().gte(limit);
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        log_attempt(&transaction, attempt).await?;
        // one statement: the count and the switch-off see the same row
        integration_webhooks::Entity::update_many()
            .col_expr(
                integration_webhooks::Column::ConsecutiveFailures,
                failures.clone(),
            )
            .col_expr(
                integration_webhooks::Column::IsActive,
                Expr::case(reaches_limit.clone(), false)
                    .finally(Expr::col(integration_webhooks::Column::IsActive))
                    .into(),
            )
            .col_expr(
                integration_webhooks::Column::DisabledReason,
                Expr::case(reaches_limit, reason)
                    .finally(Expr::col(integration_webhooks::Column::DisabledReason))
                    .into(),
            )
            .col_expr(
                integration_webhooks::Column::UpdatedAt,
                Expr::value(attempt.attempted_at),
            )
            .filter(integration_webhooks::Column::Id.eq(attempt.webhook_id.as_uuid()))
            .exec(&transaction)
            .await
            .map_err(translate)?;
        let active = integration_webhooks::Entity::find_by_id(attempt.webhook_id.as_uuid())
            .select_only()
            .column(integration_webhooks::Column::IsActive)
            .into_tuple::<bool>()
            .one(&transaction)
            .await
            .map_err(translate)?
            .unwrap_or(false);
        transaction.commit().await.map_err(translate)?;
        Ok(active)
    }

    async fn deliveries(
        &self,
        webhook: WebhookId,
        limit: u64,
    ) -> Result<Vec<DeliveryAttempt>, RepositoryError> {
        webhook_deliveries::Entity::find()
            .filter(webhook_deliveries::Column::WebhookId.eq(webhook.as_uuid()))
            .order_by_desc(webhook_deliveries::Column::AttemptedAt)
            .order_by_desc(webhook_deliveries::Column::Id)
            .limit(limit)
            .all(self.database.connection())
            .await
            .map_err(translate)?
            .into_iter()
            .map(attempt)
            .collect()
    }

    async fn subscribed(
        &self,
        organization: OrganizationId,
        event: EventType,
    ) -> Result<Vec<Webhook>, RepositoryError> {
        // few endpoints per organization (a configured limit): the event filter runs here
        // rather than in dialect-specific JSON SQL
        Ok(self
            .list(organization)
            .await?
            .into_iter()
            .filter(|webhook| webhook.wants(event))
            .collect())
    }
}
