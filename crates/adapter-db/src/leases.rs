//! Realtime leases: which connection owns a live interview. One row per interview, replaced by
//! each new claim (an upsert), read by the connection that may have lost it.

use chrono::{DateTime, Utc};
use interview_core::ids::{ConnectionId, InterviewId};
use interview_core::ports::RepositoryError;
use sea_orm::ActiveValue::Set;
use sea_orm::EntityTrait;
use sea_orm::sea_query::OnConflict;

use crate::connection::Database;
use crate::entities::realtime_leases;
use crate::error::translate;

pub async fn claim(
    database: &Database,
    interview: InterviewId,
    connection: ConnectionId,
    at: DateTime<Utc>,
) -> Result<(), RepositoryError> {
    let _permit = database.write_permit().await;
    realtime_leases::Entity::insert(realtime_leases::ActiveModel {
        interview_id: Set(interview.as_uuid()),
        connection_id: Set(connection.as_uuid()),
        claimed_at: Set(at),
    })
    .on_conflict(
        OnConflict::column(realtime_leases::Column::InterviewId)
            .update_columns([
                realtime_leases::Column::ConnectionId,
                realtime_leases::Column::ClaimedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(database.connection())
    .await
    .map_err(translate)?;
    Ok(())
}

pub async fn owner(
    database: &Database,
    interview: InterviewId,
) -> Result<Option<ConnectionId>, RepositoryError> {
    Ok(realtime_leases::Entity::find_by_id(interview.as_uuid())
        .one(database.connection())
        .await
        .map_err(translate)?
        .map(|row| ConnectionId::from_uuid(row.connection_id)))
}
