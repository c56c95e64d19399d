//! What an assessment is: the deterministic scores, the integrity signals and the model's
//! judgement, with who produced it and what it cost.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::{AssessmentId, InterviewId};
use crate::model::named_enum;
use crate::rules::integrity::IntegrityFlag;
use crate::rules::lifecycle::InterviewStatus;
use crate::rules::scoring::{Scores, SkillBoundaryEntry, SkillScore};

/// A short claim about the candidate and the transcript messages (sequence numbers) it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub text: String,
    pub evidence: Vec<i32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    StrongYes,
    Yes,
    Maybe,
    No,
}

named_enum!(Recommendation, "recommendation", {
    StrongYes => "strong_yes",
    Yes => "yes",
    Maybe => "maybe",
    No => "no",
});

/// What the language model (or the offline writer) concluded, before the core checks it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    pub strengths: Vec<Claim>,
    pub growth_areas: Vec<Claim>,
    pub highlights: Vec<Claim>,
    pub reasoning: String,
    pub recommendation: Recommendation,
    pub recommended_actions: Vec<String>,
    /// True when the writer could not get a usable judgement and returned a conservative one.
    pub fallback: bool,
}

impl Judgement {
    /// What is said when no usable judgement could be produced: no claims, and a recommendation
    /// that leaves the decision to a person.
    pub fn conservative(reason: &str) -> Self {
        Self {
            strengths: Vec::new(),
            growth_areas: Vec::new(),
            highlights: Vec::new(),
            reasoning: format!(
                "No automatic judgement could be produced ({reason}); the scores come from the \
                 interview's record alone. Review the transcript before deciding."
            ),
            recommendation: Recommendation::Maybe,
            recommended_actions: vec!["Review the transcript manually.".to_owned()],
            fallback: true,
        }
    }
}

/// One version of an interview's assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub id: AssessmentId,
    pub interview_id: InterviewId,
    /// 1 for the first; regenerating adds a version and keeps the old ones.
    pub version: i32,
    /// `0..=100`.
    pub overall_score: u8,
    pub skill_scores: Vec<SkillScore>,
    pub skill_boundary_map: Vec<SkillBoundaryEntry>,
    pub strengths: Vec<Claim>,
    pub growth_areas: Vec<Claim>,
    pub highlights: Vec<Claim>,
    /// `0..=100`.
    pub integrity_score: u8,
    pub integrity_flags: Vec<IntegrityFlag>,
    pub ai_reasoning: String,
    pub recommendation: Recommendation,
    pub recommended_actions: Vec<String>,
    pub generated_at: DateTime<Utc>,
    /// `offline`, or `openai:<model>`.
    pub generator: String,
    pub prompt_version: String,
    pub cost_usd: Decimal,
    pub tokens_used: i64,
    /// The judgement is the conservative one (the model's reply was unusable).
    pub fallback: bool,
}

/// Where an interview's assessment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentStatus {
    Pending,
    Ready,
    Failed,
}

named_enum!(AssessmentStatus, "assessment status", {
    Pending => "pending",
    Ready => "ready",
    Failed => "failed",
});

/// What the candidate may see of their assessment: no integrity flags, no recommendation, no
/// reasoning.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateAssessment {
    pub overall_score: u8,
    pub skill_scores: Vec<SkillScore>,
    pub highlights: Vec<Claim>,
    pub growth_areas: Vec<Claim>,
    pub generated_at: DateTime<Utc>,
}

impl From<&Assessment> for CandidateAssessment {
    fn from(assessment: &Assessment) -> Self {
        Self {
            overall_score: assessment.overall_score,
            skill_scores: assessment.skill_scores.clone(),
            highlights: assessment.highlights.clone(),
            growth_areas: assessment.growth_areas.clone(),
            generated_at: assessment.generated_at,
        }
    }
}

/// What an interview's pages show of its assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentSummary {
    pub status: InterviewStatus,
    pub state: AssessmentState,
    /// The deterministic scores, once the interview is finished.
    pub scores: Option<Scores>,
}

/// An interview's assessment as far as it exists.
#[derive(Debug, Clone, PartialEq)]
pub enum AssessmentState {
    /// None is due: the interview is not over, or was abandoned before any answer.
    NotDue,
    Pending,
    Ready(Box<Assessment>),
    /// Every attempt failed; `error` is the last one's.
    Failed {
        error: Option<String>,
    },
}

impl AssessmentState {
    pub fn status(&self) -> Option<AssessmentStatus> {
        match self {
            Self::NotDue => None,
            Self::Pending => Some(AssessmentStatus::Pending),
            Self::Ready(_) => Some(AssessmentStatus::Ready),
            Self::Failed { .. } => Some(AssessmentStatus::Failed),
        }
    }

    pub fn ready(&self) -> Option<&Assessment> {
        match self {
            Self::Ready(assessment) => Some(assessment),
            _ => None,
        }
    }
}
