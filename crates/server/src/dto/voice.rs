//! Recorded answers: the multipart forms of `POST …/messages` and `POST …/audio`, and the
//! latter's reply.

use serde::Serialize;
use utoipa::ToSchema;

use crate::dto::AnswerResponse;

/// A spoken answer (`multipart/form-data`).
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the form; the handler reads it field by field
pub struct VoiceAnswerForm {
    /// The recording: webm, ogg, mp3, mp4, mpeg, mpga, m4a or wav, at most 25 MB.
    #[schema(value_type = String, format = Binary)]
    pub audio_file: Vec<u8>,
    /// Sequence number of the question answered; defaults to the open one.
    pub in_reply_to: Option<i32>,
}

/// A spoken answer to `POST …/audio` (`multipart/form-data`): the form of `POST …/messages`
/// with the question's sequence number named `message_sequence`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the form; the handler reads it field by field
pub struct AudioAnswerForm {
    /// The recording: webm, ogg, mp3, mp4, mpeg, mpga, m4a or wav, at most 25 MB.
    #[schema(value_type = String, format = Binary)]
    pub audio_file: Vec<u8>,
    /// Sequence number of the interviewer's question answered; defaults to the open one.
    pub message_sequence: Option<i32>,
}

/// The reply to a recorded answer: the answer reply, and what the recording was heard as.
#[derive(Debug, Serialize, ToSchema)]
pub struct AudioAnswerResponse {
    #[serde(flatten)]
    pub answer: AnswerResponse,
    /// The recording's transcription (the same text as `transcript`).
    pub transcription: String,
}
