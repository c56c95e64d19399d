//! The difficulty ladder and the progressive assessment rules.
//!
//! Every answer produces a composite score; the score and the recent history decide whether the
//! next question is harder, easier or probes the same skill deeper, and whether a *skill boundary*
//! (the level past which the candidate cannot go in a skill) has been found.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The five rungs of the ladder, easiest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DifficultyLevel {
    Warmup,
    Fundamental,
    Intermediate,
    Advanced,
    Expert,
}

impl DifficultyLevel {
    pub const ALL: [Self; 5] = [
        Self::Warmup,
        Self::Fundamental,
        Self::Intermediate,
        Self::Advanced,
        Self::Expert,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Warmup => "warmup",
            Self::Fundamental => "fundamental",
            Self::Intermediate => "intermediate",
            Self::Advanced => "advanced",
            Self::Expert => "expert",
        }
    }

    pub const fn rank(self) -> usize {
        self as usize
    }

    /// The level `steps` rungs up, capped at expert.
    pub fn raised(self, steps: usize) -> Self {
        Self::ALL[(self.rank() + steps).min(Self::ALL.len() - 1)]
    }

    /// The level one rung down, never below `floor`.
    pub fn lowered(self, floor: Self) -> Self {
        Self::ALL[self.rank().saturating_sub(1).max(floor.rank())]
    }
}

impl fmt::Display for DifficultyLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown difficulty level '{0}'")]
pub struct UnknownLevel(pub String);

impl FromStr for DifficultyLevel {
    type Err = UnknownLevel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|level| level.as_str() == s)
            .ok_or_else(|| UnknownLevel(s.to_owned()))
    }
}

/// The interviewer's overall judgement of one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerQuality {
    Excellent,
    Good,
    Fair,
    Poor,
}

impl AnswerQuality {
    /// Weight of the quality label in the composite score.
    pub const fn weight(self) -> f64 {
        match self {
            Self::Excellent => 1.0,
            Self::Good => 0.75,
            Self::Fair => 0.5,
            Self::Poor => 0.25,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Excellent => "excellent",
            Self::Good => "good",
            Self::Fair => "fair",
            Self::Poor => "poor",
        }
    }
}

impl FromStr for AnswerQuality {
    type Err = UnknownQuality;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "excellent" => Ok(Self::Excellent),
            "good" => Ok(Self::Good),
            "fair" => Ok(Self::Fair),
            "poor" => Ok(Self::Poor),
            other => Err(UnknownQuality(other.to_owned())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown answer quality '{0}'")]
pub struct UnknownQuality(pub String);

/// A score in `0.0..=1.0`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Score(f64);

#[derive(Debug, Clone, Copy, PartialEq, Error)]
#[error("score must be a number between 0 and 1, got {0}")]
pub struct ScoreOutOfRange(pub f64);

impl Score {
    pub fn new(value: f64) -> Result<Self, ScoreOutOfRange> {
        if value.is_finite() && (0.0..=1.0).contains(&value) {
            Ok(Self(value))
        } else {
            Err(ScoreOutOfRange(value))
        }
    }

    /// Forces any number into range (NaN becomes 0); for heuristics, never for untrusted input
    /// that should be rejected.
    pub fn clamped(value: f64) -> Self {
        if value.is_nan() {
            Self(0.0)
        } else {
            Self(value.clamp(0.0, 1.0))
        }
    }

    pub const fn value(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for Score {
    type Error = ScoreOutOfRange;

    fn try_from(value: f64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Score> for f64 {
    fn from(score: Score) -> Self {
        score.0
    }
}

/// A named skill area of a role, such as `hooks` or `concurrency`. Lower-case, words joined by `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct SkillArea(String);

impl SkillArea {
    pub fn new(name: &str) -> Self {
        let normalised = name
            .trim()
            .to_lowercase()
            .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        Self(normalised)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for SkillArea {
    fn from(value: String) -> Self {
        Self::new(&value)
    }
}

impl From<SkillArea> for String {
    fn from(value: SkillArea) -> Self {
        value.0
    }
}

impl fmt::Display for SkillArea {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the interviewer model concluded about one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub quality: AnswerQuality,
    pub technical_accuracy: Score,
    pub explanation_clarity: Score,
    /// Skills the answer demonstrated.
    #[serde(default)]
    pub identified_skills: Vec<SkillArea>,
    /// Skills in which the model noticed the candidate reach their limit.
    #[serde(default)]
    pub boundaries_noticed: Vec<SkillArea>,
    /// Short reasoning, kept in the message metadata.
    #[serde(default)]
    pub rationale: Option<String>,
    /// True when the provider's reply was unusable and a conservative evaluation stood in for it.
    #[serde(default)]
    pub fallback: bool,
}

/// Every threshold of the ladder in one place. The defaults are the product rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LadderSettings {
    pub accuracy_weight: f64,
    pub clarity_weight: f64,
    pub quality_weight: f64,
    /// Warmup questions before the interview always moves to fundamental.
    pub warmup_questions: u32,
    /// A composite strictly above this can promote.
    pub promote_above: f64,
    /// ... provided each of the previous `window` composites is strictly above this.
    pub promote_window_above: f64,
    /// Consecutive excellent answers that promote by `streak_jump` levels at once.
    pub excellent_streak: u32,
    pub streak_jump: usize,
    /// A composite strictly below this can step down ...
    pub step_down_below: f64,
    /// ... provided one of the previous `window` composites is strictly below this.
    pub step_down_window_below: f64,
    /// How many earlier composites the promotion and step-down rules look at.
    pub window: usize,
    /// Consecutive poor answers at one level that record a boundary at that level.
    pub poor_streak_boundary: u32,
    /// After this many consecutive questions in one skill the next question explores another.
    pub max_probes_per_skill: usize,
}

impl Default for LadderSettings {
    fn default() -> Self {
        Self {
            accuracy_weight: 0.6,
            clarity_weight: 0.3,
            quality_weight: 0.1,
            warmup_questions: 2,
            promote_above: 0.8,
            promote_window_above: 0.75,
            excellent_streak: 3,
            streak_jump: 2,
            step_down_below: 0.5,
            step_down_window_below: 0.55,
            window: 3,
            poor_streak_boundary: 2,
            max_probes_per_skill: 2,
        }
    }
}

impl LadderSettings {
    /// `0.6·accuracy + 0.3·clarity + 0.1·quality` with the default weights.
    pub fn composite(&self, evaluation: &Evaluation) -> f64 {
        self.accuracy_weight * evaluation.technical_accuracy.value()
            + self.clarity_weight * evaluation.explanation_clarity.value()
            + self.quality_weight * evaluation.quality.weight()
    }
}

/// Why a skill boundary was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundaryReason {
    /// A weak answer after another weak one stepped the level down (or would have, at the floor).
    StepDown,
    /// Consecutive poor answers at the same level.
    RepeatedPoor,
}

/// The level a candidate could not get past in one skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillBoundary {
    pub skill: SkillArea,
    pub level: DifficultyLevel,
    /// Always `upper_limit`: the level is the highest the candidate handled poorly.
    pub boundary_type: BoundaryType,
    pub reason: BoundaryReason,
    pub detected_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundaryType {
    UpperLimit,
}

impl BoundaryType {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::UpperLimit => "upper_limit",
        }
    }
}

impl BoundaryReason {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::StepDown => "step_down",
            Self::RepeatedPoor => "repeated_poor",
        }
    }
}

/// How the level moved after an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    /// Same level; the next question probes deeper.
    Stay,
    /// The warmup is over.
    ExitWarmup,
    Promote {
        levels: usize,
    },
    StepDown,
}

/// One answered question as the progression remembers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseRecord {
    pub question_number: u32,
    pub level: DifficultyLevel,
    pub skill: SkillArea,
    pub quality: AnswerQuality,
    pub composite: f64,
}

/// A level change, for the phase history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseChange {
    pub from: DifficultyLevel,
    pub to: DifficultyLevel,
    pub after_question: u32,
    pub movement: Movement,
}

/// Everything the rules need to remember between answers; stored with the session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProgressionState {
    pub phase_history: Vec<PhaseChange>,
    pub response_quality_history: Vec<ResponseRecord>,
    pub skills_explored: Vec<SkillArea>,
    pub boundary_detections: Vec<SkillBoundary>,
    /// Every question asked so far, so none is asked twice.
    pub asked_questions: Vec<String>,
    pub questions_at_level: u32,
    pub consecutive_excellent: u32,
    pub consecutive_poor_at_level: u32,
}

/// What the rules decided for one answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub composite: f64,
    pub from: DifficultyLevel,
    pub to: DifficultyLevel,
    pub movement: Movement,
    /// Boundaries this answer revealed (at most one per rule).
    pub boundaries: Vec<SkillBoundary>,
    /// Whether the next question should stay in the same skill area.
    pub probe_same_skill: bool,
}

/// The lowest level a step-down can reach: the warmup is only ever the opening.
pub const STEP_DOWN_FLOOR: DifficultyLevel = DifficultyLevel::Fundamental;

impl ProgressionState {
    /// Applies the rules to one evaluated answer given at `level` in `skill`, records it, and
    /// returns the decision.
    pub fn apply(
        &mut self,
        settings: &LadderSettings,
        level: DifficultyLevel,
        skill: &SkillArea,
        evaluation: &Evaluation,
        question_number: u32,
        now: DateTime<Utc>,
    ) -> Step {
        let composite = settings.composite(evaluation);
        let previous: Vec<f64> = self
            .response_quality_history
            .iter()
            .rev()
            .take(settings.window)
            .map(|record| record.composite)
            .collect();

        self.response_quality_history.push(ResponseRecord {
            question_number,
            level,
            skill: skill.clone(),
            quality: evaluation.quality,
            composite,
        });
        if !self.skills_explored.contains(skill) {
            self.skills_explored.push(skill.clone());
        }
        self.questions_at_level += 1;
        if evaluation.quality == AnswerQuality::Excellent {
            self.consecutive_excellent += 1;
        } else {
            self.consecutive_excellent = 0;
        }
        if evaluation.quality == AnswerQuality::Poor {
            self.consecutive_poor_at_level += 1;
        } else {
            self.consecutive_poor_at_level = 0;
        }

        let weak_step = composite < settings.step_down_below
            && previous
                .iter()
                .any(|&earlier| earlier < settings.step_down_window_below);
        let movement = if level == DifficultyLevel::Warmup {
            if self.questions_at_level >= settings.warmup_questions {
                Movement::ExitWarmup
            } else {
                Movement::Stay
            }
        } else if level < DifficultyLevel::Expert
            && composite > settings.promote_above
            && self.consecutive_excellent >= settings.excellent_streak
        {
            Movement::Promote {
                levels: settings.streak_jump,
            }
        } else if level < DifficultyLevel::Expert
            && composite > settings.promote_above
            && previous
                .iter()
                .all(|&earlier| earlier > settings.promote_window_above)
        {
            Movement::Promote { levels: 1 }
        } else if weak_step && level > STEP_DOWN_FLOOR {
            Movement::StepDown
        } else {
            Movement::Stay
        };

        let mut boundaries = Vec::new();
        if weak_step && level != DifficultyLevel::Warmup {
            boundaries.push(boundary(skill, level, BoundaryReason::StepDown, now));
        }
        if boundaries.is_empty() && self.consecutive_poor_at_level >= settings.poor_streak_boundary
        {
            boundaries.push(boundary(skill, level, BoundaryReason::RepeatedPoor, now));
        }
        if !boundaries.is_empty() {
            self.consecutive_poor_at_level = 0;
        }

        let to = match movement {
            Movement::Stay => level,
            Movement::ExitWarmup => DifficultyLevel::Fundamental,
            Movement::Promote { levels } => level.raised(levels),
            Movement::StepDown => level.lowered(STEP_DOWN_FLOOR),
        };
        if to != level {
            self.phase_history.push(PhaseChange {
                from: level,
                to,
                after_question: question_number,
                movement,
            });
            self.questions_at_level = 0;
            self.consecutive_poor_at_level = 0;
            if matches!(movement, Movement::Promote { levels } if levels > 1) {
                self.consecutive_excellent = 0;
            }
        }

        let trailing_same_skill = self
            .response_quality_history
            .iter()
            .rev()
            .take_while(|record| &record.skill == skill)
            .count();
        let probe_same_skill = movement == Movement::Stay
            && boundaries.is_empty()
            && trailing_same_skill < settings.max_probes_per_skill;

        Step {
            composite,
            from: level,
            to,
            movement,
            boundaries,
            probe_same_skill,
        }
    }
}

/// The one place a skill boundary is recorded: in the detection history and in the session's
/// map of boundaries by skill (the latest detection of a skill wins).
pub fn record_boundaries(
    progression: &mut ProgressionState,
    found: &mut BTreeMap<SkillArea, SkillBoundary>,
    boundaries: &[SkillBoundary],
) {
    for boundary in boundaries {
        progression.boundary_detections.push(boundary.clone());
        found.insert(boundary.skill.clone(), boundary.clone());
    }
}

fn boundary(
    skill: &SkillArea,
    level: DifficultyLevel,
    reason: BoundaryReason,
    now: DateTime<Utc>,
) -> SkillBoundary {
    SkillBoundary {
        skill: skill.clone(),
        level,
        boundary_type: BoundaryType::UpperLimit,
        reason,
        detected_at: now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn evaluation(quality: AnswerQuality, accuracy: f64, clarity: f64) -> Evaluation {
        Evaluation {
            quality,
            technical_accuracy: Score::new(accuracy).unwrap(),
            explanation_clarity: Score::new(clarity).unwrap(),
            identified_skills: vec![],
            boundaries_noticed: vec![],
            rationale: None,
            fallback: false,
        }
    }

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

    fn run(
        state: &mut ProgressionState,
        level: DifficultyLevel,
        answers: &[Evaluation],
    ) -> Vec<Step> {
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

    fn arbitrary_evaluation() -> impl Strategy<Value = Evaluation> {
        (
            prop_oneof![
                Just(AnswerQuality::Excellent),
                Just(AnswerQuality::Good),
                Just(AnswerQuality::Fair),
                Just(AnswerQuality::Poor)
            ],
            0.0..=1.0f64,
            0.0..=1.0f64,
        )
            .prop_map(|(quality, accuracy, clarity)| evaluation(quality, accuracy, clarity))
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
}
