//! The interviewer's closing remark gets its own message type, `ai_closing` (it was an
//! `ai_question` told apart by `"kind": "closing"` in its metadata). Existing closing remarks
//! are converted. SQLite cannot alter a CHECK constraint, so the table is rebuilt there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const CHECK_NAME: &str = "interview_messages_message_type_check";

fn rebuilt_sqlite(types: &str) -> String {
    format!(
        r"
CREATE TABLE interview_messages_rebuilt (
    id {{uuid}} PRIMARY KEY,
    interview_id {{uuid}} NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    session_id {{uuid}} NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    sequence_number integer NOT NULL CHECK (sequence_number >= 1),
    message_type text NOT NULL CHECK (message_type IN ({types})),
    content_text text NOT NULL,
    audio_url text,
    audio_duration_seconds {{f64}},
    audio_metadata {{json}},
    response_time_seconds {{f64}},
    metadata {{json}} NOT NULL,
    created_at {{ts}} NOT NULL,
    CONSTRAINT uq_interview_messages_sequence UNIQUE (interview_id, sequence_number)
);
INSERT INTO interview_messages_rebuilt SELECT id, interview_id, session_id, sequence_number,
    message_type, content_text, audio_url, audio_duration_seconds, audio_metadata,
    response_time_seconds, metadata, created_at FROM interview_messages;
DROP TABLE interview_messages;
ALTER TABLE interview_messages_rebuilt RENAME TO interview_messages;
CREATE INDEX idx_interview_messages_session_id ON interview_messages (session_id)
"
    )
}

fn postgres_check(types: &str) -> String {
    format!(
        "ALTER TABLE interview_messages DROP CONSTRAINT {CHECK_NAME};
         ALTER TABLE interview_messages ADD CONSTRAINT {CHECK_NAME}
             CHECK (message_type IN ({types}))"
    )
}

const WITH_CLOSING: &str = "'ai_question', 'candidate_response', 'ai_closing'";
const WITHOUT_CLOSING: &str = "'ai_question', 'candidate_response'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on every backend: the SQLite rebuild must not be seen half done, and
    /// must run on one connection.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (widen, closing_kind) = match manager.get_database_backend() {
            DatabaseBackend::Postgres => (postgres_check(WITH_CLOSING), "metadata->>'kind'"),
            _ => (
                rebuilt_sqlite(WITH_CLOSING),
                "json_extract(metadata, '$.kind')",
            ),
        };
        dialect::run(manager, &widen).await?;
        dialect::run(
            manager,
            &format!(
                "UPDATE interview_messages SET message_type = 'ai_closing'
                 WHERE message_type = 'ai_question' AND {closing_kind} = 'closing'"
            ),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(
            manager,
            "UPDATE interview_messages SET message_type = 'ai_question'
             WHERE message_type = 'ai_closing'",
        )
        .await?;
        let narrow = match manager.get_database_backend() {
            DatabaseBackend::Postgres => postgres_check(WITHOUT_CLOSING),
            _ => rebuilt_sqlite(WITHOUT_CLOSING),
        };
        dialect::run(manager, &narrow).await
    }
}
