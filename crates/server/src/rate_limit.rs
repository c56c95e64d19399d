//! Per-IP rate limiting of the auth endpoints, answering in the API's error format.

use actix_governor::{KeyExtractor, SimpleKeyExtractionError};
use actix_web::dev::ServiceRequest;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, HttpResponseBuilder};
use std::net::IpAddr;

use crate::error::ApiError;

/// The peer address as the key; a 429 carries `Retry-After` and a JSON error body.
#[derive(Debug, Clone, Copy)]
pub struct JsonPeerIp;

impl KeyExtractor for JsonPeerIp {
    type Key = IpAddr;
    type KeyExtractionError = SimpleKeyExtractionError<&'static str>;

    fn extract(&self, request: &ServiceRequest) -> Result<Self::Key, Self::KeyExtractionError> {
        request
            .peer_addr()
            .map(|address| address.ip())
            .ok_or_else(|| SimpleKeyExtractionError::new("cannot tell the client's address"))
    }

    fn exceed_rate_limit_response(
        &self,
        negative: &actix_governor::governor::NotUntil<
            actix_governor::governor::clock::QuantaInstant,
        >,
        _response: HttpResponseBuilder,
    ) -> HttpResponse {
        use actix_governor::governor::clock::{Clock, DefaultClock};
        let wait = negative.wait_time_from(DefaultClock::default().now());
        let error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests from this address; slow down",
        )
        .retry_after(wait.as_secs().max(1));
        error.into_tagged_response()
    }
}
