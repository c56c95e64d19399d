//! Rows written before the typed metadata, blob references and versioned outcomes still read
//! back, and migration 4 turns old closing remarks into `ai_closing`.

use interview_core::ids::MessageId;
use interview_core::metadata::MessageMetadata;
use interview_core::model::MessageType;
use interview_core::ports::{AudioFormat, BlobRef, ClientKey, InterviewRepository};
use migration::{Migrator, MigratorTrait};
use sea_orm::{EntityTrait, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

use super::repositories::{fixture, start};
use super::support::{at, empty_databases};
use crate::entities::{answer_idempotency, interview_messages};

fn legacy_message(
    interview: Uuid,
    session: Uuid,
    sequence_number: i32,
    message_type: &str,
    metadata: serde_json::Value,
) -> interview_messages::Model {
    interview_messages::Model {
        id: Uuid::now_v7(),
        interview_id: interview,
        session_id: session,
        sequence_number,
        message_type: message_type.into(),
        content_text: format!("message {sequence_number}"),
        audio_url: None,
        audio_duration_seconds: None,
        audio_metadata: None,
        response_time_seconds: None,
        metadata,
        created_at: at(sequence_number.unsigned_abs()),
    }
}

#[tokio::test]
async fn rows_written_before_the_typed_model_read_back_after_migration_four() {
    for database in empty_databases().await {
        let name = database.name;
        let db = database.db.connection();
        // the interview is started on today's schema (the repository writes today's columns),
        // then the schema goes back to migration 3 for the rows of the time
        Migrator::up(db, None).await.unwrap();
        let fixture = fixture(&database.db);
        let (_, started) = start(&fixture, "legacy@example.com").await;
        let pending = Migrator::migrations().len() - 3;
        Migrator::down(db, Some(u32::try_from(pending).unwrap()))
            .await
            .unwrap();
        let interview = started.interview.id;
        let session = started.first_question.session_id.as_uuid();

        // an answer recorded by voice: no `kind`, the audio named by the URL it was served at
        let mut answer = legacy_message(
            interview.as_uuid(),
            session,
            2,
            "candidate_response",
            json!({"skill": "http-apis", "level": "warmup",
                   "evaluation": {"quality": "good", "technical_accuracy": 0.7,
                                  "explanation_clarity": 0.7},
                   "composite": 0.685, "movement": "stay", "next_level": "warmup",
                   "boundaries": [], "cost_usd": "0"}),
        );
        answer.audio_url = Some(format!(
            "/api/v1/interviews/{}/messages/{}/audio",
            interview.as_uuid(),
            answer.id
        ));
        answer.audio_metadata = Some(json!({"format": "wav", "codec": "pcm"}));
        // the closing remark, spoken, as it used to be stored
        let mut closing = legacy_message(
            interview.as_uuid(),
            session,
            3,
            "ai_question",
            json!({"kind": "closing", "completion_reason": "candidate_requested",
                   "speech": {"characters": 9, "cost_usd": "0.000135"}}),
        );
        closing.audio_url = Some("/api/v1/whatever/audio".into());
        for row in [answer.clone(), closing.clone()] {
            interview_messages::Entity::insert(row.into_active_model())
                .exec_without_returning(db)
                .await
                .unwrap();
        }
        let reply = Uuid::now_v7();
        answer_idempotency::Entity::insert(
            answer_idempotency::Model {
                interview_id: interview.as_uuid(),
                client_key: "old-key".into(),
                outcome: json!({
                    "message_id": answer.id, "transcript": "message 2",
                    "ai_message_id": reply, "ai_response": "message 3",
                    "ai_sequence_number": 3,
                    "ai_audio_url": format!("/api/v1/interviews/{}/messages/{reply}/audio",
                                            interview.as_uuid()),
                    "question_number": 1, "total_questions": 12,
                    "interview_complete": true, "completion_reason": "candidate_requested",
                    "session_state": {"current_difficulty": "warmup",
                                      "questions_asked_count": 1,
                                      "skill_boundaries": [], "skills_explored": []}
                }),
                created_at: at(3),
            }
            .into_active_model(),
        )
        .exec_without_returning(db)
        .await
        .unwrap();

        Migrator::up(db, None).await.unwrap();

        // the interview of the time has no organization, job or key skills of its own
        let record = fixture.repo.load(interview).await.unwrap().unwrap();
        assert_eq!(
            (
                record.interview.organization_id,
                record.interview.job_posting_id,
                record.interview.key_skills.len()
            ),
            (None, None, 0),
            "{name}"
        );

        let messages = fixture.repo.messages(interview, 0, None).await.unwrap();
        let read_answer = &messages.messages[1];
        assert_eq!(
            read_answer.audio,
            Some(BlobRef::MessageAudio {
                interview,
                message: MessageId::from_uuid(answer.id),
                format: AudioFormat::Wav,
            }),
            "{name}"
        );
        let note = read_answer.metadata.as_answer().unwrap();
        assert!(note.judgement.is_some(), "{name}");
        let read_closing = &messages.messages[2];
        assert_eq!(read_closing.message_type, MessageType::AiClosing, "{name}");
        assert!(
            matches!(read_closing.metadata, MessageMetadata::Closing(_)),
            "{name}"
        );
        assert_eq!(
            read_closing.audio.as_ref().and_then(BlobRef::audio_format),
            Some(AudioFormat::Mp3),
            "{name}"
        );
        // the interviewer's latest message is the closing remark
        let latest = fixture
            .repo
            .last_question(interview)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(latest.sequence_number, 3, "{name}");

        let replayed = fixture
            .repo
            .stored_answer(interview, &ClientKey::parse("old-key").unwrap())
            .await
            .unwrap()
            .unwrap()
            .into_outcome(interview);
        assert_eq!(replayed.ai_sequence_number, 3, "{name}");
        assert_eq!(
            replayed.ai_audio.as_ref().and_then(BlobRef::audio_format),
            Some(AudioFormat::Mp3),
            "{name}"
        );

        // and back down past migration 4: the closing remark is an `ai_question` again
        Migrator::down(db, Some(u32::try_from(pending).unwrap()))
            .await
            .unwrap();
        let row = interview_messages::Entity::find_by_id(closing.id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.message_type, "ai_question", "{name}");
        database.finish().await;
    }
}
