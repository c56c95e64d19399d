//! Prometheus metrics through the `metrics` facade, rendered by our own `GET /metrics` route
//! (the exporter's HTTP listener is not built). The recorder is global to the process: it is
//! installed once, and every application in the process (tests start many) records into it.
//!
//! Every metric name is a constant here or in `adapter_openai` (the AI calls are recorded
//! where they are made); `docs/operations.md` lists them with their labels, the dashboards and
//! the alerts. Label values are bounded sets: route templates, never raw paths or ids.

pub mod cost;
pub mod events;
pub mod requests;
mod scrape;

use std::sync::OnceLock;

use metrics::Unit;
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

pub use scrape::MetricsEndpoint;

/// Counter: HTTP requests by `method`, `route` (the route template, `unmatched` when no route
/// matched) and `status`.
pub const HTTP_REQUESTS: &str = "interview_http_requests_total";
/// Histogram: seconds until the response head, by `method` and `route`.
pub const HTTP_DURATION: &str = "interview_http_request_duration_seconds";
/// Gauge: requests being handled by this process.
pub const HTTP_IN_FLIGHT: &str = "interview_http_requests_in_flight";
/// Counter: answers taken through the engine, by `mode` (`text`, `voice`, `realtime`) and
/// `outcome` (see [`events::turn_outcome`]).
pub const TURNS: &str = "interview_turns_total";
/// Counter: interviews ended because their budget was spent, by `mode`.
pub const BUDGET_EXHAUSTED: &str = "interview_budget_exhausted_total";
/// Gauge: circuit breaker state by AI `endpoint`: 0 closed, 1 half-open, 2 open.
pub const BREAKER_STATE: &str = "interview_ai_breaker_state";
/// Gauge: realtime WebSocket sessions relayed by this process.
pub const REALTIME_SESSIONS: &str = "interview_realtime_sessions_open";
/// Histogram: milliseconds the relay takes to pass one audio frame on, by `direction`
/// (`to_upstream`: the candidate's audio; `to_client`: the interviewer's).
pub const RELAY_FRAME: &str = "interview_realtime_frame_relay_milliseconds";
/// Gauge: background jobs by `kind` and `state` (`queued`, `running`, `failed`), counted in
/// the jobs table (shared by every node) at each scrape.
pub const JOBS: &str = "interview_jobs";
/// Counter: job runs on this node by `kind` and `outcome` (`succeeded`, `retrying`, `failed`
/// for good, `lease_lost`).
pub const JOB_RUNS: &str = "interview_job_runs_total";
/// Gauge: database pool connections by `state` (`in_use`, `idle`).
pub const DB_POOL: &str = "interview_db_pool_connections";
/// Gauge: the most connections the pool opens.
pub const DB_POOL_MAX: &str = "interview_db_pool_max_connections";
/// Counter: scrapes whose refresh of a `source` (`jobs`) failed; its gauges kept their last
/// values.
pub const REFRESH_ERRORS: &str = "interview_metrics_refresh_errors_total";

/// HTTP latency buckets, in seconds: most answers take milliseconds, an answer that calls the
/// model a few seconds, and the slowest (retried AI calls) up to the request timeout.
pub const HTTP_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0,
];
/// Relay buckets, in milliseconds: a frame normally passes in well under one; a 20 ms frame
/// that takes longer than its own duration is a stutter.
pub const RELAY_BUCKETS: [f64; 11] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 50.0, 100.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

fn builder() -> Result<PrometheusBuilder, BuildError> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), &HTTP_BUCKETS)?
        .set_buckets_for_metric(Matcher::Full(RELAY_FRAME.into()), &RELAY_BUCKETS)?
        .set_buckets_for_metric(
            Matcher::Full(adapter_openai::AI_CALL_DURATION.into()),
            &adapter_openai::AI_CALL_BUCKETS,
        )
}

/// Installs the process's recorder the first time and returns its handle; later calls (every
/// further application in the process) get the same handle. `None` when another recorder was
/// installed first: metrics are then not served.
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(
            || match builder().and_then(PrometheusBuilder::install_recorder) {
                Ok(handle) => {
                    describe();
                    Some(handle)
                }
                Err(error) => {
                    tracing::warn!(%error, "the metrics recorder could not be installed");
                    None
                }
            },
        )
        .clone()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests by method, route template and status"
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time until the response head, by method and route template"
    );
    describe_gauge!(HTTP_IN_FLIGHT, "HTTP requests being handled");
    describe_counter!(TURNS, "Answers taken by the engine, by mode and outcome");
    describe_counter!(
        BUDGET_EXHAUSTED,
        "Interviews ended because their AI budget was spent, by mode"
    );
    describe_gauge!(
        BREAKER_STATE,
        "AI circuit breaker by endpoint: 0 closed, 1 half-open, 2 open"
    );
    describe_gauge!(REALTIME_SESSIONS, "Realtime voice sessions being relayed");
    describe_histogram!(
        RELAY_FRAME,
        Unit::Milliseconds,
        "Time the realtime relay takes to pass one audio frame on, by direction"
    );
    describe_gauge!(
        JOBS,
        "Background jobs by kind and state (queued, running, failed), in the shared jobs table"
    );
    describe_counter!(
        JOB_RUNS,
        "Background job runs on this node by kind and outcome"
    );
    describe_gauge!(DB_POOL, "Database pool connections by state (in_use, idle)");
    describe_gauge!(DB_POOL_MAX, "The most connections the database pool opens");
    describe_counter!(
        REFRESH_ERRORS,
        "Scrapes whose refresh of a source failed (its gauges kept their last values)"
    );
    adapter_openai::describe_metrics();
    // the gauges that only move by increments exist from the start, at zero
    metrics::gauge!(HTTP_IN_FLIGHT).increment(0.0);
    metrics::gauge!(REALTIME_SESSIONS).increment(0.0);
}

/// Runs the recorder's upkeep (drains histogram samples into their buckets) so that memory
/// stays bounded between scrapes; a background task calls it every few seconds.
pub fn upkeep() {
    if let Some(Some(handle)) = HANDLE.get() {
        handle.run_upkeep();
    }
}
