//! One scrape of `/metrics`: who may read it, and the gauges refreshed from their sources
//! (the jobs table, the database pool, the AI breakers) just before rendering.

use std::sync::Arc;

use interview_core::jobs::{JobKind, WATCHED_STATES};
use interview_core::ports::JobQueue;
use metrics_exporter_prometheus::PrometheusHandle;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{BREAKER_STATE, DB_POOL, DB_POOL_MAX, JOBS, REFRESH_ERRORS, cost};
use crate::config::MetricsSection;
use crate::state::BreakerStatus;

/// What `GET /metrics` needs, registered as app data.
pub struct MetricsEndpoint {
    handle: Option<PrometheusHandle>,
    /// SHA-256 of `metrics.token`: compared in constant time, and of equal length whatever the
    /// token's length.
    token_digest: Option<[u8; 32]>,
    jobs: Arc<dyn JobQueue>,
    database: adapter_db::Database,
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// The gauge value of a breaker state: 0 closed, 1 half-open, 2 open (`-1` for a state this
/// build does not know).
pub fn breaker_value(state: &str) -> f64 {
    match state {
        "closed" => 0.0,
        "half_open" => 1.0,
        "open" => 2.0,
        _ => -1.0,
    }
}

impl MetricsEndpoint {
    /// The endpoint over the process's recorder ([`super::install`]), guarded by
    /// `metrics.token` when set.
    pub fn new(
        settings: &MetricsSection,
        jobs: Arc<dyn JobQueue>,
        database: adapter_db::Database,
    ) -> Self {
        Self {
            handle: super::install(),
            token_digest: settings
                .token
                .as_ref()
                .map(|token| digest(token.expose_secret().trim())),
            jobs,
            database,
        }
    }

    /// Whether a request with this `Authorization` header may read the metrics: anyone when no
    /// token is configured, else `Bearer <token>` exactly.
    pub fn authorizes(&self, authorization: Option<&str>) -> bool {
        let Some(expected) = &self.token_digest else {
            return true;
        };
        let presented = authorization
            .and_then(|value| value.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        presented.is_some_and(|token| bool::from(digest(token).ct_eq(expected)))
    }

    /// Refreshes the gauges from their sources and renders the exposition; `None` when the
    /// recorder could not be installed.
    pub async fn render(&self, breakers: Option<&dyn BreakerStatus>) -> Option<String> {
        let handle = self.handle.as_ref()?;
        self.refresh_jobs().await;
        self.refresh_pool();
        if let Some(breakers) = breakers {
            for breaker in breakers.breakers() {
                metrics::gauge!(BREAKER_STATE, "endpoint" => breaker.endpoint)
                    .set(breaker_value(&breaker.state));
            }
        }
        handle.run_upkeep();
        let mut text = handle.render();
        cost::render_into(&mut text);
        Some(text)
    }

    /// Every kind in every watched state, zero included, so that a count that drops to none
    /// is seen as zero rather than as its last value.
    async fn refresh_jobs(&self) {
        let counts = match self.jobs.counts().await {
            Ok(counts) => counts,
            Err(error) => {
                tracing::warn!(%error, "counting jobs for the metrics failed");
                metrics::counter!(REFRESH_ERRORS, "source" => "jobs").increment(1);
                return;
            }
        };
        for kind in JobKind::ALL {
            for state in WATCHED_STATES {
                let count = counts
                    .iter()
                    .find(|count| count.kind == *kind && count.state == state)
                    .map_or(0, |count| count.count);
                metrics::gauge!(JOBS, "kind" => kind.as_str(), "state" => state.as_str())
                    .set(count as f64);
            }
        }
    }

    fn refresh_pool(&self) {
        if let Some(pool) = self.database.pool_status() {
            metrics::gauge!(DB_POOL, "state" => "in_use").set(f64::from(pool.in_use));
            metrics::gauge!(DB_POOL, "state" => "idle").set(f64::from(pool.idle));
            metrics::gauge!(DB_POOL_MAX).set(f64::from(pool.max));
        }
    }
}

#[cfg(test)]
mod tests {
    use interview_core::testing::InMemoryJobs;
    use secrecy::SecretString;

    use super::*;

    async fn endpoint(token: Option<&str>) -> MetricsEndpoint {
        let dir = tempfile::tempdir().unwrap();
        let database = adapter_db::connect(&adapter_db::DatabaseSettings {
            url: format!("sqlite://{}?mode=rwc", dir.path().join("m.db").display()),
            ..adapter_db::DatabaseSettings::default()
        })
        .await
        .unwrap();
        MetricsEndpoint::new(
            &MetricsSection {
                token: token.map(SecretString::from),
            },
            Arc::new(InMemoryJobs::new()),
            database,
        )
    }

    #[tokio::test]
    async fn without_a_token_anyone_reads_and_with_one_only_its_bearer() {
        assert!(endpoint(None).await.authorizes(None));
        let guarded = endpoint(Some("scrape-token-0123456789")).await;
        assert!(guarded.authorizes(Some("Bearer scrape-token-0123456789")));
        assert!(guarded.authorizes(Some("bearer  scrape-token-0123456789 ")));
        for refused in [
            None,
            Some(""),
            Some("scrape-token-0123456789"),
            Some("Basic scrape-token-0123456789"),
            Some("Bearer scrape-token-012345678"),
            Some("Bearer scrape-token-01234567890"),
            Some("Bearer "),
        ] {
            assert!(!guarded.authorizes(refused), "{refused:?}");
        }
    }

    #[test]
    #[allow(clippy::float_cmp)] // small integers, exactly representable
    fn breaker_states_map_to_their_documented_values() {
        assert_eq!(
            ["closed", "half_open", "open", "?"].map(breaker_value),
            [0.0, 1.0, 2.0, -1.0]
        );
    }
}
