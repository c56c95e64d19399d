//! The speech ports: recordings in (transcription) and speech out (synthesis).

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::ProviderError;

/// Audio container formats accepted for answers and produced for replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AudioFormat {
    Webm,
    Ogg,
    Mp3,
    Mp4,
    Mpeg,
    Mpga,
    M4a,
    Wav,
}

impl AudioFormat {
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Webm => "webm",
            Self::Ogg => "ogg",
            Self::Mp3 => "mp3",
            Self::Mp4 => "mp4",
            Self::Mpeg => "mpeg",
            Self::Mpga => "mpga",
            Self::M4a => "m4a",
            Self::Wav => "wav",
        }
    }

    /// The format whose [`Self::extension`] is `extension`.
    pub fn from_extension(extension: &str) -> Option<Self> {
        [
            Self::Webm,
            Self::Ogg,
            Self::Mp3,
            Self::Mp4,
            Self::Mpeg,
            Self::Mpga,
            Self::M4a,
            Self::Wav,
        ]
        .into_iter()
        .find(|format| format.extension() == extension)
    }

    pub const fn mime_type(self) -> &'static str {
        match self {
            Self::Webm => "audio/webm",
            Self::Ogg => "audio/ogg",
            Self::Mp3 | Self::Mpeg | Self::Mpga => "audio/mpeg",
            Self::Mp4 | Self::M4a => "audio/mp4",
            Self::Wav => "audio/wav",
        }
    }
}

/// A recorded answer.
#[derive(Clone, PartialEq, Eq)]
pub struct AudioClip {
    pub bytes: Vec<u8>,
    pub format: AudioFormat,
}

impl fmt::Debug for AudioClip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AudioClip")
            .field("bytes", &self.bytes.len())
            .field("format", &self.format)
            .finish()
    }
}

/// Text recognised in a clip.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcription {
    pub text: String,
    pub duration_seconds: f64,
    pub language: Option<String>,
    pub confidence: Option<f64>,
}

/// Speech-to-text.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Transcriber: Send + Sync {
    /// Transcribes a clip in the given language (ISO-639-1).
    ///
    /// # Errors
    /// Any [`ProviderError`]; [`ProviderError::NotSupported`] when the provider has no speech.
    async fn transcribe(
        &self,
        clip: &AudioClip,
        language: &str,
    ) -> Result<Transcription, ProviderError>;
}

/// Synthesized speech.
#[derive(Clone, PartialEq, Eq)]
pub struct SpeechAudio {
    pub bytes: Vec<u8>,
    pub format: AudioFormat,
    /// Characters billed.
    pub characters: u64,
}

impl fmt::Debug for SpeechAudio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpeechAudio")
            .field("bytes", &self.bytes.len())
            .field("format", &self.format)
            .field("characters", &self.characters)
            .finish()
    }
}

/// Text-to-speech.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait SpeechSynthesizer: Send + Sync {
    /// Speaks `text`, however long.
    ///
    /// # Errors
    /// Any [`ProviderError`]; [`ProviderError::NotSupported`] when the provider has no speech.
    async fn synthesize(&self, text: &str) -> Result<SpeechAudio, ProviderError>;
}
