//! Structured logs (JSON in production, human-readable in development) and, when
//! `traces.otlp_endpoint` is set, OpenTelemetry traces of the same spans sent over OTLP.
//!
//! One request is one trace: the `request` span (method, route, request id) opened by the
//! request-id middleware, the core's use-case spans inside it (`interview.answer`, …), and the
//! adapters' spans inside those (`ai.call` per provider call, `db.*` per repository operation).

use std::time::Duration;

use actix_web::http::header::HeaderMap;
use opentelemetry::propagation::{Extractor, TextMapPropagator as _};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{LogFormat, LogSettings, TracesSection};

/// What [`init`] installed; [`Telemetry::shutdown`] sends the spans still buffered.
#[must_use = "shut it down at exit, or the last spans are lost"]
pub struct Telemetry {
    traces: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Whether spans are being sent to a collector.
    pub fn traces_on(&self) -> bool {
        self.traces.is_some()
    }

    /// Sends the buffered spans and stops the exporter. It blocks while the last batch is sent
    /// (at most `traces.export_timeout_seconds`), so it runs on the blocking pool.
    pub async fn shutdown(self) {
        let Some(provider) = self.traces else {
            return;
        };
        let shut = tokio::task::spawn_blocking(move || provider.shutdown()).await;
        match shut {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("traces: the last spans were not sent: {error}"),
            Err(error) => eprintln!("traces: shutting the exporter down failed: {error}"),
        }
    }
}

/// Installs the global subscriber once; later calls (tests) keep the first one and send no
/// traces. An exporter that cannot be built is reported and left off: traces never stop the
/// server from starting.
pub fn init(log: &LogSettings, traces: &TracesSection) -> Telemetry {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&log.filter));
    let format = match log.format {
        // the span list, not only the current span: a line logged inside a use case or a
        // repository call still carries its request's `request_id`
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(false)
            .with_span_list(true)
            .boxed(),
        LogFormat::Pretty => tracing_subscriber::fmt::layer().boxed(),
    };
    let provider = traces.endpoint().and_then(|endpoint| {
        tracer_provider(endpoint, traces)
            .map_err(|error| eprintln!("traces are off: {error}"))
            .ok()
    });
    // each layer its own filter: quieting the logs (`log.filter = "warn"`) must not silence
    // the traces, whose spans are at INFO
    let otel = provider.as_ref().map(|provider| {
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("interview-server"))
            .with_threads(false)
            .with_tracked_inactivity(false)
            .with_filter(EnvFilter::new(&traces.filter))
    });
    let installed = tracing_subscriber::registry()
        .with(format.with_filter(filter))
        .with(otel)
        .try_init()
        .is_ok();
    Telemetry {
        traces: provider.filter(|_| installed),
    }
}

fn tracer_provider(
    endpoint: &str,
    settings: &TracesSection,
) -> Result<SdkTracerProvider, opentelemetry_otlp::ExporterBuildError> {
    let exporter = SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpJson)
        .with_endpoint(endpoint)
        .with_timeout(Duration::from_secs(settings.export_timeout_seconds))
        .build()?;
    let sampler = Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(settings.sample_ratio)));
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_sampler(sampler)
        .with_resource(
            Resource::builder()
                .with_service_name(settings.service_name.clone())
                .build(),
        )
        .build())
}

/// Continues the caller's trace: a request carrying a W3C `traceparent` (a gateway's, or a
/// frontend's) gets its span as the parent of `span`, so the server's spans join that trace.
/// Without the header, or with traces off, `span` starts its own trace.
pub fn continue_trace(span: &tracing::Span, headers: &HeaderMap) {
    if !headers.contains_key("traceparent") {
        return;
    }
    let parent = TraceContextPropagator::new().extract(&Headers(headers));
    // refused only when no OpenTelemetry layer is installed (traces off)
    let _ = span.set_parent(parent);
}

struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key)?.to_str().ok()
    }

    fn keys(&self) -> Vec<&str> {
        self.0
            .keys()
            .map(actix_web::http::header::HeaderName::as_str)
            .collect()
    }
}
