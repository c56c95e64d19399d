//! What the product needs beyond the seed: revoked tokens (logout), login lockout, and the
//! stored outcome of each answer under its client key (exactly-once answers).

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r"
CREATE TABLE revoked_tokens (
    jti text PRIMARY KEY,
    expires_at {ts} NOT NULL
);
CREATE INDEX idx_revoked_tokens_expires_at ON revoked_tokens (expires_at);

CREATE TABLE login_attempts (
    email text PRIMARY KEY,
    failed_count integer NOT NULL DEFAULT 0 CHECK (failed_count >= 0),
    first_failed_at {ts},
    locked_until {ts},
    updated_at {ts} NOT NULL
);

CREATE TABLE answer_idempotency (
    interview_id {uuid} NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    client_key text NOT NULL CHECK (length(client_key) BETWEEN 1 AND 255),
    outcome {json} NOT NULL,
    created_at {ts} NOT NULL,
    PRIMARY KEY (interview_id, client_key)
)
";

const DOWN: &str = r"
DROP TABLE answer_idempotency;
DROP TABLE login_attempts;
DROP TABLE revoked_tokens
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
