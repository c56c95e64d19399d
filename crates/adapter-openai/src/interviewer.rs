//! The interviewer model over chat completions: questions as plain text, evaluations as
//! structured output (JSON schema) with one repair request and a flagged fallback.

use std::sync::Arc;

use async_openai::types::chat::{
    ChatCompletionRequestMessage, ResponseFormat, ResponseFormatJsonSchema,
};
use async_trait::async_trait;
use interview_core::cost::ChatUsage;
use interview_core::ladder::{AnswerQuality, Evaluation, Score, SkillArea};
use interview_core::memory::{MemoryMessage, PromptMemory, Speaker};
use interview_core::ports::{
    EvaluationRequest, Generated, InterviewerModel, ProviderError, Question, QuestionRequest,
};
use serde::Deserialize;

use crate::breaker::CircuitBreaker;
use crate::chat::{ChatModel, Prompt, add, assistant, system, unfenced, user};
use crate::prompts;
use crate::transport::OpenAiClient;

pub struct OpenAiInterviewer {
    chat: ChatModel,
}

fn conversation(memory: &[MemoryMessage]) -> impl Iterator<Item = ChatCompletionRequestMessage> {
    memory.iter().map(|message| match message.speaker {
        Speaker::Interviewer => assistant(message.text.clone()),
        Speaker::Candidate => user(message.text.clone()),
    })
}

/// The memory window a prompt form replays.
fn window(memory: &PromptMemory, prompt: Prompt) -> &[MemoryMessage] {
    match prompt {
        Prompt::Full => &memory.window,
        Prompt::Shortened => &memory.shortened,
    }
}

#[derive(Debug, Deserialize)]
struct RawEvaluation {
    answer_quality: AnswerQuality,
    technical_accuracy: f64,
    explanation_clarity: f64,
    #[serde(default)]
    identified_skills: Vec<String>,
    #[serde(default)]
    skill_boundaries_detected: Vec<String>,
    #[serde(default)]
    rationale: Option<String>,
}

/// Reads an evaluation, tolerating a Markdown code fence around the JSON (servers without
/// structured outputs add one). Shared with the realtime evaluation tool's arguments.
pub(crate) fn parse_evaluation(content: &str) -> Result<Evaluation, String> {
    let raw: RawEvaluation = serde_json::from_str(unfenced(content))
        .map_err(|error| format!("it was not valid JSON: {error}"))?;
    let accuracy = Score::new(raw.technical_accuracy)
        .map_err(|error| format!("technical_accuracy: {error}"))?;
    let clarity = Score::new(raw.explanation_clarity)
        .map_err(|error| format!("explanation_clarity: {error}"))?;
    let skills = |names: Vec<String>| {
        names
            .iter()
            .filter(|name| !name.trim().is_empty())
            .map(|name| SkillArea::new(name))
            .collect::<Vec<_>>()
    };
    Ok(Evaluation {
        quality: raw.answer_quality,
        technical_accuracy: accuracy,
        explanation_clarity: clarity,
        identified_skills: skills(raw.identified_skills),
        boundaries_noticed: skills(raw.skill_boundaries_detected),
        rationale: raw.rationale.filter(|text| !text.trim().is_empty()),
        fallback: false,
    })
}

/// A neutral judgement that holds the ladder where it is and records no boundary.
fn fallback_evaluation(problem: &str) -> Evaluation {
    let neutral = Score::clamped(0.6);
    Evaluation {
        quality: AnswerQuality::Fair,
        technical_accuracy: neutral,
        explanation_clarity: neutral,
        identified_skills: Vec::new(),
        boundaries_noticed: Vec::new(),
        rationale: Some(format!(
            "The model's evaluation was unusable ({problem}); a neutral score was recorded."
        )),
        fallback: true,
    }
}

fn clean_question(content: &str) -> Option<String> {
    let text = content
        .trim()
        .trim_matches(|c| c == '"' || c == '\u{201c}' || c == '\u{201d}')
        .trim();
    (!text.is_empty()).then(|| text.to_owned())
}

impl OpenAiInterviewer {
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

    /// One logical chat call over the memory: a context-length error replays the shortened
    /// window once.
    async fn chat<F>(
        &self,
        memory: &PromptMemory,
        build: F,
        response_format: Option<ResponseFormat>,
    ) -> Result<(String, ChatUsage), ProviderError>
    where
        F: Fn(&[MemoryMessage]) -> Vec<ChatCompletionRequestMessage> + Send + Sync,
    {
        self.chat
            .call(|prompt| build(window(memory, prompt)), response_format)
            .await
    }

    async fn ask(&self, request: &QuestionRequest) -> Result<Generated<Question>, ProviderError> {
        let skill = request.skill.clone();
        let instruction = prompts::question(request);
        let role = request.role;
        let (content, usage) = self
            .chat(
                &request.memory,
                |memory| {
                    let mut messages = vec![system(prompts::interviewer_system(role))];
                    messages.extend(conversation(memory));
                    messages.push(system(instruction.clone()));
                    messages
                },
                None,
            )
            .await?;
        let text = clean_question(&content).ok_or_else(|| {
            ProviderError::InvalidResponse("the model returned an empty question".into())
        })?;
        Ok(Generated {
            value: Question {
                text,
                skill,
                level: request.level,
            },
            usage,
        })
    }

    fn evaluation_format() -> ResponseFormat {
        ResponseFormat::JsonSchema {
            json_schema: ResponseFormatJsonSchema {
                name: "answer_evaluation".into(),
                description: Some("How well the candidate answered one interview question".into()),
                schema: prompts::evaluation_schema(),
                strict: Some(true),
            },
        }
    }
}

#[async_trait]
impl InterviewerModel for OpenAiInterviewer {
    fn model_name(&self) -> String {
        self.chat.model().to_owned()
    }

    async fn first_question(
        &self,
        request: &QuestionRequest,
    ) -> Result<Generated<Question>, ProviderError> {
        self.ask(request).await
    }

    async fn next_question(
        &self,
        request: &QuestionRequest,
    ) -> Result<Generated<Question>, ProviderError> {
        self.ask(request).await
    }

    async fn evaluate(
        &self,
        request: &EvaluationRequest,
    ) -> Result<Generated<Evaluation>, ProviderError> {
        let system_text = prompts::evaluation_system(request.role, &request.skill);
        let instruction = prompts::evaluation(
            request.level,
            &request.skill,
            &request.question,
            &request.answer,
        );
        let build = |memory: &[MemoryMessage]| {
            let mut messages = vec![system(system_text.clone())];
            messages.extend(conversation(memory));
            messages.push(user(instruction.clone()));
            messages
        };
        let (content, mut usage) = self
            .chat(&request.memory, build, Some(Self::evaluation_format()))
            .await?;
        let problem = match parse_evaluation(&content) {
            Ok(evaluation) => {
                return Ok(Generated {
                    value: evaluation,
                    usage,
                });
            }
            Err(problem) => problem,
        };
        tracing::warn!(%problem, "unusable evaluation; asking the model to repair it");
        let repair = |memory: &[MemoryMessage]| {
            let mut messages = build(memory);
            messages.push(assistant(content.clone()));
            messages.push(user(prompts::repair(&problem)));
            messages
        };
        let value = match self
            .chat(&request.memory, repair, Some(Self::evaluation_format()))
            .await
        {
            Ok((repaired, repair_usage)) => {
                add(&mut usage, &repair_usage);
                parse_evaluation(&repaired).unwrap_or_else(|still| {
                    tracing::warn!(problem = %still, "repair failed; using the fallback evaluation");
                    fallback_evaluation(&still)
                })
            }
            Err(error) => {
                tracing::warn!(%error, "repair call failed; using the fallback evaluation");
                fallback_evaluation(&problem)
            }
        };
        Ok(Generated { value, usage })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluations_are_read_inside_a_code_fence_and_out_of_range_scores_refused() {
        let json = r#"{"answer_quality":"good","technical_accuracy":0.8,"explanation_clarity":0.7,
            "identified_skills":["Hooks"],"skill_boundaries_detected":[],"rationale":"ok"}"#;
        let evaluation = parse_evaluation(&format!("```json\n{json}\n```")).unwrap();
        assert_eq!(evaluation.quality, AnswerQuality::Good);
        assert_eq!(evaluation.identified_skills, vec![SkillArea::new("hooks")]);
        assert!(!evaluation.fallback);

        let out_of_range = json.replace("0.8", "1.7");
        assert!(
            parse_evaluation(&out_of_range)
                .unwrap_err()
                .contains("technical_accuracy")
        );
        assert!(parse_evaluation("I think it was good").is_err());
    }

    #[test]
    fn the_fallback_is_flagged_and_neutral() {
        let fallback = fallback_evaluation("not JSON");
        assert!(fallback.fallback);
        assert_eq!(fallback.quality, AnswerQuality::Fair);
        assert!(fallback.boundaries_noticed.is_empty());
    }
}
