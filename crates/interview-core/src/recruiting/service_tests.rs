//! The recruiter side with mocked stores and the real engine on in-memory storage.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};

use super::*;
use crate::accounts::HashError;
use crate::assessment::AssessmentService;
use crate::ids::{ApplicationId, CandidateId, JobPostingId, RecruiterId};
use crate::interview::{InterviewSettings, TurnInput};
use crate::model::{InterviewMode, Recruiter, RecruiterRole, RoleType};
use crate::ports::{
    MockApplicationRepository, MockJobPostingRepository, MockRecruiterInterviews,
    MockRecruiterRepository, RepositoryError,
};
use crate::rules::evaluation::SkillArea;
use crate::testing::{
    FixedWriter, InMemoryAssessments, InMemoryCredentials, InMemoryInterviews, InMemoryJobs,
    ManualClock, ScriptedInterviewer,
};
use crate::validation::{Email, FullName, Password};

/// Stores the password reversed: enough to tell right from wrong.
struct ReversingHasher;

#[async_trait]
impl PasswordHasher for ReversingHasher {
    async fn hash(&self, password: &Password) -> Result<String, HashError> {
        Ok(password.expose().chars().rev().collect())
    }
    async fn verify(&self, password: &str, hash: &str) -> Result<bool, HashError> {
        Ok(password.chars().rev().collect::<String>() == hash)
    }
}

struct Mocks {
    recruiters: MockRecruiterRepository,
    postings: MockJobPostingRepository,
    applications: MockApplicationRepository,
}

fn mocks() -> Mocks {
    Mocks {
        recruiters: MockRecruiterRepository::new(),
        postings: MockJobPostingRepository::new(),
        applications: MockApplicationRepository::new(),
    }
}

fn service(mocks: Mocks) -> (RecruitingService, Arc<InterviewService>) {
    let clock = Arc::new(ManualClock::at(
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap(),
    ));
    let jobs = Arc::new(InMemoryJobs::new());
    let repo = Arc::new(InMemoryInterviews::with_queue(jobs.clone()));
    let engine = Arc::new(InterviewService::new(
        repo.clone(),
        Arc::new(ScriptedInterviewer::free()),
        clock.clone(),
        InterviewSettings::default(),
    ));
    let assessments = Arc::new(AssessmentService::new(
        repo,
        Arc::new(InMemoryAssessments::new(jobs.clone())),
        Arc::new(FixedWriter::approving()),
        jobs,
        clock.clone(),
        InterviewSettings::default(),
    ));
    let service = RecruitingService::new(
        RecruitingStores {
            recruiters: Arc::new(mocks.recruiters),
            postings: Arc::new(mocks.postings),
            applications: Arc::new(mocks.applications),
            interview_list: Arc::new(MockRecruiterInterviews::new()),
            credentials: Arc::new(InMemoryCredentials::default()),
        },
        engine.clone(),
        assessments,
        Arc::new(ReversingHasher),
        clock,
        crate::accounts::LockoutSettings::default(),
        "decoy".into(),
    );
    (service, engine)
}

fn recruiter(role: RecruiterRole, organization: OrganizationId) -> Actor {
    Actor::Recruiter {
        id: RecruiterId::new(),
        role,
        organization,
    }
}

fn draft() -> PostingDraft {
    PostingDraft {
        title: "Senior React Engineer".into(),
        company: "Acme".into(),
        description: "Build the product.".into(),
        role_category: Some(RoleType::React),
        tech_stack: vec!["React".into(), "TypeScript".into()],
        required_skills: vec!["hooks".into(), "State Management".into()],
        employment_type: Some(EmploymentType::Permanent),
        work_setup: Some(WorkSetup::Remote),
        experience_level: Some(ExperienceLevel::Senior),
        location: Some("Berlin".into()),
        salary_min: Some(80_000),
        salary_max: Some(100_000),
        salary_currency: Some("EUR".into()),
    }
}

fn posting(organization: OrganizationId, status: PostingStatus) -> JobPosting {
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap();
    JobPosting {
        id: JobPostingId::new(),
        organization_id: organization,
        title: "Senior React Engineer".into(),
        company: "Acme".into(),
        description: "Build the product.".into(),
        role_category: RoleType::React,
        tech_stack: vec!["React".into()],
        required_skills: vec![SkillArea::new("hooks"), SkillArea::new("testing")],
        employment_type: EmploymentType::Permanent,
        work_setup: WorkSetup::Remote,
        experience_level: ExperienceLevel::Senior,
        location: None,
        salary_min: None,
        salary_max: None,
        salary_currency: None,
        status,
        created_by: RecruiterId::new(),
        created_at: now,
        updated_at: now,
    }
}

#[test]
fn a_draft_reports_every_invalid_field() {
    let bad = PostingDraft {
        title: " ".into(),
        role_category: None,
        salary_min: Some(10),
        salary_max: Some(5),
        salary_currency: Some("euro".into()),
        tech_stack: vec![String::new()],
        ..draft()
    };
    let Err(RecruitingError::Validation(fields)) = validate_draft(&bad) else {
        panic!("accepted");
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field).collect();
    assert_eq!(
        names,
        [
            "title",
            "tech_stack",
            "role_category",
            "salary_min",
            "salary_currency"
        ]
    );
    let (role, skills) = validate_draft(&draft()).unwrap();
    assert_eq!(role, RoleType::React);
    assert_eq!(skills[1].as_str(), "state-management");
}

#[tokio::test]
async fn only_recruiters_whose_role_allows_it_post_jobs_and_within_their_organization() {
    let organization = OrganizationId::new();
    let mut mocks = mocks();
    mocks
        .postings
        .expect_insert()
        .withf(move |posting| posting.organization_id == organization)
        .times(1)
        .returning(|_| Ok(()));
    let (service, _) = service(mocks);
    let viewer = recruiter(RecruiterRole::Viewer, organization);
    assert!(matches!(
        service
            .create_posting(viewer, draft(), PostingStatus::Open)
            .await,
        Err(RecruitingError::Forbidden)
    ));
    let candidate = Actor::Candidate(CandidateId::new());
    assert!(matches!(
        service
            .create_posting(candidate, draft(), PostingStatus::Open)
            .await,
        Err(RecruitingError::WrongAudience(_))
    ));
    let posted = service
        .create_posting(
            recruiter(RecruiterRole::Recruiter, organization),
            draft(),
            PostingStatus::Open,
        )
        .await
        .unwrap();
    assert_eq!(posted.required_skills[0].as_str(), "hooks");
}

#[tokio::test]
async fn another_organizations_posting_does_not_exist_for_a_recruiter() {
    let theirs = posting(OrganizationId::new(), PostingStatus::Open);
    let id = theirs.id;
    let mut mocks = mocks();
    mocks
        .postings
        .expect_by_id()
        .returning(move |_| Ok(Some(theirs.clone())));
    let (service, _) = service(mocks);
    let outsider = recruiter(RecruiterRole::Admin, OrganizationId::new());
    assert!(matches!(
        service.posting(outsider, id).await,
        Err(RecruitingError::NotFound("job posting"))
    ));
}

#[tokio::test]
async fn a_candidate_applies_once_to_an_open_posting_only() {
    let open = posting(OrganizationId::new(), PostingStatus::Open);
    let closed = posting(OrganizationId::new(), PostingStatus::Closed);
    let (open_id, closed_id) = (open.id, closed.id);
    let mut mocks = mocks();
    mocks.postings.expect_by_id().returning(move |id| {
        Ok(Some(if id == open.id {
            open.clone()
        } else {
            closed.clone()
        }))
    });
    let mut inserted = 0;
    mocks
        .applications
        .expect_insert()
        .returning(move |_, events| {
            assert_eq!(events.len(), 1, "the application.created event");
            inserted += 1;
            if inserted == 1 {
                Ok(())
            } else {
                Err(RepositoryError::Duplicate("application".into()))
            }
        });
    let (service, _) = service(mocks);
    let candidate = Actor::Candidate(CandidateId::new());
    assert!(matches!(
        service.apply(candidate, closed_id).await,
        Err(RecruitingError::NotFound("job posting"))
    ));
    let application = service.apply(candidate, open_id).await.unwrap();
    assert_eq!(application.status, ApplicationStatus::Applied);
    assert!(matches!(
        service.apply(candidate, open_id).await,
        Err(RecruitingError::Conflict {
            code: "already_applied",
            ..
        })
    ));
}

#[tokio::test]
async fn an_interview_through_an_application_screens_for_the_job() {
    let organization = OrganizationId::new();
    let job = posting(organization, PostingStatus::Open);
    let candidate = CandidateId::new();
    let application = Application {
        id: ApplicationId::new(),
        job_posting_id: job.id,
        candidate_id: candidate,
        organization_id: organization,
        status: ApplicationStatus::Applied,
        interview_id: None,
        created_at: job.created_at,
        updated_at: job.created_at,
    };
    let application_id = application.id;
    let mut mocks = mocks();
    let found = job.clone();
    mocks
        .postings
        .expect_by_id()
        .returning(move |_| Ok(Some(found.clone())));
    mocks
        .applications
        .expect_by_id()
        .returning(move |_| Ok(Some(application.clone())));
    let (service, engine) = service(mocks);
    let stranger = Actor::Candidate(CandidateId::new());
    assert!(matches!(
        service
            .start_interview(
                stranger,
                None,
                Some(application_id),
                InterviewMode::Text,
                None
            )
            .await,
        Err(RecruitingError::NotFound("application"))
    ));
    let started = service
        .start_interview(
            Actor::Candidate(candidate),
            None,
            Some(application_id),
            InterviewMode::Text,
            None,
        )
        .await
        .unwrap();
    let interview = &started.interview;
    assert_eq!(interview.organization_id, Some(organization));
    assert_eq!(interview.job_posting_id, Some(job.id));
    assert_eq!(interview.key_skills, job.required_skills);
    assert_eq!(interview.role_type, RoleType::React);
    assert!(
        engine
            .get(interview.id, Actor::Candidate(candidate))
            .await
            .is_ok()
    );
    // and its organization's recruiters read it
    let viewer = recruiter(RecruiterRole::Viewer, organization);
    assert!(service.interview(viewer, interview.id).await.is_ok());
    let outsider = recruiter(RecruiterRole::Admin, OrganizationId::new());
    assert!(matches!(
        service.interview(outsider, interview.id).await,
        Err(RecruitingError::NotFound("interview"))
    ));
}

#[tokio::test]
async fn decisions_need_the_role_and_a_finished_interview_and_move_the_application() {
    let organization = OrganizationId::new();
    let mut mocks = mocks();
    mocks
        .recruiters
        .expect_default_organization()
        .returning(move || {
            Ok(Some(Organization {
                id: organization,
                name: "Acme".into(),
                created_at: Utc::now(),
            }))
        });
    mocks
        .applications
        .expect_record_decision()
        .withf(|decision, status, events| {
            events.len() == 1
                && decision.decision == DecisionKind::Advance
                && decision.note.as_deref() == Some("strong")
                && *status == ApplicationStatus::Advanced
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    let (service, engine) = service(mocks);
    let candidate = CandidateId::new();
    let started = service
        .start_interview(
            Actor::Candidate(candidate),
            Some(RoleType::Python),
            None,
            InterviewMode::Text,
            None,
        )
        .await
        .unwrap();
    let id = started.interview.id;
    assert_eq!(started.interview.organization_id, Some(organization));
    let admin = recruiter(RecruiterRole::Admin, organization);
    let viewer = recruiter(RecruiterRole::Viewer, organization);
    assert!(matches!(
        service
            .decide(viewer, id, DecisionKind::Advance, None)
            .await,
        Err(RecruitingError::Forbidden)
    ));
    assert!(matches!(
        service.decide(admin, id, DecisionKind::Advance, None).await,
        Err(RecruitingError::Conflict {
            code: "interview_not_finished",
            ..
        })
    ));
    engine
        .answer(TurnInput::typed(
            id,
            Actor::Candidate(candidate),
            "an answer",
            None,
            None,
        ))
        .await
        .unwrap();
    engine
        .complete(id, Actor::Candidate(candidate))
        .await
        .unwrap();
    let decision = service
        .decide(admin, id, DecisionKind::Advance, Some(" strong ".into()))
        .await
        .unwrap();
    assert_eq!(decision.note.as_deref(), Some("strong"));
    assert!(matches!(
        service.regenerate_assessment(viewer, id).await,
        Err(RecruitingError::Forbidden)
    ));
    // the completion queued the first assessment: nothing more is queued
    assert!(!service.regenerate_assessment(admin, id).await.unwrap());
}

#[tokio::test]
async fn admins_manage_only_their_organizations_users_and_keep_their_own_admin_role() {
    let organization = OrganizationId::new();
    let admin_id = RecruiterId::new();
    let admin = Actor::Recruiter {
        id: admin_id,
        role: RecruiterRole::Admin,
        organization,
    };
    let account = |id, organization| Recruiter {
        id,
        email: Email::parse("r@example.com").unwrap(),
        full_name: FullName::parse("Rita").unwrap(),
        password_hash: "x".into(),
        role: RecruiterRole::Recruiter,
        organization_id: Some(organization),
        created_at: Utc::now(),
        last_login_at: None,
        is_active: true,
    };
    let colleague = RecruiterId::new();
    let outsider = RecruiterId::new();
    let mut mocks = mocks();
    mocks.recruiters.expect_by_id().returning(move |id| {
        Ok(Some(if id == outsider {
            account(id, OrganizationId::new())
        } else {
            account(id, organization)
        }))
    });
    mocks
        .recruiters
        .expect_update()
        .withf(|r| !r.is_active && r.role == RecruiterRole::Viewer)
        .times(1)
        .returning(|_| Ok(()));
    let (service, _) = service(mocks);
    assert!(matches!(
        service
            .update_user(admin, outsider, None, Some(false))
            .await,
        Err(RecruitingError::NotFound("recruiter"))
    ));
    assert!(matches!(
        service
            .update_user(admin, admin_id, Some(RecruiterRole::Viewer), None)
            .await,
        Err(RecruitingError::Conflict {
            code: "admin_self_change",
            ..
        })
    ));
    let changed = service
        .update_user(admin, colleague, Some(RecruiterRole::Viewer), Some(false))
        .await
        .unwrap();
    assert!(!changed.is_active);
    let recruiter_role = recruiter(RecruiterRole::Recruiter, organization);
    assert!(matches!(
        service
            .create_user(
                recruiter_role,
                "n@example.com",
                "New",
                "Str0ng!pass",
                RecruiterRole::Viewer
            )
            .await,
        Err(RecruitingError::Forbidden)
    ));
}

#[tokio::test]
async fn a_deactivated_recruiter_cannot_log_in() {
    let mut mocks = mocks();
    mocks.recruiters.expect_by_email().returning(|email| {
        Ok(Some(Recruiter {
            id: RecruiterId::new(),
            email: email.clone(),
            full_name: FullName::parse("Gone").unwrap(),
            password_hash: "ssap!g0rtS".into(),
            role: RecruiterRole::Admin,
            organization_id: Some(OrganizationId::new()),
            created_at: Utc::now(),
            last_login_at: None,
            is_active: false,
        }))
    });
    let (service, _) = service(mocks);
    assert!(matches!(
        service.login("gone@example.com", "Str0ng!pass").await,
        Err(RecruitingError::InvalidCredentials)
    ));
}
