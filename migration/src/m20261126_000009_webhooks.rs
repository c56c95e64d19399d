//! Webhooks.
//!
//! - `background_jobs.payload`: what a job needs beyond its subject (an event as it was when it
//!   happened), JSON.
//! - `integration_webhooks` is recreated: no release ever wrote it, and an endpoint now belongs
//!   to an organization, keeps the secret its deliveries are signed with (an HMAC key must be
//!   readable, so it cannot be stored hashed) and counts failures in a row. The down migration
//!   restores the seed table exactly.
//! - `webhook_deliveries`: the log of delivery attempts, newest read first per endpoint.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r"
ALTER TABLE background_jobs ADD COLUMN payload {json};

DROP TABLE integration_webhooks;

CREATE TABLE integration_webhooks (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    url text NOT NULL,
    event_types {json} NOT NULL,
    signing_secret text NOT NULL,
    is_active boolean NOT NULL DEFAULT TRUE,
    consecutive_failures integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    disabled_reason text,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    last_delivered_at {ts}
);
CREATE INDEX ix_integration_webhooks_organization
    ON integration_webhooks (organization_id, created_at);

CREATE TABLE webhook_deliveries (
    id {uuid} PRIMARY KEY,
    webhook_id {uuid} NOT NULL REFERENCES integration_webhooks (id) ON DELETE CASCADE,
    delivery_id {uuid} NOT NULL,
    event_id {uuid} NOT NULL,
    event_type text NOT NULL,
    attempt integer NOT NULL CHECK (attempt >= 1),
    succeeded boolean NOT NULL,
    status_code integer,
    error text,
    duration_ms bigint NOT NULL CHECK (duration_ms >= 0),
    attempted_at {ts} NOT NULL
);
CREATE INDEX ix_webhook_deliveries_webhook ON webhook_deliveries (webhook_id, attempted_at)
";

const DOWN: &str = r"
DROP TABLE webhook_deliveries;
DROP TABLE integration_webhooks;
CREATE TABLE integration_webhooks (
    id {uuid} PRIMARY KEY,
    organization_id {uuid},
    url text NOT NULL,
    event_types {json} NOT NULL,
    secret_hash text,
    is_active boolean NOT NULL DEFAULT TRUE,
    created_at {ts} NOT NULL,
    last_delivered_at {ts}
);
ALTER TABLE background_jobs DROP COLUMN payload
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, DOWN).await
    }
}
