//! `Range` requests on stored media (audio, video): one byte range, or the whole body.

use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use actix_web::http::header;

use crate::error::ApiError;

/// The single byte range the request asks for within `length` bytes, as `(first, last)`
/// inclusive; `None` for the whole body (no `Range`, or several ranges: the whole body is a
/// valid answer and far simpler for players).
///
/// # Errors
/// 416 `range_not_satisfiable` (with `Content-Range: bytes */length`) for a range outside the
/// media.
pub fn requested_range(
    request: &HttpRequest,
    length: u64,
    what: &str,
) -> Result<Option<(u64, u64)>, ApiError> {
    let Some(range) = request
        .headers()
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok())
    else {
        return Ok(None);
    };
    let ranges = http_range_header::parse_range_header(range)
        .and_then(|parsed| parsed.validate(length))
        .map_err(|_| {
            let mut error = ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "range_not_satisfiable",
                format!("the {what} is {length} bytes long"),
            );
            error.content_range = Some(format!("bytes */{length}"));
            error
        })?;
    Ok(match ranges.as_slice() {
        [single] => Some((*single.start(), *single.end())),
        _ => None,
    })
}
