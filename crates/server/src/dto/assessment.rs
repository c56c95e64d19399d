//! Bodies of the assessment endpoints, and the assessment fields of the status and completion
//! responses.

use chrono::{DateTime, Utc};
use interview_core::assessment::{AssessmentState, CandidateAssessment, Claim};
use interview_core::rules::integrity::{ClientEvent, ClientEventKind};
use interview_core::rules::scoring::{Scores, SkillScore};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;

/// One skill area as the interview explored it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkillAssessmentDto {
    #[schema(example = "hooks")]
    pub skill: String,
    /// 0 to 100.
    #[schema(maximum = 100)]
    pub score: u8,
    /// The highest level answered solidly, if any.
    #[schema(example = "intermediate")]
    pub level_reached: Option<String>,
    /// Whether a skill boundary was found in this area.
    pub boundary: bool,
    pub questions: u32,
}

impl From<&SkillScore> for SkillAssessmentDto {
    fn from(score: &SkillScore) -> Self {
        Self {
            skill: score.skill.to_string(),
            score: score.score,
            level_reached: score.level_reached.map(|level| level.as_str().to_owned()),
            boundary: score.boundary,
            questions: score.questions,
        }
    }
}

/// A claim about the candidate with the transcript messages (sequence numbers) it rests on.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimDto {
    pub text: String,
    pub evidence: Vec<i32>,
}

impl From<&Claim> for ClaimDto {
    fn from(claim: &Claim) -> Self {
        Self {
            text: claim.text.clone(),
            evidence: claim.evidence.clone(),
        }
    }
}

fn claims(claims: &[Claim]) -> Vec<ClaimDto> {
    claims.iter().map(Into::into).collect()
}

/// What a finished interview's status and completion say about its assessment.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct AssessmentFields {
    /// `pending`, `ready` or `failed`; absent while none is due (in progress, or abandoned
    /// before any answer).
    #[schema(example = "pending")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment_status: Option<String>,
    /// Per skill area: score, level reached, boundary. Computed from the interview's record, so
    /// present as soon as it is finished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skill_assessments: Option<Vec<SkillAssessmentDto>>,
    /// 0 to 100, when the assessment is ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overall_score: Option<u8>,
    /// The best moments, when the assessment is ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlights: Option<Vec<ClaimDto>>,
    /// What to work on, when the assessment is ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub growth_areas: Option<Vec<ClaimDto>>,
}

impl AssessmentFields {
    /// The fields of a finished interview: its scores now, the rest when ready.
    pub fn of(state: &AssessmentState, scores: &Scores) -> Self {
        let ready = state.ready();
        let skills = ready.map_or(&scores.skills, |assessment| &assessment.skill_scores);
        Self {
            assessment_status: state.status().map(|status| status.as_str().to_owned()),
            skill_assessments: Some(skills.iter().map(Into::into).collect()),
            overall_score: ready.map(|assessment| assessment.overall_score),
            highlights: ready.map(|assessment| claims(&assessment.highlights)),
            growth_areas: ready.map(|assessment| claims(&assessment.growth_areas)),
        }
    }
}

/// The candidate's view of their assessment: scores, highlights and growth areas.
#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateAssessmentResponse {
    pub interview_id: Uuid,
    /// `pending` (202), `ready` or `failed`.
    #[schema(example = "ready")]
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overall_score: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skill_assessments: Option<Vec<SkillAssessmentDto>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlights: Option<Vec<ClaimDto>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub growth_areas: Option<Vec<ClaimDto>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_at: Option<DateTime<Utc>>,
}

impl CandidateAssessmentResponse {
    pub fn status_only(interview_id: Uuid, status: &str) -> Self {
        Self {
            interview_id,
            status: status.to_owned(),
            overall_score: None,
            skill_assessments: None,
            highlights: None,
            growth_areas: None,
            generated_at: None,
        }
    }

    pub fn ready(interview_id: Uuid, view: &CandidateAssessment) -> Self {
        Self {
            interview_id,
            status: "ready".to_owned(),
            overall_score: Some(view.overall_score),
            skill_assessments: Some(view.skill_scores.iter().map(Into::into).collect()),
            highlights: Some(claims(&view.highlights)),
            growth_areas: Some(claims(&view.growth_areas)),
            generated_at: Some(view.generated_at),
        }
    }
}

/// When an event happened: an RFC 3339 time or milliseconds since the Unix epoch
/// (`Date.now()`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum EventTime {
    Millis(i64),
    Text(String),
}

/// One event the browser observed (or `count` of them).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClientEventDto {
    /// `tab_hidden`, `focus_lost`, `paste` or `fullscreen_exit`.
    #[serde(rename = "type")]
    #[schema(example = "tab_hidden")]
    pub kind: String,
    pub timestamp: EventTime,
    /// How many times it happened (1 to 10000); 1 when absent.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10000)]
    pub count: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ClientEventsRequest {
    /// 1 to 100 events.
    pub events: Vec<ClientEventDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClientEventsResponse {
    pub recorded: usize,
}

fn invalid(index: usize, field: &'static str, message: &str) -> ApiError {
    ApiError::field(field, format!("event {index}: {message}"))
}

impl ClientEventsRequest {
    /// The events as the core takes them; the first malformed one is a 422 naming it.
    pub fn into_events(self) -> Result<Vec<ClientEvent>, ApiError> {
        self.events
            .into_iter()
            .enumerate()
            .map(|(index, event)| {
                let kind: ClientEventKind = event.kind.parse().map_err(|_| {
                    invalid(
                        index,
                        "events.type",
                        "must be tab_hidden, focus_lost, paste or fullscreen_exit",
                    )
                })?;
                let occurred_at = match &event.timestamp {
                    EventTime::Millis(millis) => DateTime::from_timestamp_millis(*millis),
                    EventTime::Text(text) => DateTime::parse_from_rfc3339(text)
                        .ok()
                        .map(|time| time.with_timezone(&Utc)),
                }
                .ok_or_else(|| {
                    invalid(
                        index,
                        "events.timestamp",
                        "must be an RFC 3339 time or milliseconds since the epoch",
                    )
                })?;
                Ok(ClientEvent {
                    kind,
                    occurred_at,
                    count: event.count.unwrap_or(1),
                })
            })
            .collect()
    }
}
