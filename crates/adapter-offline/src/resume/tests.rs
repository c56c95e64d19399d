#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

/// The text `adapter-documents` reads from `tests/fixtures/resumes/resume.pdf` and `.docx`.
const ADA: &str = "Ada Example
Senior Software Engineer with 7 years of experience
ada@example.com

Skills
Python, Django, PostgreSQL, React, TypeScript, Docker, AWS

Experience
Backend Engineer at Acme (2019-2023)
- Built REST APIs in Python and Django backed by PostgreSQL
- Moved the deployment to Docker containers on AWS
Software Developer at Initech (2017-2019)
- Maintained the customer dashboard in React and TypeScript

Education
BSc Computer Science, University of Somewhere";

fn names(text: &str) -> Vec<&'static str> {
    find_skills(text).iter().map(|skill| skill.name).collect()
}

#[test]
fn facts_of_the_fixture_resume() {
    let facts = OfflineResumeAnalyzer::facts(ADA);
    assert_eq!(
        facts.skills,
        [
            "Python",
            "Django",
            "PostgreSQL",
            "React",
            "TypeScript",
            "Docker",
            "AWS",
            "REST APIs"
        ]
    );
    assert_eq!(facts.experience_years, Some(7));
    assert_eq!(
        facts.education,
        ["BSc Computer Science, University of Somewhere"]
    );
    assert_eq!(
        facts.previous_roles,
        [
            "Backend Engineer at Acme (2019-2023)",
            "Software Developer at Initech (2017-2019)"
        ]
    );
    assert_eq!(
        facts.technical_domains,
        ["backend", "frontend", "databases", "cloud", "devops"]
    );
}

#[test]
fn aliases_give_the_display_form_once_in_order_of_first_appearance() {
    assert_eq!(
        names("postgres, k8s, JS, golang, node.js, PostgreSQL, Kubernetes, javascript"),
        ["PostgreSQL", "Kubernetes", "JavaScript", "Go", "Node.js"]
    );
    assert_eq!(
        names("Worked with ReactJS, Vue.js, C#, C++, sklearn and GCP"),
        [
            "React",
            "Vue.js",
            "C#",
            "C++",
            "scikit-learn",
            "Google Cloud"
        ]
    );
}

#[test]
fn the_longest_form_wins() {
    assert_eq!(names("JavaScript"), ["JavaScript"]);
    assert_eq!(names("React Native apps"), ["React Native"]);
    assert_eq!(
        names("Ruby on Rails, Spring Boot"),
        ["Ruby on Rails", "Spring"]
    );
    assert_eq!(names("Apache Spark and pyspark"), ["Apache Spark"]);
}

#[test]
fn matches_only_whole_words() {
    assert!(names("Javanese, pythonic, reactive, scalable, gopher, gitignore").is_empty());
    assert!(names("Rustic Dockerfile-free databases").is_empty());
}

#[test]
fn no_false_positives_on_plain_english() {
    for text in [
        "Go to the store",
        "I can see the R&D team",
        "Let's go. We need a swift answer in the spring.",
        "An express delivery, a chef and a puppet show at the helm of R",
        "C is for cookie",
        "Ts and Cs apply",
    ] {
        assert!(names(text).is_empty(), "{text}: {:?}", names(text));
    }
}

#[test]
fn ambiguous_names_count_as_list_items() {
    assert_eq!(
        names("Languages: Python, Go, R, C\nFrameworks: Express / Spring"),
        ["Python", "Go", "R", "C", "Express", "Spring"]
    );
    assert_eq!(names("- Go\n- Swift"), ["Go", "Swift"]);
    // a single letter must be upper case, even in a list
    assert_eq!(names("Languages: c, r"), Vec::<&str>::new());
    assert_eq!(names("C/C++, Go (Golang)"), ["C++", "Go"]);
}

#[test]
fn experience_years_from_the_usual_phrases() {
    for (text, years) in [
        (
            "Senior Software Engineer with 7 years of experience",
            Some(7),
        ),
        ("7+ years building web apps", Some(7)),
        ("10 + years in backend", Some(10)),
        ("Over 12 years in the industry", Some(12)),
        ("more than 3 yrs of Python", Some(3)),
        ("five years' experience with Django", Some(5)),
        ("3 years of React experience; 8+ years overall", Some(8)),
        ("Backend Engineer at Acme (2019-2023)", None),
        ("Worked there for 3 years", None),
        ("2019 years of experience", None),
        ("", None),
    ] {
        assert_eq!(experience_years(text), years, "{text}");
    }
}

#[test]
fn education_lines_name_a_degree() {
    let text = "EDUCATION\n• B.S. in Mathematics, MIT\nMaster's degree in Physics\n\
                Scrum Master at Initech\nPhD, Computer Vision\nMSc Data Science\nMBA\n\
                Bachelor of Arts\nBSc Computer Science, University of Somewhere";
    assert_eq!(
        education(text),
        [
            "B.S. in Mathematics, MIT",
            "Master's degree in Physics",
            "PhD, Computer Vision",
            "MSc Data Science",
            "MBA",
            "Bachelor of Arts",
            "BSc Computer Science, University of Somewhere"
        ]
    );
}

#[test]
fn roles_read_title_at_company() {
    let text = "Lead Developer @ Globex\n- Led a team of engineers at Acme\n\
                - Presented at PyCon\nSpeaker at PyCon\nData Scientist at Hooli (2015-2017)\n\
                looking at engineer roles at Acme";
    assert_eq!(
        previous_roles(text),
        [
            "Lead Developer @ Globex",
            "Data Scientist at Hooli (2015-2017)"
        ]
    );
}

#[test]
fn quantified_lines_give_a_number_that_is_not_a_year() {
    for line in [
        "Cut p95 latency by 40%",
        "Served 2M requests a day",
        "Saved $20k a year",
        "Led a team of 5",
    ] {
        assert!(is_quantified(line), "{line}");
    }
    for line in [
        "Migrated to EC2 and S3 in 2021",
        "Built REST APIs in Python3",
        "Backend Engineer (2019-2023)",
    ] {
        assert!(!is_quantified(line), "{line}");
    }
}

#[test]
fn feedback_on_the_fixture_resume() {
    let facts = OfflineResumeAnalyzer::facts(ADA);
    let draft = OfflineFeedbackAuthor::draft(&facts, ADA);
    let areas: Vec<&str> = draft
        .improvement_areas
        .iter()
        .map(|area| area.area.as_str())
        .collect();
    assert_eq!(areas, ["Quantified achievements", "Testing"]);
    assert!(
        draft.improvement_areas[0]
            .evidence
            .contains("\"Built REST APIs in Python and Django backed by PostgreSQL\""),
        "{}",
        draft.improvement_areas[0].evidence
    );
    assert_eq!(
        draft.summary,
        "A resume with 7 years of experience in backend, frontend, databases, cloud and devops \
         work: 8 recognised skills (Python, Django, PostgreSQL and 5 more), 2 previous role(s). \
         To improve: quantified achievements and testing."
    );
    let titles: Vec<&str> = draft
        .recommended_resources
        .iter()
        .map(|resource| resource.title.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            TECH_RESUME.title,
            PYTEST.title,
            JEST.title,
            TEST_PYRAMID.title
        ]
    );
    assert!(draft.recommended_resources.iter().all(|resource| {
        resource
            .url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }));
}

#[test]
fn feedback_on_a_thin_resume() {
    let text = "John Doe\nDeveloper\nI know Java.";
    let facts = OfflineResumeAnalyzer::facts(text);
    let draft = OfflineFeedbackAuthor::draft(&facts, text);
    let areas: Vec<&str> = draft
        .improvement_areas
        .iter()
        .map(|area| area.area.as_str())
        .collect();
    assert_eq!(
        areas,
        [
            "Achievements",
            "Testing",
            "Skills section",
            "Summary",
            "Work history"
        ]
    );
    assert_eq!(
        draft.improvement_areas[2].evidence,
        "Only 1 technical skill(s) recognised: Java"
    );
}

#[test]
fn a_strong_resume_still_gets_one_area() {
    let text = "Jane Roe\nStaff Engineer with 10+ years of experience\n\
                Skills: Go, Rust, PostgreSQL, Kubernetes, Terraform, pytest\n\
                Staff Engineer at Hooli (2018-2024)\n\
                - Cut p99 latency by 35% for 4M daily users";
    let facts = OfflineResumeAnalyzer::facts(text);
    let draft = OfflineFeedbackAuthor::draft(&facts, text);
    assert_eq!(draft.improvement_areas.len(), 1);
    assert_eq!(draft.improvement_areas[0].area, "Tailoring");
    assert!(!draft.recommended_resources.is_empty());
}

#[test]
fn empty_text_gives_empty_facts_and_feedback() {
    let facts = OfflineResumeAnalyzer::facts("");
    assert_eq!(facts, ResumeFacts::default());
    let draft = OfflineFeedbackAuthor::draft(&facts, "");
    assert!(!draft.improvement_areas.is_empty());
    assert!(draft.summary.contains("no recognised technical skills"));
}

#[tokio::test]
async fn the_ports_are_deterministic_and_free() {
    let first = OfflineResumeAnalyzer.analyze(ADA).await.unwrap();
    let second = OfflineResumeAnalyzer.analyze(ADA).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(first.usage.total_tokens(), 0);
    assert_eq!(first.usage.model, OFFLINE_MODEL);
    let feedback = OfflineFeedbackAuthor
        .write(&first.value, ADA)
        .await
        .unwrap();
    let again = OfflineFeedbackAuthor
        .write(&first.value, ADA)
        .await
        .unwrap();
    assert_eq!(feedback, again);
    assert_eq!(feedback.usage.total_tokens(), 0);
}

#[test]
fn the_vocabulary_is_well_formed() {
    assert!(SKILLS.len() >= 150, "{} skills", SKILLS.len());
    let mut seen = std::collections::BTreeMap::new();
    for skill in SKILLS {
        assert!(
            !skill.aliases.is_empty() || !skill.listed.is_empty(),
            "{}",
            skill.name
        );
        for form in skill.aliases.iter().chain(skill.listed) {
            assert_eq!(
                *form,
                form.to_ascii_lowercase(),
                "{} of {}",
                form,
                skill.name
            );
            assert_eq!(form.trim(), *form);
            if let Some(other) = seen.insert(*form, skill.name) {
                panic!("{form} is both {other} and {}", skill.name);
            }
        }
    }
}
