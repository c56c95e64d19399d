//! Assessment throughput: finishes N interviews with no worker running (their assessment jobs
//! wait in the queue), then drains the queue with W workers — the server's own `JobRunner`,
//! `AssessmentService`, sea-orm repositories and offline writer — and reports assessments a
//! second.
//!
//! ```sh
//! cargo run --release -p server --example assessment_bench -- 1000 4            # SQLite file
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo run --release -p server \
//!     --example assessment_bench -- 1000 4
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // a benchmark binary

use std::sync::Arc;
use std::time::Instant;

use adapter_db::{
    DatabaseSettings, SeaOrmAssessments, SeaOrmCandidates, SeaOrmInterviews, SeaOrmJobs,
};
use adapter_offline::{OfflineAssessor, OfflineInterviewer, QuestionBank};
use interview_core::actor::Actor;
use interview_core::assessment::AssessmentService;
use interview_core::ids::CandidateId;
use interview_core::interview::{StartInterview, TurnInput};
use interview_core::jobs::{JobOutcome, JobRunner, RunnerSettings};
use interview_core::model::{Candidate, CandidateStatus, InterviewMode, RoleType};
use interview_core::ports::{CandidateRepository, Clock, SystemClock};
use interview_core::validation::{Email, FullName};
use interview_core::{InterviewService, InterviewSettings};

const ANSWERS: usize = 3;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let interviews: usize = args.next().map_or(1_000, |n| n.parse().unwrap());
    let workers: usize = args.next().map_or(4, |n| n.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        )
    });
    let db = adapter_db::connect(&DatabaseSettings {
        url,
        max_connections: 8,
        ..DatabaseSettings::default()
    })
    .await
    .unwrap();
    adapter_db::migrate(&db).await.unwrap();

    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let settings = InterviewSettings::default();
    let store = Arc::new(SeaOrmInterviews::new(db.clone()));
    let engine = Arc::new(InterviewService::new(
        store.clone(),
        Arc::new(OfflineInterviewer::new(QuestionBank::builtin().unwrap())),
        clock.clone(),
        settings.clone(),
    ));
    let now = clock.now();
    let candidate = Candidate {
        id: CandidateId::new(),
        email: Email::parse("bench@example.com").unwrap(),
        full_name: FullName::parse("Bench Candidate").unwrap(),
        password_hash: "$argon2id$v=19$m=9216,t=4,p=1$unused$unused".to_owned(),
        phone: None,
        status: CandidateStatus::Active,
        created_at: now,
        updated_at: now,
        last_login_at: None,
    };
    let candidate_id: CandidateId = candidate.id;
    SeaOrmCandidates::new(db.clone())
        .insert(&candidate)
        .await
        .unwrap();

    let setup = Instant::now();
    let mut finishing = tokio::task::JoinSet::new();
    for chunk in 0..16 {
        let engine = engine.clone();
        let count = interviews / 16 + usize::from(chunk < interviews % 16);
        finishing.spawn(async move {
            for _ in 0..count {
                let started = engine
                    .start(StartInterview {
                        candidate_id,
                        role: RoleType::React,
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
                let actor = Actor::Candidate(candidate_id);
                for _ in 0..ANSWERS {
                    let text = "I would use a ref for mutable values that must not re-render, \
                        and memoise callbacks because identity matters to effects; for example \
                        useCallback keeps a dependency stable, which means fewer re-renders.";
                    engine
                        .answer(TurnInput::typed(id, actor, text, None, None))
                        .await
                        .unwrap();
                }
                engine.complete(id, actor).await.unwrap();
            }
        });
    }
    while finishing.join_next().await.is_some() {}
    println!(
        "{interviews} interviews finished ({ANSWERS} answers each) in {:.1} s",
        setup.elapsed().as_secs_f64()
    );

    let jobs = Arc::new(SeaOrmJobs::new(db.clone()));
    let assessments = Arc::new(AssessmentService::new(
        store,
        Arc::new(SeaOrmAssessments::new(db.clone())),
        Arc::new(OfflineAssessor),
        jobs.clone(),
        clock.clone(),
        settings,
    ));
    let runner =
        Arc::new(JobRunner::new(jobs, clock, RunnerSettings::default()).with_handler(assessments));
    let started = Instant::now();
    let mut draining = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let runner = runner.clone();
        draining.spawn(async move {
            let mut done = 0usize;
            while let Some((_, outcome)) = runner.run_next().await.unwrap() {
                assert_eq!(outcome, JobOutcome::Succeeded);
                done += 1;
            }
            done
        });
    }
    let mut done = 0;
    while let Some(count) = draining.join_next().await {
        done += count.unwrap();
    }
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(done, interviews, "every interview assessed exactly once");
    println!(
        "{done} assessments with {workers} workers in {seconds:.2} s: {:.0} assessments/s",
        done as f64 / seconds
    );
}
