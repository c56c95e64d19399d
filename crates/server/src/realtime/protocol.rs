//! The realtime WebSocket protocol a browser speaks: JSON text frames, one object each, `type`
//! first. Kept exactly as the frontend expects it.

use interview_core::ports::Base64Audio;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Largest frame accepted from a client; bigger ones are reported as `INVALID_MESSAGE`.
pub const MAX_FRAME_BYTES: usize = 1024 * 1024;

/// What a client sends.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Base64 PCM16 mono 24 kHz little-endian.
    AudioChunk {
        audio: String,
        #[serde(default)]
        timestamp: Option<f64>,
    },
    /// The candidate finished speaking (push-to-talk).
    AudioCommit,
    /// Barge-in: stop the interviewer's current speech.
    Interrupt {
        /// How much of the interviewer's current reply was played, when the client knows.
        #[serde(default)]
        played_ms: Option<u32>,
    },
    Ping,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Assistant,
}

/// Error codes of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    AuthenticationFailed,
    InterviewNotActive,
    RealtimeUnavailable,
    BudgetExhausted,
    RateLimitExceeded,
    InvalidMessage,
    UpstreamError,
    /// A newer connection to the same interview took over (this one closes).
    SessionReplaced,
}

/// What the server sends.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    Connected {
        session_id: Uuid,
        interview_id: Uuid,
        resumed: bool,
        message: String,
    },
    AiAudioChunk {
        audio: String,
        is_final: bool,
    },
    TranscriptDelta {
        role: Role,
        text: String,
    },
    Transcript {
        role: Role,
        text: String,
        message_id: Uuid,
        is_final: bool,
    },
    InterviewComplete {
        reason: String,
        questions_answered: i32,
    },
    Pong,
    Error {
        error: ErrorCode,
        message: String,
    },
}

impl ServerFrame {
    pub fn error(error: ErrorCode, message: impl Into<String>) -> Self {
        Self::Error {
            error,
            message: message.into(),
        }
    }

    /// `ai_audio_chunk` (not final) with `audio` as it is, written directly: the frame goes out
    /// 50 times a second, and checked base64 needs no JSON escaping. The same text as
    /// [`ServerFrame::AiAudioChunk`]'s.
    pub fn audio_chunk(audio: &Base64Audio) -> String {
        const HEAD: &str = r#"{"type":"ai_audio_chunk","audio":""#;
        const TAIL: &str = r#"","is_final":false}"#;
        let mut text = String::with_capacity(HEAD.len() + audio.as_str().len() + TAIL.len());
        text.push_str(HEAD);
        text.push_str(audio.as_str());
        text.push_str(TAIL);
        text
    }

    /// The frame as JSON text.
    pub fn to_text(&self) -> String {
        // serialising these plain types cannot fail; an empty object would only hide a bug
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_frames_parse_by_type() {
        let chunk: ClientFrame =
            serde_json::from_str(r#"{"type":"audio_chunk","audio":"AAA=","timestamp":1.5}"#)
                .unwrap();
        assert!(matches!(chunk, ClientFrame::AudioChunk { .. }));
        let commit: ClientFrame = serde_json::from_str(r#"{"type":"audio_commit"}"#).unwrap();
        assert_eq!(commit, ClientFrame::AudioCommit);
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"dance"}"#).is_err());
    }

    #[test]
    fn server_frames_put_the_type_first_and_codes_in_capitals() {
        let text = ServerFrame::error(ErrorCode::InvalidMessage, "bad").to_text();
        assert!(text.starts_with(r#"{"type":"error""#), "{text}");
        assert!(text.contains(r#""error":"INVALID_MESSAGE""#), "{text}");
        let chunk = ServerFrame::AiAudioChunk {
            audio: String::new(),
            is_final: true,
        }
        .to_text();
        assert_eq!(
            chunk,
            r#"{"type":"ai_audio_chunk","audio":"","is_final":true}"#
        );
        let audio = Base64Audio::new("AQID+/8A".into()).unwrap();
        let written = ServerFrame::audio_chunk(&audio);
        let serialised = ServerFrame::AiAudioChunk {
            audio: audio.into_string(),
            is_final: false,
        }
        .to_text();
        assert_eq!(written, serialised);
    }
}
