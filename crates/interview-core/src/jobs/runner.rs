//! Running one job: claim it, hand it to the handler of its kind, and record what came of it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::jobs::{ClaimedJob, JobKind, RetryPolicy};
use crate::ports::{Clock, JobQueue, RepositoryError};

/// Why a job did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobFailure {
    /// Worth another attempt (a provider or the database failed for now).
    Retryable(String),
    /// Will never succeed (its subject is gone).
    Permanent(String),
    /// Another worker holds the job now; this one's result was discarded.
    LeaseLost,
}

/// Does the work of one kind of job.
#[async_trait]
pub trait JobHandler: Send + Sync {
    fn kind(&self) -> JobKind;

    /// Does the job. On success the handler has marked it succeeded itself, in the same write
    /// as its result, so a job's effect and its completion are stored together or not at all.
    ///
    /// # Errors
    /// A [`JobFailure`] saying whether to try again.
    async fn run(&self, job: &ClaimedJob) -> Result<(), JobFailure>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunnerSettings {
    #[serde(flatten)]
    pub retry: RetryPolicy,
    /// How long a claim holds a job; a worker that has not finished by then may see it claimed
    /// again (and its own result refused). Longer than the slowest run: an assessment's chat
    /// call may take several timed-out attempts and a repair.
    pub lease_seconds: u64,
    /// Succeeded jobs are deleted this many days after they finished (their results live in
    /// their own tables); 0 keeps them. Failed jobs are kept for the runbook.
    pub keep_succeeded_days: u32,
}

impl Default for RunnerSettings {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            lease_seconds: 900,
            keep_succeeded_days: 7,
        }
    }
}

/// Rows deleted per statement by [`JobRunner::purge_succeeded`]: short writes, so that a large
/// first purge never holds the database's writer for long.
const PURGE_BATCH: u64 = 500;

/// What became of a job run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    Succeeded,
    Retrying { after: Duration, error: String },
    Failed { error: String },
    LeaseLost,
}

/// Claims due jobs and runs them through their kind's handler.
pub struct JobRunner {
    queue: Arc<dyn JobQueue>,
    handlers: BTreeMap<JobKind, Arc<dyn JobHandler>>,
    clock: Arc<dyn Clock>,
    settings: RunnerSettings,
}

impl JobRunner {
    pub fn new(queue: Arc<dyn JobQueue>, clock: Arc<dyn Clock>, settings: RunnerSettings) -> Self {
        Self {
            queue,
            handlers: BTreeMap::new(),
            clock,
            settings,
        }
    }

    #[must_use]
    pub fn with_handler(mut self, handler: Arc<dyn JobHandler>) -> Self {
        self.handlers.insert(handler.kind(), handler);
        self
    }

    /// Claims the next due job and runs it; `None` when no job was due.
    ///
    /// # Errors
    /// Storage failures while claiming or recording the outcome (the job's lease then expires
    /// and it runs again).
    pub async fn run_next(&self) -> Result<Option<(ClaimedJob, JobOutcome)>, RepositoryError> {
        self.run_next_older_than(Duration::ZERO).await
    }

    /// As [`Self::run_next`], but only a job that has been due for at least `age`: a busy node
    /// lets fresh work wait (up to `age`) so that requests come first.
    ///
    /// # Errors
    /// As [`Self::run_next`].
    pub async fn run_next_older_than(
        &self,
        age: Duration,
    ) -> Result<Option<(ClaimedJob, JobOutcome)>, RepositoryError> {
        let kinds: Vec<JobKind> = self.handlers.keys().copied().collect();
        let lease = Duration::from_secs(self.settings.lease_seconds);
        // claiming "as of" `age` ago selects jobs due by then; the lease is lengthened by as much,
        // so the job is still held for `lease` from now
        let as_of = self.clock.now()
            - chrono::Duration::from_std(age).unwrap_or_else(|_| chrono::Duration::zero());
        let Some(job) = self.queue.claim(&kinds, as_of, lease + age).await? else {
            return Ok(None);
        };
        let result = match self.handlers.get(&job.kind) {
            Some(handler) => handler.run(&job).await,
            None => Err(JobFailure::Permanent(format!(
                "no handler for {}",
                job.kind
            ))),
        };
        let now = self.clock.now();
        let outcome = match result {
            Ok(()) => JobOutcome::Succeeded,
            Err(JobFailure::LeaseLost) => JobOutcome::LeaseLost,
            Err(JobFailure::Permanent(error)) => {
                self.queue.fail(&job, &error, now).await?;
                JobOutcome::Failed { error }
            }
            Err(JobFailure::Retryable(error)) => {
                if let Some(after) = self.settings.retry.next_attempt_after(job.attempts) {
                    let run_at = now
                        + chrono::Duration::from_std(after)
                            .unwrap_or_else(|_| chrono::Duration::days(1));
                    self.queue.retry(&job, run_at, &error, now).await?;
                    JobOutcome::Retrying { after, error }
                } else {
                    self.queue.fail(&job, &error, now).await?;
                    JobOutcome::Failed { error }
                }
            }
        };
        Ok(Some((job, outcome)))
    }

    /// Deletes the succeeded jobs older than `keep_succeeded_days`, in batches; returns how many.
    ///
    /// # Errors
    /// Storage failures (what was deleted before stays deleted).
    pub async fn purge_succeeded(&self) -> Result<u64, RepositoryError> {
        if self.settings.keep_succeeded_days == 0 {
            return Ok(0);
        }
        let before =
            self.clock.now() - chrono::Duration::days(i64::from(self.settings.keep_succeeded_days));
        let mut purged = 0;
        loop {
            let batch = self.queue.purge_succeeded(before, PURGE_BATCH).await?;
            purged += batch;
            if batch < PURGE_BATCH {
                return Ok(purged);
            }
        }
    }

    /// Hands a claimed job back without counting the attempt (shutting down before running it).
    ///
    /// # Errors
    /// Storage failures.
    pub async fn release(&self, job: &ClaimedJob) -> Result<(), RepositoryError> {
        self.queue.release(job, self.clock.now()).await
    }
}

#[cfg(test)]
#[path = "runner_tests.rs"]
mod tests;
