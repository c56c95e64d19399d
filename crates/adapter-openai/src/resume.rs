//! The resume analyzer and the feedback author over chat completions, built like the assessor:
//! structured output (a strict JSON schema), the reply read and tidied here (trimmed, bounded,
//! deduplicated case-insensitively), one repair request when something in it is wrong, and
//! provider failures returned so the core's parsing job tries again later.
//!
//! What is wrong with a reply is of two kinds. Some of it cannot be used at all (not JSON of the
//! schema's shape, no summary, no improvement area): after the repair that is
//! [`ProviderError::InvalidResponse`] (there is no conservative resume to fall back on). The
//! rest is an item to drop or a value to clear (a skill too long to be a skill's name, years of
//! experience out of range, evidence quoting words the resume does not contain): it asks for the
//! repair, and if the repaired reply still has it, the item is dropped and the rest used.
//!
//! The resume is untrusted: it is sent in the user message between `<resume>` markers it cannot
//! close, cut to [`MAX_RESUME_CHARS`], and both system prompts say to follow no instruction
//! inside it.

use std::collections::HashSet;
use std::sync::Arc;

use async_openai::types::chat::{
    ChatCompletionRequestMessage, ResponseFormat, ResponseFormatJsonSchema,
};
use async_trait::async_trait;
use interview_core::ports::{
    FeedbackAuthor, FeedbackDraft, Generated, ImprovementArea, LearningResource, ProviderError,
    ResumeAnalyzer, ResumeFacts,
};
use serde::Deserialize;

use crate::breaker::CircuitBreaker;
use crate::chat::{ChatModel, Prompt, add, assistant, system, unfenced, user};
use crate::prompts::resume::{
    self as prompts, MAX_DOMAINS, MAX_EDUCATION, MAX_EXPERIENCE_YEARS, MAX_IMPROVEMENT_AREAS,
    MAX_RESOURCES, MAX_RESUME_CHARS, MAX_ROLES, MAX_SKILLS, SHORTENED_RESUME_CHARS,
};
use crate::transport::OpenAiClient;

/// Problems named in a repair request; the rest are counted.
const PROBLEMS_NAMED: usize = 5;
/// A skill longer than this is not a skill's name (a profile allows no longer one).
const MAX_SKILL_CHARS: usize = 50;
const MAX_DOMAIN_CHARS: usize = 50;
/// An education line or a role.
const MAX_ENTRY_CHARS: usize = 200;
const MAX_SUMMARY_CHARS: usize = 2_000;
const MAX_AREA_CHARS: usize = 100;
const MAX_REMARK_CHARS: usize = 600;
const MAX_TITLE_CHARS: usize = 200;
const MAX_URL_CHARS: usize = 500;
/// The part of an invented quote shown in a repair request.
const QUOTE_SHOWN_CHARS: usize = 60;

/// A reply read: the tidied value with the problems tidied away (items dropped, values
/// cleared), or why none of it can be used.
type Reading<T> = Result<(T, Vec<String>), String>;

/// `problems` as one sentence, the first [`PROBLEMS_NAMED`] named.
fn described(mut problems: Vec<String>) -> String {
    let more = problems.len().saturating_sub(PROBLEMS_NAMED);
    problems.truncate(PROBLEMS_NAMED);
    let problem = problems.join("; ");
    if more > 0 {
        format!("{problem} (and {more} more)")
    } else {
        problem
    }
}

/// `text` on one line without control characters, cut to `limit` characters (the last one
/// then `…`).
fn one_line(text: &str, limit: usize) -> String {
    let flat = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(char::is_control, "");
    if flat.chars().count() <= limit {
        return flat;
    }
    let cut: String = flat.chars().take(limit.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

/// Trimmed, non-empty, deduplicated case-insensitively (the first spelling kept), at most
/// `max_items`. An entry longer than `max_chars` is dropped and named in `problems` when
/// `too_long_is_wrong` (a skill's name cannot be cut), else cut.
fn tidy_list(
    name: &str,
    values: Vec<String>,
    max_items: usize,
    max_chars: usize,
    too_long_is_wrong: bool,
    problems: &mut Vec<String>,
) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut kept = Vec::new();
    for (index, value) in values.into_iter().enumerate() {
        let flat = one_line(&value, usize::MAX);
        if flat.is_empty() {
            continue;
        }
        if too_long_is_wrong && flat.chars().count() > max_chars {
            problems.push(format!(
                "{name}[{index}] is longer than {max_chars} characters: give each as a short \
                 name, one an entry"
            ));
            continue;
        }
        let value = one_line(&flat, max_chars);
        if seen.insert(value.to_lowercase()) {
            kept.push(value);
        }
    }
    kept.truncate(max_items);
    kept
}

#[derive(Debug, Deserialize)]
struct RawFacts {
    skills: Vec<String>,
    experience_years: Option<i64>,
    education: Vec<String>,
    previous_roles: Vec<String>,
    technical_domains: Vec<String>,
}

/// Reads and tidies a resume's facts: JSON of the schema's shape (a Markdown code fence around
/// it is tolerated), integer years of experience from 0 to [`MAX_EXPERIENCE_YEARS`] (else
/// none), each list trimmed, deduplicated and bounded.
pub(crate) fn read_facts(content: &str) -> Reading<ResumeFacts> {
    let json = unfenced(content);
    if json.is_empty() {
        return Err("the reply was empty".to_owned());
    }
    let raw: RawFacts = serde_json::from_str(json)
        .map_err(|error| format!("it did not match the schema: {error}"))?;
    let mut problems = Vec::new();
    let experience_years = raw.experience_years.and_then(|years| {
        let kept = u32::try_from(years)
            .ok()
            .filter(|years| *years <= MAX_EXPERIENCE_YEARS);
        if kept.is_none() {
            problems.push(format!(
                "experience_years is {years}, not from 0 to {MAX_EXPERIENCE_YEARS} (null when \
                 the resume does not state it)"
            ));
        }
        kept
    });
    let facts = ResumeFacts {
        skills: tidy_list(
            "skills",
            raw.skills,
            MAX_SKILLS,
            MAX_SKILL_CHARS,
            true,
            &mut problems,
        ),
        experience_years,
        education: tidy_list(
            "education",
            raw.education,
            MAX_EDUCATION,
            MAX_ENTRY_CHARS,
            false,
            &mut problems,
        ),
        previous_roles: tidy_list(
            "previous_roles",
            raw.previous_roles,
            MAX_ROLES,
            MAX_ENTRY_CHARS,
            false,
            &mut problems,
        ),
        technical_domains: tidy_list(
            "technical_domains",
            raw.technical_domains
                .into_iter()
                .map(|domain| domain.to_lowercase())
                .collect(),
            MAX_DOMAINS,
            MAX_DOMAIN_CHARS,
            true,
            &mut problems,
        ),
    };
    Ok((facts, problems))
}

#[derive(Debug, Deserialize)]
struct RawArea {
    area: String,
    evidence: String,
    suggestion: String,
}

#[derive(Debug, Deserialize)]
struct RawResource {
    title: String,
    url: Option<String>,
    reason: String,
}

#[derive(Debug, Deserialize)]
struct RawFeedback {
    summary: String,
    improvement_areas: Vec<RawArea>,
    recommended_resources: Vec<RawResource>,
}

/// Lower-case words (letters and digits) separated by single spaces, padded with one space
/// each side, so that containment is word by word whatever the punctuation.
fn words(text: &str) -> String {
    let mut out = String::from(" ");
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        out.push_str(&word.to_lowercase());
        out.push(' ');
    }
    out
}

/// The quotations of `evidence`: what stands between double quotes (straight or curly), each
/// split at an ellipsis.
fn quotations(evidence: &str) -> Vec<&str> {
    let mut quoted = Vec::new();
    let mut open: Option<usize> = None;
    for (index, c) in evidence.char_indices() {
        match (open, c) {
            (None, '"' | '“') => open = Some(index + c.len_utf8()),
            (Some(start), '"' | '”') => {
                quoted.push(&evidence[start..index]);
                open = None;
            }
            _ => {}
        }
    }
    quoted
        .into_iter()
        .flat_map(|quote| quote.split(['…']).flat_map(|part| part.split("...")))
        .filter(|part| part.chars().any(char::is_alphanumeric))
        .collect()
}

/// The first quotation of `evidence` that the resume (its [`words`]) does not contain. A single
/// quoted word is not checked: it is as often the name of a missing section ("Projects") as a
/// quotation.
fn invented_quote<'e>(evidence: &'e str, resume_words: &str) -> Option<&'e str> {
    quotations(evidence).into_iter().find(|quote| {
        let quoted = words(quote);
        quoted.trim().contains(' ') && !resume_words.contains(&quoted)
    })
}

/// A resource's address, when it is one: an http(s) URL without spaces.
fn address(url: Option<String>) -> Option<String> {
    let url = url?.trim().to_owned();
    let plausible = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "https://".len()
        && url.chars().count() <= MAX_URL_CHARS
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    plausible.then_some(url)
}

fn tidy_areas(
    raw: Vec<RawArea>,
    resume_words: &str,
    problems: &mut Vec<String>,
) -> Vec<ImprovementArea> {
    let mut seen = HashSet::new();
    let mut areas = Vec::new();
    for (index, raw) in raw.into_iter().enumerate() {
        let area = ImprovementArea {
            area: one_line(&raw.area, MAX_AREA_CHARS),
            evidence: one_line(&raw.evidence, MAX_REMARK_CHARS),
            suggestion: one_line(&raw.suggestion, MAX_REMARK_CHARS),
        };
        let blank: Vec<&str> = [
            ("area", &area.area),
            ("evidence", &area.evidence),
            ("suggestion", &area.suggestion),
        ]
        .into_iter()
        .filter(|(_, text)| text.is_empty())
        .map(|(field, _)| field)
        .collect();
        if !blank.is_empty() {
            problems.push(format!(
                "improvement_areas[{index}] has no {}",
                blank.join(" and no ")
            ));
            continue;
        }
        // the evidence as the model wrote it: a cut quotation is not an invented one
        if let Some(quote) = invented_quote(&raw.evidence, resume_words) {
            problems.push(format!(
                "improvement_areas[{index}].evidence quotes \"{}\", which the resume does not \
                 contain (quote only the resume's words; name what is missing without quotes)",
                one_line(quote, QUOTE_SHOWN_CHARS)
            ));
            continue;
        }
        if seen.insert(area.area.to_lowercase()) {
            areas.push(area);
        }
    }
    areas.truncate(MAX_IMPROVEMENT_AREAS);
    areas
}

fn tidy_resources(raw: Vec<RawResource>, problems: &mut Vec<String>) -> Vec<LearningResource> {
    let mut seen = HashSet::new();
    let mut resources = Vec::new();
    for (index, raw) in raw.into_iter().enumerate() {
        let resource = LearningResource {
            title: one_line(&raw.title, MAX_TITLE_CHARS),
            url: address(raw.url),
            reason: one_line(&raw.reason, MAX_REMARK_CHARS),
        };
        if resource.title.is_empty() || resource.reason.is_empty() {
            problems.push(format!(
                "recommended_resources[{index}] needs a title and a reason"
            ));
            continue;
        }
        if seen.insert(resource.title.to_lowercase()) {
            resources.push(resource);
        }
    }
    resources.truncate(MAX_RESOURCES);
    resources
}

/// Reads and tidies feedback on `resume`: JSON of the schema's shape (a Markdown code fence
/// around it is tolerated), a summary, improvement areas with an area, evidence and a
/// suggestion whose evidence quotes only words of the resume, resources with a title and a
/// reason (a URL that is not an http(s) address is cleared). At least one improvement area must
/// remain.
pub(crate) fn read_feedback(content: &str, resume: &str) -> Reading<FeedbackDraft> {
    let json = unfenced(content);
    if json.is_empty() {
        return Err("the reply was empty".to_owned());
    }
    let raw: RawFeedback = serde_json::from_str(json)
        .map_err(|error| format!("it did not match the schema: {error}"))?;
    let mut problems = Vec::new();
    let summary = one_line(&raw.summary, MAX_SUMMARY_CHARS);
    let improvement_areas = tidy_areas(raw.improvement_areas, &words(resume), &mut problems);
    let recommended_resources = tidy_resources(raw.recommended_resources, &mut problems);
    let mut fatal = Vec::new();
    if summary.is_empty() {
        fatal.push("summary is empty".to_owned());
    }
    if improvement_areas.is_empty() {
        fatal.push("no usable improvement area".to_owned());
    }
    if !fatal.is_empty() {
        fatal.extend(problems);
        return Err(described(fatal));
    }
    Ok((
        FeedbackDraft {
            summary,
            improvement_areas,
            recommended_resources,
        },
        problems,
    ))
}

fn json_schema(name: &str, description: &str, schema: serde_json::Value) -> ResponseFormat {
    ResponseFormat::JsonSchema {
        json_schema: ResponseFormatJsonSchema {
            name: name.into(),
            description: Some(description.into()),
            schema,
            strict: Some(true),
        },
    }
}

/// The resume text sent for each form of the prompt.
const fn resume_limit(prompt: Prompt) -> usize {
    match prompt {
        Prompt::Full => MAX_RESUME_CHARS,
        Prompt::Shortened => SHORTENED_RESUME_CHARS,
    }
}

/// One structured call and, when the reply has problems, one repair request: what the assessor
/// does, with [`ProviderError::InvalidResponse`] when nothing of the repaired reply can be used.
async fn generate<T, B, R>(
    chat: &ChatModel,
    what: &'static str,
    build: B,
    format: fn() -> ResponseFormat,
    read: R,
    repair_request: fn(&str) -> String,
) -> Result<Generated<T>, ProviderError>
where
    T: Send,
    B: Fn(Prompt) -> Vec<ChatCompletionRequestMessage> + Send + Sync,
    R: Fn(&str) -> Reading<T> + Send + Sync,
{
    let (content, mut usage) = chat.call(&build, Some(format())).await?;
    let problem = match read(&content) {
        Ok((value, problems)) if problems.is_empty() => return Ok(Generated { value, usage }),
        Ok((_, problems)) => described(problems),
        Err(problem) => problem,
    };
    tracing::warn!(%problem, what, "unusable reply; asking the model to repair it");
    let repair = |prompt: Prompt| {
        let mut repair = build(prompt);
        repair.push(assistant(content.clone()));
        repair.push(user(repair_request(&problem)));
        repair
    };
    // a provider failure here is returned like any other: the job tries again later
    let (repaired, repair_usage) = chat.call(repair, Some(format())).await?;
    add(&mut usage, &repair_usage);
    match read(&repaired) {
        Ok((value, problems)) => {
            if !problems.is_empty() {
                tracing::warn!(
                    problem = %described(problems),
                    what,
                    "the repaired reply still had problems; those items were left out"
                );
            }
            Ok(Generated { value, usage })
        }
        Err(still) => {
            tracing::warn!(problem = %still, what, "repair failed");
            Err(ProviderError::InvalidResponse(format!(
                "the {what} could not be used, even after a repair: {still}"
            )))
        }
    }
}

/// Reads the facts of a resume with the `resume_model` (`OpenAiSettings::resume_model`).
pub struct OpenAiResumeAnalyzer {
    chat: ChatModel,
}

impl OpenAiResumeAnalyzer {
    pub(crate) fn new(
        client: OpenAiClient,
        breaker: Arc<CircuitBreaker>,
        model: String,
        temperature: f32,
        max_tokens: u32,
    ) -> Self {
        Self {
            chat: ChatModel::new(client, breaker, model, temperature, max_tokens),
        }
    }

    /// `openai:<model>`, as the assessor names itself (the prompts are
    /// [`crate::RESUME_PROMPT_VERSION`]).
    pub fn generator(&self) -> String {
        format!("openai:{}", self.chat.model())
    }

    fn facts_format() -> ResponseFormat {
        json_schema(
            "resume_facts",
            "The facts a resume states: skills, years of experience, education, roles, domains",
            prompts::resume_facts_schema(),
        )
    }
}

#[async_trait]
impl ResumeAnalyzer for OpenAiResumeAnalyzer {
    async fn analyze(&self, text: &str) -> Result<Generated<ResumeFacts>, ProviderError> {
        let build = |prompt: Prompt| {
            vec![
                system(prompts::resume_analysis_system()),
                user(prompts::resume_analysis(text, resume_limit(prompt))),
            ]
        };
        generate(
            &self.chat,
            "resume analysis",
            build,
            Self::facts_format,
            read_facts,
            prompts::resume_analysis_repair,
        )
        .await
    }
}

/// Drafts feedback on a resume with the `resume_model` (`OpenAiSettings::resume_model`).
pub struct OpenAiFeedbackAuthor {
    chat: ChatModel,
}

impl OpenAiFeedbackAuthor {
    pub(crate) fn new(
        client: OpenAiClient,
        breaker: Arc<CircuitBreaker>,
        model: String,
        temperature: f32,
        max_tokens: u32,
    ) -> Self {
        Self {
            chat: ChatModel::new(client, breaker, model, temperature, max_tokens),
        }
    }

    /// `openai:<model>`, as the assessor names itself (the prompts are
    /// [`crate::RESUME_PROMPT_VERSION`]).
    pub fn generator(&self) -> String {
        format!("openai:{}", self.chat.model())
    }

    fn feedback_format() -> ResponseFormat {
        json_schema(
            "resume_feedback",
            "Feedback on a resume: a summary, improvement areas with evidence from the resume, \
             resources",
            prompts::resume_feedback_schema(),
        )
    }
}

#[async_trait]
impl FeedbackAuthor for OpenAiFeedbackAuthor {
    async fn write(
        &self,
        facts: &ResumeFacts,
        text: &str,
    ) -> Result<Generated<FeedbackDraft>, ProviderError> {
        let build = |prompt: Prompt| {
            vec![
                system(prompts::resume_feedback_system()),
                user(prompts::resume_feedback(facts, text, resume_limit(prompt))),
            ]
        };
        generate(
            &self.chat,
            "resume feedback",
            build,
            Self::feedback_format,
            |content: &str| read_feedback(content, text),
            prompts::resume_feedback_repair,
        )
        .await
    }
}

#[cfg(test)]
#[path = "resume_tests.rs"]
mod tests;
