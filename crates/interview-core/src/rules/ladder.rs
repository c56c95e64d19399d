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

pub use crate::rules::evaluation::{
    AnswerQuality, Evaluation, Score, ScoreOutOfRange, SkillArea, UnknownQuality,
};

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
#[path = "ladder_tests.rs"]
mod tests;
