//! Whisper transcription and TTS speech.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_openai::error::OpenAIError;
use async_openai::types::InputSource;
use async_openai::types::audio::{
    AudioInput, AudioResponseFormat, CreateSpeechRequest, CreateTranscriptionRequest, SpeechModel,
    SpeechResponseFormat, Voice,
};
use async_trait::async_trait;
use interview_core::ports::{
    AudioClip, AudioFormat, ProviderError, SpeechAudio, SpeechSynthesizer, Transcriber,
    Transcription,
};
use serde::Deserialize;

use crate::breaker::CircuitBreaker;
use crate::transport::{CallError, Endpoint, OpenAiClient, translate};

/// The most characters one TTS request accepts.
pub const SPEECH_INPUT_LIMIT: usize = 4_096;

fn provider_error(error: CallError) -> ProviderError {
    match error {
        CallError::Provider(error) => error,
        CallError::ContextTooLong => ProviderError::Rejected("the input is too long".into()),
    }
}

pub struct WhisperTranscriber {
    client: OpenAiClient,
    breaker: Arc<CircuitBreaker>,
    model: String,
    /// Set once the server has answered without `usage` (not OpenAI itself): later calls go
    /// straight to the raw request instead of paying for a failed typed one.
    server_omits_usage: AtomicBool,
}

/// The fields every Whisper-compatible server returns, read leniently.
#[derive(Debug, Deserialize)]
struct LenientTranscription {
    text: String,
    #[serde(default)]
    duration: Option<f64>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    segments: Option<Vec<LenientSegment>>,
}

#[derive(Debug, Deserialize)]
struct LenientSegment {
    #[serde(default)]
    avg_logprob: Option<f64>,
}

/// The mean segment probability, `exp(avg_logprob)`, when the server reports it.
fn confidence(log_probabilities: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = log_probabilities.fold((0.0, 0u32), |(sum, count), value| {
        (sum + value.exp().clamp(0.0, 1.0), count + 1)
    });
    (count > 0).then(|| sum / f64::from(count))
}

impl WhisperTranscriber {
    pub(crate) fn new(client: OpenAiClient, breaker: Arc<CircuitBreaker>, model: String) -> Self {
        Self {
            client,
            breaker,
            model,
            server_omits_usage: AtomicBool::new(false),
        }
    }

    fn request(&self, clip: &AudioClip, language: &str) -> CreateTranscriptionRequest {
        CreateTranscriptionRequest {
            file: AudioInput {
                source: InputSource::VecU8 {
                    filename: format!("answer.{}", clip.format.extension()),
                    vec: clip.bytes.clone(),
                },
            },
            model: self.model.clone(),
            language: Some(language.to_owned()),
            response_format: Some(AudioResponseFormat::VerboseJson),
            temperature: Some(0.0),
            ..CreateTranscriptionRequest::default()
        }
    }

    async fn raw(&self, clip: &AudioClip, language: &str) -> Result<Transcription, ProviderError> {
        let bytes = self
            .client
            .audio()
            .transcription()
            .create_raw(self.request(clip, language))
            .await
            .map_err(|error| provider_error(translate(error, Endpoint::Transcription)))?;
        let reply: LenientTranscription = serde_json::from_slice(&bytes).map_err(|error| {
            ProviderError::InvalidResponse(format!(
                "the transcription reply was unreadable: {error}"
            ))
        })?;
        Ok(Transcription {
            text: reply.text.trim().to_owned(),
            duration_seconds: reply.duration.unwrap_or(0.0),
            language: reply.language,
            confidence: confidence(
                reply
                    .segments
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|segment| segment.avg_logprob),
            ),
        })
    }

    async fn typed(
        &self,
        clip: &AudioClip,
        language: &str,
    ) -> Result<Transcription, ProviderError> {
        match self
            .client
            .audio()
            .transcription()
            .create_verbose_json(self.request(clip, language))
            .await
        {
            Ok(reply) => Ok(Transcription {
                text: reply.text.trim().to_owned(),
                duration_seconds: f64::from(reply.duration),
                language: Some(reply.language),
                confidence: confidence(
                    reply
                        .segments
                        .unwrap_or_default()
                        .iter()
                        .map(|segment| f64::from(segment.avg_logprob)),
                ),
            }),
            Err(OpenAIError::JSONDeserialize(error, _)) => {
                tracing::info!(%error, "transcription reply without the full verbose_json shape; using the raw call");
                self.server_omits_usage.store(true, Ordering::Relaxed);
                self.raw(clip, language).await
            }
            Err(error) => Err(provider_error(translate(error, Endpoint::Transcription))),
        }
    }
}

#[async_trait]
impl Transcriber for WhisperTranscriber {
    async fn transcribe(
        &self,
        clip: &AudioClip,
        language: &str,
    ) -> Result<Transcription, ProviderError> {
        self.breaker
            .call(async {
                if self.server_omits_usage.load(Ordering::Relaxed) {
                    self.raw(clip, language).await
                } else {
                    self.typed(clip, language).await
                }
            })
            .await
    }
}

pub struct OpenAiSpeech {
    client: OpenAiClient,
    breaker: Arc<CircuitBreaker>,
    model: String,
    voice: String,
    speed: f32,
}

/// Splits text into pieces of at most `limit` characters, preferring sentence ends, then
/// spaces, and cutting inside a word only when one is longer than the limit.
pub fn split_for_speech(text: &str, limit: usize) -> Vec<String> {
    let limit = limit.max(1);
    let mut pieces = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if rest.chars().count() <= limit {
            pieces.push(rest.to_owned());
            break;
        }
        let window_end = rest
            .char_indices()
            .nth(limit)
            .map_or(rest.len(), |(index, _)| index);
        let window = &rest[..window_end];
        let cut = window
            .rfind(['.', '!', '?', '\n'])
            .map(|index| index + 1)
            .filter(|&index| index > window.len() / 2)
            .or_else(|| window.rfind(char::is_whitespace).filter(|&index| index > 0))
            .unwrap_or(window_end);
        pieces.push(rest[..cut].trim().to_owned());
        rest = rest[cut..].trim_start();
    }
    pieces.retain(|piece| !piece.is_empty());
    pieces
}

impl OpenAiSpeech {
    pub(crate) fn new(
        client: OpenAiClient,
        breaker: Arc<CircuitBreaker>,
        model: String,
        voice: String,
        speed: f32,
    ) -> Self {
        Self {
            client,
            breaker,
            model,
            voice,
            speed,
        }
    }

    async fn speak(&self, input: String) -> Result<Vec<u8>, ProviderError> {
        let request = CreateSpeechRequest {
            input,
            model: SpeechModel::Other(self.model.clone()),
            voice: Voice::Other(self.voice.clone()),
            response_format: Some(SpeechResponseFormat::Mp3),
            speed: Some(self.speed),
            ..CreateSpeechRequest::default()
        };
        let response = self
            .client
            .audio()
            .speech()
            .create(request)
            .await
            .map_err(|error| provider_error(translate(error, Endpoint::Speech)))?;
        if response.bytes.is_empty() {
            return Err(ProviderError::InvalidResponse(
                "the speech reply was empty".into(),
            ));
        }
        Ok(response.bytes.to_vec())
    }
}

#[async_trait]
impl SpeechSynthesizer for OpenAiSpeech {
    async fn synthesize(&self, text: &str) -> Result<SpeechAudio, ProviderError> {
        let pieces = split_for_speech(text, SPEECH_INPUT_LIMIT);
        if pieces.is_empty() {
            return Err(ProviderError::Rejected("there is no text to speak".into()));
        }
        let mut bytes = Vec::new();
        let mut characters = 0u64;
        for piece in pieces {
            characters += piece.chars().count() as u64;
            // MP3 is a sequence of independent frames: the pieces play back to back
            bytes.extend(self.breaker.call(self.speak(piece)).await?);
        }
        Ok(SpeechAudio {
            bytes,
            format: AudioFormat::Mp3,
            characters,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_split_at_sentences_within_the_limit_and_loses_nothing() {
        let sentence = "Tell me how you would design a cache for a slow service. ";
        let text = sentence.repeat(200);
        let pieces = split_for_speech(&text, SPEECH_INPUT_LIMIT);
        assert!(pieces.len() >= 3);
        for piece in &pieces {
            assert!(piece.chars().count() <= SPEECH_INPUT_LIMIT);
            assert!(
                piece.ends_with('.'),
                "cut mid-sentence: …{}",
                &piece[piece.len() - 10..]
            );
        }
        let rejoined: String = pieces.join(" ");
        assert_eq!(
            rejoined.split_whitespace().collect::<Vec<_>>(),
            text.split_whitespace().collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_word_longer_than_the_limit_is_cut_and_short_text_is_one_piece() {
        assert_eq!(split_for_speech("short", 10), ["short"]);
        let pieces = split_for_speech(&"é".repeat(25), 10);
        assert_eq!(
            pieces.iter().map(|p| p.chars().count()).collect::<Vec<_>>(),
            [10, 10, 5]
        );
    }

    #[test]
    fn confidence_is_the_mean_segment_probability() {
        let value = confidence([0.0f64, (0.5f64).ln()].into_iter()).unwrap();
        assert!((value - 0.75).abs() < 1e-9);
        assert_eq!(confidence(std::iter::empty()), None);
    }
}
