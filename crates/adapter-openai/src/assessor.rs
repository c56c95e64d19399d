//! The assessment writer over chat completions: the judgement of a finished interview as
//! structured output (JSON schema), checked here (every claim cites messages of the transcript),
//! with one repair request and then the core's conservative judgement. Provider failures are
//! returned, so the core's job tries again later.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_openai::types::chat::{
    ChatCompletionRequestMessage, ResponseFormat, ResponseFormatJsonSchema,
};
use async_trait::async_trait;
use interview_core::assessment::{Claim, Judgement, Recommendation};
use interview_core::ports::{AssessmentRequest, AssessmentWriter, Generated, ProviderError};
use serde::Deserialize;

use crate::breaker::CircuitBreaker;
use crate::chat::{ChatModel, Prompt, add, assistant, system, unfenced, user};
use crate::prompts::{self, ASSESSMENT_PROMPT_VERSION};
use crate::transport::OpenAiClient;

/// Each message is cut to this many characters when the whole transcript does not fit the
/// model's context.
const SHORTENED_LINE_CHARS: usize = 600;
/// Problems named in a repair request; the rest are counted.
const PROBLEMS_NAMED: usize = 5;

pub struct OpenAiAssessor {
    chat: ChatModel,
}

#[derive(Debug, Deserialize)]
struct RawJudgement {
    strengths: Vec<Claim>,
    growth_areas: Vec<Claim>,
    highlights: Vec<Claim>,
    reasoning: String,
    recommendation: Recommendation,
    recommended_actions: Vec<String>,
}

fn claim_problems(
    list: &str,
    claims: &[Claim],
    messages: &BTreeSet<i32>,
    problems: &mut Vec<String>,
) {
    for (index, claim) in claims.iter().enumerate() {
        if claim.text.trim().is_empty() {
            problems.push(format!("{list}[{index}] has no text"));
        }
        if claim.evidence.is_empty() {
            problems.push(format!("{list}[{index}] cites no message"));
        }
        let unknown: Vec<String> = claim
            .evidence
            .iter()
            .filter(|number| !messages.contains(number))
            .map(ToString::to_string)
            .collect();
        if !unknown.is_empty() {
            problems.push(format!(
                "{list}[{index}] cites {}, not a sequence number of the transcript",
                unknown.join(", ")
            ));
        }
    }
}

/// Reads and checks a judgement: JSON of the schema's shape (a Markdown code fence around it is
/// tolerated), a known recommendation, integer evidence, every claim with text and citing only
/// `messages` (the transcript's sequence numbers), and some reasoning.
pub(crate) fn parse_judgement(
    content: &str,
    messages: &BTreeSet<i32>,
) -> Result<Judgement, String> {
    let json = unfenced(content);
    if json.is_empty() {
        return Err("the reply was empty".to_owned());
    }
    let raw: RawJudgement = serde_json::from_str(json)
        .map_err(|error| format!("it did not match the schema: {error}"))?;
    let mut problems = Vec::new();
    claim_problems("strengths", &raw.strengths, messages, &mut problems);
    claim_problems("growth_areas", &raw.growth_areas, messages, &mut problems);
    claim_problems("highlights", &raw.highlights, messages, &mut problems);
    if raw.reasoning.trim().is_empty() {
        problems.push("reasoning is empty".to_owned());
    }
    if !problems.is_empty() {
        let more = problems.len().saturating_sub(PROBLEMS_NAMED);
        problems.truncate(PROBLEMS_NAMED);
        let problem = problems.join("; ");
        return Err(if more > 0 {
            format!("{problem} (and {more} more)")
        } else {
            problem
        });
    }
    Ok(Judgement {
        strengths: raw.strengths,
        growth_areas: raw.growth_areas,
        highlights: raw.highlights,
        reasoning: raw.reasoning.trim().to_owned(),
        recommendation: raw.recommendation,
        recommended_actions: raw
            .recommended_actions
            .into_iter()
            .map(|action| action.trim().to_owned())
            .filter(|action| !action.is_empty())
            .collect(),
        fallback: false,
    })
}

impl OpenAiAssessor {
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

    fn judgement_format() -> ResponseFormat {
        ResponseFormat::JsonSchema {
            json_schema: ResponseFormatJsonSchema {
                name: "interview_assessment".into(),
                description: Some(
                    "The judgement of a finished interview, each claim citing transcript messages"
                        .into(),
                ),
                schema: prompts::assessment_schema(),
                strict: Some(true),
            },
        }
    }

    fn messages(request: &AssessmentRequest, prompt: Prompt) -> Vec<ChatCompletionRequestMessage> {
        let line_limit = match prompt {
            Prompt::Full => None,
            Prompt::Shortened => Some(SHORTENED_LINE_CHARS),
        };
        vec![
            system(prompts::assessment_system(request.role)),
            user(prompts::assessment(request, line_limit)),
        ]
    }
}

#[async_trait]
impl AssessmentWriter for OpenAiAssessor {
    fn generator(&self) -> String {
        format!("openai:{}", self.chat.model())
    }

    fn prompt_version(&self) -> String {
        ASSESSMENT_PROMPT_VERSION.to_owned()
    }

    async fn judge(
        &self,
        request: &AssessmentRequest,
    ) -> Result<Generated<Judgement>, ProviderError> {
        let messages: BTreeSet<i32> = request
            .transcript
            .iter()
            .map(|line| line.sequence_number)
            .collect();
        let build = |prompt: Prompt| Self::messages(request, prompt);
        let (content, mut usage) = self
            .chat
            .call(build, Some(Self::judgement_format()))
            .await?;
        let problem = match parse_judgement(&content, &messages) {
            Ok(judgement) => {
                return Ok(Generated {
                    value: judgement,
                    usage,
                });
            }
            Err(problem) => problem,
        };
        tracing::warn!(%problem, "unusable assessment; asking the model to repair it");
        let repair = |prompt: Prompt| {
            let mut repair = build(prompt);
            repair.push(assistant(content.clone()));
            repair.push(user(prompts::assessment_repair(&problem)));
            repair
        };
        // a provider failure here is returned like any other: the job tries again later
        let (repaired, repair_usage) = self
            .chat
            .call(repair, Some(Self::judgement_format()))
            .await?;
        add(&mut usage, &repair_usage);
        let value = parse_judgement(&repaired, &messages).unwrap_or_else(|still| {
            tracing::warn!(problem = %still, "repair failed; using the conservative judgement");
            Judgement::conservative("the model's reply could not be used, even after a repair")
        });
        Ok(Generated { value, usage })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transcript() -> BTreeSet<i32> {
        BTreeSet::from([1, 2, 3, 4])
    }

    const GOOD: &str = r#"{"strengths":[{"text":"Knows hooks","evidence":[2]}],
        "growth_areas":[{"text":"Vague on memoization","evidence":[4]}],"highlights":[],
        "reasoning":"Solid on the basics.","recommendation":"yes",
        "recommended_actions":["  Probe memoization ", " "]}"#;

    #[test]
    fn a_reply_of_the_schema_is_read_and_tidied() {
        let judgement = parse_judgement(&format!("```json\n{GOOD}\n```"), &transcript()).unwrap();
        assert_eq!(judgement.recommendation, Recommendation::Yes);
        assert_eq!(judgement.strengths[0].evidence, [2]);
        assert_eq!(judgement.recommended_actions, ["Probe memoization"]);
        assert!(!judgement.fallback);
    }

    #[test]
    fn unknown_recommendations_fractional_evidence_and_missing_fields_are_refused() {
        let unknown = GOOD.replace(r#""yes""#, r#""hire""#);
        assert!(
            parse_judgement(&unknown, &transcript())
                .unwrap_err()
                .contains("unknown variant")
        );
        let fractional = GOOD.replace("[2]", "[2.5]");
        assert!(parse_judgement(&fractional, &transcript()).is_err());
        let missing = GOOD.replace(r#""highlights":[],"#, "");
        assert!(
            parse_judgement(&missing, &transcript())
                .unwrap_err()
                .contains("highlights")
        );
        assert_eq!(
            parse_judgement("  ", &transcript()).unwrap_err(),
            "the reply was empty"
        );
        assert!(parse_judgement("Looks like a hire to me.", &transcript()).is_err());
    }

    #[test]
    fn claims_must_have_text_and_cite_messages_of_the_transcript() {
        let uncited = GOOD.replace(r#""evidence":[2]"#, r#""evidence":[]"#);
        assert_eq!(
            parse_judgement(&uncited, &transcript()).unwrap_err(),
            "strengths[0] cites no message"
        );
        let invented = GOOD.replace("[4]", "[4, 42, -1]");
        assert_eq!(
            parse_judgement(&invented, &transcript()).unwrap_err(),
            "growth_areas[0] cites 42, -1, not a sequence number of the transcript"
        );
        let blank = GOOD
            .replace("Knows hooks", " ")
            .replace("Solid on the basics.", "");
        assert_eq!(
            parse_judgement(&blank, &transcript()).unwrap_err(),
            "strengths[0] has no text; reasoning is empty"
        );
    }

    #[test]
    fn a_long_list_of_problems_is_cut_short() {
        let claims: Vec<String> = (0..8)
            .map(|_| r#"{"text":"x","evidence":[]}"#.to_owned())
            .collect();
        let reply = GOOD.replace(
            r#""highlights":[]"#,
            &format!(r#""highlights":[{}]"#, claims.join(",")),
        );
        let problem = parse_judgement(&reply, &transcript()).unwrap_err();
        assert!(problem.ends_with("(and 3 more)"), "{problem}");
    }
}
