//! The durable job queue.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::jobs::{ClaimedJob, JobCount, JobKind, JobRecord, NewJob};
use crate::ports::RepositoryError;

/// Jobs stored in the database. A job is claimed by one worker at a time: the claim sets a
/// lease that expires, after which another worker may claim it again (a crashed worker's job
/// is not lost). Every call that finishes a job names its [`ClaimedJob`] and does nothing but
/// return [`RepositoryError::Conflict`] when the lease is no longer that worker's (and
/// [`RepositoryError::NotFound`] for a job that does not exist). A job's `created_at` is its
/// `run_at` when enqueued.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Adds a job, unless one of the same kind and subject is already queued or running.
    /// Returns whether it was added.
    ///
    /// # Errors
    /// Storage failures.
    async fn enqueue(&self, job: &NewJob) -> Result<bool, RepositoryError>;

    /// Claims the next due job of one of `kinds`, earliest `run_at` first: a queued job whose
    /// time has come, or a running one whose lease expired. Counts the attempt and holds the job for `lease`.
    ///
    /// # Errors
    /// Storage failures.
    async fn claim(
        &self,
        kinds: &[JobKind],
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<ClaimedJob>, RepositoryError>;

    /// Marks a job done.
    ///
    /// # Errors
    /// [`RepositoryError::Conflict`] when the lease was lost.
    async fn succeed(&self, job: &ClaimedJob, now: DateTime<Utc>) -> Result<(), RepositoryError>;

    /// Puts a failed job back in the queue, to run again at `run_at`.
    ///
    /// # Errors
    /// [`RepositoryError::Conflict`] when the lease was lost.
    async fn retry(
        &self,
        job: &ClaimedJob,
        run_at: DateTime<Utc>,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;

    /// Gives up on a job: it stays `failed` with `error`.
    ///
    /// # Errors
    /// [`RepositoryError::Conflict`] when the lease was lost.
    async fn fail(
        &self,
        job: &ClaimedJob,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;

    /// Hands a job back without counting the attempt (the worker is shutting down).
    ///
    /// # Errors
    /// [`RepositoryError::Conflict`] when the lease was lost.
    async fn release(&self, job: &ClaimedJob, now: DateTime<Utc>) -> Result<(), RepositoryError>;

    /// The most recent job of `kind` about `subject`.
    ///
    /// # Errors
    /// Storage failures.
    async fn latest(
        &self,
        kind: JobKind,
        subject: Uuid,
    ) -> Result<Option<JobRecord>, RepositoryError>;

    /// How many jobs there are of each kind in each of the [`WATCHED_STATES`](crate::jobs::WATCHED_STATES)
    /// (queued, running, failed); a kind and state with none may be left out. One cheap grouped
    /// count, asked on every metrics scrape.
    ///
    /// # Errors
    /// Storage failures.
    async fn counts(&self) -> Result<Vec<JobCount>, RepositoryError>;

    /// Deletes up to `limit` succeeded jobs that finished before `finished_before` (their
    /// effect is stored with its own record; the row only said it was done) and returns how many.
    /// Queued, running and failed jobs are never deleted.
    ///
    /// # Errors
    /// Storage failures.
    async fn purge_succeeded(
        &self,
        finished_before: DateTime<Utc>,
        limit: u64,
    ) -> Result<u64, RepositoryError>;
}
