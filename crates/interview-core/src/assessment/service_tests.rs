//! The assessment service with in-memory storage: what completion enqueues, what a run stores,
//! retries, regeneration and browser events.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use rust_decimal::Decimal;

use super::*;
use crate::actor::Actor;
use crate::ids::CandidateId;
use crate::interview::{InterviewService, StartInterview, TurnInput};
use crate::jobs::{
    JobFailure, JobHandler, JobOutcome, JobRunner, JobState, RetryPolicy, RunnerSettings,
};
use crate::model::{InterviewMode, RoleType};
use crate::ports::ProviderError;
use crate::rules::integrity::{ClientEvent, ClientEventKind, IntegrityFlagKind};
use crate::testing::{
    FixedWriter, InMemoryAssessments, InMemoryInterviews, InMemoryJobs, ManualClock,
    ScriptedInterviewer,
};

struct Fixture {
    clock: Arc<ManualClock>,
    interviews: Arc<InMemoryInterviews>,
    jobs: Arc<InMemoryJobs>,
    assessments: Arc<InMemoryAssessments>,
    writer: Arc<FixedWriter>,
    engine: InterviewService,
    service: Arc<AssessmentService>,
    runner: JobRunner,
    candidate: CandidateId,
}

fn fixture(writer: FixedWriter) -> Fixture {
    let clock = Arc::new(ManualClock::at(
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap(),
    ));
    let jobs = Arc::new(InMemoryJobs::new());
    let interviews = Arc::new(InMemoryInterviews::with_queue(jobs.clone()));
    let assessments = Arc::new(InMemoryAssessments::new(jobs.clone()));
    let writer = Arc::new(writer);
    let settings = InterviewSettings::default();
    let engine = InterviewService::new(
        interviews.clone(),
        Arc::new(ScriptedInterviewer::free()),
        clock.clone(),
        settings.clone(),
    );
    let service = Arc::new(AssessmentService::new(
        interviews.clone(),
        assessments.clone(),
        writer.clone(),
        jobs.clone(),
        clock.clone(),
        settings,
    ));
    let runner = JobRunner::new(
        jobs.clone(),
        clock.clone(),
        RunnerSettings {
            retry: RetryPolicy {
                max_attempts: 3,
                backoff_base_seconds: 10,
                backoff_max_seconds: 60,
            },
            lease_seconds: 60,
            keep_succeeded_days: 7,
        },
    )
    .with_handler(service.clone());
    Fixture {
        clock,
        interviews,
        jobs,
        assessments,
        writer,
        engine,
        service,
        runner,
        candidate: CandidateId::new(),
    }
}

impl Fixture {
    fn actor(&self) -> Actor {
        Actor::Candidate(self.candidate)
    }

    async fn interview(&self, answers: &[&str]) -> InterviewId {
        let started = self
            .engine
            .start(StartInterview {
                candidate_id: self.candidate,
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
        for answer in answers {
            self.clock.advance(Duration::seconds(60));
            self.engine
                .answer(TurnInput::typed(
                    started.interview.id,
                    self.actor(),
                    *answer,
                    None,
                    None,
                ))
                .await
                .unwrap();
        }
        started.interview.id
    }
}

use crate::ids::InterviewId;

#[tokio::test]
async fn completing_an_interview_queues_one_assessment_that_a_run_stores() {
    let f = fixture(FixedWriter::approving());
    let id = f.interview(&["useState keeps state between renders"]).await;
    assert_eq!(
        f.service.assessment(id, f.actor()).await.unwrap(),
        AssessmentState::NotDue
    );
    f.engine.complete(id, f.actor()).await.unwrap();
    // completing again changes nothing and queues nothing more
    f.engine.complete(id, f.actor()).await.unwrap();
    assert_eq!(f.jobs.all().len(), 1);
    assert_eq!(
        f.service.assessment(id, f.actor()).await.unwrap(),
        AssessmentState::Pending
    );

    let (_, outcome) = f.runner.run_next().await.unwrap().unwrap();
    assert_eq!(outcome, JobOutcome::Succeeded);
    assert!(f.runner.run_next().await.unwrap().is_none());

    let state = f.service.assessment(id, f.actor()).await.unwrap();
    let assessment = state.ready().expect("ready");
    assert_eq!(assessment.version, 1);
    assert_eq!(assessment.generator, "fixed");
    assert_eq!(assessment.recommendation, Recommendation::Yes);
    assert_eq!(assessment.strengths[0].evidence, [2]);
    // the scripted interviewer judges every answer 0.7 at warmup: 0.6 * 20 + 0.4 * 70
    assert_eq!(assessment.overall_score, 40);
    assert_eq!(assessment.skill_scores.len(), 1);
    assert_eq!(assessment.skill_scores[0].questions, 1);
    assert_eq!(assessment.integrity_score, 100);
    // 1,000 input and 200 output tokens of gpt-4o-mini
    assert_eq!(assessment.tokens_used, 1_200);
    assert_eq!(assessment.cost_usd, Decimal::new(27, 5));
    assert_eq!(f.jobs.all()[0].state, JobState::Succeeded);

    let request = &f.writer.requests()[0];
    assert_eq!(request.transcript.len(), 3);
    assert_eq!(request.scores.overall, 40);
}

#[tokio::test]
async fn only_an_interview_abandoned_before_any_answer_goes_unassessed() {
    let f = fixture(FixedWriter::approving());
    let silent = f.interview(&[]).await;
    let answered = f.interview(&["an answer"]).await;
    f.clock.advance(Duration::hours(2));
    assert_eq!(f.engine.abandon_inactive().await.unwrap(), 2);
    let subjects: Vec<_> = f.jobs.all().iter().map(|job| job.subject).collect();
    assert_eq!(subjects, [answered.as_uuid()]);
    assert_eq!(
        f.service.assessment(silent, f.actor()).await.unwrap(),
        AssessmentState::NotDue
    );
}

#[tokio::test]
async fn a_failing_writer_is_retried_with_backoff_then_the_job_fails_and_the_interview_is_untouched()
 {
    let f = fixture(FixedWriter::new(vec![Err(ProviderError::Unavailable {
        message: "503".into(),
        retry_after: None,
    })]));
    let id = f.interview(&["an answer"]).await;
    f.engine.complete(id, f.actor()).await.unwrap();
    let before = f.interviews.all_messages(id);
    let cost_before = f
        .engine
        .get(id, f.actor())
        .await
        .unwrap()
        .interview
        .cost_usd;

    let (_, first) = f.runner.run_next().await.unwrap().unwrap();
    assert!(matches!(first, JobOutcome::Retrying { after, .. } if after.as_secs() == 10));
    // not due again before the backoff has passed
    assert!(f.runner.run_next().await.unwrap().is_none());
    f.clock.advance(Duration::seconds(10));
    let (_, second) = f.runner.run_next().await.unwrap().unwrap();
    assert!(matches!(second, JobOutcome::Retrying { after, .. } if after.as_secs() == 20));
    f.clock.advance(Duration::seconds(20));
    let (job, third) = f.runner.run_next().await.unwrap().unwrap();
    assert_eq!(job.attempts, 3);
    assert!(matches!(third, JobOutcome::Failed { ref error } if error.contains("503")));

    match f.service.assessment(id, f.actor()).await.unwrap() {
        AssessmentState::Failed { error } => assert!(error.unwrap().contains("503")),
        other => panic!("expected failed, got {other:?}"),
    }
    assert_eq!(f.interviews.all_messages(id), before);
    assert_eq!(
        f.engine
            .get(id, f.actor())
            .await
            .unwrap()
            .interview
            .cost_usd,
        cost_before
    );
    assert!(f.assessments.saved().is_empty());
}

#[tokio::test]
async fn a_job_whose_lease_expired_is_claimed_again_and_the_first_worker_cannot_save() {
    let f = fixture(FixedWriter::approving());
    let id = f.interview(&["an answer"]).await;
    f.engine.complete(id, f.actor()).await.unwrap();
    let stale = f
        .jobs
        .claim(
            &[JobKind::Assessment],
            f.clock.now(),
            std::time::Duration::from_mins(1),
        )
        .await
        .unwrap()
        .unwrap();
    f.clock.advance(Duration::seconds(61));
    let (again, outcome) = f.runner.run_next().await.unwrap().unwrap();
    assert_eq!(outcome, JobOutcome::Succeeded);
    assert_eq!(again.attempts, 2);
    // the first worker finishing late changes nothing
    assert!(JobHandler::run(f.service.as_ref(), &stale).await == Err(JobFailure::LeaseLost));
    assert_eq!(f.assessments.saved().len(), 1);
}

#[tokio::test]
async fn regenerating_adds_a_version_and_keeps_the_old_one() {
    let f = fixture(FixedWriter::approving());
    let id = f.interview(&["an answer"]).await;
    let unfinished = f.service.regenerate(id, f.actor()).await.unwrap_err();
    assert!(matches!(unfinished, RegenerateError::NotAssessable { .. }));
    f.engine.complete(id, f.actor()).await.unwrap();
    f.runner.run_next().await.unwrap();
    assert!(f.service.regenerate(id, f.actor()).await.unwrap());
    // a second request while one is queued adds nothing
    assert!(!f.service.regenerate(id, f.actor()).await.unwrap());
    f.runner.run_next().await.unwrap();
    let versions = f.service.versions(id, f.actor()).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2]
    );
    let stranger = Actor::Candidate(CandidateId::new());
    assert!(matches!(
        f.service.regenerate(id, stranger).await,
        Err(RegenerateError::NotFound)
    ));
}

#[tokio::test]
async fn browser_events_are_validated_taken_only_in_progress_and_become_flags() {
    let f = fixture(FixedWriter::approving());
    let id = f.interview(&["an answer"]).await;
    let event = |kind, count| ClientEvent {
        kind,
        occurred_at: f.clock.now(),
        count,
    };
    assert!(matches!(
        f.service.record_events(id, f.actor(), Vec::new()).await,
        Err(EventsError::Validation {
            field: "events",
            ..
        })
    ));
    assert!(matches!(
        f.service
            .record_events(id, f.actor(), vec![event(ClientEventKind::Paste, 0)])
            .await,
        Err(EventsError::Validation { field: "count", .. })
    ));
    let stranger = Actor::Candidate(CandidateId::new());
    assert!(matches!(
        f.service
            .record_events(id, stranger, vec![event(ClientEventKind::Paste, 1)])
            .await,
        Err(EventsError::NotFound)
    ));
    let stored = f
        .service
        .record_events(
            id,
            f.actor(),
            vec![
                event(ClientEventKind::TabHidden, 12),
                event(ClientEventKind::Paste, 1),
            ],
        )
        .await
        .unwrap();
    assert_eq!(stored, 2);

    f.engine.complete(id, f.actor()).await.unwrap();
    assert!(matches!(
        f.service
            .record_events(id, f.actor(), vec![event(ClientEventKind::Paste, 1)])
            .await,
        Err(EventsError::InvalidState { .. })
    ));
    f.runner.run_next().await.unwrap();
    let state = f.service.assessment(id, f.actor()).await.unwrap();
    let assessment = state.ready().unwrap();
    let kinds: Vec<_> = assessment
        .integrity_flags
        .iter()
        .map(|flag| flag.kind)
        .collect();
    assert_eq!(
        kinds,
        [IntegrityFlagKind::TabHidden, IntegrityFlagKind::Paste]
    );
    // high at 0.8 confidence and medium at 0.7: 100 - 24 - 10.5
    assert_eq!(assessment.integrity_score, 66);
}

#[tokio::test]
async fn a_rejected_request_fails_at_once_instead_of_using_up_the_attempts() {
    let f = fixture(FixedWriter::new(vec![Err(ProviderError::Rejected(
        "401 invalid api key".into(),
    ))]));
    let id = f.interview(&["an answer"]).await;
    f.engine.complete(id, f.actor()).await.unwrap();
    let (job, outcome) = f.runner.run_next().await.unwrap().unwrap();
    assert_eq!(job.attempts, 1);
    assert!(matches!(outcome, JobOutcome::Failed { ref error } if error.contains("401")));
}
