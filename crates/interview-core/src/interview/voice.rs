//! Voice: recorded answers transcribed into turns, interviewer replies spoken and stored, and
//! the stored audio read back.

use std::ops::Range;

use crate::actor::Actor;
use crate::ids::{InterviewId, MessageId};
use crate::interview::access::Access;
use crate::interview::answer::open_question;
use crate::interview::commands::{
    AnswerAudio, AnswerOutcome, AnswerSource, StoredAudio, SubmitVoiceAnswer, TurnInput,
};
use crate::interview::errors::{AnswerError, ReadError};
use crate::interview::{InterviewService, SpeechServices};
use crate::metadata::{SpeechNote, SpeechSkipped};
use crate::model::{AudioMetadata, Interview, InterviewMessage};
use crate::ports::{BlobRef, ProviderError};
use crate::rules::budget::PaidCall;

/// Stands in for the words of a recording the budget did not allow transcribing.
const UNTRANSCRIBED: &str = "[recorded answer not transcribed: the interview budget is exhausted]";

impl InterviewService {
    /// Whether voice can be used at all. Lets a caller refuse a recording before reading it.
    ///
    /// # Errors
    /// [`AnswerError::SpeechUnavailable`].
    pub fn ensure_speech(&self) -> Result<(), AnswerError> {
        self.speech().map(|_| ())
    }

    fn speech(&self) -> Result<&SpeechServices, AnswerError> {
        self.speech.as_ref().ok_or(AnswerError::SpeechUnavailable)
    }

    /// Takes a recorded answer: checks it can be answered, transcribes it, stores the audio
    /// and answers the transcript like text. A failed transcription stores nothing.
    ///
    /// # Errors
    /// [`AnswerError::SpeechUnavailable`] without a speech provider;
    /// [`AnswerError::TranscriptionUnavailable`] when transcription failed for now;
    /// [`AnswerError::AudioRejected`] when the recording holds no usable speech; and every
    /// error of [`Self::answer`].
    #[tracing::instrument(name = "interview.answer_voice", skip_all, fields(interview_id = %command.interview_id))]
    pub async fn answer_voice(
        &self,
        command: SubmitVoiceAnswer,
    ) -> Result<AnswerOutcome, AnswerError> {
        let record = self
            .load_for(command.interview_id, &command.actor, Access::Take)
            .await?;
        let speech = self.speech()?;
        if command.clip.bytes.is_empty() {
            return Err(AnswerError::AudioRejected("the recording is empty".into()));
        }
        if let Some(key) = &command.client_key
            && let Some(stored) = self
                .interviews
                .stored_answer(command.interview_id, key)
                .await?
        {
            // the same key is the same recording: answer as the first time, without paying
            // for its transcription again
            return Ok(stored.into_outcome(command.interview_id));
        }
        open_question(&record, command.in_reply_to)?;

        let message_id = MessageId::new();
        let mut metadata = AudioMetadata {
            format: Some(command.clip.format),
            size_bytes: Some(command.clip.bytes.len() as u64),
            ..command.recording.clone()
        };
        let affordable = self.settings.budget_guard().allows(
            &record.interview.costs(),
            PaidCall::Transcription {
                recording_bytes: command.clip.bytes.len(),
            },
        );
        let text = if affordable {
            let started = std::time::Instant::now();
            let transcription = speech
                .transcriber
                .transcribe(&command.clip, &speech.language)
                .await
                .map_err(transcription_error)?;
            if transcription.text.trim().is_empty() {
                return Err(AnswerError::AudioRejected(
                    "no speech was recognised in the recording".into(),
                ));
            }
            metadata.duration_seconds = Some(transcription.duration_seconds);
            metadata.transcription_ms =
                Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
            metadata.confidence = transcription.confidence;
            transcription.text
        } else {
            UNTRANSCRIBED.to_owned()
        };
        let blob = BlobRef::MessageAudio {
            interview: command.interview_id,
            message: message_id,
            format: command.clip.format,
        };
        speech.blobs.put(&blob, command.clip.bytes).await?;
        let outcome = self
            .answer(TurnInput {
                interview_id: command.interview_id,
                actor: command.actor,
                text,
                in_reply_to: command.in_reply_to,
                client_key: command.client_key,
                source: AnswerSource::Recorded(AnswerAudio {
                    message_id,
                    blob: blob.clone(),
                    metadata,
                    transcribed: affordable,
                }),
            })
            .await;
        if outcome.is_err() {
            // an orphaned blob is harmless; the turn's outcome is what matters
            let _ = speech.blobs.delete(&blob).await;
        }
        outcome
    }

    /// Speaks an interviewer message and stores the audio, when the budget allows. A failure
    /// leaves the message as text: the turn matters more than its audio.
    pub(crate) async fn speak_reply(
        &self,
        interview: &mut Interview,
        message: &mut InterviewMessage,
    ) {
        let Some(speech) = &self.speech else {
            return;
        };
        let note = self
            .speak(speech, interview, message)
            .await
            .unwrap_or_else(|skipped| skipped);
        if let Some(slot) = message.metadata.speech_mut() {
            *slot = Some(note);
        }
    }

    /// Synthesizes and stores `message`, charging the interview: the note on success, or the
    /// note saying why it was skipped.
    async fn speak(
        &self,
        speech: &SpeechServices,
        interview: &mut Interview,
        message: &mut InterviewMessage,
    ) -> Result<SpeechNote, SpeechNote> {
        let characters = message.content_text.chars().count() as u64;
        if !self
            .settings
            .budget_guard()
            .allows(&interview.costs(), PaidCall::Speech { characters })
        {
            return Err(skipped(SpeechSkipped::BudgetExhausted, None));
        }
        let audio = speech
            .synthesizer
            .synthesize(&message.content_text)
            .await
            .map_err(|error| skipped(SpeechSkipped::SpeechFailed, Some(error.to_string())))?;
        let blob = BlobRef::MessageAudio {
            interview: interview.id,
            message: message.id,
            format: audio.format,
        };
        let size = audio.bytes.len() as u64;
        speech
            .blobs
            .put(&blob, audio.bytes)
            .await
            .map_err(|error| skipped(SpeechSkipped::StorageUnavailable, Some(error.to_string())))?;
        let cost = interview.charge_speech(&self.settings.pricing, audio.characters);
        message.audio = Some(blob);
        message.audio_metadata = Some(AudioMetadata {
            format: Some(audio.format),
            size_bytes: Some(size),
            ..AudioMetadata::default()
        });
        Ok(SpeechNote::Spoken {
            characters: audio.characters,
            cost_usd: cost,
        })
    }

    /// Best-effort removal of audio stored for a message that was not written.
    pub(crate) async fn discard_audio(&self, message: &InterviewMessage) {
        if let (Some(speech), Some(blob)) = (&self.speech, &message.audio) {
            // an orphaned blob is harmless; the turn's outcome is what matters
            let _ = speech.blobs.delete(blob).await;
        }
    }

    /// The stored audio of a message of an interview the actor may read: its format and size.
    ///
    /// # Errors
    /// [`ReadError::NotFound`] for an interview the actor may not read, an unknown message or
    /// a message without audio.
    pub async fn message_audio(
        &self,
        interview_id: InterviewId,
        actor: Actor,
        message_id: MessageId,
    ) -> Result<StoredAudio, ReadError> {
        self.load_for(interview_id, &actor, Access::Read).await?;
        let blob = self
            .interviews
            .message(interview_id, message_id)
            .await?
            .and_then(|message| message.audio)
            .ok_or(ReadError::NotFound)?;
        let speech = self.speech.as_ref().ok_or(ReadError::NotFound)?;
        let size = speech.blobs.size(&blob).await?;
        Ok(StoredAudio {
            format: blob.audio_format().ok_or(ReadError::NotFound)?,
            size,
            blob,
        })
    }

    /// Bytes `range` (end exclusive) of audio found by [`Self::message_audio`]; only what is
    /// asked is read from the store.
    ///
    /// # Errors
    /// [`ReadError::NotFound`] when the audio is gone; storage failures.
    pub async fn read_audio(
        &self,
        audio: &StoredAudio,
        range: Range<u64>,
    ) -> Result<Vec<u8>, ReadError> {
        let speech = self.speech.as_ref().ok_or(ReadError::NotFound)?;
        Ok(speech.blobs.get_range(&audio.blob, range).await?)
    }
}

fn skipped(reason: SpeechSkipped, error: Option<String>) -> SpeechNote {
    SpeechNote::Skipped {
        skipped: reason,
        error,
    }
}

fn transcription_error(error: ProviderError) -> AnswerError {
    match error {
        ProviderError::NotSupported(_) => AnswerError::SpeechUnavailable,
        ProviderError::Rejected(message) => {
            AnswerError::AudioRejected(format!("the recording could not be transcribed: {message}"))
        }
        other @ (ProviderError::RateLimited { .. }
        | ProviderError::Unavailable { .. }
        | ProviderError::InvalidResponse(_)) => AnswerError::TranscriptionUnavailable(other),
    }
}
