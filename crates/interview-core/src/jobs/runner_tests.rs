use chrono::{TimeZone, Utc};
use mockall::predicate::always;
use uuid::Uuid;

use super::*;
use crate::jobs::{JobState, NewJob};
use crate::ports::MockJobQueue;
use crate::testing::{InMemoryJobs, ManualClock};

struct Scripted(Vec<Result<(), JobFailure>>, std::sync::Mutex<usize>);

#[async_trait]
impl JobHandler for Scripted {
    fn kind(&self) -> JobKind {
        JobKind::Assessment
    }

    async fn run(&self, _job: &ClaimedJob) -> Result<(), JobFailure> {
        let mut calls = self.1.lock().unwrap();
        let result = self.0[(*calls).min(self.0.len() - 1)].clone();
        *calls += 1;
        result
    }
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::at(
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap(),
    ))
}

fn settings(max_attempts: u32) -> RunnerSettings {
    RunnerSettings {
        retry: RetryPolicy {
            max_attempts,
            backoff_base_seconds: 5,
            backoff_max_seconds: 60,
        },
        lease_seconds: 30,
        keep_succeeded_days: 7,
    }
}

#[tokio::test]
async fn a_permanent_failure_is_not_retried() {
    let clock = clock();
    let queue = Arc::new(InMemoryJobs::new());
    queue.push(&NewJob::new(
        JobKind::Assessment,
        Uuid::now_v7(),
        clock.now(),
    ));
    let runner =
        JobRunner::new(queue.clone(), clock.clone(), settings(5)).with_handler(Arc::new(Scripted(
            vec![Err(JobFailure::Permanent("gone".into()))],
            std::sync::Mutex::default(),
        )));
    let (_, outcome) = runner.run_next().await.unwrap().unwrap();
    assert_eq!(
        outcome,
        JobOutcome::Failed {
            error: "gone".into()
        }
    );
    let job = &queue.all()[0];
    assert_eq!(job.state, JobState::Failed);
    assert_eq!(job.last_error.as_deref(), Some("gone"));
    assert!(runner.run_next().await.unwrap().is_none());
}

#[tokio::test]
async fn a_released_job_runs_again_without_losing_an_attempt() {
    let clock = clock();
    let queue = Arc::new(InMemoryJobs::new());
    queue.push(&NewJob::new(
        JobKind::Assessment,
        Uuid::now_v7(),
        clock.now(),
    ));
    let claimed = queue
        .claim(&[JobKind::Assessment], clock.now(), Duration::from_secs(30))
        .await
        .unwrap()
        .unwrap();
    let runner = JobRunner::new(queue.clone(), clock.clone(), settings(1)).with_handler(Arc::new(
        Scripted(vec![Ok(())], std::sync::Mutex::default()),
    ));
    runner.release(&claimed).await.unwrap();
    let (job, outcome) = runner.run_next().await.unwrap().unwrap();
    assert_eq!(job.attempts, 1);
    assert_eq!(outcome, JobOutcome::Succeeded);
}

#[tokio::test]
async fn a_storage_failure_while_recording_the_outcome_is_reported() {
    let clock = clock();
    let mut queue = MockJobQueue::new();
    let job = ClaimedJob {
        id: crate::ids::JobId::new(),
        kind: JobKind::Assessment,
        subject: Uuid::now_v7(),
        attempts: 1,
        lease: crate::ids::LeaseToken::new(),
        payload: None,
    };
    let claimed = job.clone();
    queue
        .expect_claim()
        .returning(move |_, _, _| Ok(Some(claimed.clone())));
    queue
        .expect_retry()
        .with(always(), always(), always(), always())
        .returning(|_, _, _, _| Err(RepositoryError::Unavailable("down".into())));
    let runner =
        JobRunner::new(Arc::new(queue), clock, settings(3)).with_handler(Arc::new(Scripted(
            vec![Err(JobFailure::Retryable("503".into()))],
            std::sync::Mutex::default(),
        )));
    assert!(matches!(
        runner.run_next().await,
        Err(RepositoryError::Unavailable(_))
    ));
}

#[tokio::test]
async fn a_busy_runner_takes_only_jobs_due_long_enough_and_holds_them_for_the_whole_lease() {
    let clock = clock();
    let queue = Arc::new(InMemoryJobs::new());
    queue.push(&NewJob::new(
        JobKind::Assessment,
        Uuid::now_v7(),
        clock.now(),
    ));
    let runner = JobRunner::new(queue.clone(), clock.clone(), settings(3)).with_handler(Arc::new(
        Scripted(vec![Ok(())], std::sync::Mutex::default()),
    ));
    let age = Duration::from_mins(1);
    assert!(runner.run_next_older_than(age).await.unwrap().is_none());
    clock.advance(chrono::Duration::seconds(60));
    let (job, outcome) = runner.run_next_older_than(age).await.unwrap().unwrap();
    assert_eq!(outcome, JobOutcome::Succeeded);
    assert_eq!(job.attempts, 1);
    // (the scripted handler leaves the job running) the claim holds it for the 30 s lease from
    // now, not from a minute ago
    let kinds = [JobKind::Assessment];
    let lease = Duration::from_secs(30);
    clock.advance(chrono::Duration::seconds(29));
    assert!(
        queue
            .claim(&kinds, clock.now(), lease)
            .await
            .unwrap()
            .is_none()
    );
    clock.advance(chrono::Duration::seconds(1));
    assert!(
        queue
            .claim(&kinds, clock.now(), lease)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn succeeded_jobs_are_purged_a_week_after_they_finished_in_batches() {
    let clock = clock();
    let week_ago = clock.now() - chrono::Duration::days(7);
    let mut queue = MockJobQueue::new();
    let mut order = mockall::Sequence::new();
    for deleted in [PURGE_BATCH, PURGE_BATCH, 7] {
        queue
            .expect_purge_succeeded()
            .withf(move |before, limit| *before == week_ago && *limit == PURGE_BATCH)
            .times(1)
            .in_sequence(&mut order)
            .returning(move |_, _| Ok(deleted));
    }
    let runner = JobRunner::new(Arc::new(queue), clock, settings(5));
    assert_eq!(runner.purge_succeeded().await.unwrap(), 2 * PURGE_BATCH + 7);
}

#[tokio::test]
async fn keeping_succeeded_jobs_forever_purges_nothing() {
    let mut queue = MockJobQueue::new();
    queue.expect_purge_succeeded().never();
    let keep = RunnerSettings {
        keep_succeeded_days: 0,
        ..settings(5)
    };
    let runner = JobRunner::new(Arc::new(queue), clock(), keep);
    assert_eq!(runner.purge_succeeded().await.unwrap(), 0);
}

#[tokio::test]
async fn only_succeeded_jobs_past_the_retention_are_deleted() {
    let clock = clock();
    let queue = Arc::new(InMemoryJobs::new());
    let lease = Duration::from_mins(1);
    // one succeeds and one fails eight days ago; one succeeds today; one is still queued
    let finish = async |succeed: bool| {
        queue.push(&NewJob::new(
            JobKind::Assessment,
            Uuid::now_v7(),
            clock.now(),
        ));
        let job = queue
            .claim(&[JobKind::Assessment], clock.now(), lease)
            .await
            .unwrap()
            .unwrap();
        if succeed {
            queue.succeed(&job, clock.now()).await.unwrap();
        } else {
            queue.fail(&job, "gone", clock.now()).await.unwrap();
        }
    };
    finish(true).await;
    finish(false).await;
    clock.advance(chrono::Duration::days(8));
    finish(true).await;
    let later = clock.now() + chrono::Duration::hours(1);
    queue.push(&NewJob::new(JobKind::Assessment, Uuid::now_v7(), later));

    let runner = JobRunner::new(queue.clone(), clock.clone(), settings(1));
    assert_eq!(runner.purge_succeeded().await.unwrap(), 1);
    let mut states: Vec<JobState> = queue.all().iter().map(|job| job.state).collect();
    states.sort_by_key(|state| state.as_str());
    assert_eq!(
        states,
        [JobState::Failed, JobState::Queued, JobState::Succeeded]
    );
}
