//! The per-interview budget: every paid call is estimated and checked here before it is made.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::rules::cost::{CostLedger, Pricing, RealtimeUsage};

/// A spending cap per interview across all three cost fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Budget {
    pub limit_usd: Decimal,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            limit_usd: Decimal::new(500, 2),
        }
    }
}

impl Budget {
    /// Whether a call estimated at `estimate` may be made on top of what `spent` records.
    pub fn allows(&self, spent: &CostLedger, estimate: Decimal) -> bool {
        spent.total() + estimate <= self.limit_usd
    }
}

/// A paid call the engine is about to make.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PaidCall<'a> {
    /// An interviewer call (question or evaluation) with a prompt of about this many characters.
    Chat {
        model: &'a str,
        prompt_characters: usize,
    },
    /// Transcribing a recording of this many bytes (its length is known only afterwards).
    Transcription { recording_bytes: usize },
    /// Speaking this many characters.
    Speech { characters: u64 },
    /// Realtime audio and text, as reported by the realtime session.
    Realtime(RealtimeUsage),
}

/// The one budget check of the engine: prices a call before it is made and says whether the
/// interview can afford it.
#[derive(Debug, Clone, Copy)]
pub struct BudgetGuard<'a> {
    pub pricing: &'a Pricing,
    pub budget: Budget,
    /// Output allowance of one interviewer call; the estimate assumes all of it is used.
    pub max_output_tokens: u64,
}

/// A rough upper estimate of a recording's length from its size, for the check that runs before
/// paying for its transcription (32 kbit/s: compressed speech is rarely smaller).
pub fn estimated_audio_seconds(bytes: usize) -> f64 {
    bytes as f64 / 4_000.0
}

impl BudgetGuard<'_> {
    /// An upper estimate of what `call` will cost.
    pub fn estimate(&self, call: PaidCall<'_>) -> Decimal {
        match call {
            PaidCall::Chat {
                model,
                prompt_characters,
            } => self
                .pricing
                .estimate_chat_cost(model, prompt_characters, self.max_output_tokens),
            PaidCall::Transcription { recording_bytes } => self
                .pricing
                .transcription_cost(estimated_audio_seconds(recording_bytes)),
            PaidCall::Speech { characters } => self.pricing.speech_cost(characters),
            PaidCall::Realtime(usage) => self.pricing.realtime_cost(&usage),
        }
    }

    /// Whether `call` fits on top of what `spent` records.
    pub fn allows(&self, spent: &CostLedger, call: PaidCall<'_>) -> bool {
        self.budget.allows(spent, self.estimate(call))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn usd(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn the_budget_covers_all_three_fields() {
        let budget = Budget::default();
        let spent = CostLedger {
            llm_usd: usd("2"),
            speech_usd: usd("1.5"),
            realtime_usd: usd("1.4"),
        };
        assert!(budget.allows(&spent, usd("0.1")));
        assert!(!budget.allows(&spent, usd("0.11")));
    }

    #[test]
    fn the_guard_prices_each_kind_of_call_before_it_is_made() {
        let pricing = Pricing::default();
        let guard = BudgetGuard {
            pricing: &pricing,
            budget: Budget {
                limit_usd: usd("0.08"),
            },
            max_output_tokens: 500,
        };
        let chat = PaidCall::Chat {
            model: "gpt-4",
            prompt_characters: 4_000,
        };
        assert_eq!(guard.estimate(chat), usd("0.072"));
        assert!(guard.allows(&CostLedger::default(), chat));
        let spent = CostLedger {
            llm_usd: usd("0.01"),
            ..CostLedger::default()
        };
        assert!(!guard.allows(&spent, chat));
        // 240 kB at 32 kbit/s is a minute of Whisper
        assert_eq!(
            guard.estimate(PaidCall::Transcription {
                recording_bytes: 240_000
            }),
            usd("0.006")
        );
        assert_eq!(
            guard.estimate(PaidCall::Speech { characters: 2_000 }),
            usd("0.03")
        );
    }
}
