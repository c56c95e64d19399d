//! Bodies of the recruiter's interview endpoints: the filtered list with its keyset cursor, one
//! interview with its transcript and costs, the full assessment with its versions, decisions.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use interview_core::assessment::Assessment;
use interview_core::ids::{InterviewId, JobPostingId, OrganizationId};
use interview_core::model::Interview;
use interview_core::ports::{InterviewCursor, InterviewFilter, InterviewRow};
use interview_core::recruiting::Decision;
use interview_core::rules::integrity::IntegrityFlag;
use interview_core::rules::scoring::SkillBoundaryEntry;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::dto::recruiting::query_value;
use crate::dto::{ClaimDto, InterviewResponse, MessageDto, SessionStateDto, SkillAssessmentDto};
use crate::error::ApiError;

/// The most rows one page of the interview list returns.
pub const MAX_INTERVIEW_PAGE: u64 = 100;

fn invalid_query(message: impl Into<String>) -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::BAD_REQUEST,
        "invalid_query",
        message,
    )
}

/// The filters and page of the recruiter's interview list; every one optional.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InterviewListQuery {
    /// `scheduled`, `in_progress`, `completed` or `abandoned`.
    pub status: Option<String>,
    /// `react`, `python`, `javascript` or `fullstack`.
    pub role: Option<String>,
    pub job_posting_id: Option<Uuid>,
    /// Started at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Started before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// The latest assessment's: `strong_yes`, `yes`, `maybe` or `no`.
    pub recommendation: Option<String>,
    /// The latest assessment's overall score at least this (0 to 100).
    #[param(minimum = 0, maximum = 100)]
    pub min_score: Option<u8>,
    /// The latest assessment's overall score at most this (0 to 100).
    #[param(minimum = 0, maximum = 100)]
    pub max_score: Option<u8>,
    /// Only interviews whose latest assessment has (true) or has no (false) integrity flag.
    pub integrity_flagged: Option<bool>,
    /// `next_cursor` of the previous page; absent for the first page.
    pub cursor: Option<String>,
    /// Rows to return, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
}

/// The opaque cursor of a row: URL-safe base64 of its creation time and id.
pub fn encode_cursor(cursor: &InterviewCursor) -> String {
    let text = format!(
        "{}|{}",
        cursor
            .created_at
            .to_rfc3339_opts(SecondsFormat::Nanos, true),
        cursor.id.as_uuid()
    );
    URL_SAFE_NO_PAD.encode(text)
}

/// # Errors
/// 400 `invalid_query` for a cursor this server did not hand out.
pub fn decode_cursor(cursor: &str) -> Result<InterviewCursor, ApiError> {
    let invalid = || invalid_query("cursor: not a cursor this API handed out");
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (time, id) = text.split_once('|').ok_or_else(invalid)?;
    let created_at = DateTime::parse_from_rfc3339(time)
        .map_err(|_| invalid())?
        .with_timezone(&Utc);
    let id = Uuid::parse_str(id).map_err(|_| invalid())?;
    Ok(InterviewCursor {
        created_at,
        id: InterviewId::from_uuid(id),
    })
}

impl InterviewListQuery {
    /// The filter, the cursor and the limit, each within range.
    ///
    /// # Errors
    /// 400 `invalid_query` naming the parameter that does not parse or is out of range.
    pub fn parse(&self) -> Result<(InterviewFilter, Option<InterviewCursor>, u64), ApiError> {
        for (name, score) in [("min_score", self.min_score), ("max_score", self.max_score)] {
            if score.is_some_and(|score| score > 100) {
                return Err(invalid_query(format!("{name} must be between 0 and 100")));
            }
        }
        if let (Some(min), Some(max)) = (self.min_score, self.max_score)
            && min > max
        {
            return Err(invalid_query("min_score must not exceed max_score"));
        }
        let limit = self.limit.unwrap_or(20);
        if limit == 0 || limit > MAX_INTERVIEW_PAGE {
            return Err(invalid_query(format!(
                "limit must be between 1 and {MAX_INTERVIEW_PAGE}"
            )));
        }
        let filter = InterviewFilter {
            candidates: Vec::new(),
            status: query_value("status", self.status.as_deref())?,
            role: query_value("role", self.role.as_deref())?,
            job_posting: self.job_posting_id.map(JobPostingId::from_uuid),
            from: self.from,
            to: self.to,
            recommendation: query_value("recommendation", self.recommendation.as_deref())?,
            min_score: self.min_score,
            max_score: self.max_score,
            integrity_flagged: self.integrity_flagged,
        };
        let cursor = self
            .cursor
            .as_deref()
            .filter(|cursor| !cursor.trim().is_empty())
            .map(decode_cursor)
            .transpose()?;
        Ok((filter, cursor, limit))
    }
}

/// One row of the recruiter's interview list.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterviewRowDto {
    pub interview_id: Uuid,
    pub candidate_id: Uuid,
    pub candidate_name: String,
    pub candidate_email: String,
    #[schema(example = "react")]
    pub role: String,
    pub job_posting_id: Option<Uuid>,
    pub job_title: Option<String>,
    #[schema(example = "completed")]
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub questions_answered: i32,
    /// From the latest assessment, when there is one.
    pub overall_score: Option<u8>,
    #[schema(example = "yes")]
    pub recommendation: Option<String>,
    /// How many integrity flags the latest assessment raised.
    pub integrity_flags: Option<usize>,
}

impl From<&InterviewRow> for InterviewRowDto {
    fn from(row: &InterviewRow) -> Self {
        Self {
            interview_id: row.interview_id.as_uuid(),
            candidate_id: row.candidate_id.as_uuid(),
            candidate_name: row.candidate_name.clone(),
            candidate_email: row.candidate_email.clone(),
            role: row.role.as_str().to_owned(),
            job_posting_id: row.job_posting_id.map(JobPostingId::as_uuid),
            job_title: row.job_title.clone(),
            status: row.status.as_str().to_owned(),
            created_at: row.created_at,
            started_at: row.started_at,
            completed_at: row.completed_at,
            questions_answered: row.questions_answered,
            overall_score: row.overall_score,
            recommendation: row.recommendation.map(|r| r.as_str().to_owned()),
            integrity_flags: row.integrity_flags,
        }
    }
}

/// A page of the interview list, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterviewPageResponse {
    pub items: Vec<InterviewRowDto>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// An interview as its organization's recruiters see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecruiterInterviewDto {
    #[serde(flatten)]
    pub interview: InterviewResponse,
    pub organization_id: Option<Uuid>,
    pub job_posting_id: Option<Uuid>,
    /// The skill areas it explores (a job's required skills); empty for the role's own.
    pub key_skills: Vec<String>,
}

impl From<&Interview> for RecruiterInterviewDto {
    fn from(interview: &Interview) -> Self {
        Self {
            interview: interview.into(),
            organization_id: interview.organization_id.map(OrganizationId::as_uuid),
            job_posting_id: interview.job_posting_id.map(JobPostingId::as_uuid),
            key_skills: interview
                .key_skills
                .iter()
                .map(|skill| skill.as_str().to_owned())
                .collect(),
        }
    }
}

/// What an interview cost, in USD as exact decimal strings.
#[derive(Debug, Serialize, ToSchema)]
pub struct CostsDto {
    /// Chat-model calls: questions, evaluations and assessments.
    pub llm_usd: String,
    pub speech_usd: String,
    pub realtime_usd: String,
    pub total_usd: String,
    pub llm_tokens: i64,
    /// Transcribed audio seconds plus synthesized characters.
    pub speech_units: i64,
}

impl From<&Interview> for CostsDto {
    fn from(interview: &Interview) -> Self {
        let total = interview.cost_usd + interview.speech_cost_usd + interview.realtime_cost_usd;
        Self {
            llm_usd: interview.cost_usd.normalize().to_string(),
            speech_usd: interview.speech_cost_usd.normalize().to_string(),
            realtime_usd: interview.realtime_cost_usd.normalize().to_string(),
            total_usd: total.normalize().to_string(),
            llm_tokens: interview.total_tokens_used,
            speech_units: interview.speech_tokens_used,
        }
    }
}

/// A hiring decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionDto {
    pub interview_id: Uuid,
    /// `advance`, `reject` or `hold`.
    #[schema(example = "advance")]
    pub decision: String,
    pub note: Option<String>,
    pub decided_by: Uuid,
    pub decided_at: DateTime<Utc>,
    /// Where the interview's application (if any) moved: `advanced`, `rejected` or `on_hold`.
    #[schema(example = "advanced")]
    pub application_status: String,
}

impl From<&Decision> for DecisionDto {
    fn from(decision: &Decision) -> Self {
        Self {
            interview_id: decision.interview_id.as_uuid(),
            decision: decision.decision.as_str().to_owned(),
            note: decision.note.clone(),
            decided_by: decision.decided_by.as_uuid(),
            decided_at: decision.decided_at,
            application_status: decision.decision.application_status().as_str().to_owned(),
        }
    }
}

/// A recruiter's decision about a finished interview.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionRequest {
    /// `advance`, `reject` or `hold`.
    #[schema(example = "advance")]
    pub decision: String,
    /// At most 2000 characters.
    #[serde(default)]
    pub note: Option<String>,
}

/// One interview of the organization: its state, transcript (with audio URLs the recruiter may
/// stream), costs and latest decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecruiterInterviewResponse {
    pub interview: RecruiterInterviewDto,
    pub session_state: SessionStateDto,
    pub transcript: Vec<MessageDto>,
    pub costs: CostsDto,
    pub decision: Option<DecisionDto>,
    /// What the candidate's browser reported (tab hidden, focus lost, paste, fullscreen exit),
    /// in the order received.
    pub integrity_events: Vec<IntegrityEventDto>,
}

/// One event the candidate's browser reported (or `count` of them).
#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrityEventDto {
    #[serde(rename = "type")]
    #[schema(example = "tab_hidden")]
    pub kind: String,
    pub timestamp: chrono::DateTime<chrono::Utc>,
    pub count: u32,
}

impl From<&interview_core::rules::integrity::ClientEvent> for IntegrityEventDto {
    fn from(event: &interview_core::rules::integrity::ClientEvent) -> Self {
        Self {
            kind: event.kind.as_str().to_owned(),
            timestamp: event.occurred_at,
            count: event.count,
        }
    }
}

fn wire<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Where one skill stands: explored comfortably up to a level, a boundary at it, or not reached.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoundaryEntryDto {
    pub skill: String,
    /// `comfortable`, `boundary` or `not_reached`.
    #[schema(example = "boundary")]
    pub state: String,
    pub level: Option<String>,
}

impl From<&SkillBoundaryEntry> for BoundaryEntryDto {
    fn from(entry: &SkillBoundaryEntry) -> Self {
        Self {
            skill: entry.skill.as_str().to_owned(),
            state: wire(&entry.state),
            level: entry.level.map(|level| level.as_str().to_owned()),
        }
    }
}

/// An integrity signal: what was observed, how serious, and what it rests on.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrityFlagDto {
    /// Such as `fast_typing`, `instant_answer`, `duplicate_answer`, `tab_hidden`, `paste`.
    #[serde(rename = "type")]
    #[schema(example = "tab_hidden")]
    pub kind: String,
    #[schema(example = "low")]
    pub severity: String,
    pub evidence: String,
    /// Sequence numbers of the messages it rests on (empty for browser events).
    pub messages: Vec<i32>,
    /// 0 to 1.
    pub confidence: f64,
}

impl From<&IntegrityFlag> for IntegrityFlagDto {
    fn from(flag: &IntegrityFlag) -> Self {
        Self {
            kind: wire(&flag.kind),
            severity: flag.severity.as_str().to_owned(),
            evidence: flag.evidence.clone(),
            messages: flag.messages.clone(),
            confidence: flag.confidence,
        }
    }
}

/// One version of the assessment, in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecruiterAssessmentDto {
    pub id: Uuid,
    pub version: i32,
    pub overall_score: u8,
    pub skill_scores: Vec<SkillAssessmentDto>,
    pub skill_boundary_map: Vec<BoundaryEntryDto>,
    pub strengths: Vec<ClaimDto>,
    pub growth_areas: Vec<ClaimDto>,
    pub highlights: Vec<ClaimDto>,
    /// 0 to 100.
    pub integrity_score: u8,
    pub integrity_flags: Vec<IntegrityFlagDto>,
    pub ai_reasoning: String,
    /// `strong_yes`, `yes`, `maybe` or `no`.
    #[schema(example = "yes")]
    pub recommendation: String,
    pub recommended_actions: Vec<String>,
    pub generated_at: DateTime<Utc>,
    /// `offline`, or `openai:<model>`.
    pub generator: String,
    pub prompt_version: String,
    pub cost_usd: String,
    pub tokens_used: i64,
    /// The judgement is the conservative fallback (the model's reply was unusable).
    pub fallback: bool,
}

fn claims(claims: &[interview_core::assessment::Claim]) -> Vec<ClaimDto> {
    claims.iter().map(Into::into).collect()
}

impl From<&Assessment> for RecruiterAssessmentDto {
    fn from(assessment: &Assessment) -> Self {
        Self {
            id: assessment.id.as_uuid(),
            version: assessment.version,
            overall_score: assessment.overall_score,
            skill_scores: assessment.skill_scores.iter().map(Into::into).collect(),
            skill_boundary_map: assessment
                .skill_boundary_map
                .iter()
                .map(Into::into)
                .collect(),
            strengths: claims(&assessment.strengths),
            growth_areas: claims(&assessment.growth_areas),
            highlights: claims(&assessment.highlights),
            integrity_score: assessment.integrity_score,
            integrity_flags: assessment.integrity_flags.iter().map(Into::into).collect(),
            ai_reasoning: assessment.ai_reasoning.clone(),
            recommendation: assessment.recommendation.as_str().to_owned(),
            recommended_actions: assessment.recommended_actions.clone(),
            generated_at: assessment.generated_at,
            generator: assessment.generator.clone(),
            prompt_version: assessment.prompt_version.clone(),
            cost_usd: assessment.cost_usd.normalize().to_string(),
            tokens_used: assessment.tokens_used,
            fallback: assessment.fallback,
        }
    }
}

/// A version in the list of versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentVersionDto {
    pub id: Uuid,
    pub version: i32,
    pub overall_score: u8,
    pub recommendation: String,
    pub generated_at: DateTime<Utc>,
    pub generator: String,
    pub prompt_version: String,
}

impl From<&Assessment> for AssessmentVersionDto {
    fn from(assessment: &Assessment) -> Self {
        Self {
            id: assessment.id.as_uuid(),
            version: assessment.version,
            overall_score: assessment.overall_score,
            recommendation: assessment.recommendation.as_str().to_owned(),
            generated_at: assessment.generated_at,
            generator: assessment.generator.clone(),
            prompt_version: assessment.prompt_version.clone(),
        }
    }
}

/// The interview's assessment as recruiters see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecruiterAssessmentResponse {
    pub interview_id: Uuid,
    /// `pending` (202), `ready` or `failed`.
    #[schema(example = "ready")]
    pub status: String,
    /// The latest version, when one exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment: Option<RecruiterAssessmentDto>,
    /// Why the last attempt failed (`failed` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Every version, oldest first.
    pub versions: Vec<AssessmentVersionDto>,
}

/// A regeneration was asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegenerateResponse {
    pub interview_id: Uuid,
    /// Always `pending`: a new version is being produced.
    #[schema(example = "pending")]
    pub status: &'static str,
    /// False when a version was already being produced (no second one is queued).
    pub queued: bool,
}
