use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use mockall::predicate::always;

use chrono::DateTime;
use rust_decimal::Decimal;

use super::*;
use crate::actor::Actor;
use crate::cost::ChatUsage;
use crate::ids::{CandidateId, InterviewId, MessageId, SessionId};
use crate::interview::stored::StoredOutcome;
use crate::ladder::{AnswerQuality, DifficultyLevel, ProgressionState, ResponseRecord, SkillArea};
use crate::lifecycle::{CompletionReason, InterviewStatus};
use crate::memory::{ConversationMemory, MemorySettings, Speaker};
use crate::model::{
    Interview, InterviewMode, InterviewSession, MessageType, PendingQuestion, RoleType,
};
use crate::ports::{
    ClientKey, MessagePage, MockInterviewRepository, MockInterviewerModel, ProviderError, Question,
    RepositoryError,
};
use crate::rules::skills::QuestionIntent;
use crate::testing::ManualClock;
pub(super) use crate::testing::evaluation;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

pub(super) fn usage(model: &str, input: u64, output: u64) -> ChatUsage {
    ChatUsage {
        model: model.into(),
        input_tokens: input,
        output_tokens: output,
    }
}

pub(super) fn question(text: &str, skill: &str, level: DifficultyLevel) -> Generated<Question> {
    Generated {
        value: Question {
            text: text.into(),
            skill: SkillArea::new(skill),
            level,
        },
        usage: usage("gpt-4o-mini", 500, 50),
    }
}

use crate::ports::Generated;

/// An in-progress interview whose open question is number `asked` at `level`, with earlier
/// answers scored `history`.
pub(super) fn record(level: DifficultyLevel, asked: i32, history: &[f64]) -> InterviewRecord {
    let interview_id = InterviewId::new();
    let candidate_id = CandidateId::from_str("0190f5b4-7b7a-7000-8000-000000000001").unwrap();
    let mut progression = ProgressionState::default();
    for (index, composite) in history.iter().enumerate() {
        progression.response_quality_history.push(ResponseRecord {
            question_number: u32::try_from(index).unwrap() + 1,
            level,
            skill: SkillArea::new("hooks"),
            quality: AnswerQuality::Good,
            composite: *composite,
        });
    }
    let mut memory = ConversationMemory::default();
    memory.push(
        MemorySettings::default(),
        Speaker::Interviewer,
        "Current question?",
    );
    InterviewRecord {
        interview: Interview {
            id: interview_id,
            status: InterviewStatus::InProgress,
            started_at: Some(t0()),
            ai_model_used: Some("gpt-4o-mini".into()),
            ..Interview::scheduled(
                candidate_id,
                RoleType::React,
                InterviewMode::Text,
                None,
                t0(),
            )
        },
        session: InterviewSession {
            id: SessionId::new(),
            interview_id,
            current_difficulty: level,
            questions_asked_count: asked,
            skill_boundaries: BTreeMap::new(),
            progression,
            memory,
            pending_question: Some(PendingQuestion {
                sequence_number: asked * 2 - 1,
                skill: SkillArea::new("hooks"),
                level,
                asked_at: t0(),
            }),
            last_activity_at: t0(),
            created_at: t0(),
            updated_at: t0(),
            version: 7,
        },
    }
}

fn answer_to(record: &InterviewRecord, text: &str) -> TurnInput {
    TurnInput::typed(
        record.interview.id,
        Actor::Candidate(record.interview.candidate_id),
        text,
        record
            .session
            .pending_question
            .as_ref()
            .map(|p| p.sequence_number),
        None,
    )
}

fn clock() -> Arc<ManualClock> {
    let clock = ManualClock::at(t0());
    clock.advance(Duration::minutes(2));
    Arc::new(clock)
}

pub(super) fn service(
    repo: MockInterviewRepository,
    model: MockInterviewerModel,
) -> InterviewService {
    InterviewService::new(
        Arc::new(repo),
        Arc::new(model),
        clock(),
        InterviewSettings::default(),
    )
}

pub(super) fn model_named(name: &'static str) -> MockInterviewerModel {
    let mut model = MockInterviewerModel::new();
    model.expect_model_name().returning(move || name.to_owned());
    model
}

pub(super) fn repo_serving(record: &InterviewRecord) -> MockInterviewRepository {
    let mut repo = MockInterviewRepository::new();
    let stored = record.clone();
    repo.expect_load()
        .returning(move |_| Ok(Some(stored.clone())));
    repo.expect_messages().returning(|_, _, _| {
        Ok(MessagePage {
            total_count: 0,
            messages: vec![],
        })
    });
    repo.expect_stored_answer().returning(|_, _| Ok(None));
    repo
}

#[tokio::test]
async fn start_creates_an_in_progress_interview_with_a_warmup_question() {
    let mut model = model_named("gpt-4o-mini");
    model
        .expect_first_question()
        .withf(|request| {
            request.level == DifficultyLevel::Warmup
                && request.question_number == 1
                && request.memory.window.is_empty()
        })
        .times(1)
        .returning(|_| {
            Ok(question(
                "Tell me about hooks?",
                "hooks",
                DifficultyLevel::Warmup,
            ))
        });
    let mut repo = MockInterviewRepository::new();
    repo.expect_create()
        .withf(|interview, session, opening, _| {
            interview.status == InterviewStatus::InProgress
                && interview.started_at.is_some()
                && interview.total_tokens_used == 550
                && interview.cost_usd > Decimal::ZERO
                && session.current_difficulty == DifficultyLevel::Warmup
                && session.questions_asked_count == 1
                && session.version == 1
                && session.memory.len() == 1
                && opening.sequence_number == 1
                && opening.message_type == MessageType::AiQuestion
                && opening.content_text == "Tell me about hooks?"
        })
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let started = service(repo, model)
        .start(StartInterview {
            candidate_id: CandidateId::new(),
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
    assert_eq!(started.first_question.content_text, "Tell me about hooks?");
    assert_eq!(started.session.current_difficulty, DifficultyLevel::Warmup);
}

#[tokio::test]
async fn a_strong_answer_promotes_and_asks_a_harder_question() {
    let record = record(DifficultyLevel::Fundamental, 4, &[0.9, 0.85, 0.8]);
    let mut model = model_named("gpt-4o-mini");
    model.expect_evaluate().times(1).returning(|_| {
        Ok(Generated {
            value: evaluation(AnswerQuality::Good, 0.95, 0.9),
            usage: usage("gpt-4o-mini", 800, 100),
        })
    });
    model
        .expect_next_question()
        .withf(|request| request.level == DifficultyLevel::Intermediate)
        .times(1)
        .returning(|_| {
            Ok(question(
                "Harder?",
                "state-management",
                DifficultyLevel::Intermediate,
            ))
        });
    let mut repo = repo_serving(&record);
    let expected_version = record.session.version;
    repo.expect_save_turn()
        .withf(move |turn| {
            turn.expected_version == expected_version
                && turn.session.version == expected_version + 1
                && turn.session.current_difficulty == DifficultyLevel::Intermediate
                && turn.session.questions_asked_count == 5
                && turn.messages.len() == 2
                && turn.messages[0].sequence_number == 8
                && turn.messages[0].message_type == MessageType::CandidateResponse
                && turn.messages[1].sequence_number == 9
                && turn.interview.total_tokens_used == 1_450
                && turn.interview_changed
        })
        .times(1)
        .returning(|_| Ok(()));
    let outcome = service(repo, model)
        .answer(answer_to(&record, "A strong answer"))
        .await
        .unwrap();
    assert_eq!(
        outcome.session_state.current_difficulty,
        DifficultyLevel::Intermediate
    );
    assert_eq!(outcome.ai_response, "Harder?");
    assert_eq!(outcome.question_number, 5);
    assert!(!outcome.interview_complete);
}

#[tokio::test]
async fn a_weak_answer_steps_down_and_records_a_boundary() {
    let record = record(DifficultyLevel::Advanced, 5, &[0.9, 0.4]);
    let mut model = model_named("gpt-4o-mini");
    model.expect_evaluate().returning(|_| {
        Ok(Generated {
            value: evaluation(AnswerQuality::Poor, 0.2, 0.3),
            usage: usage("gpt-4o-mini", 800, 100),
        })
    });
    model
        .expect_next_question()
        .withf(|request| {
            request.level == DifficultyLevel::Intermediate
                && request.intent == QuestionIntent::Explore
                && request.skill == SkillArea::new("components")
        })
        .returning(|_| {
            Ok(question(
                "Easier?",
                "components",
                DifficultyLevel::Intermediate,
            ))
        });
    let mut repo = repo_serving(&record);
    repo.expect_save_turn()
        .withf(|turn| {
            let boundary = turn.session.skill_boundaries.get(&SkillArea::new("hooks"));
            turn.session.current_difficulty == DifficultyLevel::Intermediate
                && boundary.is_some_and(|b| b.level == DifficultyLevel::Advanced)
        })
        .times(1)
        .returning(|_| Ok(()));
    let outcome = service(repo, model)
        .answer(answer_to(&record, "I am not sure"))
        .await
        .unwrap();
    assert_eq!(outcome.session_state.skill_boundaries.len(), 1);
    assert_eq!(
        outcome.session_state.skill_boundaries[0].level,
        DifficultyLevel::Advanced
    );
}

#[tokio::test]
async fn an_exhausted_budget_skips_the_paid_call_and_completes_with_the_reason() {
    let mut record = record(DifficultyLevel::Intermediate, 4, &[0.7, 0.7]);
    record.interview.cost_usd = Decimal::from_str("4.999").unwrap();
    let mut model = model_named("gpt-4");
    model.expect_evaluate().times(0);
    model.expect_next_question().times(0);
    let mut repo = repo_serving(&record);
    repo.expect_save_turn()
        .withf(|turn| {
            turn.interview.status == InterviewStatus::Completed
                && turn.interview.completion_reason == Some(CompletionReason::BudgetExhausted)
                && turn.interview.completed_at.is_some()
                && turn.session.pending_question.is_none()
                // the answer is kept, followed by the closing remark
                && turn.messages.len() == 2
                && turn.messages[0].content_text == "My answer"
                && turn.interview.cost_usd == Decimal::from_str("4.999").unwrap()
        })
        .times(1)
        .returning(|_| Ok(()));
    let outcome = service(repo, model)
        .answer(answer_to(&record, "My answer"))
        .await
        .unwrap();
    assert!(outcome.interview_complete);
    assert_eq!(
        outcome.completion_reason,
        Some(CompletionReason::BudgetExhausted)
    );
}

#[tokio::test]
async fn the_budget_is_checked_again_before_the_next_question() {
    let mut record = record(DifficultyLevel::Intermediate, 4, &[0.7, 0.7]);
    // enough for one gpt-4 call, not for two
    record.interview.cost_usd = Decimal::from_str("4.93").unwrap();
    let mut model = model_named("gpt-4");
    model.expect_evaluate().times(1).returning(|_| {
        Ok(Generated {
            value: evaluation(AnswerQuality::Good, 0.7, 0.7),
            usage: usage("gpt-4", 1_000, 200),
        })
    });
    model.expect_next_question().times(0);
    let mut repo = repo_serving(&record);
    repo.expect_save_turn()
        .withf(|turn| {
            turn.interview.completion_reason == Some(CompletionReason::BudgetExhausted)
                // the evaluation that was made is charged: 1,000 × $30/M + 200 × $60/M
                && turn.interview.cost_usd == Decimal::from_str("4.972").unwrap()
        })
        .times(1)
        .returning(|_| Ok(()));
    let outcome = service(repo, model)
        .answer(answer_to(&record, "My answer"))
        .await
        .unwrap();
    assert_eq!(
        outcome.completion_reason,
        Some(CompletionReason::BudgetExhausted)
    );
}

#[tokio::test]
async fn a_failing_evaluation_writes_nothing() {
    let record = record(DifficultyLevel::Intermediate, 4, &[0.7]);
    let mut model = model_named("gpt-4o-mini");
    model.expect_evaluate().returning(|_| {
        Err(ProviderError::Unavailable {
            message: "timeout".into(),
            retry_after: Some(Duration::seconds(5).to_std().unwrap()),
        })
    });
    let mut repo = repo_serving(&record);
    repo.expect_save_turn().times(0);
    let error = service(repo, model)
        .answer(answer_to(&record, "My answer"))
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        AnswerError::Interviewer(ProviderError::Unavailable {
            retry_after: Some(_),
            ..
        })
    ));
}

#[tokio::test]
async fn a_failing_next_question_writes_nothing() {
    let record = record(DifficultyLevel::Intermediate, 4, &[0.7]);
    let mut model = model_named("gpt-4o-mini");
    model.expect_evaluate().returning(|_| {
        Ok(Generated {
            value: evaluation(AnswerQuality::Good, 0.7, 0.7),
            usage: usage("gpt-4o-mini", 10, 10),
        })
    });
    model
        .expect_next_question()
        .returning(|_| Err(ProviderError::RateLimited { retry_after: None }));
    let mut repo = repo_serving(&record);
    repo.expect_save_turn().times(0);
    let error = service(repo, model)
        .answer(answer_to(&record, "My answer"))
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        AnswerError::Interviewer(ProviderError::RateLimited { .. })
    ));
}

#[tokio::test]
async fn a_replayed_answer_returns_the_stored_outcome_without_counting_again() {
    // the first attempt was stored: the session now waits on question 5 (sequence 9)
    let record = record(DifficultyLevel::Intermediate, 5, &[0.7]);
    let stored = AnswerOutcome {
        message_id: MessageId::new(),
        transcript: "My answer".into(),
        ai_message_id: MessageId::new(),
        ai_response: "Next?".into(),
        ai_sequence_number: 9,
        ai_audio: None,
        question_number: 5,
        total_questions: 12,
        interview_complete: false,
        completion_reason: None,
        session_state: SessionSnapshot::from(&record.session),
        replayed: true,
    };
    let mut model = model_named("gpt-4o-mini");
    model.expect_evaluate().times(0);
    model.expect_next_question().times(0);
    let mut repo = MockInterviewRepository::new();
    let loaded = record.clone();
    repo.expect_load()
        .returning(move |_| Ok(Some(loaded.clone())));
    let replay = stored.clone();
    repo.expect_stored_answer()
        .with(always(), always())
        .returning(move |_, _| Ok(Some(StoredOutcome::from_outcome(&replay))));
    repo.expect_save_turn().times(0);
    let service = service(repo, model);
    // the retry names the question it answered, sequence 7
    let mut command = answer_to(&record, "My answer");
    command.in_reply_to = Some(7);
    command.client_key = Some(ClientKey::parse("key-1").unwrap());
    assert_eq!(service.answer(command.clone()).await.unwrap(), stored);
    // the same key with a different answer is refused
    command.text = "Another answer".into();
    assert!(matches!(
        service.answer(command).await,
        Err(AnswerError::Conflict(_))
    ));
}

#[tokio::test]
async fn a_version_conflict_surfaces_as_a_conflict() {
    let record = record(DifficultyLevel::Intermediate, 4, &[0.7]);
    let mut model = model_named("gpt-4o-mini");
    model.expect_evaluate().returning(|_| {
        Ok(Generated {
            value: evaluation(AnswerQuality::Good, 0.7, 0.7),
            usage: usage("gpt-4o-mini", 10, 10),
        })
    });
    model
        .expect_next_question()
        .returning(|_| Ok(question("Next?", "hooks", DifficultyLevel::Intermediate)));
    let mut repo = repo_serving(&record);
    repo.expect_save_turn()
        .returning(|_| Err(RepositoryError::Conflict("session version moved".into())));
    let error = service(repo, model)
        .answer(answer_to(&record, "My answer"))
        .await
        .unwrap_err();
    assert!(matches!(error, AnswerError::Conflict(_)), "{error:?}");
}

#[tokio::test]
async fn answering_an_old_question_is_a_conflict() {
    let record = record(DifficultyLevel::Intermediate, 4, &[0.7]);
    let mut model = model_named("gpt-4o-mini");
    model.expect_evaluate().times(0);
    let mut repo = repo_serving(&record);
    repo.expect_save_turn().times(0);
    let mut command = answer_to(&record, "late answer");
    command.in_reply_to = Some(3);
    let error = service(repo, model).answer(command).await.unwrap_err();
    assert!(
        matches!(error, AnswerError::Conflict(message) if message.contains("open question is 7"))
    );
}

#[tokio::test]
async fn someone_elses_interview_is_not_found() {
    let record = record(DifficultyLevel::Intermediate, 4, &[0.7]);
    let model = model_named("gpt-4o-mini");
    let repo = repo_serving(&record);
    let mut command = answer_to(&record, "My answer");
    command.actor = Actor::Candidate(CandidateId::new());
    assert!(matches!(
        service(repo, model).answer(command).await,
        Err(AnswerError::NotFound)
    ));
}

#[tokio::test]
async fn empty_and_oversized_answers_are_validation_errors() {
    let record = record(DifficultyLevel::Intermediate, 4, &[0.7]);
    let service = service(MockInterviewRepository::new(), model_named("gpt-4o-mini"));
    for text in ["   ".to_owned(), "x".repeat(10_001)] {
        let error = service.answer(answer_to(&record, &text)).await.unwrap_err();
        assert!(matches!(
            error,
            AnswerError::Validation {
                field: "message_text",
                ..
            }
        ));
    }
}

#[tokio::test]
async fn answering_a_finished_interview_reports_its_status() {
    let mut record = record(DifficultyLevel::Intermediate, 4, &[0.7]);
    record.interview.status = InterviewStatus::Completed;
    let repo = repo_serving(&record);
    let error = service(repo, model_named("gpt-4o-mini"))
        .answer(answer_to(&record, "My answer"))
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        AnswerError::InvalidState {
            status: InterviewStatus::Completed
        }
    ));
}

#[path = "service_memory_tests.rs"]
mod in_memory;

#[path = "service_voice_tests.rs"]
mod voice;

#[path = "realtime_tests.rs"]
mod realtime;
