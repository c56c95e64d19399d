//! HTTP requests as metrics: counted by method, route template and status, timed, and counted
//! in flight. The outermost middleware, so that it sees every response as the client gets it.

use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

use super::{HTTP_DURATION, HTTP_IN_FLIGHT, HTTP_REQUESTS};

/// The `route` of a request no route matched (404s of unknown paths, scans): raw paths never
/// become label values.
pub const UNMATCHED: &str = "unmatched";

/// The `method` label: the standard methods by name, anything else `other`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The `route` label: the template of the route that matches (`/api/v1/interviews/{id}`), or
/// [`UNMATCHED`].
pub fn route_label(pattern: Option<String>) -> String {
    pattern.unwrap_or_else(|| UNMATCHED.to_owned())
}

/// A request's route label, kept in its extensions once computed: the metrics and the request's
/// span both name the request by it, and matching the route map once is enough.
#[derive(Clone)]
struct RouteTemplate(String);

/// The request's [`route_label`], matched against the app's route map on first use (routing
/// need not have run).
pub fn route_of(request: &ServiceRequest) -> String {
    if let Some(RouteTemplate(route)) = request.extensions().get::<RouteTemplate>() {
        return route.clone();
    }
    let route = route_label(request.match_pattern());
    request
        .extensions_mut()
        .insert(RouteTemplate(route.clone()));
    route
}

/// Counts a request in flight until dropped (however the request ends).
struct InFlight;

impl InFlight {
    fn enter() -> Self {
        metrics::gauge!(HTTP_IN_FLIGHT).increment(1.0);
        Self
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        metrics::gauge!(HTTP_IN_FLIGHT).decrement(1.0);
    }
}

/// Records every request: in flight while handled, then counted by method, route template and
/// status, and timed until the response head (a streamed body's transfer is not included).
pub async fn record_requests(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let _in_flight = InFlight::enter();
    let started = Instant::now();
    let method = method_label(request.method());
    let route = route_of(&request);
    let result = next.call(request).await;
    let status = match &result {
        Ok(response) => response.status(),
        Err(error) => error.as_response_error().status_code(),
    };
    metrics::histogram!(HTTP_DURATION, "method" => method, "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!(
        HTTP_REQUESTS,
        "method" => method,
        "route" => route,
        "status" => status.as_str().to_owned()
    )
    .increment(1);
    result
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::test as actix_test;
    use actix_web::{App, HttpResponse, web};
    use metrics_exporter_prometheus::PrometheusBuilder;

    use super::*;

    #[test]
    fn methods_outside_the_standard_set_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::TRACE), "other");
        assert_eq!(
            method_label(&Method::from_bytes(b"PROPFIND").unwrap()),
            "other"
        );
    }

    #[actix_web::test]
    async fn routes_are_labelled_by_template_and_unknown_paths_by_one_fixed_value() {
        let app = actix_test::init_service(
            App::new()
                .wrap(from_fn(record_requests))
                .service(
                    web::scope("/api/v1/things").route("/{id}", web::get().to(HttpResponse::Ok)),
                )
                .default_service(web::to(HttpResponse::NotFound)),
        )
        .await;
        // a recorder of this thread only: the test runtime runs the service on it
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let _local = metrics::set_default_local_recorder(&recorder);
        let request = actix_test::TestRequest::get()
            .uri("/api/v1/things/0190b1a2-0000-7000-8000-000000000000")
            .to_request();
        assert!(
            actix_test::call_service(&app, request)
                .await
                .status()
                .is_success()
        );
        for unknown in [
            "/api/v1/things/0190b1a2-0000-7000-8000-000000000000/deeper",
            "/nowhere/0190b1a2-0000-7000-8000-000000000000",
        ] {
            let request = actix_test::TestRequest::get().uri(unknown).to_request();
            assert_eq!(actix_test::call_service(&app, request).await.status(), 404);
        }
        let text = handle.render();
        assert!(
            text.contains(
                r#"interview_http_requests_total{method="GET",route="/api/v1/things/{id}",status="200"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"interview_http_requests_total{method="GET",route="unmatched",status="404"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains("interview_http_requests_in_flight 0"),
            "{text}"
        );
        assert!(!text.contains("0190b1a2"), "{text}");
    }
}
