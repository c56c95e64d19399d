//! Conversions between sea-orm models and core domain types. Reading back validates again, so
//! a row that no longer fits the domain is reported as corrupt instead of crashing.

use std::str::FromStr;

use interview_core::ids::{
    CandidateId, InterviewId, JobPostingId, MessageId, OrganizationId, ResumeId, SessionId,
};
use interview_core::interview::stored::StoredOutcome;
use interview_core::lifecycle::{CompletionReason, InterviewStatus};
use interview_core::metadata::MessageMetadata;
use interview_core::model::{
    AudioMetadata, Candidate, CandidateStatus, Interview, InterviewMessage, InterviewMode,
    InterviewSession, MessageType, RoleType, VideoRecordingStatus,
};
use interview_core::ports::{AudioFormat, BlobRef, RepositoryError};
use interview_core::rules::evaluation::SkillArea;
use interview_core::validation::{Email, FullName};
use rust_decimal::Decimal;
use sea_orm::ActiveValue::Set;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::entities::{candidates, interview_messages, interview_sessions, interviews};
use crate::error::corrupt;

/// Money is stored as integer nano-dollars: exact for every price in the table.
pub fn to_nanos(usd: Decimal) -> i64 {
    let nanos = (usd * Decimal::from(1_000_000_000)).round();
    i64::try_from(nanos).unwrap_or(i64::MAX)
}

pub fn from_nanos(nanos: i64) -> Decimal {
    Decimal::new(nanos, 9).normalize()
}

pub(crate) fn json<T: Serialize>(
    value: &T,
    what: &str,
) -> Result<serde_json::Value, RepositoryError> {
    serde_json::to_value(value).map_err(|error| corrupt(what, error))
}

pub(crate) fn from_json<T: DeserializeOwned>(
    value: serde_json::Value,
    what: &str,
) -> Result<T, RepositoryError> {
    serde_json::from_value(value).map_err(|error| corrupt(what, error))
}

pub(crate) fn parse<T: FromStr>(text: &str, what: &str) -> Result<T, RepositoryError>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|error| corrupt(what, error))
}

pub fn candidate_row(candidate: &Candidate) -> candidates::ActiveModel {
    candidates::ActiveModel {
        id: Set(candidate.id.as_uuid()),
        email: Set(candidate.email.as_str().to_owned()),
        full_name: Set(candidate.full_name.as_str().to_owned()),
        password_hash: Set(candidate.password_hash.clone()),
        phone: Set(candidate.phone.clone()),
        status: Set(candidate.status.as_str().to_owned()),
        created_at: Set(candidate.created_at),
        updated_at: Set(candidate.updated_at),
        last_login_at: Set(candidate.last_login_at),
    }
}

pub fn candidate(row: candidates::Model) -> Result<Candidate, RepositoryError> {
    Ok(Candidate {
        id: CandidateId::from_uuid(row.id),
        email: Email::parse(&row.email).map_err(|error| corrupt("candidate email", error))?,
        full_name: FullName::parse(&row.full_name)
            .map_err(|error| corrupt("candidate name", error))?,
        password_hash: row.password_hash,
        phone: row.phone,
        status: parse::<CandidateStatus>(&row.status, "candidate status")?,
        created_at: row.created_at,
        updated_at: row.updated_at,
        last_login_at: row.last_login_at,
    })
}

pub fn interview_row(interview: &Interview) -> interviews::ActiveModel {
    interviews::ActiveModel {
        id: Set(interview.id.as_uuid()),
        candidate_id: Set(interview.candidate_id.as_uuid()),
        resume_id: Set(interview.resume_id.map(ResumeId::as_uuid)),
        role_type: Set(interview.role_type.as_str().to_owned()),
        mode: Set(interview.mode.as_str().to_owned()),
        status: Set(interview.status.as_str().to_owned()),
        started_at: Set(interview.started_at),
        completed_at: Set(interview.completed_at),
        duration_seconds: Set(interview.duration_seconds),
        completion_reason: Set(interview
            .completion_reason
            .map(|reason| reason.as_str().to_owned())),
        ai_model_used: Set(interview.ai_model_used.clone()),
        total_tokens_used: Set(interview.total_tokens_used),
        cost_usd_nanos: Set(to_nanos(interview.cost_usd)),
        speech_tokens_used: Set(interview.speech_tokens_used),
        speech_cost_usd_nanos: Set(to_nanos(interview.speech_cost_usd)),
        realtime_cost_usd_nanos: Set(to_nanos(interview.realtime_cost_usd)),
        tech_check_metadata: Set(interview.tech_check_metadata.clone()),
        video_recording_url: Set(interview.video_recording_url.clone()),
        video_recording_consent: Set(interview.video_recording_consent),
        video_recording_status: Set(interview
            .video_recording_status
            .map(|status| status.as_str().to_owned())),
        video_consent_at: Set(interview.video_consent_at),
        created_at: Set(interview.created_at),
        organization_id: Set(interview.organization_id.map(OrganizationId::as_uuid)),
        job_posting_id: Set(interview.job_posting_id.map(JobPostingId::as_uuid)),
        key_skills: Set(skill_list(&interview.key_skills)),
    }
}

/// A list of skill areas as a JSON array of their names.
pub(crate) fn skill_list(skills: &[SkillArea]) -> serde_json::Value {
    serde_json::Value::Array(
        skills
            .iter()
            .map(|skill| serde_json::Value::String(skill.as_str().to_owned()))
            .collect(),
    )
}

pub fn interview(row: interviews::Model) -> Result<Interview, RepositoryError> {
    Ok(Interview {
        id: InterviewId::from_uuid(row.id),
        candidate_id: CandidateId::from_uuid(row.candidate_id),
        resume_id: row.resume_id.map(ResumeId::from_uuid),
        role_type: parse::<RoleType>(&row.role_type, "interview role")?,
        mode: parse::<InterviewMode>(&row.mode, "interview mode")?,
        status: parse::<InterviewStatus>(&row.status, "interview status")?,
        started_at: row.started_at,
        completed_at: row.completed_at,
        duration_seconds: row.duration_seconds,
        completion_reason: row
            .completion_reason
            .as_deref()
            .map(|text| {
                CompletionReason::parse(text).ok_or_else(|| corrupt("completion reason", text))
            })
            .transpose()?,
        ai_model_used: row.ai_model_used,
        total_tokens_used: row.total_tokens_used,
        cost_usd: from_nanos(row.cost_usd_nanos),
        speech_tokens_used: row.speech_tokens_used,
        speech_cost_usd: from_nanos(row.speech_cost_usd_nanos),
        realtime_cost_usd: from_nanos(row.realtime_cost_usd_nanos),
        tech_check_metadata: row.tech_check_metadata,
        video_recording_url: row.video_recording_url,
        video_recording_consent: row.video_recording_consent,
        video_consent_at: row.video_consent_at,
        video_recording_status: row
            .video_recording_status
            .as_deref()
            .map(|text| parse::<VideoRecordingStatus>(text, "video recording status"))
            .transpose()?,
        created_at: row.created_at,
        organization_id: row.organization_id.map(OrganizationId::from_uuid),
        job_posting_id: row.job_posting_id.map(JobPostingId::from_uuid),
        key_skills: from_json(row.key_skills, "interview key skills")?,
    })
}

pub fn session_row(
    session: &InterviewSession,
) -> Result<interview_sessions::ActiveModel, RepositoryError> {
    Ok(interview_sessions::ActiveModel {
        id: Set(session.id.as_uuid()),
        interview_id: Set(session.interview_id.as_uuid()),
        current_difficulty_level: Set(session.current_difficulty.as_str().to_owned()),
        questions_asked_count: Set(session.questions_asked_count),
        skill_boundaries_identified: Set(json(&session.skill_boundaries, "skill boundaries")?),
        progression_state: Set(json(&session.progression, "progression state")?),
        conversation_memory: Set(json(&session.memory, "conversation memory")?),
        pending_question: Set(session
            .pending_question
            .as_ref()
            .map(|pending| json(pending, "pending question"))
            .transpose()?),
        last_activity_at: Set(session.last_activity_at),
        created_at: Set(session.created_at),
        updated_at: Set(session.updated_at),
        version: Set(session.version),
    })
}

pub fn session(row: interview_sessions::Model) -> Result<InterviewSession, RepositoryError> {
    Ok(InterviewSession {
        id: SessionId::from_uuid(row.id),
        interview_id: InterviewId::from_uuid(row.interview_id),
        current_difficulty: parse(&row.current_difficulty_level, "difficulty level")?,
        questions_asked_count: row.questions_asked_count,
        skill_boundaries: from_json(row.skill_boundaries_identified, "skill boundaries")?,
        progression: from_json(row.progression_state, "progression state")?,
        memory: from_json(row.conversation_memory, "conversation memory")?,
        pending_question: row
            .pending_question
            .map(|value| from_json(value, "pending question"))
            .transpose()?,
        last_activity_at: row.last_activity_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

pub fn message_row(
    message: &InterviewMessage,
) -> Result<interview_messages::ActiveModel, RepositoryError> {
    Ok(interview_messages::ActiveModel {
        id: Set(message.id.as_uuid()),
        interview_id: Set(message.interview_id.as_uuid()),
        session_id: Set(message.session_id.as_uuid()),
        sequence_number: Set(message.sequence_number),
        message_type: Set(message.message_type.as_str().to_owned()),
        content_text: Set(message.content_text.clone()),
        audio_url: Set(message.audio.as_ref().map(stored_audio_name)),
        audio_duration_seconds: Set(message.audio_duration_seconds),
        audio_metadata: Set(message
            .audio_metadata
            .as_ref()
            .map(|metadata| json(metadata, "audio metadata"))
            .transpose()?),
        response_time_seconds: Set(message.response_time_seconds),
        metadata: Set(json(&message.metadata, "message metadata")?),
        created_at: Set(message.created_at),
    })
}

/// What the `audio_url` column holds for a message with audio: the name of its blob within the
/// interview (`{message}.{ext}`). Rows written before held the URL the server served it at; only
/// the presence matters, and the format comes from the name, the audio metadata or (interviewer
/// speech) mp3.
pub(crate) fn stored_audio_name(blob: &BlobRef) -> String {
    match blob {
        BlobRef::MessageAudio {
            message, format, ..
        } => format!("{}.{}", message.as_uuid(), format.extension()),
        BlobRef::Resume { resume, format, .. } => format!("{}.{format}", resume.as_uuid()),
    }
}

/// The blob a message row links to, read from the row's audio columns alone.
pub(crate) fn stored_audio(
    row: &interview_messages::Model,
    message_type: MessageType,
    metadata: Option<&AudioMetadata>,
) -> Option<BlobRef> {
    let stored = row.audio_url.as_deref()?;
    let format = stored
        .rsplit_once('.')
        .and_then(|(_, extension)| AudioFormat::from_extension(extension))
        .or_else(|| metadata.and_then(|metadata| metadata.format))
        .or(message_type.is_interviewer().then_some(AudioFormat::Mp3))?;
    Some(BlobRef::MessageAudio {
        interview: InterviewId::from_uuid(row.interview_id),
        message: MessageId::from_uuid(row.id),
        format,
    })
}

/// The audio a message row links to, without reading the rest of the message.
///
/// # Errors
/// [`RepositoryError::Corrupt`] for an unknown message type or unreadable audio metadata.
pub(crate) fn message_audio(
    row: &interview_messages::Model,
) -> Result<Option<BlobRef>, RepositoryError> {
    let message_type = parse::<MessageType>(&row.message_type, "message type")?;
    let audio_metadata: Option<AudioMetadata> = row
        .audio_metadata
        .clone()
        .map(|value| from_json(value, "audio metadata"))
        .transpose()?;
    Ok(stored_audio(row, message_type, audio_metadata.as_ref()))
}

pub fn message(row: interview_messages::Model) -> Result<InterviewMessage, RepositoryError> {
    let message_type = parse::<MessageType>(&row.message_type, "message type")?;
    let audio_metadata: Option<AudioMetadata> = row
        .audio_metadata
        .clone()
        .map(|value| from_json(value, "audio metadata"))
        .transpose()?;
    let audio = stored_audio(&row, message_type, audio_metadata.as_ref());
    let metadata = MessageMetadata::from_stored(row.metadata)
        .map_err(|error| RepositoryError::Corrupt(format!("message metadata: {error}")))?;
    Ok(InterviewMessage {
        id: MessageId::from_uuid(row.id),
        interview_id: InterviewId::from_uuid(row.interview_id),
        session_id: SessionId::from_uuid(row.session_id),
        sequence_number: row.sequence_number,
        message_type,
        content_text: row.content_text,
        audio,
        audio_duration_seconds: row.audio_duration_seconds,
        audio_metadata,
        response_time_seconds: row.response_time_seconds,
        metadata,
        created_at: row.created_at,
    })
}

pub fn outcome_json(outcome: &StoredOutcome) -> Result<serde_json::Value, RepositoryError> {
    json(outcome, "answer outcome")
}

pub fn outcome(value: serde_json::Value) -> Result<StoredOutcome, RepositoryError> {
    from_json(value, "answer outcome")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_round_trips_through_nanos_exactly() {
        for text in ["0", "1.03", "0.00000015", "4.972", "123456.123456789"] {
            let usd = Decimal::from_str(text).unwrap();
            assert_eq!(from_nanos(to_nanos(usd)), usd.normalize(), "{text}");
        }
    }
}
