//! What each AI call did, recorded through the `metrics` facade where the call is made. The
//! server installs the recorder and serves `/metrics`; without a recorder, recording is a no-op.

use std::time::Duration;

use interview_core::ports::ProviderError;
use metrics::Unit;

/// Counter: logical AI calls by `endpoint` (`chat`, `transcription`, `speech`, `realtime`) and
/// `outcome` (see [`outcome`]). A logical call is one through the circuit breaker: the
/// transport's retries happen inside it.
pub const AI_CALLS: &str = "interview_ai_calls_total";

/// Histogram: seconds one logical AI call took, retries and backoff included, by `endpoint`.
/// Calls refused by an open breaker never reach the provider and are not timed.
pub const AI_CALL_DURATION: &str = "interview_ai_call_duration_seconds";

/// Buckets of [`AI_CALL_DURATION`]: a chat call takes about a second, a retried one up to the
/// minute.
pub const AI_CALL_BUCKETS: [f64; 12] = [
    0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0, 120.0,
];

/// The `outcome` of a call that the open circuit breaker refused without calling.
pub const SHORT_CIRCUITED: &str = "short_circuited";

/// Describes this adapter's metrics to the installed recorder (once, after installing it).
pub fn describe_metrics() {
    metrics::describe_counter!(
        AI_CALLS,
        "Logical AI provider calls by endpoint and outcome (retries happen inside one call)"
    );
    metrics::describe_histogram!(
        AI_CALL_DURATION,
        Unit::Seconds,
        "How long one logical AI provider call took, retries included, by endpoint"
    );
}

/// The `outcome` label of a call's result: `success`, `rate_limited`, `unavailable` (timeouts,
/// 5xx, connection failures), `rejected` (4xx), `invalid_response`, `not_supported`.
pub(crate) fn outcome<T>(result: &Result<T, ProviderError>) -> &'static str {
    match result {
        Ok(_) => "success",
        Err(ProviderError::RateLimited { .. }) => "rate_limited",
        Err(ProviderError::Unavailable { .. }) => "unavailable",
        Err(ProviderError::Rejected(_)) => "rejected",
        Err(ProviderError::InvalidResponse(_)) => "invalid_response",
        Err(ProviderError::NotSupported(_)) => "not_supported",
    }
}

/// Counts one call of `endpoint` and, when it reached the provider, how long it took.
pub(crate) fn record(endpoint: &'static str, outcome: &'static str, took: Option<Duration>) {
    metrics::counter!(AI_CALLS, "endpoint" => endpoint, "outcome" => outcome).increment(1);
    if let Some(took) = took {
        metrics::histogram!(AI_CALL_DURATION, "endpoint" => endpoint).record(took.as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};

    use super::*;

    #[test]
    fn outcomes_name_each_kind_of_failure() {
        let unavailable: Result<(), _> = Err(ProviderError::Unavailable {
            message: "timed out".into(),
            retry_after: None,
        });
        assert_eq!(outcome(&Ok::<(), ProviderError>(())), "success");
        assert_eq!(outcome(&unavailable), "unavailable");
        assert_eq!(
            outcome::<()>(&Err(ProviderError::RateLimited { retry_after: None })),
            "rate_limited"
        );
        assert_eq!(
            outcome::<()>(&Err(ProviderError::Rejected("401".into()))),
            "rejected"
        );
    }

    #[test]
    fn a_call_is_counted_by_endpoint_and_outcome_and_timed_only_when_it_was_made() {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(AI_CALL_DURATION.into()), &AI_CALL_BUCKETS)
            .unwrap()
            .build_recorder();
        metrics::with_local_recorder(&recorder, || {
            record("chat", "success", Some(Duration::from_millis(700)));
            record("chat", SHORT_CIRCUITED, None);
        });
        let text = recorder.handle().render();
        assert!(
            text.contains(r#"interview_ai_calls_total{endpoint="chat",outcome="success"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(
                r#"interview_ai_calls_total{endpoint="chat",outcome="short_circuited"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"interview_ai_call_duration_seconds_bucket{endpoint="chat",le="1"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"interview_ai_call_duration_seconds_count{endpoint="chat"} 1"#),
            "{text}"
        );
    }
}
