//! The job queue's contract on each backend: one active job per kind and subject, claims that
//! respect run times, kinds and leases, and finishing calls refused once the lease is lost.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use interview_core::ids::LeaseToken;
use interview_core::jobs::{ClaimedJob, JobKind, JobState, NewJob};
use interview_core::ports::{JobQueue, RepositoryError};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::support::{at, databases};
use crate::entities::background_jobs;
use crate::jobs::SeaOrmJobs;

const KINDS: &[JobKind] = &[JobKind::Assessment];
const LEASE: Duration = Duration::from_mins(1);

fn conflict(result: &Result<(), RepositoryError>) -> bool {
    matches!(result, Err(RepositoryError::Conflict(_)))
}

#[tokio::test]
async fn a_job_is_claimed_when_due_held_under_its_lease_and_finished_only_by_its_holder() {
    for database in databases().await {
        let name = database.name;
        let jobs = SeaOrmJobs::new(database.db.clone());
        let subject = Uuid::now_v7();
        let job = NewJob::new(JobKind::Assessment, subject, at(10));
        assert!(jobs.enqueue(&job).await.unwrap(), "{name}");
        let queued = jobs
            .latest(JobKind::Assessment, subject)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(queued.id, job.id, "{name}");
        assert_eq!(queued.state, JobState::Queued);
        assert_eq!((queued.attempts, queued.run_at), (0, at(10)));

        // not due yet, and no kinds asked for
        assert_eq!(jobs.claim(KINDS, at(9), LEASE).await.unwrap(), None);
        assert_eq!(jobs.claim(&[], at(10), LEASE).await.unwrap(), None);
        let first = jobs.claim(KINDS, at(10), LEASE).await.unwrap().unwrap();
        assert_eq!(
            (first.id, first.kind, first.subject, first.attempts),
            (job.id, JobKind::Assessment, subject, 1),
            "{name}"
        );
        let running = jobs.latest(JobKind::Assessment, subject).await.unwrap();
        assert_eq!(running.map(|job| job.state), Some(JobState::Running));
        // leased until 10:11: nobody else gets it before, the next claim after
        assert_eq!(jobs.claim(KINDS, at(10), LEASE).await.unwrap(), None);
        let second = jobs.claim(KINDS, at(11), LEASE).await.unwrap().unwrap();
        assert_eq!((second.id, second.attempts), (job.id, 2), "{name}");
        assert_ne!(second.lease, first.lease);

        // the first holder lost it: every finishing call is refused and changes nothing
        assert!(conflict(&jobs.succeed(&first, at(12)).await), "{name}");
        assert!(conflict(&jobs.retry(&first, at(30), "x", at(12)).await));
        assert!(conflict(&jobs.fail(&first, "x", at(12)).await));
        assert!(conflict(&jobs.release(&first, at(12)).await));
        let still = jobs
            .latest(JobKind::Assessment, subject)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((still.state, still.attempts), (JobState::Running, 2));

        // the holder retries it later; it stays the subject's one active job
        jobs.retry(&second, at(20), "upstream timed out", at(12))
            .await
            .unwrap();
        let retrying = jobs
            .latest(JobKind::Assessment, subject)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(retrying.state, JobState::Queued, "{name}");
        assert_eq!(retrying.run_at, at(20));
        assert_eq!(retrying.last_error.as_deref(), Some("upstream timed out"));
        assert_eq!(retrying.updated_at, at(12));
        assert!(
            !jobs
                .enqueue(&NewJob::new(JobKind::Assessment, subject, at(12)))
                .await
                .unwrap()
        );
        assert!(conflict(&jobs.succeed(&second, at(13)).await), "{name}");
        assert_eq!(jobs.claim(KINDS, at(19), LEASE).await.unwrap(), None);

        // released: the attempt does not count
        let third = jobs.claim(KINDS, at(20), LEASE).await.unwrap().unwrap();
        assert_eq!(third.attempts, 3, "{name}");
        jobs.release(&third, at(20)).await.unwrap();
        let fourth = jobs.claim(KINDS, at(20), LEASE).await.unwrap().unwrap();
        assert_eq!(fourth.attempts, 3, "{name}");
        jobs.fail(&fourth, "gave up", at(21)).await.unwrap();
        let failed = jobs
            .latest(JobKind::Assessment, subject)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(failed.state, JobState::Failed, "{name}");
        assert_eq!(failed.last_error.as_deref(), Some("gave up"));
        assert_eq!(jobs.claim(KINDS, at(59), LEASE).await.unwrap(), None);

        // a failed job is not active: the subject may have a new one, which is then the latest
        let again = NewJob::new(JobKind::Assessment, subject, at(30));
        assert!(jobs.enqueue(&again).await.unwrap(), "{name}");
        let latest = jobs.latest(JobKind::Assessment, subject).await.unwrap();
        assert_eq!(latest.map(|job| job.id), Some(again.id), "{name}");
        let last = jobs.claim(KINDS, at(30), LEASE).await.unwrap().unwrap();
        jobs.succeed(&last, at(31)).await.unwrap();
        let done = jobs.latest(JobKind::Assessment, subject).await.unwrap();
        assert_eq!(done.map(|job| job.state), Some(JobState::Succeeded));
        assert_eq!(
            jobs.latest(JobKind::Assessment, Uuid::now_v7())
                .await
                .unwrap(),
            None
        );

        // finishing a job that never existed
        let unknown = ClaimedJob {
            lease: LeaseToken::new(),
            id: interview_core::ids::JobId::new(),
            ..last
        };
        assert!(
            matches!(
                jobs.succeed(&unknown, at(31)).await,
                Err(RepositoryError::NotFound)
            ),
            "{name}"
        );
        database.finish().await;
    }
}

#[tokio::test]
async fn claims_take_only_the_kinds_asked_for_oldest_due_first() {
    for database in databases().await {
        let name = database.name;
        let jobs = SeaOrmJobs::new(database.db.clone());
        // a kind this build does not know, written by a newer one
        background_jobs::Entity::insert(
            background_jobs::Model {
                id: Uuid::now_v7(),
                kind: "resume_parse".into(),
                subject: Uuid::now_v7(),
                state: "queued".into(),
                attempts: 0,
                last_error: None,
                run_at: at(1),
                lease_token: None,
                locked_until: None,
                created_at: at(1),
                updated_at: at(1),
                payload: None,
            }
            .into_active_model(),
        )
        .exec_without_returning(database.db.connection())
        .await
        .unwrap();
        let later = NewJob::new(JobKind::Assessment, Uuid::now_v7(), at(5));
        let earlier = NewJob::new(JobKind::Assessment, Uuid::now_v7(), at(3));
        jobs.enqueue(&later).await.unwrap();
        jobs.enqueue(&earlier).await.unwrap();
        let first = jobs.claim(KINDS, at(10), LEASE).await.unwrap().unwrap();
        let second = jobs.claim(KINDS, at(10), LEASE).await.unwrap().unwrap();
        assert_eq!((first.id, second.id), (earlier.id, later.id), "{name}");
        assert_eq!(
            jobs.claim(KINDS, at(10), LEASE).await.unwrap(),
            None,
            "{name}"
        );
        database.finish().await;
    }
}

#[tokio::test]
async fn concurrent_enqueues_of_one_subject_leave_one_active_job() {
    for database in databases().await {
        let name = database.name;
        let jobs = Arc::new(SeaOrmJobs::new(database.db.clone()));
        let subject = Uuid::now_v7();
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let jobs = jobs.clone();
                tokio::spawn(async move {
                    jobs.enqueue(&NewJob::new(JobKind::Assessment, subject, at(1)))
                        .await
                })
            })
            .collect();
        let mut added = 0;
        for task in tasks {
            if task.await.unwrap().unwrap() {
                added += 1;
            }
        }
        assert_eq!(added, 1, "{name}");
        let stored = background_jobs::Entity::find()
            .filter(background_jobs::Column::Subject.eq(subject))
            .count(database.db.connection())
            .await
            .unwrap();
        assert_eq!(stored, 1, "{name}");
        database.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_never_get_the_same_job() {
    const JOBS: usize = 50;
    const WORKERS: usize = 8;
    for database in databases().await {
        let name = database.name;
        let jobs = Arc::new(SeaOrmJobs::new(database.db.clone()));
        for _ in 0..JOBS {
            jobs.enqueue(&NewJob::new(JobKind::Assessment, Uuid::now_v7(), at(1)))
                .await
                .unwrap();
        }
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| {
                let jobs = jobs.clone();
                tokio::spawn(async move {
                    let mut claimed = Vec::new();
                    while let Some(job) = jobs.claim(KINDS, at(2), LEASE).await.unwrap() {
                        claimed.push(job);
                        tokio::task::yield_now().await;
                    }
                    claimed
                })
            })
            .collect();
        let mut times_claimed = HashMap::new();
        for worker in workers {
            for job in worker.await.unwrap() {
                assert_eq!(job.attempts, 1, "{name}");
                *times_claimed.entry(job.id).or_insert(0) += 1;
            }
        }
        assert_eq!(times_claimed.len(), JOBS, "{name}: every job claimed");
        assert!(
            times_claimed.values().all(|times| *times == 1),
            "{name}: a job was claimed twice: {times_claimed:?}"
        );
        database.finish().await;
    }
}

#[tokio::test]
async fn counts_group_the_waiting_running_and_failed_jobs_by_kind_and_leave_succeeded_out() {
    for database in databases().await {
        let name = database.name;
        let jobs = SeaOrmJobs::new(database.db.clone());
        assert!(jobs.counts().await.unwrap().is_empty(), "{name}");
        for kind in [
            JobKind::Assessment,
            JobKind::Assessment,
            JobKind::Assessment,
            JobKind::ResumeParse,
        ] {
            jobs.enqueue(&NewJob::new(kind, Uuid::now_v7(), at(10)))
                .await
                .unwrap();
        }
        // one assessment succeeds, one runs, one fails for good; the resume parse waits
        let done = jobs.claim(KINDS, at(10), LEASE).await.unwrap().unwrap();
        jobs.succeed(&done, at(10)).await.unwrap();
        let failed = jobs.claim(KINDS, at(10), LEASE).await.unwrap().unwrap();
        jobs.fail(&failed, "gone", at(10)).await.unwrap();
        jobs.claim(KINDS, at(10), LEASE).await.unwrap().unwrap();

        let mut counts: Vec<(JobKind, JobState, u64)> = jobs
            .counts()
            .await
            .unwrap()
            .into_iter()
            .map(|count| (count.kind, count.state, count.count))
            .collect();
        counts.sort();
        assert_eq!(
            counts,
            [
                (JobKind::Assessment, JobState::Running, 1),
                (JobKind::Assessment, JobState::Failed, 1),
                (JobKind::ResumeParse, JobState::Queued, 1),
            ],
            "{name}"
        );
    }
}

#[tokio::test]
async fn purging_deletes_only_succeeded_jobs_finished_before_the_cutoff_a_batch_at_a_time() {
    for database in databases().await {
        let name = database.name;
        let jobs = SeaOrmJobs::new(database.db.clone());
        // (finished at, succeeded?) for one job each; then one left queued
        let finished = [(2, true), (3, false), (4, true), (30, true)];
        let mut subjects = Vec::new();
        for (minute, succeeded) in finished {
            let subject = Uuid::now_v7();
            subjects.push(subject);
            let job = NewJob::new(JobKind::Assessment, subject, at(1));
            assert!(jobs.enqueue(&job).await.unwrap(), "{name}");
            let claimed = jobs.claim(KINDS, at(1), LEASE).await.unwrap().unwrap();
            if succeeded {
                jobs.succeed(&claimed, at(minute)).await.unwrap();
            } else {
                jobs.fail(&claimed, "gave up", at(minute)).await.unwrap();
            }
        }
        let queued = Uuid::now_v7();
        let job = NewJob::new(JobKind::Assessment, queued, at(50));
        assert!(jobs.enqueue(&job).await.unwrap());

        // two succeeded before 10:10, one per call with a limit of one
        assert_eq!(jobs.purge_succeeded(at(10), 1).await.unwrap(), 1, "{name}");
        assert_eq!(jobs.purge_succeeded(at(10), 1).await.unwrap(), 1, "{name}");
        assert_eq!(
            jobs.purge_succeeded(at(10), 100).await.unwrap(),
            0,
            "{name}"
        );
        let mut left = Vec::new();
        for subject in subjects.iter().chain([&queued]) {
            let latest = jobs.latest(JobKind::Assessment, *subject).await.unwrap();
            left.push(latest.map(|job| job.state));
        }
        assert_eq!(
            left,
            [
                None,
                Some(JobState::Failed),
                None,
                Some(JobState::Succeeded),
                Some(JobState::Queued)
            ],
            "{name}"
        );
    }
}
