//! What the turn write and the inactivity sweep need from storage: jobs written with the turn,
//! and the idle interviews least recently active first.

use chrono::Duration;
use interview_core::actor::Actor;
use interview_core::jobs::{JobKind, JobState, NewJob};
use interview_core::lifecycle::InterviewStatus;
use interview_core::ports::{InterviewRepository, JobQueue, RepositoryError, TurnWrite};
use sea_orm::{EntityTrait, PaginatorTrait};

use super::repositories::{fixture, start};
use super::support::{at, databases};
use crate::entities::background_jobs;
use crate::jobs::SeaOrmJobs;

#[tokio::test]
async fn a_turn_enqueues_its_jobs_in_its_own_write() {
    for database in databases().await {
        let name = database.name;
        let fixture = fixture(&database.db);
        let jobs = SeaOrmJobs::new(database.db.clone());
        let (_, started) = start(&fixture, "jobs@example.com").await;
        let interview = started.interview.id;
        let before = fixture.repo.load(interview).await.unwrap().unwrap();
        let turn = |expected_version: i64| {
            let mut record = before.clone();
            record.interview.status = InterviewStatus::Completed;
            record.session.version = expected_version + 1;
            TurnWrite {
                interview: record.interview,
                interview_changed: true,
                session: record.session,
                expected_version,
                messages: Vec::new(),
                idempotency: None,
                jobs: vec![NewJob::new(JobKind::Assessment, interview.as_uuid(), at(5))],
            }
        };
        // a refused turn enqueues nothing
        let stale = fixture.repo.save_turn(&turn(7)).await;
        assert!(matches!(stale, Err(RepositoryError::Conflict(_))), "{name}");
        assert_eq!(
            jobs.latest(JobKind::Assessment, interview.as_uuid())
                .await
                .unwrap(),
            None
        );

        let write = turn(before.session.version);
        fixture.repo.save_turn(&write).await.unwrap();
        let queued = jobs
            .latest(JobKind::Assessment, interview.as_uuid())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(queued.id, write.jobs[0].id, "{name}");
        assert_eq!((queued.state, queued.run_at), (JobState::Queued, at(5)));

        // a later turn asking for the same job while it is active is fine: it stays one job
        fixture
            .repo
            .save_turn(&turn(before.session.version + 1))
            .await
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(
            background_jobs::Entity::find()
                .count(database.db.connection())
                .await
                .unwrap(),
            1,
            "{name}"
        );
        let record = fixture.repo.load(interview).await.unwrap().unwrap();
        assert_eq!(record.session.version, before.session.version + 2, "{name}");
        database.finish().await;
    }
}

#[tokio::test]
async fn idle_interviews_are_in_progress_ones_least_recently_active_first() {
    for database in databases().await {
        let name = database.name;
        let fixture = fixture(&database.db);
        let (_, oldest) = start(&fixture, "oldest@example.com").await;
        fixture.clock.advance(Duration::minutes(1));
        let (finisher, finished) = start(&fixture, "finished@example.com").await;
        fixture.clock.advance(Duration::minutes(1));
        let (_, middle) = start(&fixture, "middle@example.com").await;
        fixture.clock.advance(Duration::minutes(1));
        let (_, newest) = start(&fixture, "newest@example.com").await;
        fixture.clock.advance(Duration::minutes(1));
        let (_, recent) = start(&fixture, "recent@example.com").await;
        fixture
            .service
            .complete(finished.interview.id, Actor::Candidate(finisher))
            .await
            .unwrap();
        // last active at 10:00, 10:02, 10:03 and 10:04; the one finished at 10:04 is not idle
        let cutoff = at(5);
        let all = fixture.repo.idle_interviews(cutoff, 100).await.unwrap();
        let expected = vec![
            oldest.interview.id,
            middle.interview.id,
            newest.interview.id,
            recent.interview.id,
        ];
        assert_eq!(all, expected, "{name}");
        let first_two = fixture.repo.idle_interviews(cutoff, 2).await.unwrap();
        assert_eq!(first_two, expected[..2].to_vec(), "{name}");
        // strictly before the cutoff
        let before_four = fixture.repo.idle_interviews(at(4), 100).await.unwrap();
        assert_eq!(before_four, expected[..3].to_vec(), "{name}");
        assert_eq!(
            fixture.repo.idle_interviews(at(0), 100).await.unwrap(),
            Vec::new()
        );
        assert_eq!(
            fixture
                .repo
                .idle_interviews(cutoff, u64::MAX)
                .await
                .unwrap(),
            expected,
            "{name}"
        );
        database.finish().await;
    }
}
