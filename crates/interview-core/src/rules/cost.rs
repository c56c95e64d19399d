//! Cost math for every paid AI call, in exact decimal arithmetic, and the per-interview budget.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::Interview;

const MILLION: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
const THOUSAND: Decimal = Decimal::from_parts(1_000, 0, 0, false, 0);
const SIXTY: Decimal = Decimal::from_parts(60, 0, 0, false, 0);

/// `units` per `scale` at `price` — e.g. 2,000 tokens at $5 per 1M.
fn priced(units: u64, price: Decimal, scale: Decimal) -> Decimal {
    Decimal::from(units) * price / scale
}

/// The one token estimate of the platform: about four characters a token. Used before a call
/// (budget checks) and for providers whose replies omit their usage.
pub fn estimated_tokens(characters: usize) -> u64 {
    (characters as u64).div_ceil(4)
}

/// Price of a chat model, in USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatPricing {
    pub input_per_million: Decimal,
    pub output_per_million: Decimal,
}

/// Realtime prices. Upstreams report audio either as tokens (the GA interface) or as seconds;
/// each is priced by its own rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RealtimePricing {
    pub audio_input_per_minute: Decimal,
    pub audio_output_per_minute: Decimal,
    #[serde(default = "audio_input_per_million")]
    pub audio_input_per_million: Decimal,
    #[serde(default = "audio_output_per_million")]
    pub audio_output_per_million: Decimal,
    pub text_input_per_million: Decimal,
    pub text_output_per_million: Decimal,
}

/// gpt-realtime-mini's list prices for audio tokens.
fn audio_input_per_million() -> Decimal {
    Decimal::new(10, 0)
}

fn audio_output_per_million() -> Decimal {
    Decimal::new(20, 0)
}

/// The price table. Defaults are OpenAI's list prices; configuration can override any entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Pricing {
    pub realtime: RealtimePricing,
    pub whisper_per_minute: Decimal,
    pub tts_per_thousand_characters: Decimal,
    /// Chat prices by model name. Configured entries are added to the built-in ones (and replace
    /// those of the same name); they never drop the others.
    #[serde(deserialize_with = "built_in_chat_prices_and")]
    pub chat: BTreeMap<String, ChatPricing>,
    /// Price for a chat model missing from the table: deliberately an expensive one, so an
    /// unknown model can only make the budget stricter.
    pub chat_fallback: ChatPricing,
}

fn chat(input_cents_per_million: i64, output_cents_per_million: i64) -> ChatPricing {
    ChatPricing {
        input_per_million: Decimal::new(input_cents_per_million, 2),
        output_per_million: Decimal::new(output_cents_per_million, 2),
    }
}

impl Default for Pricing {
    fn default() -> Self {
        let chat_models = BTreeMap::from([
            ("gpt-4o-mini".to_owned(), chat(15, 60)),
            ("gpt-4o".to_owned(), chat(250, 1_000)),
            ("gpt-4".to_owned(), chat(3_000, 6_000)),
            // the offline interviewer runs locally and costs nothing
            ("offline".to_owned(), chat(0, 0)),
        ]);
        Self {
            realtime: RealtimePricing {
                audio_input_per_minute: Decimal::new(6, 2),
                audio_output_per_minute: Decimal::new(24, 2),
                audio_input_per_million: audio_input_per_million(),
                audio_output_per_million: audio_output_per_million(),
                text_input_per_million: Decimal::new(5, 0),
                text_output_per_million: Decimal::new(20, 0),
            },
            whisper_per_minute: Decimal::new(6, 3),
            tts_per_thousand_characters: Decimal::new(15, 3),
            chat: chat_models,
            chat_fallback: chat(3_000, 6_000),
        }
    }
}

fn built_in_chat_prices_and<'de, D>(
    deserializer: D,
) -> Result<BTreeMap<String, ChatPricing>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let configured = BTreeMap::<String, ChatPricing>::deserialize(deserializer)?;
    let mut prices = Pricing::default().chat;
    prices.extend(configured);
    Ok(prices)
}

/// Tokens one chat call consumed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatUsage {
    pub model: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl ChatUsage {
    pub fn total_tokens(&self) -> u64 {
        self.input_tokens + self.output_tokens
    }
}

/// Audio and text one realtime session consumed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct RealtimeUsage {
    pub audio_input_seconds: u64,
    pub audio_output_seconds: u64,
    #[serde(default)]
    pub audio_input_tokens: u64,
    #[serde(default)]
    pub audio_output_tokens: u64,
    pub text_input_tokens: u64,
    pub text_output_tokens: u64,
}

impl RealtimeUsage {
    /// Both usages together.
    #[must_use]
    pub fn plus(self, other: Self) -> Self {
        Self {
            audio_input_seconds: self.audio_input_seconds + other.audio_input_seconds,
            audio_output_seconds: self.audio_output_seconds + other.audio_output_seconds,
            audio_input_tokens: self.audio_input_tokens + other.audio_input_tokens,
            audio_output_tokens: self.audio_output_tokens + other.audio_output_tokens,
            text_input_tokens: self.text_input_tokens + other.text_input_tokens,
            text_output_tokens: self.text_output_tokens + other.text_output_tokens,
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl Pricing {
    pub fn chat_pricing(&self, model: &str) -> ChatPricing {
        self.chat.get(model).copied().unwrap_or(self.chat_fallback)
    }

    pub fn chat_cost(&self, usage: &ChatUsage) -> Decimal {
        let price = self.chat_pricing(&usage.model);
        priced(usage.input_tokens, price.input_per_million, MILLION)
            + priced(usage.output_tokens, price.output_per_million, MILLION)
    }

    /// Whisper bills by the minute of audio, pro rata per second here.
    pub fn transcription_cost(&self, audio_seconds: f64) -> Decimal {
        let seconds = Decimal::try_from(audio_seconds.max(0.0)).unwrap_or(Decimal::ZERO);
        seconds * self.whisper_per_minute / SIXTY
    }

    pub fn speech_cost(&self, characters: u64) -> Decimal {
        priced(characters, self.tts_per_thousand_characters, THOUSAND)
    }

    pub fn realtime_cost(&self, usage: &RealtimeUsage) -> Decimal {
        let prices = &self.realtime;
        priced(
            usage.audio_input_seconds,
            prices.audio_input_per_minute,
            SIXTY,
        ) + priced(
            usage.audio_output_seconds,
            prices.audio_output_per_minute,
            SIXTY,
        ) + priced(
            usage.audio_input_tokens,
            prices.audio_input_per_million,
            MILLION,
        ) + priced(
            usage.audio_output_tokens,
            prices.audio_output_per_million,
            MILLION,
        ) + priced(
            usage.text_input_tokens,
            prices.text_input_per_million,
            MILLION,
        ) + priced(
            usage.text_output_tokens,
            prices.text_output_per_million,
            MILLION,
        )
    }

    /// An upper estimate of a chat call before it is made: about four characters a token for the
    /// prompt plus a fixed allowance for instructions, and the full output allowance.
    pub fn estimate_chat_cost(
        &self,
        model: &str,
        prompt_characters: usize,
        max_output_tokens: u64,
    ) -> Decimal {
        const INSTRUCTION_TOKENS: u64 = 400;
        let input_tokens = estimated_tokens(prompt_characters) + INSTRUCTION_TOKENS;
        self.chat_cost(&ChatUsage {
            model: model.to_owned(),
            input_tokens,
            output_tokens: max_output_tokens,
        })
    }
}

/// The three cost fields of an interview.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostLedger {
    /// Chat (LLM) calls.
    pub llm_usd: Decimal,
    /// Speech-to-text and text-to-speech.
    pub speech_usd: Decimal,
    /// Realtime sessions.
    pub realtime_usd: Decimal,
}

impl CostLedger {
    pub fn total(&self) -> Decimal {
        self.llm_usd + self.speech_usd + self.realtime_usd
    }
}

/// Charging: every paid call adds its price to the interview's ledgers here, and nowhere else.
impl Interview {
    /// Adds a chat call; returns its cost.
    pub fn charge_chat(&mut self, pricing: &Pricing, usage: &ChatUsage) -> Decimal {
        let cost = pricing.chat_cost(usage);
        self.cost_usd += cost;
        self.total_tokens_used = self
            .total_tokens_used
            .saturating_add(i64::try_from(usage.total_tokens()).unwrap_or(i64::MAX));
        self.ai_model_used = Some(usage.model.clone());
        cost
    }

    /// Adds a transcription of `audio_seconds`; speech units count whole seconds.
    pub fn charge_transcription(&mut self, pricing: &Pricing, audio_seconds: f64) -> Decimal {
        let cost = pricing.transcription_cost(audio_seconds);
        self.speech_cost_usd += cost;
        self.speech_tokens_used = self
            .speech_tokens_used
            .saturating_add(audio_seconds.max(0.0).ceil() as i64);
        cost
    }

    /// Adds synthesized speech of `characters`.
    pub fn charge_speech(&mut self, pricing: &Pricing, characters: u64) -> Decimal {
        let cost = pricing.speech_cost(characters);
        self.speech_cost_usd += cost;
        self.speech_tokens_used = self
            .speech_tokens_used
            .saturating_add(i64::try_from(characters).unwrap_or(i64::MAX));
        cost
    }

    /// Adds realtime audio and text.
    pub fn charge_realtime(&mut self, pricing: &Pricing, usage: &RealtimeUsage) -> Decimal {
        let cost = pricing.realtime_cost(usage);
        self.realtime_cost_usd += cost;
        self.total_tokens_used = self.total_tokens_used.saturating_add(
            i64::try_from(usage.text_input_tokens + usage.text_output_tokens).unwrap_or(i64::MAX),
        );
        cost
    }

    /// What the interview has spent, by ledger.
    pub fn costs(&self) -> CostLedger {
        CostLedger {
            llm_usd: self.cost_usd,
            speech_usd: self.speech_cost_usd,
            realtime_usd: self.realtime_cost_usd,
        }
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
    fn realtime_worked_example_costs_one_dollar_three() {
        // 5 min audio in + 3 min audio out + 2,000 text input tokens
        let usage = RealtimeUsage {
            audio_input_seconds: 300,
            audio_output_seconds: 180,
            text_input_tokens: 2_000,
            ..RealtimeUsage::default()
        };
        assert_eq!(Pricing::default().realtime_cost(&usage), usd("1.03"));
    }

    #[test]
    fn realtime_text_output_is_twenty_dollars_per_million() {
        let usage = RealtimeUsage {
            text_output_tokens: 1_000_000,
            ..RealtimeUsage::default()
        };
        assert_eq!(Pricing::default().realtime_cost(&usage), usd("20"));
    }

    #[test]
    fn realtime_audio_tokens_are_priced_per_million() {
        let usage = RealtimeUsage {
            audio_input_tokens: 100_000,
            audio_output_tokens: 50_000,
            ..RealtimeUsage::default()
        };
        // 0.1 M at $10 + 0.05 M at $20
        assert_eq!(Pricing::default().realtime_cost(&usage), usd("2"));
        assert_eq!(usage.plus(usage).audio_input_tokens, 200_000);
    }

    #[test]
    fn whisper_costs_six_tenths_of_a_cent_per_minute() {
        assert_eq!(Pricing::default().transcription_cost(90.0), usd("0.009"));
    }

    #[test]
    fn tts_costs_a_cent_and_a_half_per_thousand_characters() {
        assert_eq!(Pricing::default().speech_cost(2_000), usd("0.03"));
    }

    #[test]
    fn chat_models_have_their_own_prices() {
        let pricing = Pricing::default();
        let mini = ChatUsage {
            model: "gpt-4o-mini".into(),
            input_tokens: 1_000_000,
            output_tokens: 1_000_000,
        };
        assert_eq!(pricing.chat_cost(&mini), usd("0.75"));
        let gpt4 = ChatUsage {
            model: "gpt-4".into(),
            input_tokens: 1_000,
            output_tokens: 500,
        };
        assert_eq!(pricing.chat_cost(&gpt4), usd("0.06"));
        let offline = ChatUsage {
            model: "offline".into(),
            input_tokens: 10_000,
            output_tokens: 10_000,
        };
        assert_eq!(pricing.chat_cost(&offline), Decimal::ZERO);
    }

    #[test]
    fn a_configured_chat_price_is_added_to_the_built_in_ones() {
        let pricing: Pricing = serde_json::from_value(serde_json::json!({
            "chat": {"llama3.1": {"input_per_million": "0.1", "output_per_million": "0.2"}}
        }))
        .unwrap();
        assert_eq!(
            pricing.chat_pricing("llama3.1").output_per_million,
            usd("0.2")
        );
        // the others stay priced as before, not at the expensive fallback
        assert_eq!(
            pricing.chat_pricing("gpt-4o-mini"),
            Pricing::default().chat_pricing("gpt-4o-mini")
        );
    }

    #[test]
    fn unknown_models_are_priced_conservatively() {
        let pricing = Pricing::default();
        let unknown = ChatUsage {
            model: "someone-elses-model".into(),
            input_tokens: 1_000,
            output_tokens: 0,
        };
        assert_eq!(pricing.chat_cost(&unknown), usd("0.03"));
    }

    #[test]
    fn configuration_can_override_a_price() {
        let mut pricing = Pricing::default();
        pricing.chat.insert("gpt-4o-mini".into(), chat(100, 100));
        let usage = ChatUsage {
            model: "gpt-4o-mini".into(),
            input_tokens: 1_000_000,
            output_tokens: 0,
        };
        assert_eq!(pricing.chat_cost(&usage), usd("1"));
    }

    #[test]
    fn estimates_are_never_below_the_actual_output_allowance() {
        let pricing = Pricing::default();
        let estimate = pricing.estimate_chat_cost("gpt-4", 4_000, 500);
        // 1,000 prompt tokens + 400 instruction tokens at $30/M, 500 output tokens at $60/M
        assert_eq!(estimate, usd("0.072"));
    }
}
