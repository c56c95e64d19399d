//! The deterministic scores of an assessment, computed from the engine's own record: the levels
//! each skill reached, where boundaries were found, and how good the answers were.
//!
//! A skill's score blends the highest level the candidate answered well at with the mean quality
//! of their answers about it, less a penalty when a boundary was found there. Every score is
//! within `0..=100`, never falls when an answer gets better, and a boundary never raises it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::rules::evaluation::SkillArea;
use crate::rules::ladder::{DifficultyLevel, ResponseRecord, SkillBoundary};

/// An answer at least this good (composite, `0..=1`) shows the candidate handles its level.
pub const SOLID_ANSWER: f64 = 0.6;
/// Weight of the level reached in a skill's score; the mean answer quality has the rest.
const LEVEL_WEIGHT: f64 = 0.6;
/// Points a boundary found in a skill takes off its score.
const BOUNDARY_PENALTY: f64 = 10.0;

/// One skill area as the interview explored it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillScore {
    pub skill: SkillArea,
    /// `0..=100`.
    pub score: u8,
    /// The highest level answered solidly; `None` when no answer about the skill was.
    pub level_reached: Option<DifficultyLevel>,
    /// Whether a skill boundary was found in this area.
    pub boundary: bool,
    pub questions: u32,
}

/// Where a skill stands after the interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundaryState {
    /// Answered solidly up to `level`, no boundary found.
    Comfortable,
    /// A boundary was found at `level`.
    Boundary,
    /// Never explored, or never answered solidly.
    NotReached,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillBoundaryEntry {
    pub skill: SkillArea,
    pub state: BoundaryState,
    pub level: Option<DifficultyLevel>,
}

/// The deterministic part of an assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// `0..=100`: the skill scores weighted by how many questions each had.
    pub overall: u8,
    pub skills: Vec<SkillScore>,
    pub boundary_map: Vec<SkillBoundaryEntry>,
}

/// Points for having answered solidly at `level`: 20 for warmup up to 100 for expert.
fn level_points(level: Option<DifficultyLevel>) -> f64 {
    level.map_or(0.0, |level| 20.0 * (level.rank() + 1) as f64)
}

fn to_score(points: f64) -> u8 {
    // clamped first, so the cast cannot truncate or wrap
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let score = points.clamp(0.0, 100.0).round() as u8;
    score
}

fn skill_score(
    skill: &SkillArea,
    answers: &[&ResponseRecord],
    boundary: Option<&SkillBoundary>,
) -> SkillScore {
    let level_reached = answers
        .iter()
        .filter(|answer| answer.composite >= SOLID_ANSWER)
        .map(|answer| answer.level)
        .max();
    let mean_quality = if answers.is_empty() {
        0.0
    } else {
        answers
            .iter()
            .map(|answer| answer.composite.clamp(0.0, 1.0))
            .sum::<f64>()
            / answers.len() as f64
    };
    let penalty = if boundary.is_some() {
        BOUNDARY_PENALTY
    } else {
        0.0
    };
    let points = LEVEL_WEIGHT * level_points(level_reached)
        + (1.0 - LEVEL_WEIGHT) * 100.0 * mean_quality
        - penalty;
    SkillScore {
        skill: skill.clone(),
        score: to_score(points),
        level_reached,
        boundary: boundary.is_some(),
        questions: u32::try_from(answers.len()).unwrap_or(u32::MAX),
    }
}

/// Scores an interview from its answers, its boundaries and the role's key skills (listed as
/// not reached when no question explored them).
pub fn score(
    answers: &[ResponseRecord],
    boundaries: &BTreeMap<SkillArea, SkillBoundary>,
    key_skills: &[SkillArea],
) -> Scores {
    let mut by_skill: BTreeMap<&SkillArea, Vec<&ResponseRecord>> = BTreeMap::new();
    for answer in answers {
        by_skill.entry(&answer.skill).or_default().push(answer);
    }
    let skills: Vec<SkillScore> = by_skill
        .iter()
        .map(|(skill, answers)| skill_score(skill, answers, boundaries.get(*skill)))
        .collect();
    let questions: u32 = skills.iter().map(|skill| skill.questions).sum();
    let overall = if questions == 0 {
        0
    } else {
        let weighted: f64 = skills
            .iter()
            .map(|skill| f64::from(skill.score) * f64::from(skill.questions))
            .sum();
        to_score(weighted / f64::from(questions))
    };
    let mut boundary_map: Vec<SkillBoundaryEntry> = skills
        .iter()
        .map(|scored| match boundaries.get(&scored.skill) {
            Some(boundary) => SkillBoundaryEntry {
                skill: scored.skill.clone(),
                state: BoundaryState::Boundary,
                level: Some(boundary.level),
            },
            None if scored.level_reached.is_some() => SkillBoundaryEntry {
                skill: scored.skill.clone(),
                state: BoundaryState::Comfortable,
                level: scored.level_reached,
            },
            None => SkillBoundaryEntry {
                skill: scored.skill.clone(),
                state: BoundaryState::NotReached,
                level: None,
            },
        })
        .collect();
    for skill in key_skills {
        if !by_skill.contains_key(skill) {
            boundary_map.push(SkillBoundaryEntry {
                skill: skill.clone(),
                state: BoundaryState::NotReached,
                level: None,
            });
        }
    }
    Scores {
        overall,
        skills,
        boundary_map,
    }
}

#[cfg(test)]
#[path = "scoring_tests.rs"]
mod tests;
