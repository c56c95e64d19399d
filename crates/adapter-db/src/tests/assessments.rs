//! Assessments and integrity events on each backend: a save stores the version, charges the
//! interview and completes the job together or not at all.

use std::sync::Arc;
use std::time::Duration;

use interview_core::InterviewSettings;
use interview_core::actor::Actor;
use interview_core::assessment::{Assessment, AssessmentService, Claim, Recommendation};
use interview_core::ids::{AssessmentId, InterviewId};
use interview_core::interview::TurnInput;
use interview_core::jobs::RunnerSettings;
use interview_core::jobs::{ClaimedJob, JobKind, JobOutcome, JobRunner, JobState, NewJob};
use interview_core::ladder::{DifficultyLevel, SkillArea};
use interview_core::ports::{
    AssessmentCharge, AssessmentRepository, InterviewRepository, JobQueue, RepositoryError,
};
use interview_core::rules::integrity::{
    ClientEvent, ClientEventKind, IntegrityFlag, IntegrityFlagKind, Severity,
};
use interview_core::rules::scoring::{BoundaryState, SkillBoundaryEntry, SkillScore};
use interview_core::testing::FixedWriter;
use rust_decimal::Decimal;

use super::repositories::{fixture, start};
use super::support::{at, databases};
use crate::assessments::SeaOrmAssessments;
use crate::jobs::SeaOrmJobs;

fn assessment(interview: InterviewId, version: i32) -> Assessment {
    let skill = SkillArea::new("databases");
    Assessment {
        id: AssessmentId::new(),
        interview_id: interview,
        version,
        overall_score: 74,
        skill_scores: vec![SkillScore {
            skill: skill.clone(),
            score: 74,
            level_reached: Some(DifficultyLevel::Intermediate),
            boundary: true,
            questions: 3,
        }],
        skill_boundary_map: vec![SkillBoundaryEntry {
            skill,
            state: BoundaryState::Boundary,
            level: Some(DifficultyLevel::Advanced),
        }],
        strengths: vec![Claim {
            text: "Explains indexes — clearly, with 日本語 examples".into(),
            evidence: vec![2, 4],
        }],
        growth_areas: vec![Claim {
            text: "Transactions".into(),
            evidence: vec![6],
        }],
        highlights: Vec::new(),
        integrity_score: 85,
        integrity_flags: vec![IntegrityFlag {
            kind: IntegrityFlagKind::Paste,
            severity: Severity::Medium,
            evidence: "2 pastes".into(),
            messages: Vec::new(),
            confidence: 0.5,
        }],
        ai_reasoning: "Solid fundamentals.".into(),
        recommendation: Recommendation::StrongYes,
        recommended_actions: vec!["Advance".into()],
        generated_at: at(30),
        generator: "openai:gpt-4o-mini".into(),
        prompt_version: "assessment-1".into(),
        cost_usd: Decimal::new(123_456, 9),
        tokens_used: 1_200,
        fallback: false,
    }
}

const CHARGE_TOKENS: i64 = 1_200;

fn charge() -> AssessmentCharge {
    AssessmentCharge {
        tokens: CHARGE_TOKENS,
        cost_usd: Decimal::new(123_456, 9),
    }
}

async fn claimed(jobs: &SeaOrmJobs, interview: InterviewId) -> ClaimedJob {
    jobs.enqueue(&NewJob::new(
        JobKind::Assessment,
        interview.as_uuid(),
        at(20),
    ))
    .await
    .unwrap();
    jobs.claim(&[JobKind::Assessment], at(20), Duration::from_mins(1))
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_save_stores_the_version_charges_the_interview_and_completes_the_job() {
    for database in databases().await {
        let name = database.name;
        let fixture = fixture(&database.db);
        let jobs = SeaOrmJobs::new(database.db.clone());
        let assessments = SeaOrmAssessments::new(database.db.clone());
        let (_, started) = start(&fixture, "assessed@example.com").await;
        let interview = started.interview.id;
        let loaded = fixture.repo.load(interview).await.unwrap().unwrap();
        let (before, version_before) = (loaded.interview, loaded.session.version);
        assert_eq!(assessments.latest(interview).await.unwrap(), None, "{name}");

        // a worker whose lease was taken over writes nothing
        let stale = claimed(&jobs, interview).await;
        let job = jobs
            .claim(&[JobKind::Assessment], at(22), Duration::from_mins(1))
            .await
            .unwrap()
            .unwrap();
        let first = assessment(interview, 1);
        let refused = assessments
            .save(&first, &charge(), &stale, &[], at(30))
            .await;
        assert!(
            matches!(refused, Err(RepositoryError::Conflict(_))),
            "{name}: {refused:?}"
        );
        assert_eq!(assessments.versions(interview).await.unwrap(), Vec::new());
        let untouched = fixture
            .repo
            .load(interview)
            .await
            .unwrap()
            .unwrap()
            .interview;
        assert_eq!(untouched, before, "{name}");

        // the holder's save lands whole
        assessments
            .save(&first, &charge(), &job, &[], at(30))
            .await
            .unwrap();
        assert_eq!(
            assessments.latest(interview).await.unwrap().as_ref(),
            Some(&first),
            "{name}"
        );
        let reloaded = fixture.repo.load(interview).await.unwrap().unwrap();
        // a turn computed before the charge can no longer overwrite it
        assert_eq!(reloaded.session.version, version_before + 1, "{name}");
        let charged = reloaded.interview;
        assert_eq!(
            charged.total_tokens_used,
            before.total_tokens_used + CHARGE_TOKENS,
            "{name}"
        );
        assert_eq!(
            charged.cost_usd,
            (before.cost_usd + charge().cost_usd).normalize()
        );
        let done = jobs
            .latest(JobKind::Assessment, interview.as_uuid())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((done.state, done.updated_at), (JobState::Succeeded, at(30)));
        // the job is finished: saving again under its lease is refused
        let twice = assessments
            .save(&assessment(interview, 2), &charge(), &job, &[], at(31))
            .await;
        assert!(matches!(twice, Err(RepositoryError::Conflict(_))), "{name}");

        // regenerated: versions are kept, oldest first; a version taken is a conflict
        let regenerate = claimed(&jobs, interview).await;
        let taken = assessments
            .save(
                &assessment(interview, 1),
                &charge(),
                &regenerate,
                &[],
                at(32),
            )
            .await;
        assert!(
            matches!(taken, Err(RepositoryError::Conflict(_))),
            "{name}: {taken:?}"
        );
        let running = jobs
            .latest(JobKind::Assessment, interview.as_uuid())
            .await
            .unwrap();
        assert_eq!(
            running.map(|job| job.state),
            Some(JobState::Running),
            "{name}"
        );
        let mut second = assessment(interview, 2);
        second.recommendation = Recommendation::Maybe;
        second.fallback = true;
        assessments
            .save(&second, &charge(), &regenerate, &[], at(33))
            .await
            .unwrap();
        let versions: Vec<i32> = assessments
            .versions(interview)
            .await
            .unwrap()
            .iter()
            .map(|version| version.version)
            .collect();
        assert_eq!(versions, vec![1, 2], "{name}");
        assert_eq!(assessments.latest(interview).await.unwrap(), Some(second));
        let twice_charged = fixture
            .repo
            .load(interview)
            .await
            .unwrap()
            .unwrap()
            .interview;
        assert_eq!(
            twice_charged.total_tokens_used,
            before.total_tokens_used + 2 * CHARGE_TOKENS,
            "{name}"
        );
        database.finish().await;
    }
}

#[tokio::test]
async fn events_read_back_in_the_order_received() {
    for database in databases().await {
        let name = database.name;
        let fixture = fixture(&database.db);
        let assessments = SeaOrmAssessments::new(database.db.clone());
        let (_, started) = start(&fixture, "events@example.com").await;
        let interview = started.interview.id;
        let event = |kind, minute, count| ClientEvent {
            kind,
            occurred_at: at(minute),
            count,
        };
        // the second report's events happened earlier; order is by receipt, then within a report
        let first = vec![
            event(ClientEventKind::TabHidden, 5, 1),
            event(ClientEventKind::Paste, 4, 3),
            event(ClientEventKind::FocusLost, 6, 10_000),
        ];
        let second = vec![event(ClientEventKind::FullscreenExit, 1, 2)];
        assessments
            .record_events(interview, &first, at(7))
            .await
            .unwrap();
        assessments
            .record_events(interview, &second, at(8))
            .await
            .unwrap();
        assessments
            .record_events(interview, &[], at(9))
            .await
            .unwrap();
        let expected: Vec<ClientEvent> = first.into_iter().chain(second).collect();
        assert_eq!(
            assessments.events(interview).await.unwrap(),
            expected,
            "{name}"
        );
        assert_eq!(
            assessments.events(InterviewId::new()).await.unwrap(),
            Vec::new()
        );
        let orphan = assessments
            .record_events(InterviewId::new(), &expected, at(9))
            .await;
        assert!(
            matches!(orphan, Err(RepositoryError::MissingReference(_))),
            "{name}: {orphan:?}"
        );
        database.finish().await;
    }
}

#[tokio::test]
async fn a_completed_interview_is_assessed_by_the_job_its_last_turn_enqueued() {
    for database in databases().await {
        let name = database.name;
        let fixture = fixture(&database.db);
        let jobs = Arc::new(SeaOrmJobs::new(database.db.clone()));
        let assessments = Arc::new(SeaOrmAssessments::new(database.db.clone()));
        let (candidate, started) = start(&fixture, "done@example.com").await;
        let interview = started.interview.id;
        fixture
            .service
            .answer(TurnInput::typed(
                interview,
                Actor::Candidate(candidate),
                "Indexes trade write cost for read speed.",
                Some(1),
                None,
            ))
            .await
            .unwrap();
        fixture
            .service
            .complete(interview, Actor::Candidate(candidate))
            .await
            .unwrap();
        let queued = jobs
            .latest(JobKind::Assessment, interview.as_uuid())
            .await
            .unwrap();
        assert_eq!(
            queued.map(|job| job.state),
            Some(JobState::Queued),
            "{name}"
        );
        let before = fixture
            .repo
            .load(interview)
            .await
            .unwrap()
            .unwrap()
            .interview;

        let service = Arc::new(AssessmentService::new(
            fixture.repo.clone(),
            assessments.clone(),
            Arc::new(FixedWriter::approving()),
            jobs.clone(),
            fixture.clock.clone(),
            InterviewSettings::default(),
        ));
        let runner = JobRunner::new(
            jobs.clone(),
            fixture.clock.clone(),
            RunnerSettings::default(),
        )
        .with_handler(service);
        let (job, outcome) = runner.run_next().await.unwrap().unwrap();
        assert_eq!(outcome, JobOutcome::Succeeded, "{name}");
        assert_eq!(job.subject, interview.as_uuid());
        assert_eq!(runner.run_next().await.unwrap(), None, "{name}");
        let stored = assessments.latest(interview).await.unwrap().unwrap();
        assert_eq!(stored.version, 1, "{name}");
        assert_eq!(stored.recommendation, Recommendation::Yes);
        let after = fixture
            .repo
            .load(interview)
            .await
            .unwrap()
            .unwrap()
            .interview;
        assert_eq!(
            after.total_tokens_used,
            before.total_tokens_used + stored.tokens_used,
            "{name}"
        );
        assert_eq!(
            after.cost_usd,
            (before.cost_usd + stored.cost_usd).normalize()
        );
        database.finish().await;
    }
}
