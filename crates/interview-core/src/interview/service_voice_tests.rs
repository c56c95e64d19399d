//! The legacy voice pipeline: transcription before the turn, a spoken reply inside it, and
//! what is (not) stored when a provider fails.

use chrono::Duration;
use mockall::predicate::{always, eq};
use rust_decimal::Decimal;

use super::*;
use super::{evaluation, model_named, question, record, repo_serving, service, usage};
use crate::actor::Actor;
use crate::ids::CandidateId;
use crate::ladder::{AnswerQuality, DifficultyLevel};
use crate::metadata::{SpeechNote, SpeechSkipped};
use crate::model::{AudioMetadata, InterviewMode, RoleType};
use crate::ports::{
    AudioClip, AudioFormat, BlobRef, Generated, InterviewRecord, MockBlobStore,
    MockInterviewRepository, MockInterviewerModel, MockSpeechSynthesizer, MockTranscriber,
    ProviderError, RepositoryError, SpeechAudio, Transcription,
};

fn clip() -> AudioClip {
    AudioClip {
        bytes: vec![1; 8_000],
        format: AudioFormat::Webm,
    }
}

fn voice_answer(record: &InterviewRecord) -> SubmitVoiceAnswer {
    SubmitVoiceAnswer {
        interview_id: record.interview.id,
        actor: Actor::Candidate(record.interview.candidate_id),
        clip: clip(),
        recording: AudioMetadata {
            codec: Some("opus".into()),
            ..AudioMetadata::default()
        },
        in_reply_to: record
            .session
            .pending_question
            .as_ref()
            .map(|pending| pending.sequence_number),
        client_key: None,
    }
}

fn transcriber_saying(text: &'static str) -> MockTranscriber {
    let mut transcriber = MockTranscriber::new();
    transcriber
        .expect_transcribe()
        .withf(|clip, language| clip.format == AudioFormat::Webm && language == "en")
        .times(1)
        .returning(move |_, _| {
            Ok(Transcription {
                text: text.into(),
                duration_seconds: 30.0,
                language: Some("en".into()),
                confidence: Some(0.9),
            })
        });
    transcriber
}

fn speaking_synthesizer() -> MockSpeechSynthesizer {
    let mut synthesizer = MockSpeechSynthesizer::new();
    synthesizer.expect_synthesize().returning(|text| {
        Ok(SpeechAudio {
            bytes: b"mp3".to_vec(),
            format: AudioFormat::Mp3,
            characters: text.chars().count() as u64,
        })
    });
    synthesizer
}

fn voice_service(
    repo: MockInterviewRepository,
    model: MockInterviewerModel,
    transcriber: MockTranscriber,
    synthesizer: MockSpeechSynthesizer,
    blobs: MockBlobStore,
) -> InterviewService {
    service(repo, model).with_speech(SpeechServices {
        transcriber: Arc::new(transcriber),
        synthesizer: Arc::new(synthesizer),
        blobs: Arc::new(blobs),
        language: "en".into(),
    })
}

fn evaluating_model() -> MockInterviewerModel {
    let mut model = model_named("gpt-4o-mini");
    model.expect_evaluate().returning(|_| {
        Ok(Generated {
            value: evaluation(AnswerQuality::Good, 0.7, 0.7),
            usage: usage("gpt-4o-mini", 800, 100),
        })
    });
    model
        .expect_next_question()
        .returning(|_| Ok(question("Next?", "testing", DifficultyLevel::Fundamental)));
    model
}

#[tokio::test]
async fn a_voice_answer_is_transcribed_stored_answered_and_the_reply_spoken() {
    let record = record(DifficultyLevel::Fundamental, 3, &[0.7, 0.7]);
    let mut blobs = MockBlobStore::new();
    blobs
        .expect_put()
        .withf(|blob, bytes| {
            matches!(
                blob,
                BlobRef::MessageAudio {
                    format: AudioFormat::Webm,
                    ..
                }
            ) && bytes.len() == 8_000
        })
        .times(1)
        .returning(|_, _| Ok(()));
    blobs
        .expect_put()
        .withf(|blob, bytes| {
            matches!(
                blob,
                BlobRef::MessageAudio {
                    format: AudioFormat::Mp3,
                    ..
                }
            ) && bytes == b"mp3"
        })
        .times(1)
        .returning(|_, _| Ok(()));
    let mut repo = repo_serving(&record);
    repo.expect_save_turn()
        .withf(|turn| {
            let answer = &turn.messages[0];
            let reply = &turn.messages[1];
            let metadata = answer.audio_metadata.clone().unwrap_or_default();
            answer.content_text == "I would memoise the selector"
                && answer.audio
                    == Some(BlobRef::MessageAudio {
                        interview: answer.interview_id,
                        message: answer.id,
                        format: AudioFormat::Webm,
                    })
                && metadata.format == Some(AudioFormat::Webm)
                && metadata.codec.as_deref() == Some("opus")
                && metadata.duration_seconds == Some(30.0)
                && metadata.confidence == Some(0.9)
                && metadata.transcription_ms.is_some()
                && reply.audio.is_some()
                && answer
                    .metadata
                    .as_answer()
                    .and_then(|note| note.transcription.as_ref())
                    .is_some_and(|note| note.audio_seconds == Some(30.0))
                && matches!(
                    reply.metadata.speech(),
                    Some(SpeechNote::Spoken { characters: 5, .. })
                )
                // 30 s of Whisper ($0.003) + 5 characters of TTS
                && turn.interview.speech_cost_usd > Decimal::new(3, 3)
                && turn.interview.speech_tokens_used == 30 + 5
        })
        .times(1)
        .returning(|_| Ok(()));

    let outcome = voice_service(
        repo,
        evaluating_model(),
        transcriber_saying("I would memoise the selector"),
        speaking_synthesizer(),
        blobs,
    )
    .answer_voice(voice_answer(&record))
    .await
    .unwrap();

    assert_eq!(outcome.transcript, "I would memoise the selector");
    assert_eq!(outcome.ai_response, "Next?");
    assert_eq!(
        outcome.ai_audio,
        Some(BlobRef::MessageAudio {
            interview: record.interview.id,
            message: outcome.ai_message_id,
            format: AudioFormat::Mp3,
        })
    );
}

#[tokio::test]
async fn a_failed_transcription_stores_nothing_and_says_when_to_retry() {
    let record = record(DifficultyLevel::Fundamental, 3, &[0.7, 0.7]);
    let mut transcriber = MockTranscriber::new();
    transcriber.expect_transcribe().times(1).returning(|_, _| {
        Err(ProviderError::Unavailable {
            message: "whisper is down".into(),
            retry_after: Some(Duration::seconds(7).to_std().unwrap()),
        })
    });
    let mut repo = repo_serving(&record);
    repo.expect_save_turn().never();
    let mut blobs = MockBlobStore::new();
    blobs.expect_put().never();

    let error = voice_service(
        repo,
        model_named("gpt-4o-mini"),
        transcriber,
        MockSpeechSynthesizer::new(),
        blobs,
    )
    .answer_voice(voice_answer(&record))
    .await
    .unwrap_err();

    match error {
        AnswerError::TranscriptionUnavailable(ProviderError::Unavailable {
            retry_after, ..
        }) => {
            assert_eq!(retry_after, Some(std::time::Duration::from_secs(7)));
        }
        other => panic!("expected TranscriptionUnavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn a_failed_reply_synthesis_keeps_the_turn_as_text() {
    let record = record(DifficultyLevel::Fundamental, 3, &[0.7, 0.7]);
    let mut synthesizer = MockSpeechSynthesizer::new();
    synthesizer.expect_synthesize().times(1).returning(|_| {
        Err(ProviderError::Unavailable {
            message: "tts down".into(),
            retry_after: None,
        })
    });
    let mut blobs = MockBlobStore::new();
    blobs.expect_put().times(1).returning(|_, _| Ok(()));
    let mut repo = repo_serving(&record);
    repo.expect_save_turn()
        .withf(|turn| {
            turn.messages[0].audio.is_some()
                && turn.messages[1].audio.is_none()
                && matches!(
                    turn.messages[1].metadata.speech(),
                    Some(SpeechNote::Skipped {
                        skipped: SpeechSkipped::SpeechFailed,
                        ..
                    })
                )
        })
        .times(1)
        .returning(|_| Ok(()));

    let outcome = voice_service(
        repo,
        evaluating_model(),
        transcriber_saying("An answer"),
        synthesizer,
        blobs,
    )
    .answer_voice(voice_answer(&record))
    .await
    .unwrap();

    assert_eq!(outcome.ai_audio, None);
    assert_eq!(outcome.ai_response, "Next?");
}

#[tokio::test]
async fn a_lost_race_deletes_the_audio_it_stored() {
    let record = record(DifficultyLevel::Fundamental, 3, &[0.7, 0.7]);
    let mut blobs = MockBlobStore::new();
    blobs.expect_put().times(2).returning(|_, _| Ok(()));
    blobs
        .expect_delete()
        .withf(|blob| {
            matches!(
                blob,
                BlobRef::MessageAudio {
                    format: AudioFormat::Mp3,
                    ..
                }
            )
        })
        .times(1)
        .returning(|_| Ok(()));
    blobs
        .expect_delete()
        .withf(|blob| {
            matches!(
                blob,
                BlobRef::MessageAudio {
                    format: AudioFormat::Webm,
                    ..
                }
            )
        })
        .times(1)
        .returning(|_| Ok(()));
    let mut repo = repo_serving(&record);
    repo.expect_save_turn()
        .times(1)
        .returning(|_| Err(RepositoryError::Conflict("version moved".into())));

    let error = voice_service(
        repo,
        evaluating_model(),
        transcriber_saying("An answer"),
        speaking_synthesizer(),
        blobs,
    )
    .answer_voice(voice_answer(&record))
    .await
    .unwrap_err();

    assert!(matches!(error, AnswerError::Conflict(_)), "{error:?}");
}

#[tokio::test]
async fn without_a_speech_provider_voice_is_refused_before_anything_is_stored() {
    let record = record(DifficultyLevel::Fundamental, 3, &[0.7, 0.7]);
    // ownership is checked first, so a stranger learns nothing about the provider
    let mut repo = repo_serving(&record);
    repo.expect_save_turn().never();
    repo.expect_create().never();
    let service = service(repo, model_named("gpt-4o-mini"));

    let error = service
        .answer_voice(voice_answer(&record))
        .await
        .unwrap_err();
    assert!(matches!(error, AnswerError::SpeechUnavailable));
    let mut stranger = voice_answer(&record);
    stranger.actor = Actor::Candidate(CandidateId::new());
    let error = service.answer_voice(stranger).await.unwrap_err();
    assert!(matches!(error, AnswerError::NotFound));
    let error = service
        .start(StartInterview {
            candidate_id: CandidateId::new(),
            role: RoleType::React,
            mode: InterviewMode::LegacyVoice,
            resume_id: None,
            organization_id: None,
            job_posting_id: None,
            application_id: None,
            key_skills: Vec::new(),
        })
        .await
        .unwrap_err();
    assert!(matches!(error, StartError::SpeechUnavailable));
}

#[tokio::test]
async fn a_voice_interview_speaks_its_first_question() {
    let mut model = model_named("gpt-4o-mini");
    model
        .expect_first_question()
        .returning(|_| Ok(question("Hello there?", "hooks", DifficultyLevel::Warmup)));
    let mut blobs = MockBlobStore::new();
    blobs
        .expect_put()
        .with(always(), eq(b"mp3".to_vec()))
        .times(1)
        .returning(|_, _| Ok(()));
    let mut repo = MockInterviewRepository::new();
    repo.expect_create()
        .withf(|interview, _, opening, _| {
            opening.audio.is_some()
                && interview.mode == InterviewMode::LegacyVoice
                && interview.speech_tokens_used == 12
        })
        .times(1)
        .returning(|_, _, _, _| Ok(()));

    let started = voice_service(
        repo,
        model,
        MockTranscriber::new(),
        speaking_synthesizer(),
        blobs,
    )
    .start(StartInterview {
        candidate_id: CandidateId::new(),
        role: RoleType::React,
        mode: InterviewMode::LegacyVoice,
        resume_id: None,
        organization_id: None,
        job_posting_id: None,
        application_id: None,
        key_skills: Vec::new(),
    })
    .await
    .unwrap();

    assert_eq!(
        started.first_question.audio,
        Some(BlobRef::MessageAudio {
            interview: started.interview.id,
            message: started.first_question.id,
            format: AudioFormat::Mp3,
        })
    );
}
