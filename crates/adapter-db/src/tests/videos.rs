//! Recordings and chunks on each backend: totals kept with each chunk, one chunk per index,
//! finalizing and deleting update the interview, and the sweep's query picks what is due.

use interview_core::ids::{InterviewId, VideoRecordingId};
use interview_core::ports::{RepositoryError, VideoRepository};
use interview_core::rules::video_container::VideoContainer;
use interview_core::video::{RecordingStatus, StoredChunk, VideoRecording};
use sea_orm::EntityTrait;
use serde_json::json;

use super::recruiting::{insert_interview, interview_model, new_candidate};
use super::support::{at, databases};
use crate::SeaOrmVideos;
use crate::connection::Database;
use crate::entities::interviews;

async fn stored_interview(db: &Database, id: InterviewId) -> interview_core::model::Interview {
    let row = interviews::Entity::find_by_id(id.as_uuid())
        .one(db.connection())
        .await
        .unwrap()
        .unwrap();
    crate::mapping::interview(row).unwrap()
}

fn fresh(interview: InterviewId, minute: u32) -> VideoRecording {
    VideoRecording {
        id: VideoRecordingId::new(),
        interview_id: interview,
        status: RecordingStatus::Recording,
        container: None,
        chunk_count: 0,
        file_size_bytes: 0,
        expected_chunks: None,
        storage_key: None,
        created_at: at(minute),
        last_chunk_at: None,
        finalized_at: None,
        deleted_at: None,
        deletion_reason: None,
    }
}

fn chunk(index: u32, size: u64, minute: u32) -> StoredChunk {
    StoredChunk {
        index,
        size,
        sha256: format!("{index:064}"),
        storage_key: format!("interviews/x/video/chunks/{index:06}"),
        stored_at: at(minute),
    }
}

#[tokio::test]
async fn a_recording_collects_chunks_once_each_and_is_finalized_then_deleted() {
    for database in databases().await {
        let name = database.name;
        let db = &database.db;
        let candidate = new_candidate(db, "vid@example.com").await;
        let interview = insert_interview(db, interview_model(candidate, None, at(1))).await;
        let videos = SeaOrmVideos::new(db.clone());
        assert_eq!(videos.recording(interview).await.unwrap(), None);
        let recording = fresh(interview, 2);
        videos.create(&recording).await.unwrap();
        assert!(
            matches!(
                videos.create(&fresh(interview, 3)).await,
                Err(RepositoryError::Duplicate(_))
            ),
            "{name}: one recording per interview"
        );
        videos
            .add_chunk(recording.id, &chunk(1, 300, 4), None, None)
            .await
            .unwrap();
        videos
            .add_chunk(
                recording.id,
                &chunk(0, 500, 5),
                Some(VideoContainer::Webm),
                Some(2),
            )
            .await
            .unwrap();
        assert!(
            matches!(
                videos
                    .add_chunk(recording.id, &chunk(0, 1, 6), None, None)
                    .await,
                Err(RepositoryError::Duplicate(_))
            ),
            "{name}: one chunk per index"
        );
        let stored = videos.recording(interview).await.unwrap().unwrap();
        assert_eq!(
            (
                stored.chunk_count,
                stored.file_size_bytes,
                stored.expected_chunks,
                stored.container,
                stored.last_chunk_at
            ),
            (2, 800, Some(2), Some(VideoContainer::Webm), Some(at(5))),
            "{name}"
        );
        let chunks = videos.chunks(recording.id).await.unwrap();
        assert_eq!(
            chunks,
            vec![chunk(0, 500, 5), chunk(1, 300, 4)],
            "{name}: by index"
        );

        let finished = VideoRecording {
            status: RecordingStatus::Finalized,
            storage_key: Some("interviews/x/video/recording.webm".into()),
            finalized_at: Some(at(7)),
            ..stored
        };
        videos
            .finalize(&finished, "/api/v1/videos/x/stream")
            .await
            .unwrap();
        assert_eq!(
            videos.recording(interview).await.unwrap(),
            Some(finished.clone())
        );
        assert!(videos.chunks(recording.id).await.unwrap().is_empty());
        let record = stored_interview(db, interview).await;
        assert_eq!(
            record.video_recording_url.as_deref(),
            Some("/api/v1/videos/x/stream")
        );

        // the sweep's query: finalized before the cut-off
        assert!(
            videos.expired(at(7), at(0), 10).await.unwrap().is_empty(),
            "{name}"
        );
        assert_eq!(
            videos.expired(at(8), at(0), 10).await.unwrap(),
            vec![finished.clone()]
        );
        videos
            .mark_deleted(&finished, "retention", at(9))
            .await
            .unwrap();
        let gone = videos.recording(interview).await.unwrap().unwrap();
        assert_eq!(gone.status, RecordingStatus::Deleted);
        assert_eq!(
            (
                gone.deleted_at,
                gone.deletion_reason.as_deref(),
                gone.storage_key
            ),
            (Some(at(9)), Some("retention"), None)
        );
        let record = stored_interview(db, interview).await;
        assert_eq!(record.video_recording_url, None);
        assert!(
            videos.expired(at(30), at(30), 10).await.unwrap().is_empty(),
            "{name}: deleted is done"
        );
        database.finish().await;
    }
}

#[tokio::test]
async fn abandoned_uploads_are_due_and_consent_and_tech_checks_are_kept() {
    for database in databases().await {
        let name = database.name;
        let db = &database.db;
        let candidate = new_candidate(db, "vid2@example.com").await;
        let interview = insert_interview(db, interview_model(candidate, None, at(1))).await;
        let videos = SeaOrmVideos::new(db.clone());
        let recording = fresh(interview, 2);
        videos.create(&recording).await.unwrap();
        videos
            .add_chunk(
                recording.id,
                &chunk(0, 10, 5),
                Some(VideoContainer::Mp4),
                None,
            )
            .await
            .unwrap();
        // last chunk at minute 5: abandoned only for a cut-off after it
        assert!(
            videos.expired(at(0), at(5), 10).await.unwrap().is_empty(),
            "{name}"
        );
        assert_eq!(
            videos.expired(at(0), at(6), 10).await.unwrap().len(),
            1,
            "{name}"
        );

        videos.set_consent(interview, true, at(3)).await.unwrap();
        let check = json!({"audio_test_passed": true, "camera_test_passed": false});
        videos.save_tech_check(interview, &check).await.unwrap();
        let record = stored_interview(db, interview).await;
        assert!(record.video_recording_consent, "{name}");
        assert_eq!(record.video_consent_at, Some(at(3)));
        assert_eq!(record.tech_check_metadata, Some(check));
        assert!(matches!(
            videos.set_consent(InterviewId::new(), true, at(3)).await,
            Err(RepositoryError::NotFound)
        ));
        database.finish().await;
    }
}

#[tokio::test]
async fn stored_audio_past_the_cut_off_is_listed_and_unlinked_keeping_its_record() {
    use crate::entities::{interview_messages, interview_sessions};
    use sea_orm::IntoActiveModel;
    for database in databases().await {
        let name = database.name;
        let db = &database.db;
        let candidate = new_candidate(db, "aud@example.com").await;
        let interview = insert_interview(db, interview_model(candidate, None, at(1))).await;
        let session = uuid::Uuid::now_v7();
        interview_sessions::Entity::insert(
            interview_sessions::Model {
                id: session,
                interview_id: interview.as_uuid(),
                current_difficulty_level: "warmup".into(),
                questions_asked_count: 1,
                skill_boundaries_identified: json!({}),
                progression_state: json!({}),
                conversation_memory: json!({}),
                pending_question: None,
                last_activity_at: at(1),
                created_at: at(1),
                updated_at: at(1),
                version: 1,
            }
            .into_active_model(),
        )
        .exec_without_returning(db.connection())
        .await
        .unwrap();
        let mut ids = Vec::new();
        for (sequence, (audio, minute)) in [(Some("x.webm"), 2), (None, 3), (Some("y.webm"), 9)]
            .into_iter()
            .enumerate()
        {
            let id = uuid::Uuid::now_v7();
            ids.push(id);
            interview_messages::Entity::insert(
                interview_messages::Model {
                    id,
                    interview_id: interview.as_uuid(),
                    session_id: session,
                    sequence_number: i32::try_from(sequence).unwrap() + 1,
                    message_type: "candidate_response".into(),
                    content_text: "an answer".into(),
                    audio_url: audio.map(Into::into),
                    audio_duration_seconds: audio.map(|_| 3.5),
                    audio_metadata: None,
                    response_time_seconds: None,
                    metadata: json!({}),
                    created_at: at(minute),
                }
                .into_active_model(),
            )
            .exec_without_returning(db.connection())
            .await
            .unwrap();
        }
        let videos = SeaOrmVideos::new(db.clone());
        let due = videos.expired_audio(at(5), 10).await.unwrap();
        assert_eq!(due.len(), 1, "{name}: only the old message with audio");
        let interview_core::ports::BlobRef::MessageAudio { message, .. } = &due[0] else {
            panic!("{name}: not message audio: {:?}", due[0]);
        };
        assert_eq!(message.as_uuid(), ids[0]);
        videos.forget_audio(&due[0]).await.unwrap();
        assert!(
            videos.expired_audio(at(5), 10).await.unwrap().is_empty(),
            "{name}"
        );
        let row = interview_messages::Entity::find_by_id(ids[0])
            .one(db.connection())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (row.audio_url, row.audio_duration_seconds),
            (None, Some(3.5))
        );
        assert_eq!(
            videos.expired_audio(at(10), 10).await.unwrap().len(),
            1,
            "{name}: the recent one, later"
        );
        database.finish().await;
    }
}
