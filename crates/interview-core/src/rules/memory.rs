//! The bounded conversation window sent to the interviewer model.
//!
//! It keeps the opening exchange (greeting and first answer) so the model never loses how the
//! interview began, plus the most recent messages. The system prompt is the adapter's business and
//! never part of the window.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    Interviewer,
    Candidate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryMessage {
    pub speaker: Speaker,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemorySettings {
    /// Most messages kept.
    pub max_messages: usize,
    /// Opening messages that are never dropped.
    pub keep_first: usize,
    /// Latest messages kept (with the opening) in the shortened window resent after a provider
    /// reports that the prompt exceeds its context.
    pub shortened_latest: usize,
}

impl Default for MemorySettings {
    fn default() -> Self {
        Self {
            max_messages: 12,
            keep_first: 2,
            shortened_latest: 2,
        }
    }
}

/// What an interviewer model sees of the conversation: the window, and the shorter one to send
/// instead when the provider says the prompt is too long for its context.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PromptMemory {
    pub window: Vec<MemoryMessage>,
    pub shortened: Vec<MemoryMessage>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConversationMemory {
    messages: Vec<MemoryMessage>,
    /// How many messages have been dropped from the window so far.
    truncations: u64,
}

impl ConversationMemory {
    pub fn push(&mut self, settings: MemorySettings, speaker: Speaker, text: impl Into<String>) {
        self.messages.push(MemoryMessage {
            speaker,
            text: text.into(),
        });
        let max = settings.max_messages.max(settings.keep_first);
        while self.messages.len() > max {
            // drop the oldest message after the protected opening
            let index = settings.keep_first.min(self.messages.len() - 1);
            self.messages.remove(index);
            self.truncations += 1;
        }
    }

    pub fn messages(&self) -> &[MemoryMessage] {
        &self.messages
    }

    pub fn truncations(&self) -> u64 {
        self.truncations
    }

    pub fn len(&self) -> usize {
        self.messages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// The window for a model call, with its shortened form.
    pub fn prompt(&self, settings: MemorySettings) -> PromptMemory {
        PromptMemory {
            window: self.messages.clone(),
            shortened: self.narrowed(settings.keep_first, settings.shortened_latest),
        }
    }

    /// A smaller window (opening plus the latest `latest` messages) for a provider whose context
    /// is too short for the full one.
    pub fn narrowed(&self, keep_first: usize, latest: usize) -> Vec<MemoryMessage> {
        if self.messages.len() <= keep_first + latest {
            return self.messages.clone();
        }
        let mut window: Vec<MemoryMessage> = self.messages[..keep_first].to_vec();
        window.extend_from_slice(&self.messages[self.messages.len() - latest..]);
        window
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn filled(count: usize) -> ConversationMemory {
        let mut memory = ConversationMemory::default();
        for index in 0..count {
            let speaker = if index % 2 == 0 {
                Speaker::Interviewer
            } else {
                Speaker::Candidate
            };
            memory.push(MemorySettings::default(), speaker, format!("m{index}"));
        }
        memory
    }

    #[test]
    fn keeps_everything_up_to_the_limit() {
        let memory = filled(12);
        assert_eq!(memory.len(), 12);
        assert_eq!(memory.truncations(), 0);
    }

    #[test]
    fn keeps_the_opening_exchange_and_the_latest_ten() {
        let memory = filled(20);
        let texts: Vec<&str> = memory.messages().iter().map(|m| m.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "m0", "m1", "m10", "m11", "m12", "m13", "m14", "m15", "m16", "m17", "m18", "m19"
            ]
        );
        assert_eq!(memory.truncations(), 8);
    }

    #[test]
    fn narrowing_keeps_the_opening_and_the_latest() {
        let memory = filled(12);
        let narrow = memory.narrowed(2, 4);
        let texts: Vec<&str> = narrow.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, vec!["m0", "m1", "m8", "m9", "m10", "m11"]);
    }

    #[test]
    fn the_shortened_prompt_keeps_the_opening_and_the_last_exchange() {
        let prompt = filled(8).prompt(MemorySettings::default());
        assert_eq!(prompt.window.len(), 8);
        let kept: Vec<&str> = prompt.shortened.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(kept, ["m0", "m1", "m6", "m7"]);
    }

    proptest! {
        #[test]
        fn the_window_is_bounded_and_the_opening_survives(count in 0usize..80) {
            let memory = filled(count);
            prop_assert!(memory.len() <= 12);
            prop_assert_eq!(memory.len() as u64 + memory.truncations(), count as u64);
            if count >= 2 {
                prop_assert_eq!(&memory.messages()[0].text, "m0");
                prop_assert_eq!(&memory.messages()[1].text, "m1");
                let last = format!("m{}", count - 1);
                prop_assert_eq!(&memory.messages().last().unwrap().text, &last);
            }
        }
    }
}
