//! The recruiter's interview list on each backend: the joins, every filter, and a keyset walk
//! that sees every row exactly once.

use interview_core::assessment::Recommendation;
use interview_core::ids::{InterviewId, OrganizationId};
use interview_core::lifecycle::InterviewStatus;
use interview_core::model::RoleType;
use interview_core::ports::{
    InterviewCursor, InterviewFilter, JobPostingRepository, RecruiterInterviews,
    RecruiterRepository,
};
use sea_orm::{EntityTrait, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

use super::recruiting::{insert_interview, interview_model, new_candidate, organization, posting};
use super::support::{at, databases};
use crate::connection::Database;
use crate::entities::{assessment_results, interview_messages, interview_sessions};
use crate::{SeaOrmJobPostings, SeaOrmRecruiterInterviews, SeaOrmRecruiters};

async fn assess(
    db: &Database,
    interview: InterviewId,
    version: i32,
    score: i32,
    recommendation: &str,
    flags: serde_json::Value,
) {
    assessment_results::Entity::insert(
        assessment_results::Model {
            id: Uuid::now_v7(),
            interview_id: interview.as_uuid(),
            version,
            overall_score: score,
            skill_scores: json!([]),
            skill_boundary_map: json!([]),
            strengths: json!([]),
            growth_areas: json!([]),
            highlights: json!([]),
            integrity_score: 90,
            integrity_flags: flags,
            ai_reasoning: "reasons".into(),
            recommendation: recommendation.into(),
            recommended_actions: json!([]),
            generated_at: at(30),
            generator: "test".into(),
            prompt_version: "assessment-1".into(),
            cost_usd_nanos: 0,
            tokens_used: 0,
            is_fallback: false,
        }
        .into_active_model(),
    )
    .exec_without_returning(db.connection())
    .await
    .unwrap();
}

/// A session with a question, two answers and a question between them.
async fn converse(db: &Database, interview: InterviewId) {
    let session = Uuid::now_v7();
    interview_sessions::Entity::insert(
        interview_sessions::Model {
            id: session,
            interview_id: interview.as_uuid(),
            current_difficulty_level: "warmup".into(),
            questions_asked_count: 2,
            skill_boundaries_identified: json!({}),
            progression_state: json!({}),
            conversation_memory: json!({}),
            pending_question: None,
            last_activity_at: at(3),
            created_at: at(3),
            updated_at: at(3),
            version: 1,
        }
        .into_active_model(),
    )
    .exec_without_returning(db.connection())
    .await
    .unwrap();
    for (sequence_number, message_type) in [
        (1, "ai_question"),
        (2, "candidate_response"),
        (3, "ai_question"),
        (4, "candidate_response"),
    ] {
        interview_messages::Entity::insert(
            interview_messages::Model {
                id: Uuid::now_v7(),
                interview_id: interview.as_uuid(),
                session_id: session,
                sequence_number,
                message_type: message_type.into(),
                content_text: "text".into(),
                audio_url: None,
                audio_duration_seconds: None,
                audio_metadata: None,
                response_time_seconds: None,
                metadata: json!({}),
                created_at: at(3),
            }
            .into_active_model(),
        )
        .exec_without_returning(db.connection())
        .await
        .unwrap();
    }
}

struct Scene {
    acme: OrganizationId,
    /// Acme's interviews, newest first.
    listed: Vec<InterviewId>,
    assessed: InterviewId,
    clean: InterviewId,
    answered: InterviewId,
    posting: interview_core::ids::JobPostingId,
}

/// Acme's five interviews (two created at the same minute), one of Beta's, one of nobody's.
async fn scene(db: &Database) -> Scene {
    let recruiters = SeaOrmRecruiters::new(db.clone());
    let (acme, beta) = (organization("Acme", 0), organization("Beta", 0));
    recruiters.create_organization(&acme).await.unwrap();
    recruiters.create_organization(&beta).await.unwrap();
    let job = posting(acme.id, "React Developer", 0);
    SeaOrmJobPostings::new(db.clone())
        .insert(&job)
        .await
        .unwrap();
    let ann = new_candidate(db, "ann@example.com").await;
    let bob = new_candidate(db, "bob@example.com").await;

    let mut model = interview_model(ann, Some(acme.id), at(1));
    model.job_posting_id = Some(job.id.as_uuid());
    let assessed = insert_interview(db, model).await;
    assess(db, assessed, 1, 40, "no", json!([])).await;
    assess(
        db,
        assessed,
        2,
        80,
        "yes",
        json!([{"kind": "paste", "severity": "medium"}]),
    )
    .await;

    let mut model = interview_model(bob, Some(acme.id), at(2));
    model.role_type = "python".into();
    let clean = insert_interview(db, model).await;
    assess(db, clean, 1, 60, "maybe", json!([])).await;

    let mut model = interview_model(ann, Some(acme.id), at(3));
    model.role_type = "fullstack".into();
    model.status = "in_progress".into();
    let answered = insert_interview(db, model).await;
    converse(db, answered).await;

    let mut model = interview_model(bob, Some(acme.id), at(3));
    model.status = "scheduled".into();
    model.started_at = None;
    let scheduled = insert_interview(db, model).await;

    let mut model = interview_model(ann, Some(acme.id), at(4));
    model.status = "abandoned".into();
    let abandoned = insert_interview(db, model).await;

    insert_interview(db, interview_model(ann, Some(beta.id), at(5))).await;
    insert_interview(db, interview_model(ann, None, at(6))).await;

    let (first, second) = if scheduled.as_uuid() > answered.as_uuid() {
        (scheduled, answered)
    } else {
        (answered, scheduled)
    };
    Scene {
        acme: acme.id,
        listed: vec![abandoned, first, second, clean, assessed],
        assessed,
        clean,
        answered,
        posting: job.id,
    }
}

#[tokio::test]
async fn the_interview_list_joins_filters_and_pages_newest_first() {
    for database in databases().await {
        let name = database.name;
        let scene = scene(&database.db).await;
        let repo = SeaOrmRecruiterInterviews::new(database.db.clone());
        let list = |filter: InterviewFilter, cursor: Option<InterviewCursor>, limit: u64| {
            let repo = repo.clone();
            async move { repo.list(scene.acme, &filter, cursor, limit).await.unwrap() }
        };
        let ids = |filter: InterviewFilter| async {
            list(filter, None, 50)
                .await
                .into_iter()
                .map(|row| row.interview_id)
                .collect::<Vec<_>>()
        };

        let rows = list(InterviewFilter::default(), None, 50).await;
        let listed: Vec<_> = rows.iter().map(|row| row.interview_id).collect();
        assert_eq!(listed, scene.listed, "{name}");
        let assessed = rows.last().unwrap();
        assert_eq!(
            (
                assessed.candidate_name.as_str(),
                assessed.candidate_email.as_str(),
                assessed.role,
                assessed.job_posting_id,
                assessed.job_title.as_deref(),
                assessed.status,
                assessed.started_at,
            ),
            (
                "Ann Example",
                "ann@example.com",
                RoleType::React,
                Some(scene.posting),
                Some("React Developer"),
                InterviewStatus::Completed,
                Some(at(1)),
            ),
            "{name}"
        );
        assert_eq!(
            (
                assessed.overall_score,
                assessed.recommendation,
                assessed.integrity_flags
            ),
            (Some(80), Some(Recommendation::Yes), Some(1)),
            "{name}: the latest assessment"
        );
        let clean = &rows[3];
        assert_eq!(
            (clean.overall_score, clean.integrity_flags),
            (Some(60), Some(0))
        );
        let answered = rows
            .iter()
            .find(|row| row.interview_id == scene.answered)
            .unwrap();
        assert_eq!(answered.questions_answered, 2, "{name}");
        assert_eq!(
            (answered.overall_score, answered.integrity_flags),
            (None, None)
        );

        let cases = [
            (
                "status",
                InterviewFilter {
                    status: Some(InterviewStatus::Completed),
                    ..InterviewFilter::default()
                },
                vec![scene.clean, scene.assessed],
            ),
            (
                "role",
                InterviewFilter {
                    role: Some(RoleType::Python),
                    ..InterviewFilter::default()
                },
                vec![scene.clean],
            ),
            (
                "job posting",
                InterviewFilter {
                    job_posting: Some(scene.posting),
                    ..InterviewFilter::default()
                },
                vec![scene.assessed],
            ),
            (
                "from (a scheduled interview by its creation)",
                InterviewFilter {
                    from: Some(at(3)),
                    ..InterviewFilter::default()
                },
                scene.listed[..3].to_vec(),
            ),
            (
                "to",
                InterviewFilter {
                    to: Some(at(3)),
                    ..InterviewFilter::default()
                },
                vec![scene.clean, scene.assessed],
            ),
            (
                "recommendation of the latest version",
                InterviewFilter {
                    recommendation: Some(Recommendation::Yes),
                    ..InterviewFilter::default()
                },
                vec![scene.assessed],
            ),
            (
                "recommendation of an earlier version",
                InterviewFilter {
                    recommendation: Some(Recommendation::No),
                    ..InterviewFilter::default()
                },
                vec![],
            ),
            (
                "minimum score",
                InterviewFilter {
                    min_score: Some(61),
                    ..InterviewFilter::default()
                },
                vec![scene.assessed],
            ),
            (
                "maximum score",
                InterviewFilter {
                    max_score: Some(60),
                    ..InterviewFilter::default()
                },
                vec![scene.clean],
            ),
            (
                "integrity flagged",
                InterviewFilter {
                    integrity_flagged: Some(true),
                    ..InterviewFilter::default()
                },
                vec![scene.assessed],
            ),
            (
                "not integrity flagged",
                InterviewFilter {
                    integrity_flagged: Some(false),
                    ..InterviewFilter::default()
                },
                vec![scene.clean],
            ),
        ];
        for (case, filter, expected) in cases {
            assert_eq!(ids(filter).await, expected, "{name}: {case}");
        }

        // two pages of three and two, then nothing: every row once, in order
        let mut walked = Vec::new();
        let mut cursor = None;
        let mut pages = 0;
        loop {
            let page = list(InterviewFilter::default(), cursor, 3).await;
            if page.is_empty() {
                break;
            }
            pages += 1;
            let last = page.last().unwrap();
            cursor = Some(InterviewCursor {
                created_at: last.created_at,
                id: last.interview_id,
            });
            walked.extend(page.into_iter().map(|row| row.interview_id));
        }
        assert_eq!(pages, 2, "{name}");
        assert_eq!(walked, scene.listed, "{name}");

        // the cursor between the two interviews of the same minute, with a filter
        let tied = InterviewCursor {
            created_at: at(3),
            id: scene.listed[1],
        };
        let after = list(
            InterviewFilter {
                min_score: Some(0),
                ..InterviewFilter::default()
            },
            Some(tied),
            1,
        )
        .await;
        assert_eq!(after.len(), 1, "{name}");
        assert_eq!(after[0].interview_id, scene.clean, "{name}");
        let next = list(InterviewFilter::default(), Some(tied), 1).await;
        assert_eq!(next[0].interview_id, scene.listed[2], "{name}");

        assert!(
            repo.list(OrganizationId::new(), &InterviewFilter::default(), None, 10)
                .await
                .unwrap()
                .is_empty()
        );
        database.finish().await;
    }
}
