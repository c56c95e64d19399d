//! Background work, one mechanism: named tasks stopped together on graceful shutdown. Periodic
//! jobs (the abandonment sweep, the token purge) run on an interval; queue workers run the
//! durable jobs stored in the database (assessments) as they come due.
//!
//! A job runs once when it is spawned, then once per interval. Stopping is cooperative: a run in
//! progress finishes (it may be in the middle of a database write), then the task ends; `stop`
//! waits for every task.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use interview_core::InterviewService;
use interview_core::accounts::AccountService;
use interview_core::jobs::{JobOutcome, JobRunner};
use interview_core::portal::PortalService;
use interview_core::video::{SweepReport, VideoService};

use crate::middleware::InFlight;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

/// The running jobs and the signal that stops them.
pub struct Jobs {
    stop: watch::Sender<bool>,
    tasks: Vec<(&'static str, JoinHandle<()>)>,
}

impl Default for Jobs {
    fn default() -> Self {
        Self::new()
    }
}

impl Jobs {
    pub fn new() -> Self {
        let (stop, _) = watch::channel(false);
        Self {
            stop,
            tasks: Vec::new(),
        }
    }

    /// Spawns `work` as the task `name`: once now, then every `every` until stopped.
    pub fn spawn<W, F>(&mut self, name: &'static str, every: Duration, mut work: W)
    where
        W: FnMut() -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        let mut stop = self.stop.subscribe();
        let task = tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            // a run that overran its interval does not cause a burst of catch-up runs
            ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
            ticker.tick().await; // the first tick is immediate
            loop {
                work().await;
                tokio::select! {
                    // a dropped sender also means stop
                    _ = stop.wait_for(|stopped| *stopped) => break,
                    _ = ticker.tick() => {}
                }
            }
            tracing::debug!(job = name, "background job stopped");
        });
        self.tasks.push((name, task));
    }

    /// Spawns `work` as the worker `name`: it runs again at once while it reports having done
    /// something, and after `idle` when it did nothing. Stopping waits for the run in progress.
    pub fn spawn_worker<W, F>(&mut self, name: &'static str, idle: Duration, mut work: W)
    where
        W: FnMut() -> F + Send + 'static,
        F: Future<Output = bool> + Send + 'static,
    {
        let mut stop = self.stop.subscribe();
        let task = tokio::spawn(async move {
            while !*stop.borrow() {
                if work().await {
                    continue;
                }
                tokio::select! {
                    _ = stop.wait_for(|stopped| *stopped) => break,
                    () = tokio::time::sleep(idle) => {}
                }
            }
            tracing::debug!(job = name, "background worker stopped");
        });
        self.tasks.push((name, task));
    }

    /// The names of the jobs, in the order they were spawned.
    pub fn names(&self) -> Vec<&'static str> {
        self.tasks.iter().map(|(name, _)| *name).collect()
    }

    /// Tells every job to stop after its current run and waits until all have ended.
    pub async fn stop(self) {
        self.stop.send_replace(true);
        for (name, task) in self.tasks {
            if let Err(error) = task.await {
                tracing::error!(job = name, %error, "background job ended abnormally");
            }
        }
    }
}

/// The job that marks interviews idle past the inactivity timeout abandoned.
pub fn abandonment_sweep(
    interviews: Arc<InterviewService>,
) -> impl FnMut() -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> + Send + 'static {
    move || {
        let interviews = interviews.clone();
        Box::pin(async move {
            match interviews.abandon_inactive().await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "marked idle interviews abandoned"),
                Err(error) => tracing::warn!(%error, "abandonment sweep failed"),
            }
        })
    }
}

/// When a worker lets fresh jobs wait: while at least `requests` requests are in flight on this
/// node, only jobs due for `max_wait` or longer run (0 requests: never wait).
#[derive(Debug, Clone)]
pub struct Yielding {
    pub in_flight: Arc<InFlight>,
    pub requests: usize,
    pub max_wait: Duration,
}

impl Yielding {
    /// How long a due job should have waited before it runs now.
    fn wait(&self) -> Duration {
        if self.requests > 0 && self.in_flight.get() >= self.requests {
            self.max_wait
        } else {
            Duration::ZERO
        }
    }
}

/// A worker of the durable job queue: claims one due job and runs it; true when it ran one.
/// Requests come first: on a busy node, fresh jobs wait (up to `yielding.max_wait`).
pub fn queue_worker(
    runner: Arc<JobRunner>,
    yielding: Yielding,
) -> impl FnMut() -> std::pin::Pin<Box<dyn Future<Output = bool> + Send>> + Send + 'static {
    move || {
        let runner = runner.clone();
        let wait = yielding.wait();
        Box::pin(async move {
            match runner.run_next_older_than(wait).await {
                Ok(None) => false,
                Ok(Some((job, outcome))) => {
                    crate::observability::events::job_run(job.kind, &outcome);
                    match outcome {
                        JobOutcome::Succeeded => {
                            tracing::info!(job = %job.id, kind = %job.kind, subject = %job.subject, "job done");
                        }
                        JobOutcome::Retrying { after, error } => tracing::warn!(
                            job = %job.id, kind = %job.kind, attempt = job.attempts,
                            retry_in_seconds = after.as_secs(), %error, "job failed; will retry"
                        ),
                        JobOutcome::Failed { error } => tracing::error!(
                            job = %job.id, kind = %job.kind, attempts = job.attempts, %error,
                            "job failed for good"
                        ),
                        JobOutcome::LeaseLost => tracing::warn!(
                            job = %job.id, kind = %job.kind,
                            "job taken over by another worker; this result was discarded"
                        ),
                    }
                    true
                }
                Err(error) => {
                    tracing::warn!(%error, "the job queue is unavailable");
                    false
                }
            }
        })
    }
}

/// The job that deletes recordings past their retention and uploads abandoned unfinished.
pub fn video_retention(
    video: Arc<VideoService>,
) -> impl FnMut() -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> + Send + 'static {
    move || {
        let video = video.clone();
        Box::pin(async move {
            match video.sweep().await {
                Ok(report) if report == SweepReport::default() => {}
                Ok(report) => tracing::info!(
                    expired = report.expired,
                    abandoned = report.abandoned,
                    failed = report.failed,
                    "video retention: deleted recordings"
                ),
                Err(error) => tracing::warn!(%error, "video retention sweep failed"),
            }
        })
    }
}

/// The job that queues the sending of resume feedback nobody decided before its deadline.
pub fn feedback_auto_send(
    portal: Arc<PortalService>,
) -> impl FnMut() -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> + Send + 'static {
    move || {
        let portal = portal.clone();
        Box::pin(async move {
            match portal.queue_due_feedback().await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "queued resume feedback past its deadline"),
                Err(error) => tracing::warn!(%error, "queueing due resume feedback failed"),
            }
        })
    }
}

/// The job that deletes succeeded jobs past `jobs.keep_succeeded_days`.
pub fn succeeded_job_purge(
    runner: Arc<JobRunner>,
) -> impl FnMut() -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> + Send + 'static {
    move || {
        let runner = runner.clone();
        Box::pin(async move {
            match runner.purge_succeeded().await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "purged succeeded jobs"),
                Err(error) => tracing::warn!(%error, "purging succeeded jobs failed"),
            }
        })
    }
}

/// The job that forgets revocations of tokens that have expired anyway.
pub fn revoked_token_purge(
    accounts: Arc<AccountService>,
) -> impl FnMut() -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> + Send + 'static {
    move || {
        let accounts = accounts.clone();
        Box::pin(async move {
            match accounts.purge_expired_tokens().await {
                Ok(0) => {}
                Ok(count) => tracing::debug!(count, "purged expired token revocations"),
                Err(error) => tracing::warn!(%error, "purging expired token revocations failed"),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use chrono::Utc;
    use interview_core::actor::Actor;
    use interview_core::ids::CandidateId;
    use interview_core::interview::StartInterview;
    use interview_core::lifecycle::InterviewStatus;
    use interview_core::model::{InterviewMode, RoleType};
    use interview_core::testing::{InMemoryInterviews, ManualClock, ScriptedInterviewer};
    use interview_core::{InterviewService, InterviewSettings};
    use tokio::sync::{Notify, mpsc};

    use super::*;

    const HOUR: Duration = Duration::from_hours(1);

    #[tokio::test]
    async fn a_job_runs_at_once_and_stopping_ends_it_without_waiting_for_the_next_interval() {
        let runs = Arc::new(AtomicUsize::new(0));
        let (ran, mut run_seen) = mpsc::unbounded_channel();
        let mut jobs = Jobs::new();
        let counter = runs.clone();
        jobs.spawn("count", HOUR, move || {
            let counter = counter.clone();
            let ran = ran.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = ran.send(());
            }
        });
        assert_eq!(jobs.names(), vec!["count"]);
        run_seen.recv().await.unwrap();
        // the next run is an hour away: only the stop signal can end the task now
        jobs.stop().await;
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // the task is gone, and with it the job's sender
        assert!(run_seen.recv().await.is_none());
    }

    #[tokio::test]
    async fn stopping_lets_the_run_in_progress_finish() {
        let gate = Arc::new(Notify::new());
        let finished = Arc::new(AtomicBool::new(false));
        let (started, mut start_seen) = mpsc::unbounded_channel();
        let mut jobs = Jobs::new();
        let (job_gate, job_finished) = (gate.clone(), finished.clone());
        jobs.spawn("slow", HOUR, move || {
            let (gate, finished, started) =
                (job_gate.clone(), job_finished.clone(), started.clone());
            async move {
                let _ = started.send(());
                gate.notified().await;
                finished.store(true, Ordering::SeqCst);
            }
        });
        start_seen.recv().await.unwrap();
        let stopping = tokio::spawn(jobs.stop());
        tokio::task::yield_now().await;
        gate.notify_one();
        stopping.await.unwrap();
        assert!(finished.load(Ordering::SeqCst), "the run was cut short");
    }

    #[tokio::test]
    async fn a_worker_runs_again_at_once_while_busy_and_stopping_lets_its_run_finish() {
        let gate = Arc::new(Notify::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let finished = Arc::new(AtomicBool::new(false));
        let (started, mut start_seen) = mpsc::unbounded_channel();
        let mut jobs = Jobs::new();
        let (job_gate, counter, done) = (gate.clone(), runs.clone(), finished.clone());
        // busy for its first two runs (no idle wait in between: the idle wait is an hour),
        // then the third run blocks until released
        jobs.spawn_worker("worker", HOUR, move || {
            let (gate, counter, started, done) = (
                job_gate.clone(),
                counter.clone(),
                started.clone(),
                done.clone(),
            );
            async move {
                let run = counter.fetch_add(1, Ordering::SeqCst) + 1;
                let _ = started.send(run);
                if run == 3 {
                    gate.notified().await;
                    done.store(true, Ordering::SeqCst);
                }
                run < 3
            }
        });
        for expected in 1..=3 {
            assert_eq!(start_seen.recv().await, Some(expected));
        }
        let stopping = tokio::spawn(jobs.stop());
        tokio::task::yield_now().await;
        gate.notify_one();
        stopping.await.unwrap();
        // the third run finished, and no fourth began
        assert!(finished.load(Ordering::SeqCst), "the run was cut short");
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        assert_eq!(start_seen.recv().await, None);
    }

    #[test]
    fn a_worker_lets_fresh_jobs_wait_only_while_the_node_is_busy() {
        let in_flight = Arc::new(InFlight::default());
        let yielding = |requests| Yielding {
            in_flight: in_flight.clone(),
            requests,
            max_wait: Duration::from_mins(1),
        };
        assert_eq!(yielding(1).wait(), Duration::ZERO);
        let app_data = actix_web::web::Data::from(in_flight.clone());
        let held: Vec<_> = (0..3).map(|_| InFlight::hold(&app_data)).collect();
        assert_eq!(yielding(3).wait(), Duration::from_mins(1));
        assert_eq!(yielding(4).wait(), Duration::ZERO);
        // 0 means never
        assert_eq!(yielding(0).wait(), Duration::ZERO);
        drop(held);
        assert_eq!(yielding(1).wait(), Duration::ZERO);
    }

    #[tokio::test]
    async fn the_abandonment_sweep_marks_an_idle_interview_abandoned() {
        let clock = Arc::new(ManualClock::at(Utc::now()));
        let settings = InterviewSettings::default();
        let timeout = settings.completion.inactivity_timeout_seconds;
        let interviews = Arc::new(InterviewService::new(
            Arc::new(InMemoryInterviews::new()),
            Arc::new(ScriptedInterviewer::free()),
            clock.clone(),
            settings,
        ));
        let candidate = CandidateId::new();
        let started = interviews
            .start(StartInterview {
                candidate_id: candidate,
                role: RoleType::Python,
                mode: InterviewMode::Text,
                resume_id: None,
                organization_id: None,
                job_posting_id: None,
                application_id: None,
                key_skills: Vec::new(),
            })
            .await
            .unwrap();
        let id = started.interview.id;
        clock.advance(chrono::Duration::seconds(timeout + 1));

        let mut jobs = Jobs::new();
        jobs.spawn("sweep", HOUR, abandonment_sweep(interviews.clone()));
        // the first run happens at spawn, and stopping waits for it
        jobs.stop().await;
        let record = interviews
            .get(id, Actor::Candidate(candidate))
            .await
            .unwrap();
        assert_eq!(record.interview.status, InterviewStatus::Abandoned);
    }
}
