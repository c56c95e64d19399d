//! Ranks 10,000 open postings for one candidate and reports the time per ranking.
//!
//! `cargo run --release -p interview-core --example matching_bench`
#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap
)]

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use interview_core::ids::{CandidateId, JobPostingId, OrganizationId, RecruiterId};
use interview_core::model::RoleType;
use interview_core::portal::{CandidateProfile, SkillsSource, WorkPreference};
use interview_core::recruiting::{
    EmploymentType, ExperienceLevel, JobPosting, PostingStatus, WorkSetup,
};
use interview_core::rules::evaluation::SkillArea;
use interview_core::rules::job_matching::{Seeker, rank};

const SKILLS: [&str; 24] = [
    "python",
    "django",
    "react",
    "typescript",
    "postgresql",
    "docker",
    "kubernetes",
    "aws",
    "go",
    "rust",
    "java",
    "spring",
    "graphql",
    "redis",
    "kafka",
    "terraform",
    "hooks",
    "state management",
    "node",
    "css",
    "testing",
    "ci",
    "linux",
    "sql",
];

fn postings(count: usize) -> Vec<JobPosting> {
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let setups = [WorkSetup::Remote, WorkSetup::Hybrid, WorkSetup::Onsite];
    let levels = [
        ExperienceLevel::Junior,
        ExperienceLevel::Mid,
        ExperienceLevel::Senior,
    ];
    let types = [EmploymentType::Permanent, EmploymentType::Contract];
    (0..count)
        .map(|i| JobPosting {
            id: JobPostingId::new(),
            organization_id: OrganizationId::new(),
            title: format!("Job {i}"),
            company: "Acme".into(),
            description: String::new(),
            role_category: RoleType::Python,
            tech_stack: vec![
                SKILLS[(i * 7) % 24].to_owned(),
                SKILLS[(i * 11) % 24].to_owned(),
            ],
            required_skills: (0..4)
                .map(|k| SkillArea::new(SKILLS[(i + k * 5) % 24]))
                .collect(),
            employment_type: types[i % 2],
            work_setup: setups[i % 3],
            experience_level: levels[i % 3],
            location: Some(if i % 2 == 0 { "Berlin" } else { "Madrid" }.into()),
            salary_min: Some(50_000 + (i as i64 % 40) * 1_000),
            salary_max: Some(80_000 + (i as i64 % 40) * 1_000),
            salary_currency: Some("EUR".into()),
            status: PostingStatus::Open,
            created_by: RecruiterId::new(),
            created_at: at + chrono::Duration::seconds(i as i64),
            updated_at: at,
        })
        .collect()
}

fn main() {
    let at = Utc::now();
    let profile = CandidateProfile {
        candidate_id: CandidateId::new(),
        email: "ada@example.com".into(),
        full_name: "Ada".into(),
        phone: None,
        skills: [
            "Python",
            "Django",
            "PostgreSQL",
            "Docker",
            "AWS",
            "React",
            "TypeScript",
        ]
        .map(String::from)
        .to_vec(),
        skills_source: SkillsSource::Candidate,
        experience_years: Some(6),
        preferred_job_types: vec![EmploymentType::Permanent],
        preferred_locations: vec!["Berlin".into()],
        preferred_work_setup: Some(WorkPreference::Remote),
        salary_min: Some(70_000),
        salary_max: Some(95_000),
        salary_currency: Some("EUR".into()),
        created_at: at,
        updated_at: at,
    };
    let resume = ["Kubernetes", "Terraform", "Kafka"]
        .map(String::from)
        .to_vec();
    let jobs = postings(10_000);
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        let seeker = Seeker::new(&profile, &resume);
        let ranked = rank(&seeker, &jobs);
        std::hint::black_box(&ranked);
        times.push(started.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "ranking 10000 postings: median {:.2} ms, p90 {:.2} ms, max {:.2} ms (50 runs)",
        ms(times[25]),
        ms(times[45]),
        ms(times[49])
    );
}
