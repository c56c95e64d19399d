//! The OpenAI Realtime GA events this adapter sends and reads, as small serde types.
//!
//! async-openai 0.43 has GA realtime types (feature `realtime`), but they are not used here:
//! its `response.create` parameters make `input` a required array, and an empty `input` gives the
//! response an empty context instead of the conversation; its server events require fields that
//! compatible servers omit (a `response.done` without `audio`, a transcription without `usage`),
//! and one missing field would drop the whole event. These types name exactly the fields used and
//! default the rest.

use interview_core::memory::{MemoryMessage, Speaker};
use interview_core::ports::{Base64Audio, TurnDetection};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::prompts;

/// The tool the model calls to report its judgement of an answer.
pub(crate) const EVALUATION_TOOL: &str = "evaluate_candidate_answer";

/// PCM16 mono at this rate, both ways.
const SAMPLE_RATE: u32 = 24_000;

#[derive(Debug, Serialize)]
#[serde(tag = "type")]
pub(crate) enum ClientEvent {
    #[serde(rename = "session.update")]
    SessionUpdate { session: Value },
    #[serde(rename = "input_audio_buffer.commit")]
    Commit,
    #[serde(rename = "conversation.item.create")]
    ItemCreate { item: Item },
    #[serde(rename = "conversation.item.truncate")]
    Truncate {
        item_id: String,
        content_index: u32,
        audio_end_ms: u32,
    },
    #[serde(rename = "response.create")]
    ResponseCreate {
        #[serde(skip_serializing_if = "Option::is_none")]
        response: Option<ResponseParams>,
    },
    #[serde(rename = "response.cancel")]
    Cancel,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Item {
    Message {
        role: &'static str,
        content: Vec<Content>,
    },
    FunctionCallOutput {
        call_id: String,
        output: String,
    },
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Content {
    InputText { text: String },
    OutputText { text: String },
}

/// Overrides for one response; what is left out comes from the session.
#[derive(Debug, Serialize)]
pub(crate) struct ResponseParams {
    instructions: String,
    tool_choice: &'static str,
}

/// The session as the core configured it: instructions, PCM16 both ways, transcription of the
/// candidate, turn detection and the evaluation tool.
pub(crate) fn session(
    instructions: &str,
    voice: &str,
    transcription_model: &str,
    turn_detection: TurnDetection,
) -> ClientEvent {
    let format = json!({ "type": "audio/pcm", "rate": SAMPLE_RATE });
    let turn_detection = match turn_detection {
        TurnDetection::None => Value::Null,
        TurnDetection::ServerVad => json!({ "type": "server_vad" }),
    };
    ClientEvent::SessionUpdate {
        session: json!({
            "type": "realtime",
            "instructions": instructions,
            "output_modalities": ["audio"],
            "audio": {
                "input": {
                    "format": format,
                    "transcription": { "model": transcription_model },
                    "turn_detection": turn_detection
                },
                "output": { "format": format, "voice": voice }
            },
            "tools": [{
                "type": "function",
                "name": EVALUATION_TOOL,
                "description": "Record your judgement of the candidate's last answer. Call it after \
                    every answer, then wait: the application tells you what to say next.",
                "parameters": prompts::evaluation_schema()
            }],
            "tool_choice": "auto"
        }),
    }
}

/// One remembered message as a conversation item.
pub(crate) fn history_item(message: &MemoryMessage) -> ClientEvent {
    let text = message.text.clone();
    let (role, content) = match message.speaker {
        Speaker::Interviewer => ("assistant", Content::OutputText { text }),
        Speaker::Candidate => ("user", Content::InputText { text }),
    };
    ClientEvent::ItemCreate {
        item: Item::Message {
            role,
            content: vec![content],
        },
    }
}

/// A response that says `text` verbatim, without calling tools.
pub(crate) fn say(text: &str) -> ClientEvent {
    ClientEvent::ResponseCreate {
        response: Some(ResponseParams {
            instructions: format!(
                "Say exactly the following text to the candidate, word for word, in a natural \
                 speaking voice. Do not add, drop or change anything.\n\n{text}"
            ),
            tool_choice: "none",
        }),
    }
}

/// The answer to an evaluation call: the text the interviewer will say next.
pub(crate) fn call_output(call_id: String, text: &str) -> ClientEvent {
    ClientEvent::ItemCreate {
        item: Item::FunctionCallOutput {
            call_id,
            output: json!({ "say": text }).to_string(),
        },
    }
}

/// `input_audio_buffer.append` of checked base64, written directly: 50 times a second, and
/// base64 needs no JSON escaping, so serde has nothing to add but a pass over the audio.
pub(crate) fn append(audio: &Base64Audio) -> String {
    const HEAD: &str = r#"{"type":"input_audio_buffer.append","audio":""#;
    const TAIL: &str = r#""}"#;
    let mut text = String::with_capacity(HEAD.len() + audio.as_str().len() + TAIL.len());
    text.push_str(HEAD);
    text.push_str(audio.as_str());
    text.push_str(TAIL);
    text
}

/// A `response.output_audio.delta` event, the one that comes 50 times a second.
#[derive(Debug, Deserialize)]
pub(crate) struct AudioDelta {
    pub item_id: String,
    pub delta: String,
}

/// Reads `text` as an audio delta when it is one, straight into its two fields: the tagged
/// [`ServerEvent`] would first buffer every field of the event (serde's internally tagged enums
/// do), the audio included. `None` for every other event, or an unusual spelling of this one
/// (`"type": "…"` with spaces), which [`ServerEvent`] then reads as usual.
pub(crate) fn audio_delta(text: &str) -> Option<AudioDelta> {
    // a quote inside a JSON string is escaped, so this sequence only occurs as a member
    if !text.contains(r#""type":"response.output_audio.delta""#) {
        return None;
    }
    serde_json::from_str(text).ok()
}

/// The server events this adapter acts on; everything else is [`ServerEvent::Other`].
#[derive(Debug, Deserialize)]
#[serde(tag = "type")]
pub(crate) enum ServerEvent {
    #[serde(rename = "error")]
    Error { error: ApiError },
    #[serde(rename = "input_audio_buffer.speech_started")]
    SpeechStarted,
    #[serde(rename = "input_audio_buffer.committed")]
    Committed,
    #[serde(rename = "conversation.item.input_audio_transcription.completed")]
    Transcribed { item_id: String, transcript: String },
    #[serde(rename = "conversation.item.input_audio_transcription.failed")]
    TranscriptionFailed {
        item_id: String,
        #[serde(default)]
        error: Option<ApiError>,
    },
    #[serde(rename = "response.output_audio.delta")]
    AudioDelta { item_id: String, delta: String },
    #[serde(rename = "response.output_audio_transcript.delta")]
    TranscriptDelta { delta: String },
    #[serde(rename = "response.function_call_arguments.done")]
    ArgumentsDone {
        call_id: String,
        name: String,
        arguments: String,
    },
    #[serde(rename = "response.done")]
    ResponseDone { response: Response },
    #[serde(other)]
    Other,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ApiError {
    pub r#type: String,
    pub code: Option<String>,
    pub message: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Response {
    pub status: String,
    pub status_details: Option<StatusDetails>,
    pub output: Vec<OutputItem>,
    pub usage: Option<Usage>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct StatusDetails {
    pub error: Option<ApiError>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct OutputItem {
    pub r#type: String,
    pub role: Option<String>,
    pub content: Vec<ContentPart>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ContentPart {
    pub transcript: Option<String>,
    pub text: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Usage {
    pub input_token_details: TokenDetails,
    pub output_token_details: TokenDetails,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct TokenDetails {
    pub text_tokens: u64,
    pub audio_tokens: u64,
}

impl Response {
    /// What the assistant said in this response, from its output items.
    pub(crate) fn spoken_transcript(&self) -> Option<String> {
        let text: String = self
            .output
            .iter()
            .filter(|item| item.r#type == "message" && item.role.as_deref() == Some("assistant"))
            .flat_map(|item| &item.content)
            .filter_map(|part| part.transcript.as_deref().or(part.text.as_deref()))
            .collect();
        (!text.is_empty()).then_some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_events_have_the_ga_shapes() {
        let commit = serde_json::to_value(ClientEvent::Commit).unwrap();
        assert_eq!(commit, json!({ "type": "input_audio_buffer.commit" }));
        let output = serde_json::to_value(call_output("call_1".into(), "Next question")).unwrap();
        assert_eq!(output["item"]["type"], "function_call_output");
        assert_eq!(output["item"]["output"], r#"{"say":"Next question"}"#);
        let seeded = serde_json::to_value(history_item(&MemoryMessage {
            speaker: Speaker::Interviewer,
            text: "Hi".into(),
        }))
        .unwrap();
        assert_eq!(
            seeded["item"],
            json!({ "type": "message", "role": "assistant", "content": [{ "type": "output_text", "text": "Hi" }] })
        );
        let plain = serde_json::to_value(ClientEvent::ResponseCreate { response: None }).unwrap();
        assert_eq!(plain, json!({ "type": "response.create" }));
        let audio = Base64Audio::new("AAA=".into()).unwrap();
        let append: Value = serde_json::from_str(&append(&audio)).unwrap();
        assert_eq!(
            append,
            json!({ "type": "input_audio_buffer.append", "audio": "AAA=" })
        );
    }

    #[test]
    fn audio_deltas_are_read_directly_whatever_the_field_order() {
        let delta = audio_delta(
            r#"{"event_id":"e1","type":"response.output_audio.delta","response_id":"r","item_id":"i1","output_index":0,"content_index":0,"delta":"AAA="}"#,
        )
        .unwrap();
        assert_eq!(
            (delta.item_id.as_str(), delta.delta.as_str()),
            ("i1", "AAA=")
        );
        assert!(
            audio_delta(r#"{"type":"response.output_audio_transcript.delta","delta":"Hi"}"#)
                .is_none()
        );
        // spelled with spaces: left to the tagged enum, which reads it all the same
        let spaced = r#"{"type": "response.output_audio.delta", "item_id": "i1", "delta": "AAA="}"#;
        assert!(audio_delta(spaced).is_none());
        assert!(matches!(
            serde_json::from_str::<ServerEvent>(spaced).unwrap(),
            ServerEvent::AudioDelta { .. }
        ));
    }

    #[test]
    fn unknown_server_events_are_other_and_missing_fields_default() {
        let event: ServerEvent =
            serde_json::from_str(r#"{"type":"rate_limits.updated","rate_limits":[]}"#).unwrap();
        assert!(matches!(event, ServerEvent::Other));
        let done: ServerEvent =
            serde_json::from_str(r#"{"type":"response.done","response":{"id":"r"}}"#).unwrap();
        let ServerEvent::ResponseDone { response } = done else {
            panic!("a response.done");
        };
        assert!(response.usage.is_none());
        assert_eq!(response.spoken_transcript(), None);
    }
}
