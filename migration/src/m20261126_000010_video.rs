//! Video recordings.
//!
//! - `interviews.video_consent_at`: when the candidate last decided about being filmed.
//! - `video_recordings` is recreated: no release ever wrote it. A recording is `recording`
//!   while chunks arrive, `finalized` once assembled into one object, and `deleted` when its
//!   bytes are gone (the row stays as the record that it existed, with when and why). The down
//!   migration restores the seed table exactly.
//! - `video_chunks`: the chunks of a recording still being uploaded, one per index, with the
//!   content hash that makes a repeated upload of the same index idempotent.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r"
ALTER TABLE interviews ADD COLUMN video_consent_at {ts};

DROP TABLE video_recordings;

CREATE TABLE video_recordings (
    id {uuid} PRIMARY KEY,
    interview_id {uuid} NOT NULL UNIQUE REFERENCES interviews (id) ON DELETE CASCADE,
    status text NOT NULL CHECK (status IN ('recording', 'finalized', 'deleted')),
    container text CHECK (container IN ('webm', 'mp4')),
    chunk_count integer NOT NULL DEFAULT 0 CHECK (chunk_count >= 0),
    file_size_bytes bigint NOT NULL DEFAULT 0 CHECK (file_size_bytes >= 0),
    expected_chunks integer CHECK (expected_chunks > 0),
    storage_key text,
    created_at {ts} NOT NULL,
    last_chunk_at {ts},
    finalized_at {ts},
    deleted_at {ts},
    deletion_reason text
);
CREATE INDEX ix_video_recordings_status ON video_recordings (status, finalized_at);

CREATE TABLE video_chunks (
    recording_id {uuid} NOT NULL REFERENCES video_recordings (id) ON DELETE CASCADE,
    chunk_index integer NOT NULL CHECK (chunk_index >= 0),
    size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
    sha256 text NOT NULL,
    storage_key text NOT NULL,
    stored_at {ts} NOT NULL,
    PRIMARY KEY (recording_id, chunk_index)
)
";

const DOWN: &str = r"
DROP TABLE video_chunks;
DROP TABLE video_recordings;
CREATE TABLE video_recordings (
    id {uuid} PRIMARY KEY,
    interview_id {uuid} NOT NULL UNIQUE REFERENCES interviews (id) ON DELETE CASCADE,
    storage_path text NOT NULL,
    file_size_bytes bigint NOT NULL DEFAULT 0 CHECK (file_size_bytes >= 0),
    duration_seconds bigint CHECK (duration_seconds >= 0),
    chunk_count integer NOT NULL DEFAULT 0 CHECK (chunk_count >= 0),
    uploaded_at {ts},
    created_at {ts} NOT NULL
);
ALTER TABLE interviews DROP COLUMN video_consent_at
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
