//! The outcome of an answer as stored under its idempotency key, replayed on a retry. A frozen,
//! versioned record: the field names below are a storage format, independent of the API's
//! response and of [`AnswerOutcome`]; never rename them, add a version instead.

use serde::{Deserialize, Serialize};

use crate::ids::{InterviewId, MessageId};
use crate::interview::commands::{AnswerOutcome, SessionSnapshot};
use crate::ports::{AudioFormat, BlobRef};
use crate::rules::lifecycle::CompletionReason;

/// The current version written.
pub const STORED_OUTCOME_VERSION: u32 = 1;

/// Version 1, which is also the shape stored before versions existed (those rows carry no
/// `version` and read as 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredOutcome {
    #[serde(default = "first_version")]
    pub version: u32,
    pub message_id: MessageId,
    pub transcript: String,
    pub ai_message_id: MessageId,
    pub ai_response: String,
    pub ai_sequence_number: i32,
    /// Unversioned rows kept the reply's audio URL; its presence is all that matters (replies
    /// are mp3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai_audio_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai_audio_format: Option<AudioFormat>,
    pub question_number: i32,
    pub total_questions: i32,
    pub interview_complete: bool,
    pub completion_reason: Option<CompletionReason>,
    pub session_state: SessionSnapshot,
}

const fn first_version() -> u32 {
    1
}

impl StoredOutcome {
    pub fn from_outcome(outcome: &AnswerOutcome) -> Self {
        Self {
            version: STORED_OUTCOME_VERSION,
            message_id: outcome.message_id,
            transcript: outcome.transcript.clone(),
            ai_message_id: outcome.ai_message_id,
            ai_response: outcome.ai_response.clone(),
            ai_sequence_number: outcome.ai_sequence_number,
            ai_audio_url: None,
            ai_audio_format: outcome.ai_audio.as_ref().and_then(BlobRef::audio_format),
            question_number: outcome.question_number,
            total_questions: outcome.total_questions,
            interview_complete: outcome.interview_complete,
            completion_reason: outcome.completion_reason,
            session_state: outcome.session_state.clone(),
        }
    }

    /// The outcome again, for the interview it was stored under.
    pub fn into_outcome(self, interview: InterviewId) -> AnswerOutcome {
        let format = self
            .ai_audio_format
            .or(self.ai_audio_url.is_some().then_some(AudioFormat::Mp3));
        AnswerOutcome {
            message_id: self.message_id,
            transcript: self.transcript,
            ai_message_id: self.ai_message_id,
            ai_response: self.ai_response,
            ai_sequence_number: self.ai_sequence_number,
            ai_audio: format.map(|format| BlobRef::MessageAudio {
                interview,
                message: self.ai_message_id,
                format,
            }),
            question_number: self.question_number,
            total_questions: self.total_questions,
            interview_complete: self.interview_complete,
            completion_reason: self.completion_reason,
            session_state: self.session_state,
            replayed: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_outcome_stored_before_versions_still_replays() {
        let interview = InterviewId::new();
        let reply = MessageId::new();
        let legacy = json!({
            "message_id": MessageId::new(),
            "transcript": "Lists are mutable",
            "ai_message_id": reply,
            "ai_response": "Next question?",
            "ai_sequence_number": 3,
            "ai_audio_url": format!("/api/v1/interviews/{}/messages/{}/audio",
                                    interview.as_uuid(), reply.as_uuid()),
            "question_number": 2,
            "total_questions": 12,
            "interview_complete": false,
            "completion_reason": null,
            "session_state": {
                "current_difficulty": "warmup", "questions_asked_count": 2,
                "skill_boundaries": [], "skills_explored": ["hooks"]
            }
        });
        let stored: StoredOutcome = serde_json::from_value(legacy).unwrap();
        assert_eq!(stored.version, 1);
        let outcome = stored.into_outcome(interview);
        assert_eq!(outcome.ai_sequence_number, 3);
        assert_eq!(
            outcome.ai_audio,
            Some(BlobRef::MessageAudio {
                interview,
                message: reply,
                format: AudioFormat::Mp3
            })
        );
    }

    #[test]
    fn a_stored_outcome_round_trips_with_its_version() {
        let interview = InterviewId::new();
        let stored: StoredOutcome = serde_json::from_value(json!({
            "message_id": MessageId::new(), "transcript": "t", "ai_message_id": MessageId::new(),
            "ai_response": "r", "ai_sequence_number": 5, "question_number": 3,
            "total_questions": 12, "interview_complete": true,
            "completion_reason": "max_questions",
            "session_state": {"current_difficulty": "expert", "questions_asked_count": 3,
                              "skill_boundaries": [], "skills_explored": []}
        }))
        .unwrap();
        let outcome = stored.into_outcome(interview);
        let again = StoredOutcome::from_outcome(&outcome);
        let json = serde_json::to_value(&again).unwrap();
        assert_eq!(json["version"], STORED_OUTCOME_VERSION);
        assert!(json.get("ai_audio_url").is_none());
        assert_eq!(again.into_outcome(interview), outcome);
    }
}
