//! `GET /metrics`: the Prometheus exposition (see `docs/operations.md` for every metric).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::{ApiError, ErrorResponse};
use crate::observability::MetricsEndpoint;
use crate::state::AppState;

/// The content type of the Prometheus text format.
pub const EXPOSITION: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Prometheus metrics in the text exposition format: HTTP requests by route template, answers,
/// AI calls and costs, circuit breakers, realtime sessions, background jobs and the database
/// pool. Open when `metrics.token` is not set (development only); otherwise send
/// `Authorization: Bearer <metrics.token>`.
#[utoipa::path(get, path = "/metrics", tag = "health",
    security((), ("metrics_bearer" = [])),
    responses(
        (status = 200, description = "The metrics", body = String,
            content_type = "text/plain; version=0.0.4"),
        (status = 401, description = "`metrics.token` is set and the request does not carry it as a bearer token (`unauthorized`)", body = ErrorResponse),
        (status = 503, description = "The metrics recorder could not be installed (`metrics_unavailable`)", body = ErrorResponse)))]
pub async fn metrics(
    state: web::Data<AppState>,
    endpoint: web::Data<MetricsEndpoint>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    if !endpoint.authorizes(authorization) {
        return Err(ApiError::unauthorized(
            "the metrics need `Authorization: Bearer <metrics.token>`",
        ));
    }
    let breakers = state.ai.breakers.as_deref();
    let Some(text) = endpoint.render(breakers).await else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics_unavailable",
            "the metrics recorder is not installed in this process",
        ));
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, EXPOSITION))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(text))
}

/// `/metrics`, outside `/api/v1`: where Prometheus looks by default.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/metrics").route(web::get().to(metrics)));
}
