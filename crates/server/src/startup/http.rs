//! The HTTP server: its middleware, shared data and every resource's routes.

use std::net::TcpListener;
use std::time::Duration as StdDuration;

use actix_cors::Cors;
use actix_governor::{Governor, GovernorConfigBuilder};
use actix_web::dev::Server;
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::{Compress, Condition, DefaultHeaders, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};

use super::StartupError;
use crate::body_timeout::{BodyIdleTimeout, body_timeout};
use crate::config::{Environment, Settings};
use crate::error::{ApiError, json_error, path_error, query_error};
use crate::header_timeout::{head_arrived, on_connect};
use crate::middleware::{InFlight, count_in_flight, error_body, request_id};
use crate::observability::MetricsEndpoint;
use crate::observability::requests::record_requests;
use crate::openapi;
use crate::rate_limit::{JsonAccount, JsonPeerIp};
use crate::routes::{
    applications, assessments, audio, auth, health, interviews, job_postings, matching, profile,
    realtime, recruiter, resumes, videos,
};
use crate::state::AppState;

fn cors(settings: &Settings) -> Cors {
    let origins = &settings.server.cors_origins;
    let base = if origins.is_empty() && settings.environment() == Environment::Development {
        Cors::default().allow_any_origin()
    } else {
        origins
            .iter()
            .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
    };
    base.allowed_methods([
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
    ])
    .allowed_headers([
        header::AUTHORIZATION,
        header::CONTENT_TYPE,
        header::ACCEPT,
        header::HeaderName::from_static("idempotency-key"),
        header::HeaderName::from_static("x-request-id"),
    ])
    .expose_headers([
        header::HeaderName::from_static("x-request-id"),
        header::HeaderName::from_static("idempotent-replayed"),
        header::RETRY_AFTER,
    ])
    .max_age(3600)
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such endpoint",
    ))
}

/// The blocking-pool size of each HTTP worker (see where the server is built).
const BLOCKING_THREADS_PER_WORKER: usize = 16;

/// The HTTP server: middleware, shared data, and each resource's routes.
pub(super) fn http_server(
    settings: &Settings,
    state: web::Data<AppState>,
    in_flight: web::Data<InFlight>,
    metrics: web::Data<MetricsEndpoint>,
    listener: TcpListener,
    address: &str,
) -> Result<Server, StartupError> {
    let limits = &settings.rate_limit;
    let governor = GovernorConfigBuilder::default()
        .requests_per_second(limits.per_second)
        .burst_size(limits.burst)
        .key_extractor(JsonPeerIp)
        .finish()
        .ok_or(StartupError::RateLimitQuota {
            per_second: limits.per_second,
            burst: limits.burst,
        })?;
    let account_governor = GovernorConfigBuilder::default()
        .milliseconds_per_request((60_000 / limits.account_per_minute.max(1)).max(1))
        .burst_size(limits.account_burst)
        .key_extractor(JsonAccount)
        .finish()
        .ok_or(StartupError::RateLimitQuota {
            per_second: limits.account_per_minute,
            burst: limits.account_burst,
        })?;
    let rate_limited = limits.enabled;
    let json_limit = settings.server.json_limit_bytes;
    let body_idle = StdDuration::from_secs(settings.server.body_idle_timeout_seconds.max(1));
    let header_timeout = StdDuration::from_secs(settings.server.header_timeout_seconds.max(1));
    let app_settings = settings.clone();
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(in_flight.clone())
            .app_data(metrics.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(json_limit)
                    .error_handler(json_error),
            )
            .app_data(web::Data::new(BodyIdleTimeout(body_idle)))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .wrap(from_fn(body_timeout))
            .wrap(Compress::default())
            .wrap(from_fn(error_body))
            .wrap(cors(&app_settings))
            .wrap(
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("X-Frame-Options", "DENY"))
                    .add(("Referrer-Policy", "no-referrer")),
            )
            .wrap(from_fn(request_id))
            .wrap(from_fn(count_in_flight))
            .wrap(from_fn(record_requests))
            .wrap(from_fn(head_arrived))
            .configure(health::configure)
            .configure(crate::routes::metrics::configure)
            .service(
                web::scope("/api/v1/auth")
                    .wrap(Condition::new(rate_limited, Governor::new(&governor)))
                    .configure(auth::configure),
            )
            .service(
                web::scope("/api/v1/candidates")
                    .wrap(Condition::new(rate_limited, Governor::new(&governor)))
                    .configure(auth::configure_candidates),
            )
            .service(
                web::scope("/api/v1/recruiter/auth")
                    .wrap(Condition::new(rate_limited, Governor::new(&governor)))
                    .configure(recruiter::auth::configure),
            )
            .service(web::scope("/api/v1/recruiter").configure(recruiter::configure))
            .service(web::scope("/api/v1/job-postings").configure(job_postings::configure))
            .service(web::scope("/api/v1/applications").configure(applications::configure))
            .service(
                web::scope("/api/v1/interviews")
                    .wrap(Condition::new(
                        rate_limited,
                        Governor::new(&account_governor),
                    ))
                    .configure(interviews::configure)
                    .configure(audio::configure)
                    .configure(assessments::configure)
                    .configure(realtime::configure)
                    .configure(videos::configure_interview),
            )
            .service(web::scope("/api/v1/videos").configure(videos::configure))
            .service(web::scope("/api/v1/profile").configure(profile::configure))
            .service(web::scope("/api/v1/resumes").configure(resumes::configure))
            .service(web::scope("/api/v1/matching").configure(matching::configure))
            .configure(openapi::configure)
            .configure(crate::routes::web::configure)
            .default_service(web::to(not_found))
    })
    // Nagle off: realtime audio frames (every 20 ms) must not wait for the previous one's ACK
    .tcp_nodelay(true)
    // actix's own header timer answers a bare 408; ours answers the JSON one (header_timeout.rs)
    .client_request_timeout(if cfg!(unix) {
        StdDuration::ZERO
    } else {
        header_timeout
    })
    .on_connect(on_connect(header_timeout))
    .listen(listener)
    .map_err(|source| StartupError::Bind {
        address: address.to_owned(),
        source,
    })?
    .shutdown_timeout(30)
    // File I/O (local objects, audio) runs on each worker's blocking pool, and every blocking
    // thread keeps its own allocator heap: with tokio's default of 512 threads, 50 parallel video
    // uploads peaked ~5 MiB higher and stored chunks no faster than with 16 (docs/performance.md).
    .worker_max_blocking_threads(BLOCKING_THREADS_PER_WORKER);
    if settings.server.workers > 0 {
        server = server.workers(settings.server.workers);
    }
    Ok(server.run())
}
