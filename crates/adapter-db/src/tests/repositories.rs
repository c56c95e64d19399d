//! The repository ports' contracts on each backend, driven through the real interview service.

use std::sync::Arc;

use chrono::Duration;
use interview_core::actor::Actor;
use interview_core::ids::CandidateId;
use interview_core::interview::stored::StoredOutcome;
use interview_core::interview::{StartInterview, Started, TurnInput};
use interview_core::lifecycle::{CompletionReason, InterviewStatus};
use interview_core::metadata::MessageMetadata;
use interview_core::model::{Candidate, CandidateStatus, InterviewMode, MessageType, RoleType};
use interview_core::ports::{CandidateRepository, ClientKey, InterviewRepository, RepositoryError};
use interview_core::testing::{ManualClock, ScriptedInterviewer};
use interview_core::validation::{Email, FullName};
use interview_core::{InterviewService, InterviewSettings};
use rust_decimal::Decimal;

use super::support::{at, databases};
use crate::repositories::{SeaOrmCandidates, SeaOrmInterviews};

pub fn candidate(email: &str) -> Candidate {
    Candidate {
        id: CandidateId::new(),
        email: Email::parse(email).unwrap(),
        full_name: FullName::parse("Ann Example").unwrap(),
        password_hash: "$argon2id$hash".into(),
        phone: None,
        status: CandidateStatus::Active,
        created_at: at(0),
        updated_at: at(0),
        last_login_at: None,
    }
}

pub struct Fixture {
    pub repo: Arc<SeaOrmInterviews>,
    pub candidates: SeaOrmCandidates,
    pub clock: Arc<ManualClock>,
    pub service: Arc<InterviewService>,
}

pub fn fixture(db: &crate::connection::Database) -> Fixture {
    let repo = Arc::new(SeaOrmInterviews::new(db.clone()));
    let clock = Arc::new(ManualClock::at(at(0)));
    let service = Arc::new(InterviewService::new(
        repo.clone(),
        Arc::new(ScriptedInterviewer {
            model: "gpt-4o-mini".into(),
            question_tokens: (1_000, 100),
            evaluation_tokens: (2_000, 200),
        }),
        clock.clone(),
        InterviewSettings::default(),
    ));
    Fixture {
        repo,
        candidates: SeaOrmCandidates::new(db.clone()),
        clock,
        service,
    }
}

pub async fn start(fixture: &Fixture, email: &str) -> (CandidateId, Started) {
    let candidate = candidate(email);
    fixture.candidates.insert(&candidate).await.unwrap();
    let started = fixture
        .service
        .start(StartInterview {
            candidate_id: candidate.id,
            role: RoleType::Fullstack,
            mode: InterviewMode::Text,
            resume_id: None,
            organization_id: None,
            job_posting_id: None,
            application_id: None,
            key_skills: Vec::new(),
        })
        .await
        .unwrap();
    (candidate.id, started)
}

#[tokio::test]
async fn candidates_are_unique_by_email_and_found_by_email_and_id() {
    for database in databases().await {
        let repo = SeaOrmCandidates::new(database.db.clone());
        let ann = candidate("ann@example.com");
        repo.insert(&ann).await.unwrap();
        let duplicate = candidate("ann@example.com");
        assert!(matches!(
            repo.insert(&duplicate).await,
            Err(RepositoryError::Duplicate(_))
        ));
        assert_eq!(
            repo.by_email(&ann.email).await.unwrap().as_ref(),
            Some(&ann),
            "{}",
            database.name
        );
        assert_eq!(repo.by_id(ann.id).await.unwrap(), Some(ann.clone()));
        assert_eq!(repo.by_id(CandidateId::new()).await.unwrap(), None);
        repo.record_login(ann.id, at(30)).await.unwrap();
        assert_eq!(
            repo.by_id(ann.id).await.unwrap().unwrap().last_login_at,
            Some(at(30))
        );
        assert!(matches!(
            repo.record_login(CandidateId::new(), at(30)).await,
            Err(RepositoryError::NotFound)
        ));
        database.finish().await;
    }
}

#[tokio::test]
async fn an_interview_is_stored_and_read_back_through_the_service() {
    for database in databases().await {
        let name = database.name;
        let fixture = fixture(&database.db);
        let (candidate, started) = start(&fixture, "ann@example.com").await;
        let loaded = fixture
            .repo
            .load(started.interview.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(loaded.interview, started.interview, "{name}");
        assert_eq!(loaded.session.version, 1);
        fixture.clock.advance(Duration::seconds(40));
        let key = ClientKey::parse("answer-1").unwrap();
        let outcome = fixture
            .service
            .answer(TurnInput::typed(
                started.interview.id,
                Actor::Candidate(candidate),
                "Indexes trade write cost for read speed.",
                Some(1),
                Some(key.clone()),
            ))
            .await
            .unwrap();
        let after = fixture
            .repo
            .load(started.interview.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.session.version, 2, "{name}");
        assert_eq!(after.session.questions_asked_count, 2);
        assert_eq!(after.session.progression.response_quality_history.len(), 1);
        assert_eq!(after.session.memory.len(), 3);
        // first question 1,000/100 + evaluation 2,000/200 + next question 1,000/100 tokens at
        // gpt-4o-mini's $0.15/$0.60 per 1M: exact after the round trip
        let expected = Decimal::new(4_000 * 15 + 400 * 60, 8);
        assert_eq!(after.interview.cost_usd, expected.normalize(), "{name}");
        assert_eq!(after.interview.total_tokens_used, 1_100 + 2_200 + 1_100);
        assert_eq!(
            fixture
                .repo
                .stored_answer(started.interview.id, &key)
                .await
                .unwrap(),
            Some(StoredOutcome::from_outcome(&outcome))
        );
        let page = fixture
            .repo
            .messages(started.interview.id, 1, Some(1))
            .await
            .unwrap();
        assert_eq!(page.total_count, 3);
        assert_eq!(page.messages.len(), 1);
        assert_eq!(
            page.messages[0].message_type,
            MessageType::CandidateResponse
        );
        assert_eq!(page.messages[0].response_time_seconds, Some(40.0));
        let last = fixture
            .repo
            .last_question(started.interview.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(last.sequence_number, 3);
        assert_eq!(last.content_text, outcome.ai_response);
        // typed metadata reads back as written
        assert!(
            matches!(&last.metadata, MessageMetadata::Question(note) if note.usage.is_some()),
            "{name}: {:?}",
            last.metadata
        );
        assert_eq!(last.audio, None);
        // one message by id, only within its own interview
        assert_eq!(
            fixture
                .repo
                .message(started.interview.id, last.id)
                .await
                .unwrap()
                .as_ref(),
            Some(&last),
            "{name}"
        );
        assert_eq!(
            fixture
                .repo
                .message(interview_core::ids::InterviewId::new(), last.id)
                .await
                .unwrap(),
            None,
            "{name}"
        );
        database.finish().await;
    }
}

#[tokio::test]
async fn interviews_are_listed_newest_first_for_their_candidate_only() {
    for database in databases().await {
        let fixture = fixture(&database.db);
        let (ann, first) = start(&fixture, "ann@example.com").await;
        fixture.clock.advance(Duration::minutes(1));
        let second = fixture
            .service
            .start(StartInterview {
                candidate_id: ann,
                role: RoleType::React,
                mode: InterviewMode::Text,
                resume_id: None,
                organization_id: None,
                job_posting_id: None,
                application_id: None,
                key_skills: Vec::new(),
            })
            .await
            .unwrap();
        let (_bob, _) = start(&fixture, "bob@example.com").await;
        let listed: Vec<_> = fixture
            .repo
            .list_for_candidate(ann)
            .await
            .unwrap()
            .into_iter()
            .map(|interview| interview.id)
            .collect();
        assert_eq!(
            listed,
            vec![second.interview.id, first.interview.id],
            "{}",
            database.name
        );
        database.finish().await;
    }
}

#[tokio::test]
async fn the_sweep_abandons_only_idle_interviews() {
    for database in databases().await {
        let fixture = fixture(&database.db);
        let (_, idle) = start(&fixture, "idle@example.com").await;
        fixture.clock.advance(Duration::minutes(20));
        let (_, active) = start(&fixture, "active@example.com").await;
        fixture.clock.advance(Duration::minutes(15));
        assert_eq!(
            fixture.service.abandon_inactive().await.unwrap(),
            1,
            "{}",
            database.name
        );
        let idle = fixture.repo.load(idle.interview.id).await.unwrap().unwrap();
        assert_eq!(idle.interview.status, InterviewStatus::Abandoned);
        assert_eq!(
            idle.interview.completion_reason,
            Some(CompletionReason::Inactivity)
        );
        assert_eq!(idle.session.version, 2);
        assert!(idle.session.pending_question.is_none());
        let active = fixture
            .repo
            .load(active.interview.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(active.interview.status, InterviewStatus::InProgress);
        // a second sweep finds nothing more
        assert_eq!(fixture.service.abandon_inactive().await.unwrap(), 0);
        database.finish().await;
    }
}

#[tokio::test]
async fn failed_logins_count_within_the_window_and_lock_at_the_limit() {
    use crate::credentials::SeaOrmCredentials;
    use interview_core::accounts::CredentialStore;
    for database in databases().await {
        let name = database.name;
        let store = SeaOrmCredentials::new(database.db.clone());
        let email = Email::parse("ann@example.com").unwrap();
        let lock = at(45);
        for expected in 1..=4 {
            let attempts = store
                .record_failed_login(&email, at(10), at(0), 5, lock)
                .await
                .unwrap();
            assert_eq!(attempts.failed_count, expected, "{name}");
            assert_eq!(attempts.locked_until, None, "{name}");
        }
        let fifth = store
            .record_failed_login(&email, at(11), at(0), 5, lock)
            .await
            .unwrap();
        assert_eq!(fifth.failed_count, 5);
        assert_eq!(fifth.locked_until, Some(lock), "{name}");
        // much later: the old failures fall out of the window and the lock goes with them
        let fresh = store
            .record_failed_login(&email, at(50), at(35), 5, at(59))
            .await
            .unwrap();
        assert_eq!(fresh.failed_count, 1, "{name}");
        assert_eq!(fresh.locked_until, None, "{name}");
        store.clear_failed_logins(&email).await.unwrap();
        assert_eq!(store.login_attempts(&email).await.unwrap(), None);
        database.finish().await;
    }
}

#[tokio::test]
async fn concurrent_failed_logins_are_all_counted() {
    use crate::credentials::SeaOrmCredentials;
    use interview_core::accounts::CredentialStore;
    for database in databases().await {
        let store = Arc::new(SeaOrmCredentials::new(database.db.clone()));
        let email = Email::parse("ann@example.com").unwrap();
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let store = store.clone();
                let email = email.clone();
                tokio::spawn(async move {
                    store
                        .record_failed_login(&email, at(10), at(0), 5, at(25))
                        .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let attempts = store.login_attempts(&email).await.unwrap().unwrap();
        assert_eq!(attempts.failed_count, 10, "{}", database.name);
        assert_eq!(attempts.locked_until, Some(at(25)));
        database.finish().await;
    }
}

#[tokio::test]
async fn revoked_tokens_are_remembered_until_they_expire() {
    use crate::credentials::SeaOrmCredentials;
    use interview_core::accounts::CredentialStore;
    for database in databases().await {
        let store = SeaOrmCredentials::new(database.db.clone());
        assert!(!store.is_token_revoked("a").await.unwrap());
        store.revoke_token("a", at(30)).await.unwrap();
        store.revoke_token("a", at(30)).await.unwrap();
        store.revoke_token("b", at(50)).await.unwrap();
        assert!(
            store.is_token_revoked("a").await.unwrap(),
            "{}",
            database.name
        );
        assert_eq!(store.purge_expired_tokens(at(40)).await.unwrap(), 1);
        assert!(!store.is_token_revoked("a").await.unwrap());
        assert!(store.is_token_revoked("b").await.unwrap());
        database.finish().await;
    }
}
