//! The rules of the offline [`FeedbackAuthor`](interview_core::ports::FeedbackAuthor) and the
//! readings it recommends (see [`OfflineFeedbackAuthor`]).

use interview_core::ports::{FeedbackDraft, ImprovementArea, LearningResource, ResumeFacts};

use super::OfflineFeedbackAuthor;
use super::facts::{contains_word, strip_bullet};
use super::vocabulary::{Domain, SKILLS};

/// Fewer recognised skills than this is worth a remark.
const FEW_SKILLS: usize = 5;

/// Lines that describe work done: bulleted lines, other than the roles themselves.
fn achievement_lines<'t>(text: &'t str, facts: &ResumeFacts) -> Vec<&'t str> {
    text.lines()
        .filter(|line| {
            line.trim_start()
                .starts_with(['-', '•', '*', '·', '▪', '–', '○', '◦', '►'])
        })
        .map(strip_bullet)
        .filter(|line| !line.is_empty() && !facts.previous_roles.iter().any(|role| role == line))
        .collect()
}

/// Whether a line gives a number other than a year: a count ("3 services", "10k users"), a
/// percentage, an amount. Digits inside names ("EC2", "Python3") do not count.
pub(super) fn is_quantified(line: &str) -> bool {
    let is_year = |word: &str| {
        word.len() == 4
            && word.bytes().all(|byte| byte.is_ascii_digit())
            && (word.starts_with("19") || word.starts_with("20"))
    };
    line.split(|c: char| {
        c.is_whitespace() || matches!(c, '-' | '–' | '—' | '/' | '(' | ')' | ',' | ';' | ':')
    })
    .map(|word| word.trim_matches(['.', '"', '\'', '~', '+']))
    .any(|word| {
        word.contains('%')
            || (word.len() > 1 && word.starts_with(['$', '€', '£']))
            || (word.starts_with(|c: char| c.is_ascii_digit()) && !is_year(word))
    })
}

fn quote(line: &str) -> String {
    let short: String = line.chars().take(80).collect();
    if short.len() < line.len() {
        format!("\"{short}...\"")
    } else {
        format!("\"{short}\"")
    }
}

/// Something to read for an improvement area.
pub(super) struct Reading {
    pub(super) title: &'static str,
    url: &'static str,
    reason: &'static str,
}

pub(super) const TECH_RESUME: Reading = Reading {
    title: "The Tech Resume Inside Out (Gergely Orosz)",
    url: "https://thetechresume.com/",
    reason: "How engineers write impact-focused, quantified resume bullets",
};
pub(super) const TEST_PYRAMID: Reading = Reading {
    title: "The Practical Test Pyramid (Ham Vocke, martinfowler.com)",
    url: "https://martinfowler.com/articles/practical-test-pyramid.html",
    reason: "What to test at which level, to show testing practice with confidence",
};
pub(super) const PYTEST: Reading = Reading {
    title: "pytest documentation: Get Started",
    url: "https://docs.pytest.org/en/stable/getting-started.html",
    reason: "The standard Python test framework, to add tested work to the resume",
};
pub(super) const JEST: Reading = Reading {
    title: "Jest: Getting Started",
    url: "https://jestjs.io/docs/getting-started",
    reason: "The common JavaScript and TypeScript test runner",
};
pub(super) const ROADMAP: Reading = Reading {
    title: "roadmap.sh developer roadmaps",
    url: "https://roadmap.sh/",
    reason: "Skills expected for each role, to see which ones to learn and list",
};

impl OfflineFeedbackAuthor {
    /// The feedback on a resume.
    pub fn draft(facts: &ResumeFacts, text: &str) -> FeedbackDraft {
        let mut areas: Vec<ImprovementArea> = Vec::new();
        let mut readings: Vec<&Reading> = Vec::new();
        let lower = text.to_ascii_lowercase();

        let achievements = achievement_lines(text, facts);
        if achievements.is_empty() {
            areas.push(ImprovementArea {
                area: "Achievements".to_owned(),
                evidence: "No bulleted achievements or responsibilities under the roles".to_owned(),
                suggestion: "Under each role, add two to four bullets on what you built or \
                             changed and what came of it"
                    .to_owned(),
            });
            readings.push(&TECH_RESUME);
        } else if !achievements.iter().any(|line| is_quantified(line)) {
            areas.push(ImprovementArea {
                area: "Quantified achievements".to_owned(),
                evidence: format!(
                    "None of the {} achievement line(s) gives a number, e.g. {}",
                    achievements.len(),
                    quote(achievements[0])
                ),
                suggestion: "Give the scale and the outcome: users or requests served, time or \
                             cost saved, percentages improved"
                    .to_owned(),
            });
            readings.push(&TECH_RESUME);
        }

        let tests_mentioned = facts
            .skills
            .iter()
            .filter_map(|name| SKILLS.iter().find(|skill| skill.name == *name))
            .any(|skill| skill.domains.contains(&Domain::Testing))
            || ["test", "tests", "testing", "tested"]
                .iter()
                .any(|word| contains_word(&lower, word));
        if !tests_mentioned {
            areas.push(ImprovementArea {
                area: "Testing".to_owned(),
                evidence: "No testing practice or test framework is mentioned".to_owned(),
                suggestion: "Name the test frameworks you use and how you test (unit, \
                             integration, end-to-end)"
                    .to_owned(),
            });
            let has = |name: &str| facts.skills.iter().any(|skill| skill == name);
            if has("Python") {
                readings.push(&PYTEST);
            }
            if has("JavaScript") || has("TypeScript") || has("React") || has("Node.js") {
                readings.push(&JEST);
            }
            readings.push(&TEST_PYRAMID);
        }

        if facts.skills.len() < FEW_SKILLS {
            areas.push(ImprovementArea {
                area: "Skills section".to_owned(),
                evidence: if facts.skills.is_empty() {
                    "No technical skills were recognised".to_owned()
                } else {
                    format!(
                        "Only {} technical skill(s) recognised: {}",
                        facts.skills.len(),
                        facts.skills.join(", ")
                    )
                },
                suggestion: "Add a skills section listing languages, frameworks, databases and \
                             tools by name"
                    .to_owned(),
            });
            readings.push(&ROADMAP);
        }

        if facts.experience_years.is_none() {
            areas.push(ImprovementArea {
                area: "Summary".to_owned(),
                evidence: "The resume does not state the years of experience".to_owned(),
                suggestion: "Open with one line: your role, years of experience and main stack"
                    .to_owned(),
            });
        }

        if facts.previous_roles.is_empty() {
            areas.push(ImprovementArea {
                area: "Work history".to_owned(),
                evidence: "No line reads like \"Title at Company\"".to_owned(),
                suggestion: "List each position as \"Title at Company (start-end)\", most \
                             recent first"
                    .to_owned(),
            });
            readings.push(&TECH_RESUME);
        }

        if areas.is_empty() {
            areas.push(ImprovementArea {
                area: "Tailoring".to_owned(),
                evidence: "The resume covers skills, experience and quantified results".to_owned(),
                suggestion: "Tailor it to each posting: lead with the skills and results the \
                             role asks for"
                    .to_owned(),
            });
            readings.push(&TECH_RESUME);
        }

        let mut resources: Vec<LearningResource> = Vec::new();
        for reading in readings {
            if !resources.iter().any(|seen| seen.title == reading.title) {
                resources.push(LearningResource {
                    title: reading.title.to_owned(),
                    url: Some(reading.url.to_owned()),
                    reason: reading.reason.to_owned(),
                });
            }
        }
        FeedbackDraft {
            summary: summary(facts, &areas),
            improvement_areas: areas,
            recommended_resources: resources,
        }
    }
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn summary(facts: &ResumeFacts, areas: &[ImprovementArea]) -> String {
    let experience = facts
        .experience_years
        .map(|years| {
            format!(
                " with {years} year{} of experience",
                if years == 1 { "" } else { "s" }
            )
        })
        .unwrap_or_default();
    let domains = if facts.technical_domains.is_empty() {
        String::new()
    } else {
        format!(" in {} work", list(&facts.technical_domains))
    };
    let skills = match facts.skills.len() {
        0 => "no recognised technical skills".to_owned(),
        count @ 1..=3 => format!("{count} recognised skill(s) ({})", facts.skills.join(", ")),
        count => format!(
            "{count} recognised skills ({} and {} more)",
            facts.skills[..3].join(", "),
            count - 3
        ),
    };
    let areas: Vec<String> = areas.iter().map(|area| area.area.to_lowercase()).collect();
    format!(
        "A resume{experience}{domains}: {skills}, {} previous role(s). To improve: {}.",
        facts.previous_roles.len(),
        list(&areas)
    )
}
