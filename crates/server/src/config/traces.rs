//! `[traces]`: OpenTelemetry traces sent over OTLP, off unless an endpoint is set.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct TracesSection {
    /// The collector's OTLP/HTTP traces URL, used as given
    /// (`http://127.0.0.1:4318/v1/traces`); spans are sent as JSON. Empty (the default): no
    /// traces are recorded or sent.
    pub otlp_endpoint: String,
    /// `service.name` of every span.
    pub service_name: String,
    /// The share of requests traced, 0.0–1.0; a traced request keeps all its spans.
    pub sample_ratio: f64,
    /// Which spans (and log events, attached to them) are sent, as a `tracing` filter; its own,
    /// so that `log.filter` quiets the logs without silencing the traces.
    pub filter: String,
    /// How long one export may take before it is given up (spans are dropped, never queued
    /// without bound).
    pub export_timeout_seconds: u64,
}

impl Default for TracesSection {
    fn default() -> Self {
        Self {
            otlp_endpoint: String::new(),
            service_name: "interview-server".into(),
            sample_ratio: 1.0,
            filter: "info,sqlx=warn,sea_orm=warn".into(),
            export_timeout_seconds: 5,
        }
    }
}

impl TracesSection {
    /// The endpoint, when traces are on.
    pub fn endpoint(&self) -> Option<&str> {
        Some(self.otlp_endpoint.trim()).filter(|endpoint| !endpoint.is_empty())
    }

    /// What is wrong with the section, each naming its key.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(endpoint) = self.endpoint()
            && !(endpoint.starts_with("http://") || endpoint.starts_with("https://"))
        {
            problems.push(format!(
                "traces.otlp_endpoint (APP__TRACES__OTLP_ENDPOINT) must be an http(s) URL, \
                 not {endpoint:?}"
            ));
        }
        if !(0.0..=1.0).contains(&self.sample_ratio) {
            problems.push("traces.sample_ratio must be between 0.0 and 1.0".into());
        }
        if let Err(error) = tracing_subscriber::EnvFilter::try_new(&self.filter) {
            problems.push(format!("traces.filter is not a tracing filter: {error}"));
        }
        if self.service_name.trim().is_empty() {
            problems.push("traces.service_name must not be empty".into());
        }
        if self.export_timeout_seconds == 0 {
            problems.push("traces.export_timeout_seconds must be positive".into());
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traces_are_off_by_default_and_an_endpoint_must_be_http() {
        let off = TracesSection::default();
        assert_eq!(off.endpoint(), None);
        assert!(off.problems().is_empty());
        let on = TracesSection {
            otlp_endpoint: " http://127.0.0.1:4318/v1/traces ".into(),
            ..TracesSection::default()
        };
        assert_eq!(on.endpoint(), Some("http://127.0.0.1:4318/v1/traces"));
        assert!(on.problems().is_empty());
        let wrong = TracesSection {
            otlp_endpoint: "collector:4317".into(),
            sample_ratio: 1.5,
            ..TracesSection::default()
        };
        let problems = wrong.problems();
        assert!(problems[0].contains("traces.otlp_endpoint"), "{problems:?}");
        assert!(problems[1].contains("traces.sample_ratio"), "{problems:?}");
    }
}
