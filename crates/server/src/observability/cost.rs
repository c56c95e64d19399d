//! What the AI calls cost, in USD: `interview_ai_cost_usd_total{endpoint}`. Each call is priced
//! as it returns, with the pricing table the engine charges interviews with
//! (`interview.pricing`): the interviewer's chat calls and the provider's transcriptions and
//! speech (through `state::Observed`), assessments (through [`MeteredAssessor`]) and realtime
//! usage (where the relay charges it). A call the provider billed counts even when the turn it
//! served was then refused.
//!
//! Not through the `metrics` facade: its counters count whole numbers and a chat call costs a
//! fraction of a cent. The totals are kept here exactly (decimal) and appended to the
//! exposition as one counter family.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use interview_core::assessment::Judgement;
use interview_core::cost::Pricing;
use interview_core::ports::{AssessmentRequest, AssessmentWriter, Generated, ProviderError};
use rust_decimal::Decimal;

/// Counter: USD charged for AI calls by `endpoint` (`chat`, `transcription`, `speech`,
/// `realtime`), priced with `interview.pricing`.
pub const AI_COST: &str = "interview_ai_cost_usd_total";

static COSTS: Mutex<BTreeMap<&'static str, Decimal>> = Mutex::new(BTreeMap::new());

/// Adds `usd` to the total of `endpoint` (nothing for a free call).
pub fn charge(endpoint: &'static str, usd: Decimal) {
    if usd <= Decimal::ZERO {
        return;
    }
    *COSTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(endpoint)
        .or_default() += usd;
}

/// Appends the cost family to an exposition.
pub fn render_into(text: &mut String) {
    let costs = COSTS.lock().unwrap_or_else(PoisonError::into_inner).clone();
    render(&costs, text);
}

fn render(costs: &BTreeMap<&'static str, Decimal>, text: &mut String) {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    // writing to a String cannot fail
    let _ = writeln!(
        text,
        "# HELP {AI_COST} USD charged for AI calls by endpoint, priced with interview.pricing"
    );
    let _ = writeln!(text, "# TYPE {AI_COST} counter");
    for (endpoint, usd) in costs {
        let _ = writeln!(
            text,
            "{AI_COST}{{endpoint=\"{endpoint}\"}} {}",
            usd.normalize()
        );
    }
}

/// The assessment writer, with the cost of each judgement counted on the `chat` endpoint.
pub struct MeteredAssessor {
    inner: Arc<dyn AssessmentWriter>,
    pricing: Pricing,
}

impl MeteredAssessor {
    /// Wraps `inner`; `pricing` is the engine's (`interview.pricing`).
    pub fn new(inner: Arc<dyn AssessmentWriter>, pricing: Pricing) -> Self {
        Self { inner, pricing }
    }
}

#[async_trait]
impl AssessmentWriter for MeteredAssessor {
    fn generator(&self) -> String {
        self.inner.generator()
    }

    fn prompt_version(&self) -> String {
        self.inner.prompt_version()
    }

    async fn judge(
        &self,
        request: &AssessmentRequest,
    ) -> Result<Generated<Judgement>, ProviderError> {
        let result = self.inner.judge(request).await;
        if let Ok(generated) = &result {
            charge("chat", self.pricing.chat_cost(&generated.usage));
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_render_as_one_counter_family_with_exact_decimals() {
        let mut text = String::from("# TYPE other counter\nother 1");
        let costs = BTreeMap::from([
            ("chat", Decimal::new(4_500, 9)),
            ("speech", Decimal::new(150, 4)),
        ]);
        render(&costs, &mut text);
        assert_eq!(
            text,
            "# TYPE other counter\nother 1\n\
             # HELP interview_ai_cost_usd_total USD charged for AI calls by endpoint, priced \
             with interview.pricing\n\
             # TYPE interview_ai_cost_usd_total counter\n\
             interview_ai_cost_usd_total{endpoint=\"chat\"} 0.0000045\n\
             interview_ai_cost_usd_total{endpoint=\"speech\"} 0.015\n"
        );
    }

    #[test]
    fn charges_add_up_and_free_calls_are_not_counted() {
        charge("test_endpoint", Decimal::new(1, 3));
        charge("test_endpoint", Decimal::new(2, 3));
        charge("free_endpoint", Decimal::ZERO);
        let mut text = String::new();
        render_into(&mut text);
        assert!(
            text.contains("interview_ai_cost_usd_total{endpoint=\"test_endpoint\"} 0.003"),
            "{text}"
        );
        assert!(!text.contains("free_endpoint"), "{text}");
    }
}
