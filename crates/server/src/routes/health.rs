use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use crate::dto::{AiEndpointStatus, AiStatusResponse, HealthResponse, ReadyResponse};
use crate::state::AppState;

/// Liveness: the process answers (`{status: "healthy", version, timestamp}`). The database is
/// not consulted; readiness is `/ready`.
#[utoipa::path(get, path = "/health", tag = "health",
    responses((status = 200, description = "The server is up", body = HealthResponse)))]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(HealthResponse {
        status: "healthy",
        version: env!("CARGO_PKG_VERSION"),
        timestamp: state.clock.now(),
    })
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/ready", tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = ReadyResponse),
        (status = 503, description = "The database does not answer", body = ReadyResponse)))]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    match state.readiness.check().await {
        Ok(()) => HttpResponse::Ok().json(ReadyResponse {
            status: "ready",
            database: "ok",
        }),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            HttpResponse::build(StatusCode::SERVICE_UNAVAILABLE).json(ReadyResponse {
                status: "unavailable",
                database: "unreachable",
            })
        }
    }
}

/// The AI provider in use and how its recent calls went.
#[utoipa::path(get, path = "/api/v1/ai/status", tag = "health",
    responses((status = 200, description = "Provider status", body = AiStatusResponse)))]
pub async fn ai_status(state: web::Data<AppState>) -> HttpResponse {
    let outcomes = state.ai.outcomes();
    let endpoints: Vec<AiEndpointStatus> = state
        .ai
        .breakers
        .as_ref()
        .map(|breakers| breakers.breakers())
        .unwrap_or_default()
        .into_iter()
        .map(|endpoint| AiEndpointStatus {
            endpoint: endpoint.endpoint,
            model: endpoint.model,
            breaker_state: endpoint.state,
        })
        .collect();
    HttpResponse::Ok().json(AiStatusResponse {
        provider: state.ai.provider.clone(),
        model: state.ai.model.clone(),
        last_success_at: outcomes.last_success_at,
        last_error_at: outcomes.last_error_at,
        last_error: outcomes.last_error,
        breaker_state: endpoints
            .first()
            .map_or_else(|| "none".to_owned(), |chat| chat.breaker_state.clone()),
        speech_available: state.interviews.speech_enabled(),
        endpoints,
    })
}

/// `/health`, `/ready` and `/api/v1/ai/status`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/health").route(web::get().to(health)))
        .service(web::resource("/ready").route(web::get().to(ready)))
        .service(web::resource("/api/v1/ai/status").route(web::get().to(ai_status)));
}
