//! Realtime answers through the one turn path, on the in-memory repository.

use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;

use super::*;
use crate::cost::RealtimeUsage;
use crate::ids::ConnectionId;
use crate::interview::realtime::RealtimeAnswer;
use crate::ladder::Evaluation;
use crate::ports::{
    EvaluationRequest, Generated, InterviewerModel, ProviderError, QuestionRequest, TurnDetection,
};
use crate::rules::budget::Budget;
use crate::testing::{InMemoryInterviews, ScriptedInterviewer};

/// The scripted interviewer, counting how often it is asked to judge.
struct Counting {
    inner: ScriptedInterviewer,
    evaluations: AtomicUsize,
}

#[async_trait]
impl InterviewerModel for Counting {
    fn model_name(&self) -> String {
        self.inner.model_name()
    }

    async fn first_question(
        &self,
        request: &QuestionRequest,
    ) -> Result<Generated<Question>, ProviderError> {
        self.inner.first_question(request).await
    }

    async fn next_question(
        &self,
        request: &QuestionRequest,
    ) -> Result<Generated<Question>, ProviderError> {
        self.inner.next_question(request).await
    }

    async fn evaluate(
        &self,
        request: &EvaluationRequest,
    ) -> Result<Generated<Evaluation>, ProviderError> {
        self.evaluations.fetch_add(1, Ordering::SeqCst);
        self.inner.evaluate(request).await
    }
}

fn realtime_service(
    settings: InterviewSettings,
) -> (Arc<InMemoryInterviews>, Arc<Counting>, InterviewService) {
    let repo = Arc::new(InMemoryInterviews::new());
    let model = Arc::new(Counting {
        inner: ScriptedInterviewer::free(),
        evaluations: AtomicUsize::new(0),
    });
    let service = InterviewService::new(repo.clone(), model.clone(), clock(), settings);
    (repo, model, service)
}

async fn realtime_interview(service: &InterviewService, candidate: CandidateId) -> InterviewId {
    service
        .start(StartInterview {
            candidate_id: candidate,
            role: RoleType::React,
            mode: InterviewMode::Realtime,
            resume_id: None,
            organization_id: None,
            job_posting_id: None,
            application_id: None,
            key_skills: Vec::new(),
        })
        .await
        .unwrap()
        .interview
        .id
}

fn spoken(id: InterviewId, candidate: CandidateId, item: &str, judged: bool) -> RealtimeAnswer {
    RealtimeAnswer {
        interview_id: id,
        actor: Actor::Candidate(candidate),
        item_id: item.into(),
        transcript: format!("spoken answer {item}"),
        evaluation: judged.then(|| evaluation(AnswerQuality::Excellent, 0.9, 0.9)),
        usage: RealtimeUsage {
            audio_input_tokens: 1_000,
            audio_output_tokens: 2_000,
            ..RealtimeUsage::default()
        },
        audio_seconds: Some(3.0),
        recording: None,
    }
}

#[tokio::test]
async fn a_new_realtime_session_greets_and_asks_the_first_question() {
    let (_repo, _model, service) = realtime_service(InterviewSettings::default());
    let candidate = CandidateId::new();
    let id = realtime_interview(&service, candidate).await;
    let opening = service
        .open_realtime(
            id,
            Actor::Candidate(candidate),
            ConnectionId::new(),
            TurnDetection::None,
        )
        .await
        .unwrap();
    assert!(!opening.resumed);
    assert_eq!(opening.open_question, 1);
    assert!(opening.config.opening.starts_with("Hello"));
    assert!(opening.config.opening.ends_with("Question 1?"));
    assert!(opening.config.instructions.contains("- Question 1?"));
    assert!(opening.config.history.is_empty());
    // somebody else's interview does not exist for them
    let stranger = service
        .open_realtime(
            id,
            Actor::Candidate(CandidateId::new()),
            ConnectionId::new(),
            TurnDetection::None,
        )
        .await;
    assert!(matches!(stranger, Err(AnswerError::NotFound)));
}

#[tokio::test]
async fn a_judged_spoken_answer_is_one_turn_charged_to_realtime_and_counted_once() {
    let (repo, model, service) = realtime_service(InterviewSettings::default());
    let candidate = CandidateId::new();
    let id = realtime_interview(&service, candidate).await;
    let first = service
        .answer_realtime(spoken(id, candidate, "item_1", true))
        .await
        .unwrap();
    assert_eq!(first.ai_response, "Question 2?");
    // the realtime model judged it: the interviewer was not asked
    assert_eq!(model.evaluations.load(Ordering::SeqCst), 0);
    // the same upstream item again (a duplicate event) changes nothing
    let again = service
        .answer_realtime(spoken(id, candidate, "item_1", true))
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(
        AnswerOutcome {
            replayed: false,
            ..again
        },
        first
    );
    assert_eq!(repo.all_messages(id).len(), 3);
    let record = service.get(id, Actor::Candidate(candidate)).await.unwrap();
    // 1,000 audio tokens in at $10/M + 2,000 out at $20/M
    assert_eq!(record.interview.realtime_cost_usd, Decimal::new(5, 2));
    let reopened = service
        .open_realtime(
            id,
            Actor::Candidate(candidate),
            ConnectionId::new(),
            TurnDetection::ServerVad,
        )
        .await
        .unwrap();
    assert!(reopened.resumed);
    assert!(reopened.config.opening.ends_with("Question 2?"));
    assert_eq!(reopened.config.history.len(), 3);
}

#[tokio::test]
async fn an_unjudged_spoken_answer_is_judged_by_the_interviewer() {
    let (_repo, model, service) = realtime_service(InterviewSettings::default());
    let candidate = CandidateId::new();
    let id = realtime_interview(&service, candidate).await;
    service
        .answer_realtime(spoken(id, candidate, "item_9", false))
        .await
        .unwrap();
    assert_eq!(model.evaluations.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn realtime_usage_past_the_budget_completes_the_interview() {
    let settings = InterviewSettings {
        budget: Budget {
            limit_usd: Decimal::new(10, 2),
        },
        ..InterviewSettings::default()
    };
    let (_repo, _model, service) = realtime_service(settings);
    let candidate = CandidateId::new();
    let id = realtime_interview(&service, candidate).await;
    let actor = Actor::Candidate(candidate);
    let small = RealtimeUsage {
        audio_output_tokens: 1_000,
        ..RealtimeUsage::default()
    };
    assert!(!service.charge_realtime(id, actor, small).await.unwrap());
    let large = RealtimeUsage {
        audio_output_tokens: 3_000,
        ..RealtimeUsage::default()
    };
    // $0.02 + $0.06 spent; another $0.06 would cross $0.10
    assert!(service.charge_realtime(id, actor, large).await.unwrap());
    let record = service.get(id, actor).await.unwrap();
    assert_eq!(record.interview.status, InterviewStatus::Completed);
    assert_eq!(
        record.interview.completion_reason,
        Some(CompletionReason::BudgetExhausted)
    );
    assert_eq!(record.interview.realtime_cost_usd, Decimal::new(8, 2));
}

#[tokio::test]
async fn a_new_realtime_connection_takes_the_interview_over() {
    let (_repo, _model, service) = realtime_service(InterviewSettings::default());
    let candidate = CandidateId::new();
    let id = realtime_interview(&service, candidate).await;
    let actor = Actor::Candidate(candidate);
    let first = ConnectionId::new();
    let second = ConnectionId::new();
    service
        .open_realtime(id, actor, first, TurnDetection::None)
        .await
        .unwrap();
    assert!(service.owns_realtime(id, first).await.unwrap());
    service
        .open_realtime(id, actor, second, TurnDetection::None)
        .await
        .unwrap();
    assert!(!service.owns_realtime(id, first).await.unwrap());
    assert!(service.owns_realtime(id, second).await.unwrap());
}

#[tokio::test]
async fn a_realtime_charge_that_meets_a_concurrent_write_is_applied_to_the_interview_as_it_is_now()
{
    use crate::ports::{MockInterviewRepository, RepositoryError};
    let stored = record(DifficultyLevel::Warmup, 1, &[]);
    let (id, candidate) = (stored.interview.id, stored.interview.candidate_id);
    // meanwhile an assessment charged $0.50 and moved the session's version
    let mut moved = stored.clone();
    moved.interview.cost_usd = Decimal::new(50, 2);
    moved.session.version += 1;
    let moved_version = moved.session.version;
    let mut repo = MockInterviewRepository::new();
    let mut sequence = mockall::Sequence::new();
    repo.expect_load()
        .times(1)
        .in_sequence(&mut sequence)
        .returning(move |_| Ok(Some(stored.clone())));
    repo.expect_save_turn()
        .times(1)
        .in_sequence(&mut sequence)
        .returning(|_| {
            Err(RepositoryError::Conflict(
                "the session version moved".into(),
            ))
        });
    repo.expect_load()
        .times(1)
        .in_sequence(&mut sequence)
        .returning(move |_| Ok(Some(moved.clone())));
    repo.expect_save_turn()
        .times(1)
        .in_sequence(&mut sequence)
        .withf(move |turn| {
            turn.expected_version == moved_version
                && turn.interview.cost_usd == Decimal::new(50, 2)
                && turn.interview.realtime_cost_usd > Decimal::ZERO
        })
        .returning(|_| Ok(()));
    let service = InterviewService::new(
        Arc::new(repo),
        Arc::new(ScriptedInterviewer::free()),
        Arc::new(crate::testing::ManualClock::at(chrono::Utc::now())),
        InterviewSettings::default(),
    );
    let usage = RealtimeUsage {
        audio_output_tokens: 1_000,
        ..RealtimeUsage::default()
    };
    assert!(
        !service
            .charge_realtime(id, Actor::Candidate(candidate), usage)
            .await
            .unwrap()
    );
}
