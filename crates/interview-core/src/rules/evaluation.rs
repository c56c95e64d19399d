//! What an interviewer model says about an answer: a quality label and scores in `0..=1`, and
//! the skill areas it is about. The ladder turns these into movements.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

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
