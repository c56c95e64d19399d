//! The durable job queue on sea-orm.
//!
//! At most one job of a kind and subject is active (queued or running): a partial unique index
//! says so, and an enqueue that meets it does nothing. A claim is one `UPDATE … RETURNING` whose
//! subquery picks the next due job; on PostgreSQL the subquery locks it `FOR UPDATE SKIP LOCKED`,
//! so concurrent workers pass each other's picks by instead of waiting on them; on SQLite the one
//! statement is atomic (a single writer at a time). Everything that finishes a job names the
//! lease token its claim handed out, and changes nothing when the token no longer matches.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, TimeZone, Utc};
use interview_core::ids::{JobId, LeaseToken};
use interview_core::jobs::{
    ClaimedJob, JobCount, JobKind, JobRecord, JobState, NewJob, WATCHED_STATES,
};
use interview_core::ports::{JobQueue, RepositoryError};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{
    Condition, Expr, ExprTrait, LockBehavior, LockType, OnConflict, Order, Query,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};
use uuid::Uuid;

use crate::connection::Database;
use crate::entities::background_jobs::{self, Column};
use crate::error::{corrupt, translate};
use crate::mapping::parse;

/// The jobs of `background_jobs`.
#[derive(Clone)]
pub struct SeaOrmJobs {
    database: Database,
}

impl SeaOrmJobs {
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

/// The predicate of the partial unique index `uq_background_jobs_active`, as literal SQL: an
/// `ON CONFLICT` target must repeat it for the database to infer the index, and PostgreSQL
/// cannot infer it from a predicate with bound parameters.
const ACTIVE: &str = "state IN ('queued', 'running')";

/// Inserts `jobs`, skipping each whose kind and subject already has an active job. Runs inside
/// the caller's transaction (a turn's write); returns how many were added.
pub(crate) async fn insert(
    connection: &impl ConnectionTrait,
    jobs: &[NewJob],
) -> Result<u64, RepositoryError> {
    let mut added = 0;
    // one statement each: a batch insert with DO NOTHING would hide which one was skipped, and
    // a write carries few jobs (a completing turn: its assessment and one event)
    for job in jobs {
        added += background_jobs::Entity::insert(background_jobs::ActiveModel {
            id: Set(job.id.as_uuid()),
            kind: Set(job.kind.as_str().to_owned()),
            subject: Set(job.subject),
            state: Set(JobState::Queued.as_str().to_owned()),
            attempts: Set(0),
            last_error: Set(None),
            run_at: Set(job.run_at),
            lease_token: Set(None),
            locked_until: Set(None),
            // the port gives no clock to enqueue: a job is created when it is first due
            created_at: Set(job.run_at),
            updated_at: Set(job.run_at),
            payload: Set(job.payload.clone()),
        })
        .on_conflict(
            OnConflict::columns([Column::Kind, Column::Subject])
                .target_and_where(Expr::cust(ACTIVE))
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(connection)
        .await
        .map_err(translate)?;
    }
    Ok(added)
}

/// Finishes a running job held under `job.lease`, inside the caller's transaction when there is
/// one: sets its state and clears the lease, with `extra` columns on top.
///
/// # Errors
/// [`RepositoryError::Conflict`] when the lease was lost (nothing changed);
/// [`RepositoryError::NotFound`] for a job that does not exist.
pub(crate) async fn finish(
    connection: &impl ConnectionTrait,
    job: &ClaimedJob,
    state: JobState,
    now: DateTime<Utc>,
    extra: impl IntoIterator<Item = (Column, Expr)>,
) -> Result<(), RepositoryError> {
    let mut update = background_jobs::Entity::update_many()
        .col_expr(Column::State, Expr::value(state.as_str()))
        .col_expr(Column::LeaseToken, Expr::value(Option::<Uuid>::None))
        .col_expr(
            Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::UpdatedAt, Expr::value(now));
    for (column, value) in extra {
        update = update.col_expr(column, value);
    }
    let result = update
        .filter(Column::Id.eq(job.id.as_uuid()))
        .filter(Column::State.eq(JobState::Running.as_str()))
        .filter(Column::LeaseToken.eq(job.lease.as_uuid()))
        .exec(connection)
        .await
        .map_err(translate)?;
    if result.rows_affected == 1 {
        return Ok(());
    }
    let exists = background_jobs::Entity::find_by_id(job.id.as_uuid())
        .one(connection)
        .await
        .map_err(translate)?
        .is_some();
    Err(if exists {
        RepositoryError::Conflict(format!("job {} is no longer held by this lease", job.id))
    } else {
        RepositoryError::NotFound
    })
}

/// `now + lease`, at the microsecond precision every backend stores; a lease too long to
/// represent ends at the end of year 9999 (which SQLite's text timestamps still order right).
fn lease_end(now: DateTime<Utc>, lease: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(lease)
        .ok()
        .and_then(|lease| now.checked_add_signed(lease))
        .filter(|end| end.timestamp() < 253_402_300_800)
        .unwrap_or_else(|| {
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
                .single()
                .unwrap_or(now)
        })
        .trunc_subsecs(6)
}

fn count(attempts: i32) -> Result<u32, RepositoryError> {
    u32::try_from(attempts).map_err(|error| corrupt("job attempts", error))
}

fn record(row: background_jobs::Model) -> Result<JobRecord, RepositoryError> {
    Ok(JobRecord {
        id: JobId::from_uuid(row.id),
        kind: parse::<JobKind>(&row.kind, "job kind")?,
        subject: row.subject,
        state: parse::<JobState>(&row.state, "job state")?,
        attempts: count(row.attempts)?,
        last_error: row.last_error,
        run_at: row.run_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

#[async_trait]
impl JobQueue for SeaOrmJobs {
    async fn enqueue(&self, job: &NewJob) -> Result<bool, RepositoryError> {
        let _permit = self.database.write_permit().await;
        Ok(insert(self.database.connection(), std::slice::from_ref(job)).await? > 0)
    }

    async fn claim(
        &self,
        kinds: &[JobKind],
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<ClaimedJob>, RepositoryError> {
        if kinds.is_empty() {
            return Ok(None);
        }
        let token = LeaseToken::new();
        let due = Query::select()
            .column(Column::Id)
            .from(background_jobs::Entity)
            .and_where(Expr::col(Column::Kind).is_in(kinds.iter().map(|kind| kind.as_str())))
            .cond_where(
                Condition::any()
                    .add(
                        Expr::col(Column::State)
                            .eq(JobState::Queued.as_str())
                            .and(Expr::col(Column::RunAt).lte(now)),
                    )
                    .add(
                        Expr::col(Column::State)
                            .eq(JobState::Running.as_str())
                            .and(Expr::col(Column::LockedUntil).lte(now)),
                    ),
            )
            .order_by(Column::RunAt, Order::Asc)
            .order_by(Column::Id, Order::Asc)
            .limit(1)
            // PostgreSQL only: the SQLite query builder leaves locks out
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .to_owned();
        let mut claim = background_jobs::Entity::update_many()
            .col_expr(Column::State, Expr::value(JobState::Running.as_str()))
            .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
            .col_expr(Column::LeaseToken, Expr::value(Some(token.as_uuid())))
            .col_expr(
                Column::LockedUntil,
                Expr::value(Some(lease_end(now, lease))),
            )
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::Id.in_subquery(due))
            .into_query();
        // built by hand: sea-orm only asks SQLite for RETURNING behind a feature flag, and
        // every SQLite this crate links (3.35 and later) has it
        claim.returning_all();
        let _permit = self.database.write_permit().await;
        let Some(row) = self
            .database
            .connection()
            .query_one(&claim)
            .await
            .map_err(translate)?
        else {
            return Ok(None);
        };
        let row = background_jobs::Model::from_query_result(&row, "")
            .map_err(|error| corrupt("claimed job", error))?;
        Ok(Some(ClaimedJob {
            id: JobId::from_uuid(row.id),
            kind: parse::<JobKind>(&row.kind, "job kind")?,
            subject: row.subject,
            attempts: count(row.attempts)?,
            lease: token,
            payload: row.payload,
        }))
    }

    async fn succeed(&self, job: &ClaimedJob, now: DateTime<Utc>) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        finish(
            self.database.connection(),
            job,
            JobState::Succeeded,
            now,
            [],
        )
        .await
    }

    async fn retry(
        &self,
        job: &ClaimedJob,
        run_at: DateTime<Utc>,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        finish(
            self.database.connection(),
            job,
            JobState::Queued,
            now,
            [
                (Column::RunAt, Expr::value(run_at)),
                (Column::LastError, Expr::value(Some(error.to_owned()))),
            ],
        )
        .await
    }

    async fn fail(
        &self,
        job: &ClaimedJob,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        finish(
            self.database.connection(),
            job,
            JobState::Failed,
            now,
            [(Column::LastError, Expr::value(Some(error.to_owned())))],
        )
        .await
    }

    async fn release(&self, job: &ClaimedJob, now: DateTime<Utc>) -> Result<(), RepositoryError> {
        // the attempt is handed back: a claimed job has counted at least one
        let uncounted = Expr::case(
            Expr::col(Column::Attempts).gt(0),
            Expr::col(Column::Attempts).sub(1),
        )
        .finally(0);
        let _permit = self.database.write_permit().await;
        finish(
            self.database.connection(),
            job,
            JobState::Queued,
            now,
            [(Column::Attempts, uncounted.into())],
        )
        .await
    }

    async fn latest(
        &self,
        kind: JobKind,
        subject: Uuid,
    ) -> Result<Option<JobRecord>, RepositoryError> {
        background_jobs::Entity::find()
            .filter(Column::Subject.eq(subject))
            .filter(Column::Kind.eq(kind.as_str()))
            .order_by_desc(Column::CreatedAt)
            .order_by_desc(Column::Id)
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .map(record)
            .transpose()
    }

    async fn purge_succeeded(
        &self,
        finished_before: DateTime<Utc>,
        limit: u64,
    ) -> Result<u64, RepositoryError> {
        // `LIMIT` inside `IN (…)`: a bounded delete on both backends (SQLite is not built with
        // `DELETE … LIMIT`), so one purge never holds the writer for long
        let oldest = Query::select()
            .column(Column::Id)
            .from(background_jobs::Entity)
            .and_where(Expr::col(Column::State).eq(JobState::Succeeded.as_str()))
            .and_where(Expr::col(Column::UpdatedAt).lt(finished_before))
            .limit(limit)
            .to_owned();
        let _permit = self.database.write_permit().await;
        let deleted = background_jobs::Entity::delete_many()
            .filter(Column::Id.in_subquery(oldest))
            .exec(self.database.connection())
            .await
            .map_err(translate)?;
        Ok(deleted.rows_affected)
    }

    async fn counts(&self) -> Result<Vec<JobCount>, RepositoryError> {
        // served by the (state, run_at) index; succeeded jobs, the bulk of the table, are skipped
        let rows: Vec<(String, String, i64)> = background_jobs::Entity::find()
            .select_only()
            .column(Column::Kind)
            .column(Column::State)
            .column_as(Expr::cust("COUNT(*)"), "count")
            .filter(Column::State.is_in(WATCHED_STATES.map(JobState::as_str)))
            .group_by(Column::Kind)
            .group_by(Column::State)
            .into_tuple()
            .all(self.database.connection())
            .await
            .map_err(translate)?;
        // a kind this build does not know (written by a newer node) is left out, not an error
        Ok(rows
            .into_iter()
            .filter_map(|(kind, state, count)| {
                Some(JobCount {
                    kind: kind.parse().ok()?,
                    state: state.parse().ok()?,
                    count: u64::try_from(count).unwrap_or(0),
                })
            })
            .collect())
    }
}
