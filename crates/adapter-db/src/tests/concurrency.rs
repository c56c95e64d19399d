//! Exactly-once answers under concurrency, and all-or-nothing turns.

use interview_core::actor::Actor;
use interview_core::interview::TurnInput;
use interview_core::interview::{AnswerError, AnswerOutcome};
use interview_core::ports::{ClientKey, InterviewRepository, RepositoryError, TurnWrite};

use super::repositories::{fixture, start};
use super::support::databases;
use crate::entities::answer_idempotency;
use sea_orm::{EntityTrait, PaginatorTrait};

#[tokio::test]
async fn twenty_concurrent_answers_to_one_question_are_accepted_exactly_once() {
    for database in databases().await {
        let name = database.name;
        let fixture = fixture(&database.db);
        let (candidate, started) = start(&fixture, "race@example.com").await;
        let interview_id = started.interview.id;
        let mut tasks = Vec::new();
        for index in 0..20 {
            let service = fixture.service.clone();
            // half retry one request under the same key, half are different answers
            let (text, key) = if index % 2 == 0 {
                (
                    "the same answer".to_owned(),
                    Some(ClientKey::parse("same-key").unwrap()),
                )
            } else {
                (format!("different answer {index}"), None)
            };
            tasks.push(tokio::spawn(async move {
                service
                    .answer(TurnInput::typed(
                        interview_id,
                        Actor::Candidate(candidate),
                        text,
                        Some(1),
                        key,
                    ))
                    .await
            }));
        }
        let mut accepted = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                Ok(outcome) => accepted.push(outcome),
                Err(AnswerError::Conflict(_)) => {}
                Err(other) => panic!("{name}: unexpected {other:?}"),
            }
        }
        assert!(!accepted.is_empty(), "{name}: one answer must win");
        // one success answered; every other is the stored outcome replayed for the winning key
        let answered = accepted.iter().filter(|outcome| !outcome.replayed).count();
        assert_eq!(answered, 1, "{name}: exactly one answer was taken");
        let as_stored = |outcome: &AnswerOutcome| AnswerOutcome {
            replayed: false,
            ..outcome.clone()
        };
        assert!(
            accepted
                .iter()
                .all(|outcome| as_stored(outcome) == as_stored(&accepted[0])),
            "{name}"
        );
        if accepted.len() > 1 {
            assert_eq!(accepted[0].transcript, "the same answer");
        }
        let page = fixture.repo.messages(interview_id, 0, None).await.unwrap();
        let sequence: Vec<i32> = page.messages.iter().map(|m| m.sequence_number).collect();
        assert_eq!(sequence, vec![1, 2, 3], "{name}: gapless and unique");
        assert_eq!(page.messages[1].content_text, accepted[0].transcript);
        let record = fixture.repo.load(interview_id).await.unwrap().unwrap();
        assert_eq!(record.session.questions_asked_count, 2, "{name}");
        assert_eq!(record.session.progression.response_quality_history.len(), 1);
        assert_eq!(record.session.version, 2);
        let keys = answer_idempotency::Entity::find()
            .count(database.db.connection())
            .await
            .unwrap();
        assert!(keys <= 1, "{name}: {keys} idempotency records");
        database.finish().await;
    }
}

#[tokio::test]
async fn a_turn_that_fails_after_its_first_statement_leaves_no_trace() {
    for database in databases().await {
        let name = database.name;
        let fixture = fixture(&database.db);
        let (_, started) = start(&fixture, "fail@example.com").await;
        let before = fixture
            .repo
            .load(started.interview.id)
            .await
            .unwrap()
            .unwrap();
        let mut interview = before.interview.clone();
        interview.total_tokens_used += 999;
        let mut session = before.session.clone();
        session.version += 1;
        session.questions_asked_count += 1;
        // the session update succeeds first; the message then collides with sequence number 1
        let mut colliding = fixture
            .repo
            .messages(started.interview.id, 0, None)
            .await
            .unwrap()
            .messages[0]
            .clone();
        colliding.id = interview_core::ids::MessageId::new();
        colliding.content_text = "should never be stored".into();
        let turn = TurnWrite {
            interview,
            interview_changed: true,
            session,
            expected_version: before.session.version,
            messages: vec![colliding],
            idempotency: Some(interview_core::ports::StoredAnswer {
                key: ClientKey::parse("k").unwrap(),
                outcome: interview_core::interview::stored::StoredOutcome {
                    version: interview_core::interview::stored::STORED_OUTCOME_VERSION,
                    message_id: interview_core::ids::MessageId::new(),
                    transcript: "x".into(),
                    ai_message_id: interview_core::ids::MessageId::new(),
                    ai_response: "y".into(),
                    ai_sequence_number: 3,
                    ai_audio_url: None,
                    ai_audio_format: None,
                    question_number: 2,
                    total_questions: 12,
                    interview_complete: false,
                    completion_reason: None,
                    session_state: (&before.session).into(),
                },
            }),
            jobs: Vec::new(),
        };
        let error = fixture.repo.save_turn(&turn).await.unwrap_err();
        assert!(
            matches!(error, RepositoryError::Conflict(_)),
            "{name}: {error:?}"
        );
        let after = fixture
            .repo
            .load(started.interview.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            after, before,
            "{name}: the session update must be rolled back"
        );
        let page = fixture
            .repo
            .messages(started.interview.id, 0, None)
            .await
            .unwrap();
        assert_eq!(page.total_count, 1, "{name}");
        assert_eq!(
            answer_idempotency::Entity::find()
                .count(database.db.connection())
                .await
                .unwrap(),
            0
        );
        database.finish().await;
    }
}

#[tokio::test]
async fn a_turn_from_a_stale_version_is_a_conflict() {
    for database in databases().await {
        let fixture = fixture(&database.db);
        let (_, started) = start(&fixture, "stale@example.com").await;
        let before = fixture
            .repo
            .load(started.interview.id)
            .await
            .unwrap()
            .unwrap();
        let mut session = before.session.clone();
        session.version = 99;
        let turn = TurnWrite {
            interview: before.interview.clone(),
            interview_changed: true,
            session,
            expected_version: 98,
            messages: vec![],
            idempotency: None,
            jobs: Vec::new(),
        };
        assert!(matches!(
            fixture.repo.save_turn(&turn).await,
            Err(RepositoryError::Conflict(_))
        ));
        assert_eq!(
            fixture
                .repo
                .load(started.interview.id)
                .await
                .unwrap()
                .unwrap(),
            before
        );
        database.finish().await;
    }
}

#[tokio::test]
async fn a_turn_that_fails_part_way_does_not_take_the_rest_of_its_batch_down() {
    for database in databases().await {
        let name = database.name;
        let fixture = fixture(&database.db);
        let (_, good) = start(&fixture, "good@example.com").await;
        let (_, bad) = start(&fixture, "bad@example.com").await;
        let repo = fixture.repo.clone();
        let good_before = repo.load(good.interview.id).await.unwrap().unwrap();
        let bad_before = repo.load(bad.interview.id).await.unwrap().unwrap();
        let turn_for = |before: &interview_core::ports::InterviewRecord, sequence: i32| {
            let mut session = before.session.clone();
            session.version += 1;
            session.questions_asked_count += 1;
            let mut message = good.first_question.clone();
            message.id = interview_core::ids::MessageId::new();
            message.interview_id = before.interview.id;
            message.session_id = before.session.id;
            message.sequence_number = sequence;
            TurnWrite {
                interview: before.interview.clone(),
                interview_changed: true,
                session,
                expected_version: before.session.version,
                messages: vec![message],
                idempotency: None,
                jobs: Vec::new(),
            }
        };
        // the good turn adds message 2; the bad one collides with the stored message 1
        let good_turn = turn_for(&good_before, 2);
        let bad_turn = turn_for(&bad_before, 1);
        let (good_result, bad_result) =
            tokio::join!(repo.save_turn(&good_turn), repo.save_turn(&bad_turn));
        good_result.unwrap_or_else(|error| panic!("{name}: {error}"));
        assert!(
            matches!(bad_result, Err(RepositoryError::Conflict(_))),
            "{name}"
        );
        let good_after = repo.load(good.interview.id).await.unwrap().unwrap();
        assert_eq!(
            good_after.session.version,
            good_before.session.version + 1,
            "{name}"
        );
        assert_eq!(
            repo.messages(good.interview.id, 0, None)
                .await
                .unwrap()
                .total_count,
            2
        );
        assert_eq!(
            repo.load(bad.interview.id).await.unwrap().unwrap(),
            bad_before
        );
        database.finish().await;
    }
}
