//! How well an open job fits a candidate: a score out of 100, made of named terms so the
//! ranking explains itself. Skills weigh most (the job's required skills and tech stack found
//! among the profile's skills, or, at a lower weight, only in the resume); then experience
//! against the job's level, work setup, location, employment type and salary. Deterministic:
//! equal scores rank newest job first, then by id.

use std::collections::HashSet;

use serde::Serialize;

use crate::portal::{CandidateProfile, WorkPreference};
use crate::recruiting::{ExperienceLevel, JobPosting, WorkSetup};
use crate::rules::evaluation::SkillArea;

/// The points of each term at best.
pub const SKILLS: f64 = 50.0;
pub const EXPERIENCE: f64 = 15.0;
pub const WORK_SETUP: f64 = 10.0;
pub const LOCATION: f64 = 10.0;
pub const JOB_TYPE: f64 = 5.0;
pub const SALARY: f64 = 10.0;
/// A skill found only in the resume counts this much of one on the profile.
const RESUME_ONLY_WEIGHT: f64 = 0.8;

/// What the candidate brings, prepared once for ranking many jobs.
pub struct Seeker<'a> {
    profile: &'a CandidateProfile,
    profile_skills: HashSet<String>,
    resume_skills: HashSet<String>,
}

impl<'a> Seeker<'a> {
    pub fn new(profile: &'a CandidateProfile, resume_skills: &[String]) -> Self {
        let key = |skill: &String| SkillArea::new(skill).as_str().to_owned();
        Self {
            profile,
            profile_skills: profile.skills.iter().map(key).collect(),
            resume_skills: resume_skills.iter().map(key).collect(),
        }
    }
}

/// One term of a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    pub name: &'static str,
    pub points: f64,
    pub max_points: f64,
    pub reason: String,
}

/// A job's fit for the candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobMatch {
    /// 0 to 100, one decimal.
    pub score: f64,
    pub matched_skills: Vec<String>,
    pub missing_skills: Vec<String>,
    pub terms: Vec<Term>,
}

fn years_for(level: ExperienceLevel) -> (u32, u32) {
    match level {
        ExperienceLevel::Entry => (0, 1),
        ExperienceLevel::Junior => (1, 3),
        ExperienceLevel::Mid => (3, 6),
        ExperienceLevel::Senior => (5, 10),
        ExperienceLevel::Lead => (8, 40),
        ExperienceLevel::Principal => (10, 40),
    }
}

fn skills_term(
    seeker: &Seeker<'_>,
    job: &JobPosting,
    explain: bool,
) -> (Term, Vec<String>, Vec<String>) {
    // required skills are stored normalised; the tech stack is free text
    let normalised: Vec<SkillArea> = job
        .tech_stack
        .iter()
        .map(|name| SkillArea::new(name))
        .collect();
    let mut wanted: Vec<(&str, &str)> = Vec::new();
    let names = job
        .required_skills
        .iter()
        .map(|skill| (skill.as_str(), skill.as_str()))
        .chain(
            normalised
                .iter()
                .zip(&job.tech_stack)
                .map(|(key, name)| (key.as_str(), name.as_str())),
        );
    for (key, name) in names {
        if !key.is_empty() && !wanted.iter().any(|(seen, _)| *seen == key) {
            wanted.push((key, name));
        }
    }
    let (mut matched, mut missing, mut credit, mut found) = (Vec::new(), Vec::new(), 0.0, 0);
    for (key, name) in &wanted {
        let weight = if seeker.profile_skills.contains(*key) {
            1.0
        } else if seeker.resume_skills.contains(*key) {
            RESUME_ONLY_WEIGHT
        } else {
            0.0
        };
        credit += weight;
        if weight > 0.0 {
            found += 1;
        }
        if explain {
            if weight > 0.0 {
                matched.push((*name).to_owned());
            } else {
                missing.push((*name).to_owned());
            }
        }
    }
    let points = if wanted.is_empty() {
        SKILLS / 2.0
    } else {
        SKILLS * credit / wanted.len() as f64
    };
    let reason = if !explain {
        String::new()
    } else if wanted.is_empty() {
        "the job lists no skills".to_owned()
    } else {
        format!("{found} of {} skills the job asks for", wanted.len())
    };
    (
        Term {
            name: "skills",
            points,
            max_points: SKILLS,
            reason,
        },
        matched,
        missing,
    )
}

fn experience_term(profile: &CandidateProfile, level: ExperienceLevel, explain: bool) -> Term {
    let say = |text: std::fmt::Arguments<'_>| {
        if explain {
            text.to_string()
        } else {
            String::new()
        }
    };
    let (low, high) = years_for(level);
    let (points, reason) = match profile.experience_years {
        None => (EXPERIENCE / 2.0, say(format_args!("experience unknown"))),
        Some(years) if (low..=high).contains(&years) => (
            EXPERIENCE,
            say(format_args!(
                "{years} years fits a {level} role ({low}–{high})"
            )),
        ),
        Some(years) => {
            let gap = if years < low {
                low - years
            } else {
                years - high
            };
            let points = (EXPERIENCE - 4.0 * f64::from(gap)).max(0.0);
            (
                points,
                say(format_args!(
                    "{years} years for a {level} role ({low}–{high})"
                )),
            )
        }
    };
    Term {
        name: "experience",
        points,
        max_points: EXPERIENCE,
        reason,
    }
}

fn setup_term(profile: &CandidateProfile, setup: WorkSetup, explain: bool) -> Term {
    let say = |text: std::fmt::Arguments<'_>| {
        if explain {
            text.to_string()
        } else {
            String::new()
        }
    };
    let (points, reason) = match profile.preferred_work_setup {
        None | Some(WorkPreference::Any) => (WORK_SETUP, say(format_args!("any work setup suits"))),
        Some(wanted) if wanted.as_str() == setup.as_str() => {
            (WORK_SETUP, say(format_args!("{setup}, as preferred")))
        }
        Some(_) if setup == WorkSetup::Hybrid => (
            WORK_SETUP / 2.0,
            say(format_args!("hybrid, partly as preferred")),
        ),
        Some(wanted) => (0.0, say(format_args!("{setup}, not {wanted}"))),
    };
    Term {
        name: "work_setup",
        points,
        max_points: WORK_SETUP,
        reason,
    }
}

fn location_term(profile: &CandidateProfile, job: &JobPosting, explain: bool) -> Term {
    let say = |text: std::fmt::Arguments<'_>| {
        if explain {
            text.to_string()
        } else {
            String::new()
        }
    };
    let location = job.location.as_deref().unwrap_or("").to_lowercase();
    let (points, reason) = if profile.preferred_locations.is_empty() {
        (LOCATION, say(format_args!("no location preference")))
    } else if job.work_setup == WorkSetup::Remote {
        (
            LOCATION,
            say(format_args!("remote: the location does not matter")),
        )
    } else if let Some(place) = profile
        .preferred_locations
        .iter()
        .find(|place| !location.is_empty() && location.contains(&place.to_lowercase()))
    {
        (LOCATION, say(format_args!("in {place}, as preferred")))
    } else {
        (0.0, say(format_args!("not in a preferred location")))
    };
    Term {
        name: "location",
        points,
        max_points: LOCATION,
        reason,
    }
}

fn job_type_term(profile: &CandidateProfile, job: &JobPosting, explain: bool) -> Term {
    let say = |text: std::fmt::Arguments<'_>| {
        if explain {
            text.to_string()
        } else {
            String::new()
        }
    };
    let wanted = profile.preferred_job_types.is_empty()
        || profile.preferred_job_types.contains(&job.employment_type);
    Term {
        name: "job_type",
        points: if wanted { JOB_TYPE } else { 0.0 },
        max_points: JOB_TYPE,
        reason: if wanted {
            say(format_args!("{}, as preferred", job.employment_type))
        } else {
            say(format_args!(
                "{} is not a preferred job type",
                job.employment_type
            ))
        },
    }
}

fn salary_term(profile: &CandidateProfile, job: &JobPosting, explain: bool) -> Term {
    let say = |text: std::fmt::Arguments<'_>| {
        if explain {
            text.to_string()
        } else {
            String::new()
        }
    };
    let offered_max = job
        .salary_max
        .or(job.salary_min)
        .and_then(|v| u64::try_from(v).ok());
    let same_currency = match (&profile.salary_currency, &job.salary_currency) {
        (Some(wanted), Some(offered)) => wanted.eq_ignore_ascii_case(offered),
        _ => true,
    };
    let (points, reason) = match (profile.salary_min, offered_max) {
        (None, _) => (SALARY, say(format_args!("no salary expectation"))),
        (Some(_), None) => (SALARY / 2.0, say(format_args!("the job states no salary"))),
        (Some(_), Some(_)) if !same_currency => (
            SALARY / 2.0,
            say(format_args!("the salary is in another currency")),
        ),
        (Some(wanted), Some(offered)) if offered >= wanted => (
            SALARY,
            say(format_args!(
                "pays up to {offered}, at least the {wanted} expected"
            )),
        ),
        (Some(wanted), Some(offered)) => (
            0.0,
            say(format_args!(
                "pays up to {offered}, below the {wanted} expected"
            )),
        ),
    };
    Term {
        name: "salary",
        points,
        max_points: SALARY,
        reason,
    }
}

/// The job's fit for the seeker, with the reasons of every term.
pub fn score(seeker: &Seeker<'_>, job: &JobPosting) -> JobMatch {
    evaluate(seeker, job, true)
}

/// One computation for both uses: ranking many jobs skips the reasons and skill lists (they
/// are only written out for the jobs shown), explaining one writes them.
fn evaluate(seeker: &Seeker<'_>, job: &JobPosting, explain: bool) -> JobMatch {
    let (skills, matched_skills, missing_skills) = skills_term(seeker, job, explain);
    let terms = vec![
        skills,
        experience_term(seeker.profile, job.experience_level, explain),
        setup_term(seeker.profile, job.work_setup, explain),
        location_term(seeker.profile, job, explain),
        job_type_term(seeker.profile, job, explain),
        salary_term(seeker.profile, job, explain),
    ];
    let total: f64 = terms.iter().map(|term| term.points).sum();
    JobMatch {
        score: (total * 10.0).round() / 10.0,
        matched_skills,
        missing_skills,
        terms,
    }
}

/// Every job's score, best first (ties: newest job, then id); [`score`] explains one.
pub fn rank<'j>(seeker: &Seeker<'_>, jobs: &'j [JobPosting]) -> Vec<(&'j JobPosting, f64)> {
    let mut ranked: Vec<(&JobPosting, f64)> = jobs
        .iter()
        .map(|job| (job, evaluate(seeker, job, false).score))
        .collect();
    ranked.sort_by(|(a, x), (b, y)| {
        y.total_cmp(x)
            .then(b.created_at.cmp(&a.created_at))
            .then(a.id.cmp(&b.id))
    });
    ranked
}

#[cfg(test)]
#[path = "job_matching_tests.rs"]
mod tests;
