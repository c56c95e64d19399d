//! What the engine records about each message, typed. Stored as JSON (tagged by `kind`); rows
//! written before the tag existed (answers carried no `kind`) still read back.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::lifecycle::CompletionReason;
use crate::rules::cost::{ChatUsage, RealtimeUsage};
use crate::rules::ladder::{DifficultyLevel, Evaluation, Movement, SkillArea, SkillBoundary};

/// The metadata of one message.
#[allow(clippy::large_enum_variant)] // one per message, built once a turn; never stored in bulk
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MessageMetadata {
    /// An interviewer question.
    Question(QuestionNote),
    /// A candidate's answer.
    Answer(AnswerNote),
    /// The interviewer's closing remark.
    Closing(ClosingNote),
}

/// A question: what it asks about and what asking it cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionNote {
    pub skill: SkillArea,
    pub level: DifficultyLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<ChatUsage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speech: Option<SpeechNote>,
}

/// An answer: the question it answered and, when it was judged, the judgement and what followed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerNote {
    pub skill: SkillArea,
    pub level: DifficultyLevel,
    /// Absent when the budget did not allow judging the answer.
    #[serde(default, flatten, skip_serializing_if = "Option::is_none")]
    pub judgement: Option<Judgement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcription: Option<TranscriptionNote>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realtime: Option<RealtimeNote>,
}

/// How an answer was judged and how the ladder moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    pub evaluation: Evaluation,
    pub composite: f64,
    pub movement: Movement,
    pub next_level: DifficultyLevel,
    #[serde(default)]
    pub boundaries: Vec<SkillBoundary>,
    /// The evaluation call; absent when the evaluation came with the answer (realtime).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<ChatUsage>,
    #[serde(default)]
    pub cost_usd: Decimal,
}

/// The transcription of a recorded answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptionNote {
    pub audio_seconds: Option<f64>,
    pub cost_usd: Decimal,
}

/// The realtime audio and text behind an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RealtimeNote {
    pub usage: RealtimeUsage,
    pub cost_usd: Decimal,
    /// The upstream conversation item the answer was transcribed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
}

/// The closing remark and why the interview ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClosingNote {
    pub completion_reason: CompletionReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speech: Option<SpeechNote>,
}

/// Whether an interviewer message was spoken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SpeechNote {
    Spoken {
        characters: u64,
        cost_usd: Decimal,
    },
    Skipped {
        skipped: SpeechSkipped,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
}

/// Why an interviewer message stayed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpeechSkipped {
    BudgetExhausted,
    SpeechFailed,
    StorageUnavailable,
}

impl MessageMetadata {
    /// Reads stored metadata; answers stored before the `kind` tag existed count as answers.
    ///
    /// # Errors
    /// The JSON matches no known shape.
    pub fn from_stored(mut value: serde_json::Value) -> Result<Self, serde_json::Error> {
        if let Some(object) = value.as_object_mut()
            && !object.contains_key("kind")
        {
            object.insert("kind".into(), serde_json::Value::from("answer"));
        }
        serde_json::from_value(value)
    }

    /// The speech note of an interviewer message, to fill in once it is spoken.
    pub fn speech_mut(&mut self) -> Option<&mut Option<SpeechNote>> {
        match self {
            Self::Question(note) => Some(&mut note.speech),
            Self::Closing(note) => Some(&mut note.speech),
            Self::Answer(_) => None,
        }
    }

    pub fn speech(&self) -> Option<&SpeechNote> {
        match self {
            Self::Question(note) => note.speech.as_ref(),
            Self::Closing(note) => note.speech.as_ref(),
            Self::Answer(_) => None,
        }
    }

    pub fn as_answer(&self) -> Option<&AnswerNote> {
        match self {
            Self::Answer(note) => Some(note),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_written_before_the_types_read_back() {
        let answer = MessageMetadata::from_stored(json!({
            "skill": "hooks", "level": "fundamental",
            "evaluation": {"quality": "good", "technical_accuracy": 0.8,
                           "explanation_clarity": 0.7},
            "composite": 0.765, "movement": "stay", "next_level": "fundamental",
            "boundaries": [], "usage": {"model": "gpt-4o-mini", "input_tokens": 10,
                                        "output_tokens": 5},
            "cost_usd": "0.0000045",
            "transcription": {"audio_seconds": 30.0, "cost_usd": "0.003"}
        }))
        .unwrap();
        let note = answer.as_answer().unwrap();
        assert!((note.judgement.as_ref().unwrap().composite - 0.765).abs() < 1e-12);
        assert_eq!(
            note.transcription.as_ref().unwrap().audio_seconds,
            Some(30.0)
        );

        let unjudged =
            MessageMetadata::from_stored(json!({"skill": "hooks", "level": "warmup"})).unwrap();
        assert!(unjudged.as_answer().unwrap().judgement.is_none());

        let closing = MessageMetadata::from_stored(json!({
            "kind": "closing", "completion_reason": "max_questions",
            "speech": {"skipped": "speech_failed", "error": "boom"}
        }))
        .unwrap();
        assert!(matches!(
            closing.speech(),
            Some(SpeechNote::Skipped {
                skipped: SpeechSkipped::SpeechFailed,
                ..
            })
        ));

        let question = MessageMetadata::from_stored(json!({
            "kind": "question", "skill": "hooks", "level": "warmup",
            "usage": {"model": "offline", "input_tokens": 0, "output_tokens": 0},
            "cost_usd": "0", "speech": {"characters": 5, "cost_usd": "0.000075"}
        }))
        .unwrap();
        assert!(matches!(
            question.speech(),
            Some(SpeechNote::Spoken { characters: 5, .. })
        ));
    }

    #[test]
    fn metadata_round_trips_with_its_kind() {
        let closing = MessageMetadata::Closing(ClosingNote {
            completion_reason: CompletionReason::BudgetExhausted,
            speech: None,
        });
        let stored = serde_json::to_value(&closing).unwrap();
        assert_eq!(stored["kind"], "closing");
        assert_eq!(MessageMetadata::from_stored(stored).unwrap(), closing);
    }
}
