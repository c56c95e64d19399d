//! What a test tells the fake to do: who may connect, what each candidate turn produces and what
//! a spoken reply sounds like. Everything is plain data built with small builder methods.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The key the fake accepts unless told otherwise.
pub const TEST_API_KEY: &str = "test-key";

/// The name of the evaluation tool the fake calls.
pub const EVALUATION_TOOL: &str = "evaluate_candidate_answer";

/// The whole behaviour of one fake server.
#[derive(Debug, Clone)]
pub struct Script {
    pub(crate) api_key: String,
    pub(crate) model: Option<String>,
    pub(crate) refusals: usize,
    pub(crate) refusal_status: u16,
    pub(crate) retry_after_seconds: Option<u64>,
    pub(crate) turns: Vec<Turn>,
    pub(crate) reply: Reply,
    pub(crate) drop_after_turn: Option<usize>,
    pub(crate) streaming: Option<Streaming>,
}

impl Default for Script {
    fn default() -> Self {
        Self {
            api_key: TEST_API_KEY.into(),
            model: None,
            refusals: 0,
            refusal_status: 503,
            retry_after_seconds: None,
            turns: Vec::new(),
            reply: Reply::default(),
            drop_after_turn: None,
            streaming: None,
        }
    }
}

impl Script {
    pub fn new() -> Self {
        Self::default()
    }

    /// The bearer token the handshake must carry (a different one is answered with 401).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = key.into();
        self
    }

    /// The `model` query parameter the handshake must carry (another is answered with 400).
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Answers the first `count` handshakes with `status` (429, 503, …) instead of upgrading.
    pub fn refuse_first(mut self, count: usize, status: u16) -> Self {
        self.refusals = count;
        self.refusal_status = status;
        self
    }

    /// Adds a `Retry-After` header to refused handshakes.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_seconds = Some(seconds);
        self
    }

    /// Queues what the next committed candidate turn produces (turns are shared by all
    /// connections, in order).
    pub fn turn(mut self, turn: Turn) -> Self {
        self.turns.push(turn);
        self
    }

    /// How every spoken reply sounds.
    pub fn reply(mut self, reply: Reply) -> Self {
        self.reply = reply;
        self
    }

    /// Drops the connection abruptly (no close frame) right after the outcome of the `turn`-th
    /// turn (counted over all connections, from 1).
    pub fn drop_after_turn(mut self, turn: usize) -> Self {
        self.drop_after_turn = Some(turn);
        self
    }

    /// Streams audio both ways for as long as each connection is open, for load tests: see
    /// [`Streaming`]. Everything else behaves as scripted.
    pub fn streaming(mut self, streaming: Streaming) -> Self {
        self.streaming = Some(streaming);
        self
    }
}

/// Continuous audio, as a live conversation has it: every connection is sent a
/// `response.output_audio.delta` every `interval` from its `session.created` until it closes,
/// and the receipt of every `input_audio_buffer.append` is timed instead of recorded as an event
/// (so memory stays flat however long it runs; [`crate::FakeRealtime::take_appends`] drains them).
///
/// Both directions carry a timestamp in the audio: the first 8 bytes of the PCM are the
/// nanoseconds since `epoch` (little-endian `u64`). The fake writes it into each delta the moment
/// it sends it, and reads it from the head of each append, so a client sharing `epoch` can time
/// both directions of whatever relays between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Streaming {
    /// Between two deltas on one connection (20 ms of audio per delta by default).
    pub interval: Duration,
    /// PCM bytes per delta; at least 9 (960 = 20 ms of 24 kHz PCM16 mono).
    pub chunk_bytes: usize,
    /// The zero of the timestamps.
    pub epoch: Instant,
}

impl Streaming {
    /// 20 ms deltas of 24 kHz PCM16 mono (960 bytes), timed from `epoch`.
    pub fn every_20_ms(epoch: Instant) -> Self {
        Self {
            interval: Duration::from_millis(20),
            chunk_bytes: 960,
            epoch,
        }
    }
}

/// One timed `input_audio_buffer.append` of a [`Streaming`] fake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendReceipt {
    /// The connection (from 0) it arrived on.
    pub connection: usize,
    /// The timestamp at the head of its audio (nanoseconds since the epoch), when the audio had
    /// at least 8 bytes.
    pub stamp: Option<u64>,
    /// When the fake read it, in nanoseconds since the epoch.
    pub received_ns: u64,
    /// Decoded PCM bytes.
    pub bytes: usize,
}

/// What the model does in the response created after a candidate turn was committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Calls `evaluate_candidate_answer` with these (raw JSON) arguments.
    Evaluate { call_id: String, arguments: String },
    /// Answers with the scripted spoken reply, no tool call.
    Speak,
    /// Sends these text frames verbatim (malformed JSON, `error` events, …).
    Raw(Vec<String>),
}

/// One candidate turn: what the transcription says and what follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub transcript: String,
    pub outcome: Outcome,
    /// Sends the turn's id-carrying events (committed, transcript, tool call) twice.
    pub twice: bool,
    /// Sends `input_audio_buffer.speech_started` at the turn's first appended audio.
    pub speech_started: bool,
}

impl Turn {
    fn new(transcript: impl Into<String>, outcome: Outcome) -> Self {
        Self {
            transcript: transcript.into(),
            outcome,
            twice: false,
            speech_started: false,
        }
    }

    /// The model evaluates the answer through its tool.
    pub fn evaluated(
        transcript: impl Into<String>,
        call_id: impl Into<String>,
        arguments: impl Into<String>,
    ) -> Self {
        Self::new(
            transcript,
            Outcome::Evaluate {
                call_id: call_id.into(),
                arguments: arguments.into(),
            },
        )
    }

    /// The model just talks.
    pub fn spoken(transcript: impl Into<String>) -> Self {
        Self::new(transcript, Outcome::Speak)
    }

    /// The transcript, then these frames as they are.
    pub fn raw(transcript: impl Into<String>, frames: Vec<String>) -> Self {
        Self::new(transcript, Outcome::Raw(frames))
    }

    pub fn delivered_twice(mut self) -> Self {
        self.twice = true;
        self
    }

    pub fn with_speech_started(mut self) -> Self {
        self.speech_started = true;
        self
    }
}

/// Token counts reported in `response.done`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub text_input: u64,
    pub audio_input: u64,
    pub text_output: u64,
    pub audio_output: u64,
}

impl Default for Usage {
    fn default() -> Self {
        Self {
            text_input: 120,
            audio_input: 40,
            text_output: 15,
            audio_output: 60,
        }
    }
}

impl Usage {
    /// The GA `usage` object.
    pub fn to_json(self) -> Value {
        let input = self.text_input + self.audio_input;
        let output = self.text_output + self.audio_output;
        json!({
            "total_tokens": input + output,
            "input_tokens": input,
            "output_tokens": output,
            "input_token_details": {
                "text_tokens": self.text_input,
                "audio_tokens": self.audio_input,
                "image_tokens": 0,
                "cached_tokens": 0,
                "cached_tokens_details": { "text_tokens": 0, "audio_tokens": 0, "image_tokens": 0 }
            },
            "output_token_details": {
                "text_tokens": self.text_output,
                "audio_tokens": self.audio_output
            }
        })
    }
}

/// A spoken reply: PCM16 chunks (sent as `response.output_audio.delta`), transcript pieces
/// (`response.output_audio_transcript.delta`) and the usage of its `response.done`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub audio: Vec<Vec<u8>>,
    pub transcript: Vec<String>,
    pub usage: Usage,
}

impl Default for Reply {
    fn default() -> Self {
        Self::saying(&["Hello, ", "tell me about hooks."])
    }
}

impl Reply {
    /// One PCM chunk (a recognisable byte pattern) per transcript piece.
    pub fn saying(pieces: &[&str]) -> Self {
        let audio = (0..pieces.len())
            .map(|index| {
                (0..480u16)
                    .flat_map(|sample| (sample + index as u16 * 7).to_le_bytes())
                    .collect()
            })
            .collect();
        Self {
            audio,
            transcript: pieces.iter().map(|piece| (*piece).to_owned()).collect(),
            usage: Usage::default(),
        }
    }

    pub fn with_usage(mut self, usage: Usage) -> Self {
        self.usage = usage;
        self
    }

    /// All the audio, as the client should have received it.
    pub fn pcm(&self) -> Vec<u8> {
        self.audio.concat()
    }

    /// The whole transcript.
    pub fn text(&self) -> String {
        self.transcript.concat()
    }
}

/// Evaluation tool arguments in the shape the interviewer's schema asks for.
pub fn evaluation_arguments(quality: &str, accuracy: f64, clarity: f64, skills: &[&str]) -> String {
    json!({
        "answer_quality": quality,
        "technical_accuracy": accuracy,
        "explanation_clarity": clarity,
        "identified_skills": skills,
        "skill_boundaries_detected": [],
        "rationale": "scripted by the fake"
    })
    .to_string()
}
