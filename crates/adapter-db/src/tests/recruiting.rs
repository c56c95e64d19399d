//! The recruiter side's repositories on each backend: organizations, recruiters, job postings,
//! applications and decisions.

use chrono::{DateTime, Utc};
use interview_core::ids::{
    ApplicationId, CandidateId, InterviewId, JobPostingId, OrganizationId, RecruiterId,
};
use interview_core::jobs::{JobKind, JobState};
use interview_core::model::{Recruiter, RecruiterRole, RoleType};
use interview_core::ports::{
    ApplicationRepository, CandidateRepository, JobPostingRepository, JobQueue,
    RecruiterRepository, RepositoryError,
};
use interview_core::recruiting::{
    Application, ApplicationStatus, Decision, DecisionKind, EmploymentType, ExperienceLevel,
    JobPosting, Organization, PostingStatus, WorkSetup,
};
use interview_core::rules::evaluation::SkillArea;
use interview_core::validation::{Email, FullName};
use interview_core::webhooks::events::application_created;
use sea_orm::{EntityTrait, IntoActiveModel};
use serde_json::json;

use super::repositories::candidate;
use super::support::{at, databases};
use crate::connection::Database;
use crate::entities::interviews;
use crate::{
    SeaOrmApplications, SeaOrmCandidates, SeaOrmJobPostings, SeaOrmJobs, SeaOrmRecruiters,
};

pub fn organization(name: &str, minute: u32) -> Organization {
    Organization {
        id: OrganizationId::new(),
        name: name.into(),
        created_at: at(minute),
    }
}

pub fn recruiter(organization: Option<OrganizationId>, email: &str, minute: u32) -> Recruiter {
    Recruiter {
        id: RecruiterId::new(),
        email: Email::parse(email).unwrap(),
        full_name: FullName::parse("Rita Recruiter").unwrap(),
        password_hash: "$argon2id$hash".into(),
        role: RecruiterRole::Recruiter,
        organization_id: organization,
        created_at: at(minute),
        last_login_at: None,
        is_active: true,
    }
}

pub fn posting(organization: OrganizationId, title: &str, minute: u32) -> JobPosting {
    JobPosting {
        id: JobPostingId::new(),
        organization_id: organization,
        title: title.into(),
        company: "Acme".into(),
        description: "Build things".into(),
        role_category: RoleType::Fullstack,
        tech_stack: vec!["Rust".into()],
        required_skills: vec![SkillArea::new("databases"), SkillArea::new("http apis")],
        employment_type: EmploymentType::Permanent,
        work_setup: WorkSetup::Remote,
        experience_level: ExperienceLevel::Senior,
        location: None,
        salary_min: None,
        salary_max: None,
        salary_currency: None,
        status: PostingStatus::Open,
        created_by: RecruiterId::new(),
        created_at: at(minute),
        updated_at: at(minute),
    }
}

/// An interview row written directly, with the given owner and creation time.
pub fn interview_model(
    candidate: CandidateId,
    organization: Option<OrganizationId>,
    created_at: DateTime<Utc>,
) -> interviews::Model {
    interviews::Model {
        id: InterviewId::new().as_uuid(),
        candidate_id: candidate.as_uuid(),
        resume_id: None,
        role_type: "react".into(),
        mode: "text".into(),
        status: "completed".into(),
        started_at: Some(created_at),
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
        created_at,
        organization_id: organization.map(OrganizationId::as_uuid),
        job_posting_id: None,
        key_skills: json!([]),
    }
}

pub async fn insert_interview(db: &Database, model: interviews::Model) -> InterviewId {
    let id = InterviewId::from_uuid(model.id);
    interviews::Entity::insert(model.into_active_model())
        .exec_without_returning(db.connection())
        .await
        .unwrap();
    id
}

pub async fn new_candidate(db: &Database, email: &str) -> CandidateId {
    let candidate = candidate(email);
    SeaOrmCandidates::new(db.clone())
        .insert(&candidate)
        .await
        .unwrap();
    candidate.id
}

async fn owner(db: &Database, interview: InterviewId) -> Option<OrganizationId> {
    interviews::Entity::find_by_id(interview.as_uuid())
        .one(db.connection())
        .await
        .unwrap()
        .unwrap()
        .organization_id
        .map(OrganizationId::from_uuid)
}

#[tokio::test]
async fn the_first_organization_adopts_unowned_interviews_and_is_the_default() {
    for database in databases().await {
        let name = database.name;
        let db = &database.db;
        let repo = SeaOrmRecruiters::new(db.clone());
        let candidate = new_candidate(db, "ann@example.com").await;
        let early = insert_interview(db, interview_model(candidate, None, at(0))).await;
        let later = insert_interview(db, interview_model(candidate, None, at(1))).await;
        assert_eq!(repo.default_organization().await.unwrap(), None, "{name}");

        let acme = organization("Acme", 2);
        repo.create_organization(&acme).await.unwrap();
        assert_eq!(owner(db, early).await, Some(acme.id), "{name}");
        assert_eq!(owner(db, later).await, Some(acme.id), "{name}");
        assert_eq!(
            repo.organization_by_name("Acme").await.unwrap(),
            Some(acme.clone()),
            "{name}"
        );
        assert_eq!(repo.organization_by_name("acme").await.unwrap(), None);
        assert!(
            matches!(
                repo.create_organization(&organization("Acme", 3)).await,
                Err(RepositoryError::Duplicate(_))
            ),
            "{name}"
        );

        // a later organization adopts nothing, and the first stays the default
        let unowned = insert_interview(db, interview_model(candidate, None, at(3))).await;
        let beta = organization("Beta", 4);
        repo.create_organization(&beta).await.unwrap();
        assert_eq!(owner(db, unowned).await, None, "{name}");
        assert_eq!(
            repo.default_organization().await.unwrap(),
            Some(acme),
            "{name}"
        );
        database.finish().await;
    }
}

#[tokio::test]
async fn recruiters_round_trip_and_emails_are_unique() {
    for database in databases().await {
        let name = database.name;
        let repo = SeaOrmRecruiters::new(database.db.clone());
        let acme = organization("Acme", 0);
        let beta = organization("Beta", 0);
        repo.create_organization(&acme).await.unwrap();
        repo.create_organization(&beta).await.unwrap();

        let mut rita = recruiter(Some(acme.id), "rita@example.com", 2);
        rita.role = RecruiterRole::Admin;
        rita.last_login_at = Some(at(3));
        let vic = recruiter(Some(acme.id), "vic@example.com", 1);
        let other = recruiter(Some(beta.id), "otto@example.com", 0);
        for account in [&rita, &vic, &other] {
            repo.insert(account).await.unwrap();
        }
        assert_eq!(repo.by_id(rita.id).await.unwrap(), Some(rita.clone()));
        assert_eq!(
            repo.by_email(&rita.email).await.unwrap(),
            Some(rita.clone()),
            "{name}"
        );
        assert_eq!(repo.by_id(RecruiterId::new()).await.unwrap(), None);
        assert_eq!(
            repo.list(acme.id).await.unwrap(),
            vec![vic.clone(), rita.clone()],
            "{name}: oldest first, the organization's only"
        );

        let taken = recruiter(Some(beta.id), "rita@example.com", 4);
        assert!(
            matches!(
                repo.insert(&taken).await,
                Err(RepositoryError::Duplicate(_))
            ),
            "{name}"
        );
        let homeless = recruiter(Some(OrganizationId::new()), "h@example.com", 4);
        assert!(
            matches!(
                repo.insert(&homeless).await,
                Err(RepositoryError::MissingReference(_))
            ),
            "{name}"
        );

        let mut changed = vic.clone();
        changed.role = RecruiterRole::Viewer;
        changed.is_active = false;
        changed.last_login_at = Some(at(9));
        repo.update(&changed).await.unwrap();
        assert_eq!(repo.by_id(vic.id).await.unwrap(), Some(changed), "{name}");
        assert!(matches!(
            repo.update(&recruiter(None, "nobody@example.com", 0)).await,
            Err(RepositoryError::NotFound)
        ));
        database.finish().await;
    }
}

fn application(posting: &JobPosting, candidate: CandidateId, minute: u32) -> Application {
    Application {
        id: ApplicationId::new(),
        job_posting_id: posting.id,
        candidate_id: candidate,
        organization_id: posting.organization_id,
        status: ApplicationStatus::Applied,
        interview_id: None,
        created_at: at(minute),
        updated_at: at(minute),
    }
}

fn decision(interview: InterviewId, kind: DecisionKind, minute: u32) -> Decision {
    Decision {
        interview_id: interview,
        decision: kind,
        note: Some(format!("{kind} at {minute}")),
        decided_by: RecruiterId::new(),
        decided_at: at(minute),
    }
}

#[tokio::test]
async fn applications_are_unique_follow_their_interview_and_move_with_decisions() {
    for database in databases().await {
        let name = database.name;
        let db = &database.db;
        let acme = organization("Acme", 0);
        SeaOrmRecruiters::new(db.clone())
            .create_organization(&acme)
            .await
            .unwrap();
        let postings = SeaOrmJobPostings::new(db.clone());
        let (first, second) = (posting(acme.id, "First", 0), posting(acme.id, "Second", 1));
        postings.insert(&first).await.unwrap();
        postings.insert(&second).await.unwrap();
        let candidate = new_candidate(db, "ann@example.com").await;
        let repo = SeaOrmApplications::new(db.clone());

        let applied = application(&first, candidate, 2);
        let later = application(&second, candidate, 3);
        // the application's event is stored with it, and not when the application is refused
        let event = application_created(&applied);
        repo.insert(&applied, std::slice::from_ref(&event))
            .await
            .unwrap();
        repo.insert(&later, &[]).await.unwrap();
        let jobs = SeaOrmJobs::new(db.clone());
        let queued = jobs
            .latest(JobKind::WebhookEvent, event.subject)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(queued.state, JobState::Queued, "{name}");
        let refused_event = application_created(&application(&first, candidate, 4));
        assert_eq!(repo.by_id(applied.id).await.unwrap(), Some(applied.clone()));
        assert_eq!(repo.by_id(ApplicationId::new()).await.unwrap(), None);
        assert_eq!(
            repo.for_candidate(candidate).await.unwrap(),
            vec![later.clone(), applied.clone()],
            "{name}: newest first"
        );
        assert!(
            matches!(
                repo.insert(
                    &application(&first, candidate, 4),
                    std::slice::from_ref(&refused_event)
                )
                .await,
                Err(RepositoryError::Duplicate(_))
            ),
            "{name}"
        );
        assert_eq!(
            jobs.latest(JobKind::WebhookEvent, refused_event.subject)
                .await
                .unwrap(),
            None,
            "{name}: the refused application's event is not stored"
        );

        let interview =
            insert_interview(db, interview_model(candidate, Some(acme.id), at(5))).await;
        assert_eq!(repo.for_interview(interview).await.unwrap(), None);
        crate::applications::link_application(db.connection(), applied.id, interview, at(6))
            .await
            .unwrap();
        let interviewing = Application {
            status: ApplicationStatus::Interviewing,
            interview_id: Some(interview),
            updated_at: at(6),
            ..applied.clone()
        };
        assert_eq!(
            repo.for_interview(interview).await.unwrap(),
            Some(interviewing.clone()),
            "{name}"
        );
        // an unknown application, or one that already has an interview, is refused
        for taken in [ApplicationId::new(), applied.id] {
            assert!(matches!(
                crate::applications::link_application(db.connection(), taken, interview, at(6))
                    .await,
                Err(RepositoryError::Conflict(_))
            ));
        }

        assert_eq!(repo.decision(interview).await.unwrap(), None);
        let hold = decision(interview, DecisionKind::Hold, 7);
        repo.record_decision(&hold, DecisionKind::Hold.application_status(), &[])
            .await
            .unwrap();
        assert_eq!(
            repo.decision(interview).await.unwrap(),
            Some(hold),
            "{name}"
        );
        assert_eq!(
            repo.by_id(applied.id).await.unwrap().unwrap().status,
            ApplicationStatus::OnHold,
            "{name}"
        );
        let advance = decision(interview, DecisionKind::Advance, 8);
        repo.record_decision(&advance, ApplicationStatus::Advanced, &[])
            .await
            .unwrap();
        assert_eq!(
            repo.decision(interview).await.unwrap(),
            Some(advance),
            "{name}: the latest"
        );
        assert_eq!(
            repo.by_id(applied.id).await.unwrap(),
            Some(Application {
                status: ApplicationStatus::Advanced,
                updated_at: at(8),
                ..interviewing
            }),
            "{name}"
        );
        assert_eq!(repo.by_id(later.id).await.unwrap(), Some(later), "{name}");

        // an interview without an application takes decisions too
        let direct = insert_interview(db, interview_model(candidate, Some(acme.id), at(9))).await;
        let reject = decision(direct, DecisionKind::Reject, 9);
        repo.record_decision(&reject, ApplicationStatus::Rejected, &[])
            .await
            .unwrap();
        assert_eq!(repo.decision(direct).await.unwrap(), Some(reject));
        assert!(
            matches!(
                repo.record_decision(
                    &decision(InterviewId::new(), DecisionKind::Hold, 9),
                    ApplicationStatus::OnHold,
                    &[]
                )
                .await,
                Err(RepositoryError::MissingReference(_))
            ),
            "{name}"
        );
        database.finish().await;
    }
}
