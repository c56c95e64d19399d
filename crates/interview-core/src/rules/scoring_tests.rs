use chrono::{TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::rules::evaluation::AnswerQuality;
use crate::rules::ladder::{BoundaryReason, BoundaryType};

fn answer(number: u32, skill: &str, level: DifficultyLevel, composite: f64) -> ResponseRecord {
    ResponseRecord {
        question_number: number,
        level,
        skill: SkillArea::new(skill),
        quality: AnswerQuality::Fair,
        composite,
    }
}

fn boundary(skill: &str, level: DifficultyLevel) -> SkillBoundary {
    SkillBoundary {
        skill: SkillArea::new(skill),
        level,
        boundary_type: BoundaryType::UpperLimit,
        reason: BoundaryReason::StepDown,
        detected_at: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
    }
}

fn arbitrary_answers() -> impl Strategy<Value = Vec<ResponseRecord>> {
    let skills = prop::sample::select(vec!["hooks", "state", "testing"]);
    let levels = prop::sample::select(DifficultyLevel::ALL.to_vec());
    prop::collection::vec((skills, levels, 0.0..=1.0f64), 0..20).prop_map(|answers| {
        answers
            .into_iter()
            .zip(1u32..)
            .map(|((skill, level, composite), number)| answer(number, skill, level, composite))
            .collect()
    })
}

#[test]
fn a_solid_expert_answer_scores_high_and_maps_as_comfortable() {
    let answers = [
        answer(1, "hooks", DifficultyLevel::Intermediate, 0.7),
        answer(2, "hooks", DifficultyLevel::Expert, 0.9),
    ];
    let scores = score(&answers, &BTreeMap::new(), &[]);
    // 0.6 * 100 (expert) + 0.4 * 100 * 0.8 (mean quality)
    assert_eq!(scores.skills[0].score, 92);
    assert_eq!(
        scores.skills[0].level_reached,
        Some(DifficultyLevel::Expert)
    );
    assert_eq!(scores.overall, 92);
    assert_eq!(scores.boundary_map[0].state, BoundaryState::Comfortable);
    assert_eq!(scores.boundary_map[0].level, Some(DifficultyLevel::Expert));
}

#[test]
fn a_boundary_is_mapped_at_its_level_and_unexplored_key_skills_as_not_reached() {
    let answers = [
        answer(1, "hooks", DifficultyLevel::Fundamental, 0.65),
        answer(2, "hooks", DifficultyLevel::Intermediate, 0.2),
        answer(3, "state", DifficultyLevel::Warmup, 0.1),
    ];
    let boundaries = BTreeMap::from([(
        SkillArea::new("hooks"),
        boundary("hooks", DifficultyLevel::Intermediate),
    )]);
    let scores = score(&answers, &boundaries, &[SkillArea::new("testing")]);
    let states: Vec<(&str, BoundaryState, Option<DifficultyLevel>)> = scores
        .boundary_map
        .iter()
        .map(|entry| (entry.skill.as_str(), entry.state, entry.level))
        .collect();
    assert_eq!(
        states,
        [
            (
                "hooks",
                BoundaryState::Boundary,
                Some(DifficultyLevel::Intermediate)
            ),
            ("state", BoundaryState::NotReached, None),
            ("testing", BoundaryState::NotReached, None),
        ]
    );
    // hooks: 0.6 * 40 + 0.4 * 42.5 - 10 = 31; state: 0.4 * 10 = 4; weighted 2:1
    assert_eq!(scores.skills[0].score, 31);
    assert_eq!(scores.skills[1].score, 4);
    assert_eq!(scores.overall, 22);
}

#[test]
fn no_answers_score_zero() {
    let scores = score(&[], &BTreeMap::new(), &[SkillArea::new("hooks")]);
    assert_eq!(scores.overall, 0);
    assert!(scores.skills.is_empty());
    assert_eq!(scores.boundary_map.len(), 1);
}

proptest! {
    #[test]
    fn scores_are_bounded_and_skills_are_each_listed_once(answers in arbitrary_answers()) {
        let scores = score(&answers, &BTreeMap::new(), &[]);
        prop_assert!(scores.overall <= 100);
        let mut seen = std::collections::BTreeSet::new();
        for skill in &scores.skills {
            prop_assert!(skill.score <= 100);
            prop_assert!(seen.insert(skill.skill.clone()));
        }
        let questions: u32 = scores.skills.iter().map(|skill| skill.questions).sum();
        prop_assert_eq!(questions as usize, answers.len());
    }

    #[test]
    fn a_better_answer_never_lowers_a_score(
        answers in arbitrary_answers(),
        pick in any::<prop::sample::Index>(),
        gain in 0.0..=1.0f64,
    ) {
        prop_assume!(!answers.is_empty());
        let before = score(&answers, &BTreeMap::new(), &[]);
        let mut improved = answers.clone();
        let which = pick.index(improved.len());
        improved[which].composite = (improved[which].composite + gain).min(1.0);
        let after = score(&improved, &BTreeMap::new(), &[]);
        prop_assert!(after.overall >= before.overall);
        for (old, new) in before.skills.iter().zip(&after.skills) {
            prop_assert!(new.score >= old.score, "{} fell from {} to {}", new.skill, old.score, new.score);
        }
    }

    #[test]
    fn a_skill_with_a_boundary_never_scores_above_the_same_skill_without(
        answers in arbitrary_answers(),
        level in prop::sample::select(DifficultyLevel::ALL.to_vec()),
    ) {
        let without = score(&answers, &BTreeMap::new(), &[]);
        let boundaries = BTreeMap::from([(SkillArea::new("hooks"), boundary("hooks", level))]);
        let with = score(&answers, &boundaries, &[]);
        for (free, bounded) in without.skills.iter().zip(&with.skills) {
            prop_assert!(bounded.score <= free.score);
        }
        prop_assert!(with.overall <= without.overall);
    }
}
