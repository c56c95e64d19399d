//! The handshake: scripted refusals, the path, the bearer key and the model.

use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request};
use tokio_tungstenite::tungstenite::http::{self, StatusCode};

use crate::script::Script;

/// The handshake check of attempt `attempt` (from 1); `Err` is the HTTP answer instead of the upgrade.
pub(crate) fn admit(
    script: &Script,
    attempt: usize,
    request: &Request,
) -> Result<(), Box<ErrorResponse>> {
    let refuse = |status: StatusCode, message: &str| {
        let mut response = http::Response::new(Some(format!(
            r#"{{"error":{{"type":"invalid_request_error","code":null,"message":"{message}"}}}}"#
        )));
        *response.status_mut() = status;
        Box::new(response)
    };
    if attempt <= script.refusals {
        let status =
            StatusCode::from_u16(script.refusal_status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        let mut response = refuse(status, "scripted refusal");
        if let Some(seconds) = script.retry_after_seconds {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        return Err(response);
    }
    if request.uri().path() != "/v1/realtime" {
        return Err(refuse(StatusCode::NOT_FOUND, "no such path"));
    }
    let expected = format!("Bearer {}", script.api_key);
    let authorization = request.headers().get(http::header::AUTHORIZATION);
    if authorization.and_then(|value| value.to_str().ok()) != Some(expected.as_str()) {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "Incorrect API key provided",
        ));
    }
    let model = model_of(request);
    if script
        .model
        .as_ref()
        .is_some_and(|wanted| model.as_ref() != Some(wanted))
        || model.is_none()
    {
        return Err(refuse(StatusCode::BAD_REQUEST, "unknown or missing model"));
    }
    Ok(())
}

pub(crate) fn model_of(request: &Request) -> Option<String> {
    request
        .uri()
        .query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("model="))
        .map(str::to_owned)
}
