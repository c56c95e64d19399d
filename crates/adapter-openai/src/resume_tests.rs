//! The reading and tidying of resume facts and feedback (no network).

use super::*;

const FACTS: &str = r#"{"skills":[" Rust ","PostgreSQL","rust","", "Kubernetes"],
    "experience_years":7,
    "education":["BSc  Computer Science,\n University of Leeds"],
    "previous_roles":["Backend Engineer at Acme","Backend Engineer at Acme"],
    "technical_domains":["Backend","cloud"]}"#;

const RESUME: &str = "Ada Lovelace\nBackend Engineer at Acme (2018-2025)\n- Worked on the \
                      backend services.\n- Migrated the billing database to PostgreSQL.\nSkills: \
                      Rust, PostgreSQL, Kubernetes";

const FEEDBACK: &str = r#"{"summary":"  A clear resume.\n Quantify the impact. ",
    "improvement_areas":[
      {"area":"Quantified achievements","evidence":"\"Worked on the backend services\" gives no number",
       "suggestion":"Say how many services and what changed."},
      {"area":"Years of experience","evidence":"No line states the years of experience",
       "suggestion":"Add a summary line."}],
    "recommended_resources":[
      {"title":"The Tech Resume Inside Out","url":" https://thetechresume.com/ ","reason":"Impact bullets."},
      {"title":"the tech resume inside out","url":null,"reason":"Duplicate."},
      {"title":"Some blog","url":"not a url","reason":"Examples."}]}"#;

#[test]
fn facts_are_trimmed_deduplicated_case_insensitively_and_read_inside_a_fence() {
    let (facts, problems) = read_facts(&format!("```json\n{FACTS}\n```")).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(facts.skills, ["Rust", "PostgreSQL", "Kubernetes"]);
    assert_eq!(facts.experience_years, Some(7));
    assert_eq!(
        facts.education,
        ["BSc Computer Science, University of Leeds"]
    );
    assert_eq!(facts.previous_roles, ["Backend Engineer at Acme"]);
    assert_eq!(facts.technical_domains, ["backend", "cloud"]);
}

#[test]
fn facts_are_bounded() {
    let skills: Vec<String> = (0..80).map(|index| format!("skill {index}")).collect();
    let roles: Vec<String> = (0..30)
        .map(|index| format!("{index} {}", "x".repeat(300)))
        .collect();
    let reply = serde_json::json!({
        "skills": skills, "experience_years": null, "education": [],
        "previous_roles": roles, "technical_domains": []
    })
    .to_string();
    let (facts, problems) = read_facts(&reply).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(facts.skills.len(), MAX_SKILLS);
    assert_eq!(facts.experience_years, None);
    assert_eq!(facts.previous_roles.len(), MAX_ROLES);
    assert!(
        facts
            .previous_roles
            .iter()
            .all(|role| role.chars().count() == MAX_ENTRY_CHARS && role.ends_with('…'))
    );
}

#[test]
fn years_out_of_range_and_overlong_skills_are_problems_left_out_of_the_facts() {
    let reply = FACTS.replace("7,", "2019,").replace(
        r#""Kubernetes""#,
        &format!("\"{}\"", "Kubernetes ".repeat(10)),
    );
    let (facts, problems) = read_facts(&reply).unwrap();
    assert_eq!(facts.experience_years, None);
    assert_eq!(facts.skills, ["Rust", "PostgreSQL"]);
    assert_eq!(problems.len(), 2);
    assert!(problems[0].starts_with("experience_years is 2019, not from 0 to 60"));
    assert!(problems[1].starts_with("skills[4] is longer than 50 characters"));
    let negative = FACTS.replace("7,", "-3,");
    assert!(read_facts(&negative).unwrap().0.experience_years.is_none());
}

#[test]
fn facts_not_of_the_schema_are_refused() {
    assert_eq!(read_facts(" ").unwrap_err(), "the reply was empty");
    assert!(
        read_facts("Skills: Rust")
            .unwrap_err()
            .starts_with("it did not match the schema")
    );
    let missing = FACTS.replace(r#""technical_domains":["Backend","cloud"]"#, r#""x":[]"#);
    assert!(
        read_facts(&missing)
            .unwrap_err()
            .contains("technical_domains")
    );
    let fractional = FACTS.replace("7,", "7.5,");
    assert!(read_facts(&fractional).is_err());
}

#[test]
fn feedback_is_tidied_and_its_quotes_checked_against_the_resume() {
    let (draft, problems) = read_feedback(FEEDBACK, RESUME).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(draft.summary, "A clear resume. Quantify the impact.");
    assert_eq!(draft.improvement_areas.len(), 2);
    assert_eq!(
        draft.improvement_areas[0].evidence,
        "\"Worked on the backend services\" gives no number"
    );
    assert_eq!(
        draft.recommended_resources.len(),
        2,
        "the duplicate is dropped"
    );
    assert_eq!(
        draft.recommended_resources[0].url.as_deref(),
        Some("https://thetechresume.com/")
    );
    assert_eq!(draft.recommended_resources[1].title, "Some blog");
    assert_eq!(
        draft.recommended_resources[1].url, None,
        "what is not an address is cleared"
    );
}

#[test]
fn quotes_match_word_by_word_whatever_the_case_punctuation_and_ellipses() {
    let resume = words(RESUME);
    for evidence in [
        "\"worked on the Backend services!\"",
        "“Migrated the billing database … PostgreSQL”",
        "\"Migrated the billing...to PostgreSQL\" and \"Skills: Rust\"",
        "No line states the years of experience",
        "\"...\" is all it says",
    ] {
        assert_eq!(invented_quote(evidence, &resume), None, "{evidence}");
    }
    assert_eq!(
        invented_quote("\"Led a team of 12\" is vague", &resume),
        Some("Led a team of 12")
    );
    assert_eq!(
        invented_quote("\"Rus engineer\" is a typo", &resume),
        Some("Rus engineer"),
        "whole words only"
    );
    assert_eq!(
        invented_quote("No \"Projects\" section", &resume),
        None,
        "a single quoted word is not checked"
    );
}

#[test]
fn areas_with_invented_quotes_or_blanks_are_problems_left_out() {
    let invented = FEEDBACK.replace(
        r#"\"Worked on the backend services\""#,
        r#"\"Led a team of 12 engineers\""#,
    );
    let (draft, problems) = read_feedback(&invented, RESUME).unwrap();
    assert_eq!(draft.improvement_areas.len(), 1);
    assert_eq!(draft.improvement_areas[0].area, "Years of experience");
    assert_eq!(
        problems,
        [
            "improvement_areas[0].evidence quotes \"Led a team of 12 engineers\", which the \
             resume does not contain (quote only the resume's words; name what is missing \
             without quotes)"
        ]
    );
    let blank = FEEDBACK.replace(
        r#""suggestion":"Add a summary line.""#,
        r#""suggestion":" ""#,
    );
    let (_, problems) = read_feedback(&blank, RESUME).unwrap();
    assert_eq!(problems, ["improvement_areas[1] has no suggestion"]);
}

#[test]
fn feedback_without_a_summary_or_any_usable_area_cannot_be_used() {
    let no_summary = FEEDBACK.replace("  A clear resume.\\n Quantify the impact. ", "");
    assert_eq!(
        read_feedback(&no_summary, RESUME).unwrap_err(),
        "summary is empty"
    );
    let reply = serde_json::json!({
        "summary": "Fine.",
        "improvement_areas": [{"area": "", "evidence": "", "suggestion": ""}],
        "recommended_resources": []
    })
    .to_string();
    assert_eq!(
        read_feedback(&reply, RESUME).unwrap_err(),
        "no usable improvement area; improvement_areas[0] has no area and no evidence and no \
         suggestion"
    );
    assert!(read_feedback("Looks great!", RESUME).is_err());
}

#[test]
fn feedback_is_bounded() {
    let areas: Vec<serde_json::Value> = (0..9)
        .map(|index| {
            serde_json::json!({
                "area": format!("Area {index}"),
                "evidence": "No line states the years of experience",
                "suggestion": "word ".repeat(400),
            })
        })
        .collect();
    let reply = serde_json::json!({
        "summary": "s".repeat(5_000),
        "improvement_areas": areas,
        "recommended_resources": []
    })
    .to_string();
    let (draft, problems) = read_feedback(&reply, RESUME).unwrap();
    assert!(problems.is_empty());
    assert_eq!(draft.summary.chars().count(), MAX_SUMMARY_CHARS);
    assert_eq!(draft.improvement_areas.len(), MAX_IMPROVEMENT_AREAS);
    assert!(
        draft.improvement_areas[0].suggestion.chars().count() <= MAX_REMARK_CHARS
            && draft.improvement_areas[0].suggestion.ends_with('…')
    );
}

#[test]
fn a_long_list_of_problems_is_cut_short() {
    let problems: Vec<String> = (0..8).map(|index| format!("p{index}")).collect();
    assert_eq!(described(problems), "p0; p1; p2; p3; p4 (and 3 more)");
}
