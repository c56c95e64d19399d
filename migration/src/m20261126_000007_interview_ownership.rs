//! Interviews carry who sees them and what they screen for: the organization whose recruiters
//! see them, the job posting they were started for, and the skill areas they must explore (a
//! job's required skills; `[]` for the role's configured ones). Existing interviews have no
//! organization until the first one is created (it adopts them) and explore their role's skills.
//!
//! The columns are added without foreign keys: SQLite can only add a column, not a constraint,
//! and the tables they would reference come with the next migration.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r"
ALTER TABLE interviews ADD COLUMN organization_id {uuid};
ALTER TABLE interviews ADD COLUMN job_posting_id {uuid};
ALTER TABLE interviews ADD COLUMN key_skills {json} NOT NULL DEFAULT '[]';
CREATE INDEX idx_interviews_organization_id ON interviews (organization_id);
CREATE INDEX idx_interviews_job_posting_id ON interviews (job_posting_id)
";

/// SQLite drops a column only once no index names it.
const DOWN: &str = r"
DROP INDEX idx_interviews_job_posting_id;
DROP INDEX idx_interviews_organization_id;
ALTER TABLE interviews DROP COLUMN key_skills;
ALTER TABLE interviews DROP COLUMN job_posting_id;
ALTER TABLE interviews DROP COLUMN organization_id
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, DOWN).await
    }
}
