//! Slow clients: a request body that stops arriving for `server.body_idle_timeout_seconds` is
//! cut off with 408 `request_timeout` (JSON), so a client trickling bytes cannot hold a worker's
//! memory and a handler's resources open indefinitely. The handler sees a read error and cleans up
//! as for any broken body; this middleware then answers 408 in its place. (Headers that do not
//! arrive in time are `header_timeout.rs`'s.) WebSocket upgrades are left alone: the realtime
//! relay has its own idle timeout.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use futures_util::Stream;
use tokio::time::{Instant, Sleep};

use crate::error::ApiError;

/// `server.body_idle_timeout_seconds`, shared with the middleware as app data.
#[derive(Debug, Clone, Copy)]
pub struct BodyIdleTimeout(pub Duration);

/// A body stream that fails once nothing has arrived for `idle`.
struct IdleLimited {
    inner: Payload,
    idle: Duration,
    deadline: Option<Pin<Box<Sleep>>>,
    timed_out: Arc<AtomicBool>,
}

impl Stream for IdleLimited {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(bytes))) => {
                if let Some(deadline) = this.deadline.as_mut() {
                    deadline.as_mut().reset(Instant::now() + this.idle);
                }
                Poll::Ready(Some(Ok(bytes)))
            }
            Poll::Ready(other) => Poll::Ready(other),
            Poll::Pending => {
                let idle = this.idle;
                let deadline = this
                    .deadline
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
                if deadline.as_mut().poll(cx).is_ready() {
                    this.timed_out.store(true, Ordering::Relaxed);
                    return Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request body stopped arriving",
                    )))));
                }
                Poll::Pending
            }
        }
    }
}

/// Puts the idle limit on the request's body; answers 408 when it was reached.
pub async fn body_timeout(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limit = request
        .app_data::<web::Data<BodyIdleTimeout>>()
        .map(|limit| limit.0);
    let upgrade = request.headers().contains_key(header::UPGRADE);
    let (Some(idle), false) = (limit, upgrade) else {
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    let timed_out = Arc::new(AtomicBool::new(false));
    let (head, inner) = request.into_parts();
    let stream: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(IdleLimited {
        inner,
        idle,
        deadline: None,
        timed_out: Arc::clone(&timed_out),
    });
    let limited = Payload::Stream { payload: stream };
    let request = ServiceRequest::from_parts(head, limited);
    let response = next.call(request).await?;
    if !timed_out.load(Ordering::Relaxed) {
        return Ok(response.map_into_boxed_body());
    }
    let refusal = ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "request_timeout",
        format!(
            "the request body stopped arriving for {} s; send it again",
            idle.as_secs()
        ),
    )
    .into_tagged_response();
    let mut response = response.into_response(refusal);
    // the rest of the body will not be read: the connection cannot be reused
    response
        .response_mut()
        .head_mut()
        .set_connection_type(actix_web::http::ConnectionType::Close);
    Ok(response)
}
