//! Rate limiting, answering in the API's error format: per client IP on the auth endpoints, and
//! per account on what costs the most (starting interviews and answering).

use actix_governor::{KeyExtractor, SimpleKeyExtractionError};
use actix_web::dev::ServiceRequest;
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpResponse, HttpResponseBuilder, web};
use std::net::IpAddr;

use crate::auth::bearer;
use crate::error::ApiError;
use crate::state::AppState;

type NotUntil = actix_governor::governor::NotUntil<actix_governor::governor::clock::QuantaInstant>;

/// A 429 with `Retry-After` and the API's JSON error body.
fn too_many(negative: &NotUntil, message: &'static str) -> HttpResponse {
    use actix_governor::governor::clock::{Clock, DefaultClock};
    let wait = negative.wait_time_from(DefaultClock::default().now());
    ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
        .retry_after(wait.as_secs().max(1))
        .into_tagged_response()
}

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
        negative: &NotUntil,
        _response: HttpResponseBuilder,
    ) -> HttpResponse {
        too_many(negative, "too many requests from this address; slow down")
    }
}

/// Whose budget a request spends: an account's, for starting an interview and for answering
/// (`POST /api/v1/interviews/start`, `…/{id}/messages`, `…/{id}/audio`); anything else is not
/// counted. The key is the verified token's subject, so one account's many tokens share one
/// budget; a request without a valid token counts as `Anonymous` and is then refused with 401 by
/// its handler.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccountKey {
    Uncounted,
    Anonymous,
    Account(String),
}

/// The per-account key extractor for the interviews scope.
#[derive(Debug, Clone, Copy)]
pub struct JsonAccount;

/// Whether `path` starts an interview or answers one.
fn counted(method: &Method, path: &str) -> bool {
    if method != Method::POST {
        return false;
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["api", "v1", "interviews", "start"] => true,
        ["api", "v1", "interviews", _, last] => *last == "messages" || *last == "audio",
        _ => false,
    }
}

impl KeyExtractor for JsonAccount {
    type Key = AccountKey;
    type KeyExtractionError = SimpleKeyExtractionError<&'static str>;

    fn extract(&self, request: &ServiceRequest) -> Result<Self::Key, Self::KeyExtractionError> {
        if !counted(request.method(), request.path()) {
            return Ok(AccountKey::Uncounted);
        }
        let subject = bearer(request.request()).ok().and_then(|token| {
            let state = request.app_data::<web::Data<AppState>>()?;
            state.tokens.verify(&token).ok().map(|claims| claims.sub)
        });
        Ok(subject.map_or(AccountKey::Anonymous, AccountKey::Account))
    }

    fn exceed_rate_limit_response(
        &self,
        negative: &NotUntil,
        _response: HttpResponseBuilder,
    ) -> HttpResponse {
        too_many(
            negative,
            "too many interviews started or answers sent from this account; slow down",
        )
    }

    fn whitelisted_keys(&self) -> Vec<Self::Key> {
        vec![AccountKey::Uncounted]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_starting_and_answering_are_counted() {
        let post = Method::POST;
        assert!(counted(&post, "/api/v1/interviews/start"));
        assert!(counted(&post, "/api/v1/interviews/abc/messages"));
        assert!(counted(&post, "/api/v1/interviews/abc/audio"));
        assert!(!counted(&Method::GET, "/api/v1/interviews/abc/messages"));
        assert!(!counted(&post, "/api/v1/interviews/abc/complete"));
        assert!(!counted(&post, "/api/v1/interviews/abc/video/upload"));
        assert!(!counted(&post, "/api/v1/interviews/abc/messages/1/audio"));
    }
}
