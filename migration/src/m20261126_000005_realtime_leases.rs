//! Which realtime connection owns a live interview: a new connection claims it, and the one it
//! replaced (on this node or another) sees it has lost the claim and closes.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r"
CREATE TABLE realtime_leases (
    interview_id {uuid} PRIMARY KEY REFERENCES interviews (id) ON DELETE CASCADE,
    connection_id {uuid} NOT NULL,
    claimed_at {ts} NOT NULL
)
";

const DOWN: &str = r"
DROP TABLE realtime_leases
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
