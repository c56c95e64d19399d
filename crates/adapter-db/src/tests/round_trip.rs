//! After `up`, every entity round-trips: insert, select, compare.

use sea_orm::{EntityTrait, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

use super::support::{at, databases};
use crate::entities::{
    answer_idempotency, assessment_results, background_jobs, candidates, integration_webhooks,
    interview_events, interview_messages, interview_sessions, interviews, login_attempts,
    organizations, recruiters, resume_feedback, resumes, revoked_tokens, video_chunks,
    video_recordings, webhook_deliveries,
};

macro_rules! round_trip {
    ($db:expr, $name:expr, $entity:ident, $model:expr, $key:expr) => {{
        let model = $model;
        $entity::Entity::insert(model.clone().into_active_model())
            .exec_without_returning($db)
            .await
            .unwrap_or_else(|error| panic!("{}: insert {}: {error}", $name, stringify!($entity)));
        let stored = $entity::Entity::find_by_id($key)
            .one($db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{}: {} not found", $name, stringify!($entity)));
        assert_eq!(stored, model, "{}: {}", $name, stringify!($entity));
    }};
}

#[tokio::test]
async fn every_entity_round_trips() {
    for database in databases().await {
        let db = database.db.connection();
        let name = database.name;
        let candidate = Uuid::now_v7();
        let recruiter = Uuid::now_v7();
        let resume = Uuid::now_v7();
        let interview = Uuid::now_v7();
        let session = Uuid::now_v7();
        round_trip!(
            db,
            name,
            candidates,
            candidates::Model {
                id: candidate,
                email: "ann@example.com".into(),
                full_name: "Ann Example".into(),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
                phone: Some("+44 20 7946 0000".into()),
                status: "active".into(),
                created_at: at(0),
                updated_at: at(1),
                last_login_at: Some(at(2)),
            },
            candidate
        );
        round_trip!(
            db,
            name,
            recruiters,
            recruiters::Model {
                id: recruiter,
                email: "rita@example.com".into(),
                full_name: "Rita Recruiter".into(),
                password_hash: "hash".into(),
                role: "admin".into(),
                organization_id: Some(Uuid::now_v7()),
                created_at: at(0),
                last_login_at: None,
                is_active: true,
            },
            recruiter
        );
        round_trip!(
            db,
            name,
            resumes,
            resumes::Model {
                id: resume,
                candidate_id: candidate,
                file_url: "resumes/ann.pdf".into(),
                file_name: "ann.pdf".into(),
                file_size: 123_456,
                uploaded_at: at(3),
                parsed_at: Some(at(4)),
                parsing_status: "completed".into(),
                parsed_data: Some(json!({"skills": ["rust", "sql"], "years": 7})),
                format: "pdf".into(),
                is_active: true,
                parsing_error: None,
            },
            resume
        );
        round_trip!(
            db,
            name,
            interviews,
            interviews::Model {
                id: interview,
                candidate_id: candidate,
                resume_id: Some(resume),
                role_type: "fullstack".into(),
                mode: "legacy_voice".into(),
                status: "in_progress".into(),
                started_at: Some(at(5)),
                completed_at: None,
                duration_seconds: None,
                completion_reason: None,
                ai_model_used: Some("gpt-4o-mini".into()),
                total_tokens_used: 4_321,
                cost_usd_nanos: 1_030_000_000,
                speech_tokens_used: 90,
                speech_cost_usd_nanos: 9_000_000,
                realtime_cost_usd_nanos: 0,
                tech_check_metadata: Some(json!({"microphone": "ok"})),
                video_recording_url: None,
                video_recording_consent: true,
                video_recording_status: Some("pending".into()),
                video_consent_at: None,
                created_at: at(5),
                organization_id: Some(Uuid::now_v7()),
                job_posting_id: Some(Uuid::now_v7()),
                key_skills: json!(["hooks", "state-management"]),
            },
            interview
        );
        round_trip!(
            db,
            name,
            interview_sessions,
            interview_sessions::Model {
                id: session,
                interview_id: interview,
                current_difficulty_level: "advanced".into(),
                questions_asked_count: 6,
                skill_boundaries_identified: json!({"databases": {"level": "advanced"}}),
                progression_state: json!({"phase_history": [], "questions_at_level": 2}),
                conversation_memory: json!({"messages": [], "truncations": 3}),
                pending_question: Some(json!({"sequence_number": 11})),
                last_activity_at: at(6),
                created_at: at(5),
                updated_at: at(6),
                version: 12,
            },
            session
        );
        let message = Uuid::now_v7();
        round_trip!(
            db,
            name,
            interview_messages,
            interview_messages::Model {
                id: message,
                interview_id: interview,
                session_id: session,
                sequence_number: 1,
                message_type: "ai_question".into(),
                content_text: "Explain MVCC — with an example? 日本語 too.".into(),
                audio_url: Some("/api/v1/audio/x".into()),
                audio_duration_seconds: Some(4.25),
                audio_metadata: Some(json!({"codec": "opus", "sample_rate_hz": 48000})),
                response_time_seconds: Some(12.5),
                metadata: json!({"kind": "question", "composite": 0.795}),
                created_at: at(6),
            },
            message
        );
        let assessment = Uuid::now_v7();
        round_trip!(
            db,
            name,
            assessment_results,
            assessment_results::Model {
                id: assessment,
                interview_id: interview,
                version: 1,
                overall_score: 82,
                skill_scores: json!([{"skill": "databases", "score": 90}]),
                skill_boundary_map: json!([{"skill": "security", "state": "boundary"}]),
                strengths: json!([{"text": "indexing", "evidence": [2]}]),
                growth_areas: json!([{"text": "csrf", "evidence": [4]}]),
                highlights: json!([]),
                integrity_score: 97,
                integrity_flags: json!([]),
                ai_reasoning: "solid".into(),
                recommendation: "yes".into(),
                recommended_actions: json!(["advance"]),
                generated_at: at(9),
                generator: "openai:gpt-4o-mini".into(),
                prompt_version: "assessment-1".into(),
                cost_usd_nanos: 1_234_567,
                tokens_used: 1_200,
                is_fallback: false,
            },
            assessment
        );
        let event = Uuid::now_v7();
        round_trip!(
            db,
            name,
            interview_events,
            interview_events::Model {
                id: event,
                interview_id: interview,
                kind: "paste".into(),
                occurred_at: at(7),
                count: 3,
                received_at: at(8),
            },
            event
        );
        let job = Uuid::now_v7();
        round_trip!(
            db,
            name,
            background_jobs,
            background_jobs::Model {
                id: job,
                kind: "assessment".into(),
                subject: interview,
                state: "running".into(),
                attempts: 2,
                last_error: Some("upstream timed out".into()),
                run_at: at(9),
                lease_token: Some(Uuid::now_v7()),
                locked_until: Some(at(14)),
                created_at: at(8),
                updated_at: at(9),
                payload: Some(json!({"type": "interview.completed"})),
            },
            job
        );
        let video = Uuid::now_v7();
        round_trip!(
            db,
            name,
            video_recordings,
            video_recordings::Model {
                id: video,
                interview_id: interview,
                status: "finalized".into(),
                container: Some("webm".into()),
                chunk_count: 40,
                file_size_bytes: 11_534_336,
                expected_chunks: Some(40),
                storage_key: Some("interviews/x/video/recording.webm".into()),
                created_at: at(5),
                last_chunk_at: Some(at(9)),
                finalized_at: Some(at(10)),
                deleted_at: None,
                deletion_reason: None,
            },
            video
        );
        round_trip!(
            db,
            name,
            video_chunks,
            video_chunks::Model {
                recording_id: video,
                chunk_index: 7,
                size_bytes: 1_048_576,
                sha256: "ab".repeat(32),
                storage_key: "interviews/x/video/chunks/000007-ab".into(),
                stored_at: at(8),
            },
            (video, 7)
        );
        let feedback = Uuid::now_v7();
        round_trip!(
            db,
            name,
            resume_feedback,
            resume_feedback::Model {
                id: feedback,
                resume_id: resume,
                candidate_id: candidate,
                feedback_content: "Add metrics".into(),
                improvement_areas: json!([{"area": "testing", "evidence": "none", "suggestion": "add"}]),
                recommended_resources: json!([{"title": "Testing book"}]),
                status: "approved".into(),
                generated_at: at(11),
                auto_send_at: at(13),
                edited_by: None,
                decided_by: Some(recruiter),
                decided_at: Some(at(12)),
                sent_at: None,
            },
            feedback
        );
        let owner = Uuid::now_v7();
        round_trip!(
            db,
            name,
            organizations,
            organizations::Model {
                id: owner,
                name: "Acme".into(),
                created_at: at(1),
            },
            owner
        );
        let webhook = Uuid::now_v7();
        round_trip!(
            db,
            name,
            integration_webhooks,
            integration_webhooks::Model {
                id: webhook,
                organization_id: owner,
                url: "https://hooks.example.com/x".into(),
                event_types: json!(["interview.completed"]),
                signing_secret: "whsec_x".into(),
                is_active: false,
                consecutive_failures: 4,
                disabled_reason: Some("switched off".into()),
                created_at: at(1),
                updated_at: at(2),
                last_delivered_at: None,
            },
            webhook
        );
        let attempt = Uuid::now_v7();
        round_trip!(
            db,
            name,
            webhook_deliveries,
            webhook_deliveries::Model {
                id: attempt,
                webhook_id: webhook,
                delivery_id: Uuid::now_v7(),
                event_id: Uuid::now_v7(),
                event_type: "interview.completed".into(),
                attempt: 2,
                succeeded: false,
                status_code: Some(502),
                error: Some("the receiver answered 502".into()),
                duration_ms: 40,
                attempted_at: at(3),
            },
            attempt
        );
        round_trip!(
            db,
            name,
            revoked_tokens,
            revoked_tokens::Model {
                jti: "jti-1".into(),
                expires_at: at(20),
            },
            "jti-1".to_owned()
        );
        round_trip!(
            db,
            name,
            login_attempts,
            login_attempts::Model {
                email: "ann@example.com".into(),
                failed_count: 3,
                first_failed_at: Some(at(14)),
                locked_until: None,
                updated_at: at(15),
            },
            "ann@example.com".to_owned()
        );
        round_trip!(
            db,
            name,
            answer_idempotency,
            answer_idempotency::Model {
                interview_id: interview,
                client_key: "key-1".into(),
                outcome: json!({"transcript": "hi"}),
                created_at: at(16),
            },
            (interview, "key-1".to_owned())
        );
        database.finish().await;
    }
}

#[tokio::test]
async fn deleting_a_candidate_cascades_to_their_interviews() {
    for database in databases().await {
        let db = database.db.connection();
        let candidate = Uuid::now_v7();
        let interview = Uuid::now_v7();
        candidates::Entity::insert(
            candidates::Model {
                id: candidate,
                email: "c@example.com".into(),
                full_name: "Cas".into(),
                password_hash: "h".into(),
                phone: None,
                status: "active".into(),
                created_at: at(0),
                updated_at: at(0),
                last_login_at: None,
            }
            .into_active_model(),
        )
        .exec_without_returning(db)
        .await
        .unwrap();
        interviews::Entity::insert(
            interviews::Model {
                id: interview,
                candidate_id: candidate,
                resume_id: None,
                role_type: "react".into(),
                mode: "text".into(),
                status: "scheduled".into(),
                started_at: None,
                completed_at: None,
                duration_seconds: None,
                completion_reason: None,
                ai_model_used: None,
                total_tokens_used: 0,
                cost_usd_nanos: 0,
                speech_tokens_used: 0,
                speech_cost_usd_nanos: 0,
                realtime_cost_usd_nanos: 0,
                tech_check_metadata: None,
                video_recording_url: None,
                video_recording_consent: false,
                video_recording_status: None,
                video_consent_at: None,
                created_at: at(0),
                organization_id: None,
                job_posting_id: None,
                key_skills: json!([]),
            }
            .into_active_model(),
        )
        .exec_without_returning(db)
        .await
        .unwrap();
        candidates::Entity::delete_by_id(candidate)
            .exec(db)
            .await
            .unwrap();
        assert!(
            interviews::Entity::find_by_id(interview)
                .one(db)
                .await
                .unwrap()
                .is_none(),
            "{}: the interview must go with its candidate",
            database.name
        );
        database.finish().await;
    }
}
