//! Video recordings and their chunks on sea-orm. A chunk and the recording's totals change in
//! one transaction; the totals are expressions (`chunk_count + 1`), so concurrent chunks of one
//! recording cannot lose a count.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use interview_core::ids::{InterviewId, VideoRecordingId};
use interview_core::model::VideoRecordingStatus;
use interview_core::ports::{BlobRef, RepositoryError, VideoRepository};
use interview_core::rules::video_container::VideoContainer;
use interview_core::video::{RecordingStatus, StoredChunk, VideoRecording};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};

use crate::connection::Database;
use crate::entities::{interview_messages, interviews, video_chunks, video_recordings};
use crate::error::{corrupt, translate};
use crate::mapping::{self, parse};

/// Recordings and chunks.
#[derive(Clone)]
pub struct SeaOrmVideos {
    database: Database,
}

impl SeaOrmVideos {
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

fn small(value: u32, what: &str) -> Result<i32, RepositoryError> {
    i32::try_from(value).map_err(|error| corrupt(what, error))
}

fn large(value: u64, what: &str) -> Result<i64, RepositoryError> {
    i64::try_from(value).map_err(|error| corrupt(what, error))
}

fn recording_row(
    recording: &VideoRecording,
) -> Result<video_recordings::ActiveModel, RepositoryError> {
    Ok(video_recordings::ActiveModel {
        id: Set(recording.id.as_uuid()),
        interview_id: Set(recording.interview_id.as_uuid()),
        status: Set(recording.status.as_str().to_owned()),
        container: Set(recording.container.map(|c| c.as_str().to_owned())),
        chunk_count: Set(small(recording.chunk_count, "chunk count")?),
        file_size_bytes: Set(large(recording.file_size_bytes, "recording size")?),
        expected_chunks: Set(recording
            .expected_chunks
            .map(|count| small(count, "expected chunks"))
            .transpose()?),
        storage_key: Set(recording.storage_key.clone()),
        created_at: Set(recording.created_at),
        last_chunk_at: Set(recording.last_chunk_at),
        finalized_at: Set(recording.finalized_at),
        deleted_at: Set(recording.deleted_at),
        deletion_reason: Set(recording.deletion_reason.clone()),
    })
}

fn recording(row: video_recordings::Model) -> Result<VideoRecording, RepositoryError> {
    let unsigned = |value: i32, what: &str| u32::try_from(value).map_err(|e| corrupt(what, e));
    Ok(VideoRecording {
        id: VideoRecordingId::from_uuid(row.id),
        interview_id: InterviewId::from_uuid(row.interview_id),
        status: parse::<RecordingStatus>(&row.status, "recording status")?,
        container: row
            .container
            .as_deref()
            .map(|text| parse::<VideoContainer>(text, "video container"))
            .transpose()?,
        chunk_count: unsigned(row.chunk_count, "chunk count")?,
        file_size_bytes: u64::try_from(row.file_size_bytes)
            .map_err(|error| corrupt("recording size", error))?,
        expected_chunks: row
            .expected_chunks
            .map(|count| unsigned(count, "expected chunks"))
            .transpose()?,
        storage_key: row.storage_key,
        created_at: row.created_at,
        last_chunk_at: row.last_chunk_at,
        finalized_at: row.finalized_at,
        deleted_at: row.deleted_at,
        deletion_reason: row.deletion_reason,
    })
}

fn chunk(row: video_chunks::Model) -> Result<StoredChunk, RepositoryError> {
    Ok(StoredChunk {
        index: u32::try_from(row.chunk_index).map_err(|error| corrupt("chunk index", error))?,
        size: u64::try_from(row.size_bytes).map_err(|error| corrupt("chunk size", error))?,
        sha256: row.sha256,
        storage_key: row.storage_key,
        stored_at: row.stored_at,
    })
}

/// Sets the interview's video columns.
fn interview_video(
    interview: InterviewId,
    url: Option<&str>,
    status: Option<VideoRecordingStatus>,
) -> sea_orm::UpdateMany<interviews::Entity> {
    interviews::Entity::update_many()
        .col_expr(
            interviews::Column::VideoRecordingUrl,
            Expr::value(url.map(str::to_owned)),
        )
        .col_expr(
            interviews::Column::VideoRecordingStatus,
            Expr::value(status.map(|status| status.as_str().to_owned())),
        )
        .filter(interviews::Column::Id.eq(interview.as_uuid()))
}

#[async_trait]
impl VideoRepository for SeaOrmVideos {
    async fn recording(
        &self,
        interview: InterviewId,
    ) -> Result<Option<VideoRecording>, RepositoryError> {
        video_recordings::Entity::find()
            .filter(video_recordings::Column::InterviewId.eq(interview.as_uuid()))
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .map(recording)
            .transpose()
    }

    async fn create(&self, recording: &VideoRecording) -> Result<(), RepositoryError> {
        let row = recording_row(recording)?;
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        video_recordings::Entity::insert(row)
            .exec_without_returning(&transaction)
            .await
            .map_err(|error| match translate(error) {
                RepositoryError::Conflict(_) => RepositoryError::Duplicate("recording".into()),
                other => other,
            })?;
        interview_video(
            recording.interview_id,
            None,
            Some(VideoRecordingStatus::Recording),
        )
        .exec(&transaction)
        .await
        .map_err(translate)?;
        transaction.commit().await.map_err(translate)
    }

    async fn chunks(
        &self,
        recording: VideoRecordingId,
    ) -> Result<Vec<StoredChunk>, RepositoryError> {
        video_chunks::Entity::find()
            .filter(video_chunks::Column::RecordingId.eq(recording.as_uuid()))
            .order_by_asc(video_chunks::Column::ChunkIndex)
            .all(self.database.connection())
            .await
            .map_err(translate)?
            .into_iter()
            .map(chunk)
            .collect()
    }

    async fn add_chunk(
        &self,
        recording: VideoRecordingId,
        stored: &StoredChunk,
        container: Option<VideoContainer>,
        expected_chunks: Option<u32>,
    ) -> Result<(), RepositoryError> {
        let row = video_chunks::ActiveModel {
            recording_id: Set(recording.as_uuid()),
            chunk_index: Set(small(stored.index, "chunk index")?),
            size_bytes: Set(large(stored.size, "chunk size")?),
            sha256: Set(stored.sha256.clone()),
            storage_key: Set(stored.storage_key.clone()),
            stored_at: Set(stored.stored_at),
        };
        let size = large(stored.size, "chunk size")?;
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        video_chunks::Entity::insert(row)
            .exec_without_returning(&transaction)
            .await
            .map_err(|error| match translate(error) {
                RepositoryError::Conflict(_) => RepositoryError::Duplicate("chunk".into()),
                other => other,
            })?;
        let mut update = video_recordings::Entity::update_many()
            .col_expr(
                video_recordings::Column::ChunkCount,
                Expr::col(video_recordings::Column::ChunkCount).add(1),
            )
            .col_expr(
                video_recordings::Column::FileSizeBytes,
                Expr::col(video_recordings::Column::FileSizeBytes).add(size),
            )
            .col_expr(
                video_recordings::Column::LastChunkAt,
                Expr::value(Some(stored.stored_at)),
            );
        if let Some(container) = container {
            update = update.col_expr(
                video_recordings::Column::Container,
                Expr::value(Some(container.as_str().to_owned())),
            );
        }
        if let Some(expected) = expected_chunks {
            update = update.col_expr(
                video_recordings::Column::ExpectedChunks,
                Expr::value(Some(small(expected, "expected chunks")?)),
            );
        }
        update
            .filter(video_recordings::Column::Id.eq(recording.as_uuid()))
            .exec(&transaction)
            .await
            .map_err(translate)?;
        transaction.commit().await.map_err(translate)
    }

    async fn finalize(&self, finished: &VideoRecording, url: &str) -> Result<(), RepositoryError> {
        let row = recording_row(finished)?;
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        video_recordings::Entity::update(row)
            .exec(&transaction)
            .await
            .map_err(translate)?;
        video_chunks::Entity::delete_many()
            .filter(video_chunks::Column::RecordingId.eq(finished.id.as_uuid()))
            .exec(&transaction)
            .await
            .map_err(translate)?;
        interview_video(
            finished.interview_id,
            Some(url),
            Some(VideoRecordingStatus::Completed),
        )
        .exec(&transaction)
        .await
        .map_err(translate)?;
        transaction.commit().await.map_err(translate)
    }

    async fn mark_deleted(
        &self,
        gone: &VideoRecording,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        video_recordings::Entity::update_many()
            .col_expr(
                video_recordings::Column::Status,
                Expr::value(RecordingStatus::Deleted.as_str()),
            )
            .col_expr(video_recordings::Column::DeletedAt, Expr::value(Some(at)))
            .col_expr(
                video_recordings::Column::DeletionReason,
                Expr::value(Some(reason.to_owned())),
            )
            .col_expr(
                video_recordings::Column::StorageKey,
                Expr::value(Option::<String>::None),
            )
            .filter(video_recordings::Column::Id.eq(gone.id.as_uuid()))
            .exec(&transaction)
            .await
            .map_err(translate)?;
        video_chunks::Entity::delete_many()
            .filter(video_chunks::Column::RecordingId.eq(gone.id.as_uuid()))
            .exec(&transaction)
            .await
            .map_err(translate)?;
        interview_video(gone.interview_id, None, None)
            .exec(&transaction)
            .await
            .map_err(translate)?;
        transaction.commit().await.map_err(translate)
    }

    async fn expired(
        &self,
        finalized_before: DateTime<Utc>,
        abandoned_before: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<VideoRecording>, RepositoryError> {
        let last_activity = Func::coalesce([
            Expr::col(video_recordings::Column::LastChunkAt),
            Expr::col(video_recordings::Column::CreatedAt),
        ]);
        video_recordings::Entity::find()
            .filter(
                Condition::any()
                    .add(
                        video_recordings::Column::Status
                            .eq(RecordingStatus::Finalized.as_str())
                            .and(video_recordings::Column::FinalizedAt.lt(finalized_before)),
                    )
                    .add(
                        video_recordings::Column::Status
                            .eq(RecordingStatus::Recording.as_str())
                            .and(Expr::expr(last_activity).lt(abandoned_before)),
                    ),
            )
            .order_by_asc(video_recordings::Column::CreatedAt)
            .limit(limit)
            .all(self.database.connection())
            .await
            .map_err(translate)?
            .into_iter()
            .map(recording)
            .collect()
    }

    async fn expired_audio(
        &self,
        before: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<BlobRef>, RepositoryError> {
        interview_messages::Entity::find()
            .filter(interview_messages::Column::AudioUrl.is_not_null())
            .filter(interview_messages::Column::CreatedAt.lt(before))
            .order_by_asc(interview_messages::Column::CreatedAt)
            .limit(limit)
            .all(self.database.connection())
            .await
            .map_err(translate)?
            .iter()
            .map(mapping::message_audio)
            .filter_map(Result::transpose)
            .collect()
    }

    async fn forget_audio(&self, audio: &BlobRef) -> Result<(), RepositoryError> {
        let BlobRef::MessageAudio {
            interview, message, ..
        } = audio
        else {
            return Ok(());
        };
        let _permit = self.database.write_permit().await;
        interview_messages::Entity::update_many()
            .col_expr(
                interview_messages::Column::AudioUrl,
                Expr::value(Option::<String>::None),
            )
            .filter(interview_messages::Column::Id.eq(message.as_uuid()))
            .filter(interview_messages::Column::InterviewId.eq(interview.as_uuid()))
            .exec(self.database.connection())
            .await
            .map_err(translate)?;
        Ok(())
    }

    async fn set_consent(
        &self,
        interview: InterviewId,
        consent: bool,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let result = interviews::Entity::update_many()
            .col_expr(
                interviews::Column::VideoRecordingConsent,
                Expr::value(consent),
            )
            .col_expr(interviews::Column::VideoConsentAt, Expr::value(Some(at)))
            .filter(interviews::Column::Id.eq(interview.as_uuid()))
            .exec(self.database.connection())
            .await
            .map_err(translate)?;
        if result.rows_affected == 0 {
            return Err(RepositoryError::NotFound);
        }
        Ok(())
    }

    async fn save_tech_check(
        &self,
        interview: InterviewId,
        check: &serde_json::Value,
    ) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let result = interviews::Entity::update_many()
            .col_expr(
                interviews::Column::TechCheckMetadata,
                Expr::value(Some(check.clone())),
            )
            .filter(interviews::Column::Id.eq(interview.as_uuid()))
            .exec(self.database.connection())
            .await
            .map_err(translate)?;
        if result.rows_affected == 0 {
            return Err(RepositoryError::NotFound);
        }
        Ok(())
    }
}
