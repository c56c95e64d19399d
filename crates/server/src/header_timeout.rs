//! Slow headers: a connection whose first request has not fully arrived (request line and
//! headers) within `server.header_timeout_seconds` gets 408 `request_timeout` with the API's JSON
//! error body, and is closed.
//!
//! actix has this timer (`client_request_timeout`) but answers a bare 408 from inside its HTTP/1
//! dispatcher, where no application code runs. So its timer is off and this one replaces it: when
//! a connection opens, [`on_connect`] keeps a duplicate of its socket and starts a timer; the
//! outermost middleware, [`head_arrived`], stops the timer as soon as a request reaches the app.
//! If the timer wins, the response is written on the duplicate and the socket shut down, which
//! the dispatcher sees as the client leaving. Later requests on a kept-alive connection are
//! governed by actix's keep-alive timeout, as before.

use std::any::Any;
use std::io::Write as _;
use std::net::Shutdown;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Extensions, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use tokio::sync::Notify;

use crate::error::ApiError;

/// In a connection's data: notified once its first request reached the app.
#[derive(Clone)]
struct HeadArrived(Arc<Notify>);

/// The `on_connect` hook of the HTTP server: starts the header timer of each TCP connection.
pub fn on_connect(timeout: Duration) -> impl Fn(&dyn Any, &mut Extensions) + Send + Sync + 'static {
    move |connection, data| {
        let Some(socket) = duplicate(connection) else {
            return;
        };
        let arrived = Arc::new(Notify::new());
        data.insert(HeadArrived(arrived.clone()));
        actix_web::rt::spawn(async move {
            tokio::select! {
                () = arrived.notified() => {}
                () = tokio::time::sleep(timeout) => refuse(socket),
            }
        });
    }
}

/// The outermost middleware: the request's head arrived in time.
pub async fn head_arrived(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if let Some(HeadArrived(arrived)) = request.conn_data::<HeadArrived>() {
        // a permit is kept if the timer task is not waiting yet
        arrived.notify_one();
    }
    next.call(request).await
}

#[cfg(unix)]
fn duplicate(connection: &dyn Any) -> Option<std::net::TcpStream> {
    use std::os::fd::AsFd as _;
    let stream = connection.downcast_ref::<actix_web::rt::net::TcpStream>()?;
    let fd = stream.as_fd().try_clone_to_owned().ok()?;
    Some(std::net::TcpStream::from(fd))
}

#[cfg(not(unix))]
fn duplicate(_connection: &dyn Any) -> Option<std::net::TcpStream> {
    None
}

/// Writes the 408 and closes the connection; a client already gone is no error.
fn refuse(mut socket: std::net::TcpStream) {
    let status = StatusCode::REQUEST_TIMEOUT;
    // the body every error has, rendered where every error is rendered
    let rendered = ApiError::new(
        status,
        "request_timeout",
        "the request's headers did not arrive in time",
    )
    .render(None);
    let body = rendered.into_body().try_into_bytes().unwrap_or_default();
    let body = String::from_utf8_lossy(&body);
    let response = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Request Timeout"),
        body.len(),
    );
    // the socket is non-blocking (shared with tokio): a few hundred bytes fit a fresh socket's
    // send buffer, and if they do not, the client is not reading anyway
    let _ = socket.write_all(response.as_bytes());
    let _ = socket.shutdown(Shutdown::Both);
}
