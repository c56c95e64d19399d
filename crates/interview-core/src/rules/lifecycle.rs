//! Interview lifecycle: `scheduled → in_progress → completed | abandoned`, and when an interview
//! is over.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::{Interview, RoleType};
use crate::rules::ladder::{SkillArea, SkillBoundary};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterviewStatus {
    Scheduled,
    InProgress,
    Completed,
    Abandoned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("an interview cannot go from {from} to {to}")]
pub struct IllegalTransition {
    pub from: InterviewStatus,
    pub to: InterviewStatus,
}

impl InterviewStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Abandoned => "abandoned",
        }
    }

    pub const fn is_finished(self) -> bool {
        matches!(self, Self::Completed | Self::Abandoned)
    }

    /// The status after moving to `to`, if the lifecycle allows it.
    pub fn transition(self, to: Self) -> Result<Self, IllegalTransition> {
        match (self, to) {
            (Self::Scheduled, Self::InProgress)
            | (Self::InProgress, Self::Completed | Self::Abandoned) => Ok(to),
            _ => Err(IllegalTransition { from: self, to }),
        }
    }
}

impl fmt::Display for InterviewStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown interview status '{0}'")]
pub struct UnknownStatus(pub String);

impl FromStr for InterviewStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Self::Scheduled,
            Self::InProgress,
            Self::Completed,
            Self::Abandoned,
        ]
        .into_iter()
        .find(|status| status.as_str() == s)
        .ok_or_else(|| UnknownStatus(s.to_owned()))
    }
}

/// Why an interview ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompletionReason {
    /// The maximum number of questions was answered.
    MaxQuestions,
    /// Boundaries were found for every key skill of the role after the minimum.
    BoundariesFound,
    /// The optional time limit passed.
    TimeLimit,
    /// The next paid AI call would have crossed the interview's budget.
    BudgetExhausted,
    /// The candidate ended the interview.
    CandidateRequested,
    /// No activity for longer than the inactivity timeout.
    Inactivity,
}

impl CompletionReason {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::MaxQuestions => "max_questions",
            Self::BoundariesFound => "boundaries_found",
            Self::TimeLimit => "time_limit",
            Self::BudgetExhausted => "budget_exhausted",
            Self::CandidateRequested => "candidate_requested",
            Self::Inactivity => "inactivity",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::MaxQuestions,
            Self::BoundariesFound,
            Self::TimeLimit,
            Self::BudgetExhausted,
            Self::CandidateRequested,
            Self::Inactivity,
        ]
        .into_iter()
        .find(|reason| reason.as_str() == s)
    }
}

/// When an interview is over. Defaults: 8 to 12 answered questions, no time limit, abandoned after
/// 30 minutes without activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompletionSettings {
    pub min_questions: u32,
    pub max_questions: u32,
    /// Optional limit on an interview's length, in seconds.
    pub time_limit_seconds: Option<i64>,
    pub inactivity_timeout_seconds: i64,
    /// The skill areas whose boundaries, once all found, end an interview early.
    pub key_skills: BTreeMap<RoleType, Vec<SkillArea>>,
}

impl Default for CompletionSettings {
    fn default() -> Self {
        let key_skills = RoleType::ALL
            .iter()
            .map(|&role| {
                let skills = role
                    .default_key_skills()
                    .iter()
                    .map(|skill| SkillArea::new(skill))
                    .collect();
                (role, skills)
            })
            .collect();
        Self {
            min_questions: 8,
            max_questions: 12,
            time_limit_seconds: None,
            inactivity_timeout_seconds: 30 * 60,
            key_skills,
        }
    }
}

impl CompletionSettings {
    /// The configured key skills of a role: what questions explore and completion waits for.
    pub fn key_skills(&self, role: RoleType) -> &[SkillArea] {
        self.key_skills.get(&role).map_or(&[][..], Vec::as_slice)
    }

    /// Whether the interview is over after `answered` answers, and why; `key_skills` are the
    /// interview's (see [`InterviewSettings::key_skills_of`](crate::InterviewSettings::key_skills_of)).
    pub fn completion_reason<'a>(
        &self,
        key_skills: &[SkillArea],
        answered: u32,
        boundaries: impl IntoIterator<Item = &'a SkillBoundary>,
        started_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<CompletionReason> {
        if answered >= self.max_questions {
            return Some(CompletionReason::MaxQuestions);
        }
        if let Some(limit) = self.time_limit_seconds
            && now - started_at >= Duration::seconds(limit)
        {
            return Some(CompletionReason::TimeLimit);
        }
        if answered >= self.min_questions {
            let found: BTreeSet<&SkillArea> = boundaries
                .into_iter()
                .map(|boundary| &boundary.skill)
                .collect();
            if !key_skills.is_empty() && key_skills.iter().all(|skill| found.contains(skill)) {
                return Some(CompletionReason::BoundariesFound);
            }
        }
        None
    }

    /// Whether an interview last active at `last_activity_at` counts as abandoned at `now`.
    pub fn is_inactive(&self, last_activity_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now - last_activity_at > Duration::seconds(self.inactivity_timeout_seconds)
    }
}

/// Starts a scheduled interview.
///
/// # Errors
/// [`IllegalTransition`] unless it is scheduled.
pub fn begin(interview: &mut Interview, now: DateTime<Utc>) -> Result<(), IllegalTransition> {
    interview.status = interview.status.transition(InterviewStatus::InProgress)?;
    interview.started_at = Some(now);
    Ok(())
}

/// Completes a running interview for `reason`, recording when and how long it took.
///
/// # Errors
/// [`IllegalTransition`] unless it is in progress.
pub fn finish(
    interview: &mut Interview,
    reason: CompletionReason,
    now: DateTime<Utc>,
) -> Result<(), IllegalTransition> {
    interview.status = interview.status.transition(InterviewStatus::Completed)?;
    interview.completed_at = Some(now);
    interview.duration_seconds = interview
        .started_at
        .map(|started| (now - started).num_seconds().max(0));
    interview.completion_reason = Some(reason);
    Ok(())
}

/// Marks a running interview abandoned for inactivity.
///
/// # Errors
/// [`IllegalTransition`] unless it is in progress.
pub fn abandon(interview: &mut Interview) -> Result<(), IllegalTransition> {
    interview.status = interview.status.transition(InterviewStatus::Abandoned)?;
    interview.completion_reason = Some(CompletionReason::Inactivity);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ladder::{BoundaryReason, BoundaryType, DifficultyLevel};

    const ALL: [InterviewStatus; 4] = [
        InterviewStatus::Scheduled,
        InterviewStatus::InProgress,
        InterviewStatus::Completed,
        InterviewStatus::Abandoned,
    ];

    #[test]
    fn only_the_lifecycle_edges_are_allowed() {
        let allowed = [
            (InterviewStatus::Scheduled, InterviewStatus::InProgress),
            (InterviewStatus::InProgress, InterviewStatus::Completed),
            (InterviewStatus::InProgress, InterviewStatus::Abandoned),
        ];
        for from in ALL {
            for to in ALL {
                let result = from.transition(to);
                if allowed.contains(&(from, to)) {
                    assert_eq!(result, Ok(to));
                } else {
                    assert_eq!(
                        result,
                        Err(IllegalTransition { from, to }),
                        "{from} -> {to}"
                    );
                }
            }
        }
    }

    #[test]
    fn statuses_parse_from_their_names() {
        for status in ALL {
            assert_eq!(status.as_str().parse::<InterviewStatus>().unwrap(), status);
        }
        assert!("paused".parse::<InterviewStatus>().is_err());
    }

    fn boundary(skill: &str) -> SkillBoundary {
        SkillBoundary {
            skill: SkillArea::new(skill),
            level: DifficultyLevel::Intermediate,
            boundary_type: BoundaryType::UpperLimit,
            reason: BoundaryReason::StepDown,
            detected_at: Utc::now(),
        }
    }

    #[test]
    fn completes_at_the_maximum_and_not_before_the_minimum() {
        let settings = CompletionSettings::default();
        let now = Utc::now();
        assert_eq!(
            settings.completion_reason(settings.key_skills(RoleType::React), 7, &[], now, now),
            None
        );
        assert_eq!(
            settings.completion_reason(settings.key_skills(RoleType::React), 11, &[], now, now),
            None
        );
        assert_eq!(
            settings.completion_reason(settings.key_skills(RoleType::React), 12, &[], now, now),
            Some(CompletionReason::MaxQuestions)
        );
    }

    #[test]
    fn completes_early_once_every_key_skill_has_a_boundary_after_the_minimum() {
        let settings = CompletionSettings::default();
        let now = Utc::now();
        let all: Vec<SkillBoundary> = RoleType::Python
            .default_key_skills()
            .iter()
            .map(|skill| boundary(skill))
            .collect();
        assert_eq!(
            settings.completion_reason(settings.key_skills(RoleType::Python), 7, &all, now, now),
            None
        );
        assert_eq!(
            settings.completion_reason(settings.key_skills(RoleType::Python), 8, &all, now, now),
            Some(CompletionReason::BoundariesFound)
        );
        assert_eq!(
            settings.completion_reason(
                settings.key_skills(RoleType::Python),
                8,
                &all[1..],
                now,
                now
            ),
            None
        );
    }

    #[test]
    fn the_optional_time_limit_ends_the_interview() {
        let settings = CompletionSettings {
            time_limit_seconds: Some(600),
            ..CompletionSettings::default()
        };
        let start = Utc::now();
        assert_eq!(
            settings.completion_reason(
                settings.key_skills(RoleType::React),
                1,
                &[],
                start,
                start + Duration::seconds(599)
            ),
            None
        );
        assert_eq!(
            settings.completion_reason(
                settings.key_skills(RoleType::React),
                1,
                &[],
                start,
                start + Duration::seconds(600)
            ),
            Some(CompletionReason::TimeLimit)
        );
    }

    #[test]
    fn inactivity_is_measured_against_the_timeout() {
        let settings = CompletionSettings::default();
        let last = Utc::now();
        assert!(!settings.is_inactive(last, last + Duration::minutes(30)));
        assert!(settings.is_inactive(last, last + Duration::minutes(31)));
    }
}
