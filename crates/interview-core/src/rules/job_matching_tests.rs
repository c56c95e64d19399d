use chrono::{TimeZone, Utc};

use super::*;
use crate::ids::{CandidateId, JobPostingId, OrganizationId, RecruiterId};
use crate::model::RoleType;
use crate::portal::SkillsSource;
use crate::recruiting::{EmploymentType, PostingStatus};

fn profile() -> CandidateProfile {
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    CandidateProfile {
        candidate_id: CandidateId::new(),
        email: "ada@example.com".into(),
        full_name: "Ada".into(),
        phone: None,
        skills: vec!["Python".into(), "Django".into(), "State Management".into()],
        skills_source: SkillsSource::Candidate,
        experience_years: Some(6),
        preferred_job_types: vec![EmploymentType::Permanent],
        preferred_locations: vec!["Berlin".into()],
        preferred_work_setup: Some(WorkPreference::Remote),
        salary_min: Some(70_000),
        salary_max: Some(90_000),
        salary_currency: Some("EUR".into()),
        created_at: at,
        updated_at: at,
    }
}

fn job(title: &str, skills: &[&str], setup: WorkSetup, minute: u32) -> JobPosting {
    let at = Utc.with_ymd_and_hms(2026, 11, 2, 0, minute, 0).unwrap();
    JobPosting {
        id: JobPostingId::new(),
        organization_id: OrganizationId::new(),
        title: title.into(),
        company: "Acme".into(),
        description: String::new(),
        role_category: RoleType::Python,
        tech_stack: Vec::new(),
        required_skills: skills.iter().map(|skill| SkillArea::new(skill)).collect(),
        employment_type: EmploymentType::Permanent,
        work_setup: setup,
        experience_level: ExperienceLevel::Senior,
        location: Some("Berlin".into()),
        salary_min: Some(60_000),
        salary_max: Some(95_000),
        salary_currency: Some("EUR".into()),
        status: PostingStatus::Open,
        created_by: RecruiterId::new(),
        created_at: at,
        updated_at: at,
    }
}

#[test]
fn a_perfect_fit_scores_100_and_every_term_says_why() {
    let profile = profile();
    let seeker = Seeker::new(&profile, &[]);
    let fit = score(
        &seeker,
        &job("Backend", &["python", "django"], WorkSetup::Remote, 0),
    );
    assert!((fit.score - 100.0).abs() < f64::EPSILON, "{fit:?}");
    assert_eq!(fit.matched_skills, vec!["python", "django"]);
    assert!(fit.missing_skills.is_empty());
    let names: Vec<&str> = fit.terms.iter().map(|term| term.name).collect();
    assert_eq!(
        names,
        [
            "skills",
            "experience",
            "work_setup",
            "location",
            "job_type",
            "salary"
        ]
    );
    assert!(
        fit.terms
            .iter()
            .all(|term| term.points <= term.max_points && !term.reason.is_empty())
    );
}

#[test]
fn jobs_rank_by_skills_then_preferences_and_ties_by_newest() {
    let profile = profile();
    let seeker = Seeker::new(&profile, &["Kubernetes".into()]);
    let jobs = vec![
        job("half", &["python", "rust"], WorkSetup::Remote, 1),
        job(
            "all",
            &["python", "django", "state-management"],
            WorkSetup::Remote,
            2,
        ),
        job(
            "onsite",
            &["python", "django", "state management"],
            WorkSetup::Onsite,
            3,
        ),
        job("resume", &["python", "kubernetes"], WorkSetup::Remote, 4),
        job("none", &["go", "rust"], WorkSetup::Remote, 5),
        job(
            "all-older",
            &["python", "django", "state-management"],
            WorkSetup::Remote,
            0,
        ),
    ];
    let ranked = rank(&seeker, &jobs);
    let titles: Vec<&str> = ranked.iter().map(|(job, _)| job.title.as_str()).collect();
    assert_eq!(
        titles,
        ["all", "all-older", "resume", "onsite", "half", "none"]
    );
    let resume = &score(&seeker, ranked[2].0);
    // python (profile) + kubernetes (resume only, 0.8): 45 of 50 skill points
    assert!((resume.terms[0].points - 45.0).abs() < 1e-9, "{resume:?}");
    let half = &score(&seeker, ranked[4].0);
    assert_eq!(half.missing_skills, vec!["rust"]);
    // the same inputs give the same ranking
    let again: Vec<&str> = rank(&seeker, &jobs)
        .iter()
        .map(|(job, _)| job.title.as_str())
        .collect();
    assert_eq!(again, titles);
}

#[test]
fn experience_salary_and_job_type_move_the_score() {
    let mut profile = profile();
    let seeker = Seeker::new(&profile, &[]);
    let base = job("b", &["python"], WorkSetup::Remote, 0);
    let full = score(&seeker, &base).score;
    let mut junior = base.clone();
    junior.experience_level = ExperienceLevel::Junior;
    assert!(score(&seeker, &junior).score < full);
    let mut cheap = base.clone();
    cheap.salary_max = Some(50_000);
    assert!(score(&seeker, &cheap).score < full);
    let mut contract = base.clone();
    contract.employment_type = EmploymentType::Contract;
    assert!(score(&seeker, &contract).score < full);
    profile.preferred_job_types.clear();
    profile.salary_min = None;
    let open = Seeker::new(&profile, &[]);
    assert!((score(&open, &contract).score - score(&open, &base).score).abs() < 1e-9);
}
