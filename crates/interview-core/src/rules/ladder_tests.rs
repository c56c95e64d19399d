use super::*;
use crate::testing::arbitrary_evaluation;
use crate::testing::evaluation;
use proptest::prelude::*;

fn strong() -> Evaluation {
    evaluation(AnswerQuality::Good, 0.9, 0.9)
}

fn excellent() -> Evaluation {
    evaluation(AnswerQuality::Excellent, 0.95, 0.9)
}

fn weak() -> Evaluation {
    evaluation(AnswerQuality::Poor, 0.2, 0.3)
}

fn middling() -> Evaluation {
    evaluation(AnswerQuality::Fair, 0.6, 0.6)
}

fn run(state: &mut ProgressionState, level: DifficultyLevel, answers: &[Evaluation]) -> Vec<Step> {
    let settings = LadderSettings::default();
    let skill = SkillArea::new("hooks");
    let mut level = level;
    let mut steps = Vec::new();
    for (index, answer) in answers.iter().enumerate() {
        let step = state.apply(
            &settings,
            level,
            &skill,
            answer,
            u32::try_from(index).unwrap() + 1,
            Utc::now(),
        );
        level = step.to;
        steps.push(step);
    }
    steps
}

#[test]
fn composite_weights_accuracy_clarity_and_quality() {
    let settings = LadderSettings::default();
    let value = settings.composite(&evaluation(AnswerQuality::Good, 0.5, 1.0));
    assert!((value - (0.3 + 0.3 + 0.075)).abs() < 1e-12);
}

#[test]
fn warmup_moves_to_fundamental_after_two_questions_whatever_the_answers() {
    let mut state = ProgressionState::default();
    let steps = run(&mut state, DifficultyLevel::Warmup, &[weak(), weak()]);
    assert_eq!(steps[0].to, DifficultyLevel::Warmup);
    assert_eq!(steps[1].movement, Movement::ExitWarmup);
    assert_eq!(steps[1].to, DifficultyLevel::Fundamental);
}

#[test]
fn strong_answers_promote_one_level() {
    let mut state = ProgressionState::default();
    let steps = run(
        &mut state,
        DifficultyLevel::Fundamental,
        &[strong(), strong(), strong()],
    );
    assert_eq!(steps[0].to, DifficultyLevel::Intermediate);
    assert_eq!(steps[1].to, DifficultyLevel::Advanced);
    assert_eq!(steps[2].to, DifficultyLevel::Expert);
}

#[test]
fn a_strong_answer_after_a_middling_one_does_not_promote() {
    let mut state = ProgressionState::default();
    let steps = run(
        &mut state,
        DifficultyLevel::Intermediate,
        &[middling(), strong()],
    );
    assert_eq!(steps[1].movement, Movement::Stay);
    assert_eq!(steps[1].to, DifficultyLevel::Intermediate);
}

#[test]
fn three_excellent_answers_in_a_row_jump_two_levels() {
    let mut state = ProgressionState::default();
    let steps = run(
        &mut state,
        DifficultyLevel::Warmup,
        &[excellent(), excellent(), excellent()],
    );
    assert_eq!(steps[1].to, DifficultyLevel::Fundamental);
    assert_eq!(steps[2].movement, Movement::Promote { levels: 2 });
    assert_eq!(steps[2].to, DifficultyLevel::Advanced);
    assert_eq!(state.consecutive_excellent, 0);
}

#[test]
fn the_jump_is_capped_at_expert() {
    let mut state = ProgressionState::default();
    run(&mut state, DifficultyLevel::Fundamental, &[middling()]);
    let steps = run(
        &mut state,
        DifficultyLevel::Advanced,
        &[excellent(), excellent(), excellent()],
    );
    assert_eq!(steps.last().unwrap().to, DifficultyLevel::Expert);
}

#[test]
fn two_weak_answers_step_down_and_record_a_boundary() {
    let mut state = ProgressionState::default();
    let steps = run(&mut state, DifficultyLevel::Advanced, &[weak(), weak()]);
    // the first weak answer has no weak predecessor: stay (but two poor answers follow)
    assert_eq!(steps[0].movement, Movement::Stay);
    assert_eq!(steps[1].movement, Movement::StepDown);
    assert_eq!(steps[1].to, DifficultyLevel::Intermediate);
    assert_eq!(steps[1].boundaries.len(), 1);
    let boundary = &steps[1].boundaries[0];
    assert_eq!(boundary.level, DifficultyLevel::Advanced);
    assert_eq!(boundary.reason, BoundaryReason::StepDown);
    assert_eq!(boundary.boundary_type, BoundaryType::UpperLimit);
    assert!(!steps[1].probe_same_skill);
}

#[test]
fn two_poor_answers_at_one_level_record_a_boundary_even_without_stepping_down() {
    // poor label, but accuracy keeps the composite above the step-down threshold
    let poor_but_accurate = evaluation(AnswerQuality::Poor, 0.7, 0.6);
    let mut state = ProgressionState::default();
    let steps = run(
        &mut state,
        DifficultyLevel::Intermediate,
        &[poor_but_accurate.clone(), poor_but_accurate],
    );
    assert_eq!(steps[1].movement, Movement::Stay);
    assert_eq!(steps[1].boundaries.len(), 1);
    assert_eq!(steps[1].boundaries[0].reason, BoundaryReason::RepeatedPoor);
}

#[test]
fn step_down_never_goes_below_fundamental_but_still_records_the_boundary() {
    let mut state = ProgressionState::default();
    let steps = run(&mut state, DifficultyLevel::Fundamental, &[weak(), weak()]);
    assert_eq!(steps[1].to, DifficultyLevel::Fundamental);
    assert_eq!(steps[1].boundaries.len(), 1);
    assert_eq!(steps[1].boundaries[0].level, DifficultyLevel::Fundamental);
}

#[test]
fn staying_probes_the_same_skill_until_the_probe_limit() {
    let mut state = ProgressionState::default();
    let steps = run(
        &mut state,
        DifficultyLevel::Intermediate,
        &[middling(), middling(), middling()],
    );
    assert!(steps[0].probe_same_skill);
    assert!(!steps[1].probe_same_skill);
}

#[test]
fn levels_parse_from_their_names() {
    for level in DifficultyLevel::ALL {
        assert_eq!(level.as_str().parse::<DifficultyLevel>().unwrap(), level);
    }
    assert!("guru".parse::<DifficultyLevel>().is_err());
}

#[test]
fn scores_outside_zero_to_one_are_rejected() {
    assert!(Score::new(1.01).is_err());
    assert!(Score::new(-0.1).is_err());
    assert!(Score::new(f64::NAN).is_err());
    assert!((Score::clamped(3.0).value() - 1.0).abs() < f64::EPSILON);
    assert!(serde_json::from_str::<Score>("1.5").is_err());
}

#[test]
fn skill_areas_are_normalised() {
    assert_eq!(
        SkillArea::new(" State_Management ").as_str(),
        "state-management"
    );
}

fn arbitrary_level() -> impl Strategy<Value = DifficultyLevel> {
    (0usize..5).prop_map(|rank| DifficultyLevel::ALL[rank])
}

proptest! {
    #[test]
    fn every_step_stays_within_the_ladder_and_obeys_the_rules(
        start in arbitrary_level(),
        answers in prop::collection::vec(arbitrary_evaluation(), 1..40),
    ) {
        let settings = LadderSettings::default();
        let mut state = ProgressionState::default();
        let mut level = start;
        for (index, answer) in answers.iter().enumerate() {
            let step = state.apply(&settings, level, &SkillArea::new("s"), answer, u32::try_from(index).unwrap() + 1, Utc::now());
            prop_assert!(DifficultyLevel::ALL.contains(&step.to));
            prop_assert!(step.to.rank().abs_diff(level.rank()) <= settings.streak_jump);
            if level == DifficultyLevel::Warmup {
                prop_assert!(step.to >= DifficultyLevel::Warmup);
                prop_assert!(step.movement != Movement::StepDown);
            }
            if step.to > level && level != DifficultyLevel::Warmup {
                prop_assert!(step.composite > settings.promote_above);
            }
            if step.to < level {
                prop_assert!(!step.boundaries.is_empty(), "a step-down must record a boundary");
                prop_assert_eq!(step.boundaries[0].level, level);
            }
            level = step.to;
        }
        prop_assert_eq!(state.response_quality_history.len(), answers.len());
    }

    #[test]
    fn warmup_never_steps_down(answers in prop::collection::vec(arbitrary_evaluation(), 1..3)) {
        let settings = LadderSettings::default();
        let mut state = ProgressionState::default();
        let mut level = DifficultyLevel::Warmup;
        for (index, answer) in answers.iter().enumerate() {
            let step = state.apply(&settings, level, &SkillArea::new("s"), answer, u32::try_from(index).unwrap() + 1, Utc::now());
            prop_assert!(step.to >= level);
            level = step.to;
        }
    }

    #[test]
    fn a_composite_at_or_below_the_threshold_never_promotes(
        start in arbitrary_level(),
        history in prop::collection::vec(arbitrary_evaluation(), 0..6),
        answer in arbitrary_evaluation(),
    ) {
        let settings = LadderSettings::default();
        prop_assume!(start != DifficultyLevel::Warmup);
        prop_assume!(settings.composite(&answer) <= settings.promote_above);
        let mut state = ProgressionState::default();
        for (index, earlier) in history.iter().enumerate() {
            state.apply(&settings, start, &SkillArea::new("s"), earlier, u32::try_from(index).unwrap() + 1, Utc::now());
        }
        let step = state.apply(&settings, start, &SkillArea::new("s"), &answer, 99, Utc::now());
        prop_assert!(step.to <= start);
    }
}
