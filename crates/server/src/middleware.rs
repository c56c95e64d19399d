//! Request ids, access logs, and the API's JSON error body on every error response.
//!
//! Order, outermost first: `header_timeout::head_arrived` → the request metrics
//! (`observability::requests`) →
//! [`count_in_flight`] → [`request_id`] → security headers → CORS → [`error_body`] → gzip.
//! `error_body` sits inside the header middlewares so that the response it renders is the one
//! they decorate: error responses carry the same CORS and security headers as any other.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse};
use tracing::Instrument;
use uuid::Uuid;

use crate::error::ApiError;
use crate::observability::requests::route_of;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request, in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn incoming(request: &ServiceRequest) -> Option<String> {
    let value = request.headers().get(&REQUEST_ID)?.to_str().ok()?.trim();
    let acceptable = !value.is_empty()
        && value.len() <= 128
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    acceptable.then(|| value.to_owned())
}

/// Takes `X-Request-Id` from the client (or makes one), logs the request under it and returns
/// it in the response header.
pub async fn request_id(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let id = incoming(&request).unwrap_or_else(|| Uuid::new_v4().to_string());
    request.extensions_mut().insert(RequestId(id.clone()));
    // `otel.*` name the span in a trace ("POST /api/v1/interviews/{id}/messages"): the route
    // template, never the raw path, so traces group by endpoint
    let route = route_of(&request);
    let span = tracing::info_span!(
        "request",
        otel.name = %format!("{} {route}", request.method()),
        otel.kind = "server",
        request_id = %id,
        method = %request.method(),
        path = %request.path(),
        route = %route,
        status = tracing::field::Empty,
    );
    crate::telemetry::continue_trace(&span, request.headers());
    let started = Instant::now();
    let response = next
        .call(request)
        .instrument(span.clone())
        .await?
        .map_into_boxed_body();
    // `error_body` has rendered every error from inside the header middlewares; this renders
    // the ones raised outside it (a CORS refusal)
    let mut response = render(response, &id);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let status = response.status().as_u16();
    span.record("status", i64::from(status));
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| tracing::info!(status, elapsed_ms, "handled"));
    Ok(response)
}

/// Every error response, whether from a handler, an extractor, the router or the rate limiter,
/// gets the API's JSON body quoting the request id. A bare 405 from the router (a method the
/// path does not route) gets the same body and keeps its `Allow` header. (actix turns handler,
/// extractor and routing errors into responses before they reach a middleware.)
pub async fn error_body(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let id = request
        .extensions()
        .get::<RequestId>()
        .map_or_else(String::new, |id| id.0.clone());
    let response = next.call(request).await?.map_into_boxed_body();
    Ok(render(response, &id))
}

/// Gives an error response the API's JSON body with the request id: an `ApiError` is rendered
/// again with the id; any other error (actix's own, CORS's) or a bare 405 from the router gets
/// a body named after its status. Headers the response already had that the new body does not
/// set itself (`Allow`, `Retry-After`, CORS…) are kept.
fn render(mut response: ServiceResponse<BoxBody>, id: &str) -> ServiceResponse<BoxBody> {
    let tagged = response
        .response_mut()
        .extensions_mut()
        .remove::<ApiError>();
    let Some(mut rendered) = tagged
        .map(|api| api.render(Some(id)))
        .or_else(|| rendered_error(&response, id))
    else {
        return response;
    };
    let own: Vec<HeaderName> = rendered.headers().keys().cloned().collect();
    for (name, value) in response.headers() {
        let body_header = [
            header::CONTENT_TYPE,
            header::CONTENT_LENGTH,
            header::CONTENT_ENCODING,
        ]
        .contains(name);
        if !body_header && !own.contains(name) {
            rendered.headers_mut().append(name.clone(), value.clone());
        }
    }
    response.into_response(rendered)
}

/// The API's body for an error response that lacks it, if the response is one.
fn rendered_error(response: &ServiceResponse<BoxBody>, id: &str) -> Option<HttpResponse> {
    let status = response.status();
    match response.response().error() {
        Some(error) => match error.as_error::<ApiError>() {
            Some(api) => Some(api.render(Some(id))),
            None if status.is_server_error() => {
                Some(ApiError::internal(&std::io::Error::other(error.to_string())).render(Some(id)))
            }
            None if status.is_client_error() => {
                Some(ApiError::new(status, status_code(status), error.to_string()).render(Some(id)))
            }
            None => None,
        },
        None if status == StatusCode::METHOD_NOT_ALLOWED && !is_json(response) => {
            let allowed = response
                .headers()
                .get(header::ALLOW)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default();
            let message = format!(
                "{} is not allowed here; allowed: {allowed}",
                response.request().method()
            );
            Some(ApiError::new(status, status_code(status), message).render(Some(id)))
        }
        None => None,
    }
}

fn is_json(response: &ServiceResponse<BoxBody>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"))
}

/// `method_not_allowed` for 405: the status's reason phrase in snake case.
fn status_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::URI_TOO_LONG => "uri_too_long",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "headers_too_large",
        _ => "request_refused",
    }
}

/// How many requests this node is handling right now: background work yields while there are
/// many (see `jobs::queue_worker`).
#[derive(Debug, Default)]
pub struct InFlight(std::sync::atomic::AtomicUsize);

impl InFlight {
    pub fn get(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Decrements the count however the request ends (even when its future is dropped).
struct Counted(actix_web::web::Data<InFlight>);

impl Drop for Counted {
    fn drop(&mut self) {
        (self.0)
            .0
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl InFlight {
    /// Counts one request until the returned guard is dropped.
    pub fn hold(in_flight: &actix_web::web::Data<InFlight>) -> impl Drop + use<> {
        in_flight
            .0
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Counted(in_flight.clone())
    }
}

/// Counts the request in the [`InFlight`] registered as app data while it is handled.
pub async fn count_in_flight(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let _counted = request
        .app_data::<actix_web::web::Data<InFlight>>()
        .map(InFlight::hold);
    next.call(request).await
}
