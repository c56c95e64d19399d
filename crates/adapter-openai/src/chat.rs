//! One chat-completions model behind its breaker: what the interviewer and the assessor share.
//! A logical call goes through the circuit breaker once (the transport retries inside it), and
//! a context-length error rebuilds the prompt in its shortened form and tries once more.

use std::sync::Arc;

use async_openai::types::chat::{
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage,
    CreateChatCompletionRequest, ResponseFormat,
};
use interview_core::cost::{ChatUsage, estimated_tokens};
use interview_core::ports::ProviderError;

use crate::breaker::CircuitBreaker;
use crate::transport::{CallError, Endpoint, OpenAiClient, translate};

pub(crate) fn system(text: String) -> ChatCompletionRequestMessage {
    ChatCompletionRequestSystemMessage::from(text).into()
}

pub(crate) fn user(text: String) -> ChatCompletionRequestMessage {
    ChatCompletionRequestUserMessage::from(text).into()
}

pub(crate) fn assistant(text: String) -> ChatCompletionRequestMessage {
    ChatCompletionRequestAssistantMessage::from(text).into()
}

/// Adds the tokens of a second call (a repair) to the first's.
pub(crate) fn add(total: &mut ChatUsage, more: &ChatUsage) {
    total.input_tokens += more.input_tokens;
    total.output_tokens += more.output_tokens;
}

/// The JSON inside a reply, without the Markdown code fence that servers without structured
/// outputs put around it.
pub(crate) fn unfenced(content: &str) -> &str {
    let trimmed = content.trim();
    trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|rest| rest.strip_suffix("```"))
        .map_or(trimmed, str::trim)
}

/// Which form of the prompt to build: the whole of it, or the shortened form sent after the
/// provider said the whole did not fit its context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prompt {
    Full,
    Shortened,
}

pub(crate) struct ChatModel {
    client: OpenAiClient,
    breaker: Arc<CircuitBreaker>,
    model: String,
    temperature: f32,
    max_tokens: u32,
}

impl ChatModel {
    pub(crate) fn new(
        client: OpenAiClient,
        breaker: Arc<CircuitBreaker>,
        model: String,
        temperature: f32,
        max_tokens: u32,
    ) -> Self {
        Self {
            client,
            breaker,
            model,
            temperature,
            max_tokens,
        }
    }

    pub(crate) fn model(&self) -> &str {
        &self.model
    }

    async fn complete(
        &self,
        messages: Vec<ChatCompletionRequestMessage>,
        response_format: Option<ResponseFormat>,
    ) -> Result<(String, ChatUsage), CallError> {
        let prompt_characters: usize = messages
            .iter()
            .map(|message| serde_json::to_string(message).map_or(0, |text| text.len()))
            .sum();
        let request = CreateChatCompletionRequest {
            model: self.model.clone(),
            messages,
            temperature: Some(self.temperature),
            max_completion_tokens: Some(self.max_tokens),
            response_format,
            ..CreateChatCompletionRequest::default()
        };
        let response = self
            .client
            .chat()
            .create(request)
            .await
            .map_err(|error| translate(error, Endpoint::Chat))?;
        let content = response
            .choices
            .into_iter()
            .next()
            .and_then(|choice| choice.message.content)
            .unwrap_or_default();
        // servers that omit usage are billed on an estimate (about four characters a token)
        let usage = response.usage.map_or_else(
            || ChatUsage {
                model: self.model.clone(),
                input_tokens: estimated_tokens(prompt_characters),
                output_tokens: estimated_tokens(content.len()),
            },
            |usage| ChatUsage {
                model: self.model.clone(),
                input_tokens: u64::from(usage.prompt_tokens),
                output_tokens: u64::from(usage.completion_tokens),
            },
        );
        Ok((content, usage))
    }

    /// One logical chat call through the breaker: the reply's text and what it cost. A
    /// context-length error retries once with the [`Prompt::Shortened`] messages.
    pub(crate) async fn call<F>(
        &self,
        build: F,
        response_format: Option<ResponseFormat>,
    ) -> Result<(String, ChatUsage), ProviderError>
    where
        F: Fn(Prompt) -> Vec<ChatCompletionRequestMessage> + Send + Sync,
    {
        self.breaker
            .call(async {
                match self
                    .complete(build(Prompt::Full), response_format.clone())
                    .await
                {
                    Ok(reply) => Ok(reply),
                    Err(CallError::Provider(error)) => Err(error),
                    Err(CallError::ContextTooLong) => {
                        tracing::warn!("context length exceeded; retrying with a shorter prompt");
                        match self
                            .complete(build(Prompt::Shortened), response_format)
                            .await
                        {
                            Ok(reply) => Ok(reply),
                            Err(CallError::Provider(error)) => Err(error),
                            Err(CallError::ContextTooLong) => Err(ProviderError::Rejected(
                                "the prompt exceeds the model's context even when shortened".into(),
                            )),
                        }
                    }
                }
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_fence_is_taken_off_and_plain_json_kept() {
        assert_eq!(unfenced("```json\n{\"a\":1}\n```"), "{\"a\":1}");
        assert_eq!(unfenced("```\n{}\n```"), "{}");
        assert_eq!(unfenced("  {\"a\":1} "), "{\"a\":1}");
    }
}
