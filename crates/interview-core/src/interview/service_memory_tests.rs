//! Whole turns through the in-memory repository: concurrency, retries, abandonment, completion.

use super::*;
use crate::testing::{InMemoryInterviews, ManualClock, ScriptedInterviewer};

fn in_memory() -> (
    Arc<InMemoryInterviews>,
    Arc<ManualClock>,
    Arc<InterviewService>,
) {
    let repo = Arc::new(InMemoryInterviews::new());
    let clock = Arc::new(ManualClock::at(t0()));
    let service = Arc::new(InterviewService::new(
        repo.clone(),
        Arc::new(ScriptedInterviewer::free()),
        clock.clone(),
        InterviewSettings::default(),
    ));
    (repo, clock, service)
}

async fn started(service: &InterviewService, candidate: CandidateId) -> Started {
    service
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
        .unwrap()
}

#[tokio::test]
async fn twenty_concurrent_answers_to_one_question_are_accepted_once() {
    let (repo, _clock, service) = in_memory();
    let candidate = CandidateId::new();
    let interview = started(&service, candidate).await.interview;
    let mut tasks = Vec::new();
    for index in 0..20 {
        let service = service.clone();
        tasks.push(tokio::spawn(async move {
            service
                .answer(TurnInput::typed(
                    interview.id,
                    Actor::Candidate(candidate),
                    format!("answer {index}"),
                    Some(1),
                    None,
                ))
                .await
        }));
    }
    let mut accepted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => accepted += 1,
            Err(AnswerError::Conflict(_)) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(accepted, 1);
    let messages = repo.all_messages(interview.id);
    let sequence: Vec<i32> = messages.iter().map(|m| m.sequence_number).collect();
    assert_eq!(sequence, vec![1, 2, 3]);
    let record = service
        .get(interview.id, Actor::Candidate(candidate))
        .await
        .unwrap();
    assert_eq!(record.session.questions_asked_count, 2);
    assert_eq!(record.session.progression.response_quality_history.len(), 1);
}

#[tokio::test]
async fn a_retry_with_the_same_key_gets_the_same_outcome_and_nothing_is_stored_twice() {
    let (repo, _clock, service) = in_memory();
    let candidate = CandidateId::new();
    let interview = started(&service, candidate).await.interview;
    let command = TurnInput::typed(
        interview.id,
        Actor::Candidate(candidate),
        "my answer",
        Some(1),
        Some(ClientKey::parse("k-1").unwrap()),
    );
    let first = service.answer(command.clone()).await.unwrap();
    let second = service.answer(command).await.unwrap();
    assert!(!first.replayed && second.replayed, "the retry is a replay");
    assert_eq!(
        first,
        AnswerOutcome {
            replayed: false,
            ..second
        }
    );
    assert_eq!(repo.all_messages(interview.id).len(), 3);
}

#[tokio::test]
async fn an_idle_interview_is_abandoned_when_answered_late_and_by_the_sweep() {
    let (_repo, clock, service) = in_memory();
    let candidate = CandidateId::new();
    let late = started(&service, candidate).await.interview;
    clock.advance(Duration::minutes(31));
    let error = service
        .answer(TurnInput::typed(
            late.id,
            Actor::Candidate(candidate),
            "too late",
            None,
            None,
        ))
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        AnswerError::InvalidState {
            status: InterviewStatus::Abandoned
        }
    ));
    assert!(matches!(
        service
            .status(late.id, Actor::Candidate(candidate))
            .await
            .unwrap(),
        RecoveryView::Abandoned { .. }
    ));

    let idle = started(&service, candidate).await.interview;
    let active = started(&service, candidate).await.interview;
    clock.advance(Duration::minutes(20));
    service
        .answer(TurnInput::typed(
            active.id,
            Actor::Candidate(candidate),
            "still here",
            None,
            None,
        ))
        .await
        .unwrap();
    clock.advance(Duration::minutes(15));
    assert_eq!(service.abandon_inactive().await.unwrap(), 1);
    assert_eq!(
        service
            .get(idle.id, Actor::Candidate(candidate))
            .await
            .unwrap()
            .interview
            .status,
        InterviewStatus::Abandoned
    );
    assert_eq!(
        service
            .get(active.id, Actor::Candidate(candidate))
            .await
            .unwrap()
            .interview
            .status,
        InterviewStatus::InProgress
    );
}

#[tokio::test]
async fn completing_is_idempotent_and_recovery_reflects_it() {
    let (_repo, clock, service) = in_memory();
    let candidate = CandidateId::new();
    let interview = started(&service, candidate).await.interview;
    match service
        .status(interview.id, Actor::Candidate(candidate))
        .await
        .unwrap()
    {
        RecoveryView::InProgress { last_question, .. } => {
            assert_eq!(last_question.unwrap().sequence_number, 1);
        }
        other => panic!("unexpected {other:?}"),
    }
    clock.advance(Duration::seconds(90));
    let first = service
        .complete(interview.id, Actor::Candidate(candidate))
        .await
        .unwrap();
    assert_eq!(first.interview.status, InterviewStatus::Completed);
    assert_eq!(first.interview.duration_seconds, Some(90));
    assert_eq!(
        first.interview.completion_reason,
        Some(CompletionReason::CandidateRequested)
    );
    clock.advance(Duration::seconds(30));
    let again = service
        .complete(interview.id, Actor::Candidate(candidate))
        .await
        .unwrap();
    assert_eq!(again.interview.completed_at, first.interview.completed_at);
    assert!(matches!(
        service
            .status(interview.id, Actor::Candidate(candidate))
            .await
            .unwrap(),
        RecoveryView::Completed { .. }
    ));
}

#[tokio::test]
async fn a_free_turn_that_leaves_the_interview_as_it_was_says_so() {
    let record = record(DifficultyLevel::Fundamental, 3, &[0.7, 0.7]);
    let mut model = model_named("gpt-4o-mini");
    model.expect_evaluate().returning(|_| {
        Ok(Generated {
            value: evaluation(AnswerQuality::Good, 0.7, 0.7),
            usage: usage("gpt-4o-mini", 0, 0),
        })
    });
    model.expect_next_question().returning(|_| {
        let mut free = question("Next?", "testing", DifficultyLevel::Fundamental);
        free.usage = usage("gpt-4o-mini", 0, 0);
        Ok(free)
    });
    let mut repo = repo_serving(&record);
    repo.expect_save_turn()
        .withf(|turn| !turn.interview_changed && turn.messages.len() == 2)
        .times(1)
        .returning(|_| Ok(()));
    service(repo, model)
        .answer(answer_to(&record, "An answer"))
        .await
        .unwrap();
}
