//! An index under every foreign-key column that lacked one. Without them, deleting or re-keying
//! a parent row makes the database scan the whole child table (on SQLite, for every such
//! statement).

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r"
CREATE INDEX idx_interview_messages_session_id ON interview_messages (session_id);
CREATE INDEX idx_interviews_resume_id ON interviews (resume_id);
CREATE INDEX idx_resume_feedback_approved_by ON resume_feedback (approved_by)
";

const DOWN: &str = r"
DROP INDEX idx_resume_feedback_approved_by;
DROP INDEX idx_interviews_resume_id;
DROP INDEX idx_interview_messages_session_id
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
