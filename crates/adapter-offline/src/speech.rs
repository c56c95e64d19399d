//! Speech ports for the offline profile: there is no local speech engine, so both say so
//! clearly instead of pretending.

use async_trait::async_trait;
use interview_core::ports::{
    AudioClip, ProviderError, SpeechAudio, SpeechSynthesizer, Transcriber, Transcription,
};

#[derive(Debug, Clone, Copy, Default)]
pub struct NoSpeech;

#[async_trait]
impl Transcriber for NoSpeech {
    async fn transcribe(
        &self,
        _clip: &AudioClip,
        _language: &str,
    ) -> Result<Transcription, ProviderError> {
        Err(ProviderError::NotSupported("speech recognition"))
    }
}

#[async_trait]
impl SpeechSynthesizer for NoSpeech {
    async fn synthesize(&self, _text: &str) -> Result<SpeechAudio, ProviderError> {
        Err(ProviderError::NotSupported("speech synthesis"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use interview_core::ports::AudioFormat;

    #[tokio::test]
    async fn speech_is_reported_unavailable() {
        let clip = AudioClip {
            bytes: vec![1, 2, 3],
            format: AudioFormat::Wav,
        };
        let error = NoSpeech.transcribe(&clip, "en").await.unwrap_err();
        assert!(matches!(error, ProviderError::NotSupported(_)));
        assert!(error.to_string().contains("not available"));
        assert!(matches!(
            NoSpeech.synthesize("hello").await,
            Err(ProviderError::NotSupported(_))
        ));
    }
}
