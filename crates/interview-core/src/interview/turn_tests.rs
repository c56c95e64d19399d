use std::collections::BTreeMap;
use std::str::FromStr;

use crate::testing::arbitrary_evaluation;
use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::ids::SessionId;
use crate::interview::commands::AnswerSource;
use crate::interview::settings::InterviewSettings;
use crate::model::{InterviewMode, RoleType};
use crate::ports::{Generated, Question};
use crate::rules::budget::Budget;
use crate::rules::cost::{ChatUsage, RealtimeUsage, estimated_tokens};
use crate::rules::ladder::{
    AnswerQuality, DifficultyLevel, Evaluation, ProgressionState, STEP_DOWN_FLOOR, SkillArea,
};
use crate::rules::memory::ConversationMemory;
use crate::testing::{evaluation, sample_interview};

const MODEL: &str = "gpt-4o";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
}

/// A python interview whose first (warmup) question is open.
fn opened(settings: &InterviewSettings) -> InterviewRecord {
    let mut interview = sample_interview();
    interview.mode = InterviewMode::Text;
    interview.role_type = RoleType::Python;
    interview.started_at = Some(t0());
    interview.created_at = t0();
    let skill = settings.completion.key_skills(RoleType::Python)[0].clone();
    let mut memory = ConversationMemory::default();
    memory.push(
        settings.memory,
        Speaker::Interviewer,
        "Tell me about Python?",
    );
    InterviewRecord {
        session: InterviewSession {
            id: SessionId::new(),
            interview_id: interview.id,
            current_difficulty: DifficultyLevel::Warmup,
            questions_asked_count: 1,
            skill_boundaries: BTreeMap::new(),
            progression: ProgressionState {
                asked_questions: vec!["Tell me about Python?".into()],
                ..ProgressionState::default()
            },
            memory,
            pending_question: Some(PendingQuestion {
                sequence_number: 1,
                skill,
                level: DifficultyLevel::Warmup,
                asked_at: t0(),
            }),
            last_activity_at: t0(),
            created_at: t0(),
            updated_at: t0(),
            version: 1,
        },
        interview,
    }
}

/// What a provider may charge at most for a call the guard allowed: the whole estimate.
fn worst_case_usage(settings: &InterviewSettings, prompt_characters: usize) -> ChatUsage {
    ChatUsage {
        model: MODEL.into(),
        input_tokens: estimated_tokens(prompt_characters) + 400,
        output_tokens: settings.max_output_tokens,
    }
}

/// Runs one turn through the pure steps, answering the model's part with `judged` and the
/// worst-case usage. Returns the next record, or the completion reason.
fn turn(
    record: InterviewRecord,
    judged: &Evaluation,
    settings: &InterviewSettings,
    now: DateTime<Utc>,
) -> Result<(InterviewRecord, TurnPlan, usize), TestCaseError> {
    let pending = record.session.pending_question.clone().unwrap();
    let prepared = prepare_turn(
        record,
        pending,
        "An answer about lists and dicts",
        AnswerSource::Typed,
        settings,
        MODEL,
        now,
    );
    let prompt_characters = prepared.prompt_characters;
    let usage = worst_case_usage(settings, prompt_characters);
    let evaluation = match &prepared.evaluation {
        EvaluationPlan::Request(_) => Some(Judged::ByModel(Generated {
            value: judged.clone(),
            usage: usage.clone(),
        })),
        EvaluationPlan::Unaffordable => None,
        EvaluationPlan::Given(_) => return Err(TestCaseError::fail("nothing came judged")),
    };
    let plan = plan_turn(prepared, evaluation, settings, MODEL, now);
    prop_assert!(plan.interview.costs().total() <= settings.budget.limit_usd);
    let record = InterviewRecord {
        interview: plan.interview.clone(),
        session: plan.session.clone(),
    };
    Ok((record, plan, prompt_characters))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_planned_interview_keeps_every_rule(
        answers in prop::collection::vec(arbitrary_evaluation(), 1..20),
        budget_cents in 0i64..6,
    ) {
        let settings = InterviewSettings {
            budget: Budget { limit_usd: Decimal::new(budget_cents, 2) },
            ..InterviewSettings::default()
        };
        let max = settings.completion.max_questions;
        let mut record = opened(&settings);
        let mut now = t0();
        let mut closed = None;
        let mut answered = 0u32;
        for judged in &answers {
            now += Duration::seconds(30);
            let before = record.session.current_difficulty;
            let (next, plan, prompt_characters) = turn(record, judged, &settings, now)?;
            answered += 1;
            // the level stays on the ladder, moves by at most the streak jump, and once out of
            // the warmup never returns to it
            let after = plan.session.current_difficulty;
            prop_assert!(after.rank().abs_diff(before.rank()) <= settings.ladder.streak_jump);
            if before != DifficultyLevel::Warmup {
                prop_assert!(after >= STEP_DOWN_FLOOR);
            }
            // a boundary is recorded exactly once per skill, and every detection is in the map
            let detected: std::collections::BTreeSet<&SkillArea> = plan
                .session
                .progression
                .boundary_detections
                .iter()
                .map(|boundary| &boundary.skill)
                .collect();
            prop_assert_eq!(detected.len(), plan.session.skill_boundaries.len());
            match &plan.next {
                NextStep::Ask(request) => {
                    prop_assert!(answered < max);
                    // the core picked the skill: a key skill, or the one just answered (a probe)
                    let pending = &next.session.pending_question.as_ref().unwrap().skill;
                    prop_assert!(
                        settings.completion.key_skills(RoleType::Python).contains(&request.skill)
                            || &request.skill == pending
                    );
                    let question = Generated {
                        value: Question {
                            text: format!("Question {}?", request.question_number),
                            skill: request.skill.clone(),
                            level: request.level,
                        },
                        usage: worst_case_usage(&settings, prompt_characters),
                    };
                    // the question is affordable even if it costs the whole estimate
                    let draft = plan.ask(question, &settings, now);
                    prop_assert!(draft.interview.costs().total() <= settings.budget.limit_usd);
                    record = InterviewRecord { interview: draft.interview, session: draft.session };
                }
                NextStep::Close(reason) => {
                    let reason = *reason;
                    let draft = plan.close(reason, now).unwrap();
                    prop_assert_eq!(draft.interview.completion_reason, Some(reason));
                    prop_assert!(draft.session.pending_question.is_none());
                    closed = Some(reason);
                    break;
                }
            }
        }
        // completion is reached within the configured maximum of questions
        prop_assert!(answered <= max);
        if answers.len() >= max as usize {
            prop_assert!(closed.is_some());
        }
    }
}

#[test]
fn the_next_question_explores_the_configured_key_skills() {
    let mut settings = InterviewSettings::default();
    let configured = vec![SkillArea::new("asyncio"), SkillArea::new("typing")];
    settings
        .completion
        .key_skills
        .insert(RoleType::Python, configured.clone());
    let mut record = opened(&settings);
    // the second question in a row about the first configured skill, past the warmup
    let pending = record.session.pending_question.as_mut().unwrap();
    pending.skill = configured[0].clone();
    pending.level = DifficultyLevel::Fundamental;
    record.session.current_difficulty = DifficultyLevel::Fundamental;
    record.session.questions_asked_count = 2;
    record.session.progression.response_quality_history.push(
        crate::rules::ladder::ResponseRecord {
            question_number: 1,
            level: DifficultyLevel::Warmup,
            skill: configured[0].clone(),
            quality: AnswerQuality::Good,
            composite: 0.7,
        },
    );
    let (_, plan, _) = turn(
        record,
        &evaluation(AnswerQuality::Good, 0.7, 0.7),
        &settings,
        t0() + Duration::seconds(30),
    )
    .unwrap();
    let NextStep::Ask(request) = plan.next else {
        panic!("the interview should go on");
    };
    // the probe limit is reached: the next configured key skill is opened, not a default one
    assert_eq!(request.skill, configured[1]);
    assert_eq!(request.intent, QuestionIntent::Explore);
}

#[test]
fn a_realtime_answer_is_charged_to_realtime_and_judged_without_another_call() {
    let settings = InterviewSettings::default();
    let record = opened(&settings);
    let pending = record.session.pending_question.clone().unwrap();
    let usage = RealtimeUsage {
        audio_input_seconds: 300,
        audio_output_seconds: 180,
        text_input_tokens: 2_000,
        ..RealtimeUsage::default()
    };
    let judged = evaluation(AnswerQuality::Excellent, 0.9, 0.9);
    let prepared = prepare_turn(
        record,
        pending,
        "Spoken answer",
        AnswerSource::Realtime {
            evaluation: Some(judged.clone()),
            usage,
            item_id: Some("item_7".into()),
            audio_seconds: Some(4.5),
            recording: None,
        },
        &settings,
        MODEL,
        t0(),
    );
    assert_eq!(prepared.evaluation, EvaluationPlan::Given(judged.clone()));
    assert_eq!(
        prepared.interview.realtime_cost_usd,
        Decimal::from_str("1.03").unwrap()
    );
    let plan = plan_turn(
        prepared,
        Some(Judged::WithAnswer(judged)),
        &settings,
        MODEL,
        t0(),
    );
    assert_eq!(plan.interview.cost_usd, Decimal::ZERO);
    let note = plan.answer.metadata.as_answer().unwrap();
    assert_eq!(note.realtime.as_ref().unwrap().usage, usage);
    assert_eq!(
        note.realtime.as_ref().unwrap().item_id.as_deref(),
        Some("item_7")
    );
    assert_eq!(plan.answer.audio_duration_seconds, Some(4.5));
    assert!(note.judgement.is_some());
}

#[test]
fn an_unaffordable_evaluation_closes_the_interview_and_keeps_the_answer() {
    let settings = InterviewSettings {
        budget: Budget {
            limit_usd: Decimal::ZERO,
        },
        ..InterviewSettings::default()
    };
    let record = opened(&settings);
    let pending = record.session.pending_question.clone().unwrap();
    let prepared = prepare_turn(
        record,
        pending,
        "An answer",
        AnswerSource::Typed,
        &settings,
        MODEL,
        t0(),
    );
    assert_eq!(prepared.evaluation, EvaluationPlan::Unaffordable);
    let plan = plan_turn(prepared, None, &settings, MODEL, t0());
    assert_eq!(
        plan.next,
        NextStep::Close(CompletionReason::BudgetExhausted)
    );
    let draft = plan.close(CompletionReason::BudgetExhausted, t0()).unwrap();
    assert_eq!(draft.answer.content_text, "An answer");
    assert_eq!(draft.reply.message_type, MessageType::AiClosing);
}
