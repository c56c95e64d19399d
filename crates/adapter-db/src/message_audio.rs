//! Audio attached to a message after it was written (speech generated live).

use interview_core::ids::{InterviewId, MessageId};
use interview_core::model::AudioMetadata;
use interview_core::ports::{BlobRef, RepositoryError};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::connection::Database;
use crate::entities::interview_messages;
use crate::error::translate;
use crate::mapping;

pub async fn attach(
    database: &Database,
    interview: InterviewId,
    message: MessageId,
    audio: &BlobRef,
    metadata: &AudioMetadata,
) -> Result<(), RepositoryError> {
    let metadata_json = mapping::json(metadata, "audio metadata")?;
    let _permit = database.write_permit().await;
    let result = interview_messages::Entity::update_many()
        .col_expr(
            interview_messages::Column::AudioUrl,
            Expr::value(Some(mapping::stored_audio_name(audio))),
        )
        .col_expr(
            interview_messages::Column::AudioDurationSeconds,
            Expr::value(metadata.duration_seconds),
        )
        .col_expr(
            interview_messages::Column::AudioMetadata,
            Expr::value(Some(metadata_json)),
        )
        .filter(interview_messages::Column::Id.eq(message.as_uuid()))
        .filter(interview_messages::Column::InterviewId.eq(interview.as_uuid()))
        .exec(database.connection())
        .await
        .map_err(translate)?;
    if result.rows_affected == 0 {
        return Err(RepositoryError::NotFound);
    }
    Ok(())
}
