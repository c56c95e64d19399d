//! `GET /api/v1/interviews/{id}/realtime/connect`: upgrades to the realtime WebSocket and hands
//! the connection to the relay. Every refusal is a protocol error frame and a close code, since a
//! browser cannot read the status of a failed upgrade.

use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{CloseCode, CloseReason, Session};
use interview_core::ids::{ConnectionId, InterviewId};
use interview_core::interview::AnswerError;
use uuid::Uuid;

use crate::auth::AuthenticatedCandidate;
use crate::error::ErrorResponse;
use crate::observability::events::OpenSession;
use crate::realtime::protocol::{ErrorCode, ServerFrame};
use crate::realtime::relay::{Relay, watch_lease};
use crate::state::AppState;

async fn refuse(mut ws: Session, code: ErrorCode, message: String, close: CloseCode) {
    let _ = ws.text(ServerFrame::error(code, message).to_text()).await;
    let _ = ws
        .close(Some(CloseReason {
            code: close,
            description: None,
        }))
        .await;
}

/// Live voice: a WebSocket relayed to the realtime speech provider (see the README for the
/// frames). Authenticate with `Authorization: Bearer` or `?token=`.
#[utoipa::path(get, path = "/api/v1/interviews/{id}/realtime/connect", tag = "interviews",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Interview id"),
        ("token" = Option<String>, Query, description = "The JWT, for browsers (they cannot set headers on a WebSocket)")),
    responses(
        (status = 101, description = "Switching to the realtime WebSocket protocol; refusals (authentication, inactive interview, no realtime provider, too many live interviews of the account) arrive as an `error` frame followed by a close"),
        (status = 400, description = "Not a WebSocket upgrade request (from a caller whose token is valid: without one, 401)", body = ErrorResponse),
        (status = 404, description = "The id is not a UUID", body = ErrorResponse)))]
pub async fn connect(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    request: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let (response, ws, stream) = match actix_ws::handle(&request, body) {
        Ok(upgrade) => upgrade,
        // not an upgrade, so the refusal can be a status: a missing or bad token first (401/403),
        // as on every authenticated route
        Err(not_upgrade) => {
            let token = AuthenticatedCandidate::token_of(&request)?;
            AuthenticatedCandidate::from_token(&state, &token).await?;
            return Err(not_upgrade);
        }
    };
    let interview_id = InterviewId::from_uuid(*id);
    let token = AuthenticatedCandidate::token_of(&request);
    actix_web::rt::spawn(async move {
        let caller = match token {
            // boxed, like the opening below: the task keeps the size of its largest await
            // for as long as the connection lasts
            Ok(token) => Box::pin(AuthenticatedCandidate::from_token(&state, &token)).await,
            Err(error) => Err(error),
        };
        let caller = match caller {
            Ok(caller) => caller,
            Err(error) => {
                return refuse(
                    ws,
                    ErrorCode::AuthenticationFailed,
                    error.message,
                    CloseCode::Policy,
                )
                .await;
            }
        };
        let Some(_place) = state.realtime.per_account.try_open(caller.id, interview_id) else {
            return refuse(
                ws,
                ErrorCode::RateLimitExceeded,
                format!(
                    "this account already has {} live interviews open; close one first",
                    state.realtime.per_account.max()
                ),
                CloseCode::Policy,
            )
            .await;
        };
        let actor = caller.actor();
        let connection = ConnectionId::new();
        let opening = match Box::pin(state.interviews.open_realtime(
            interview_id,
            actor,
            connection,
            state.realtime.turn_detection,
        ))
        .await
        {
            Ok(opening) => opening,
            Err(error) => {
                let message = match error {
                    AnswerError::NotFound => "no such interview".to_owned(),
                    other => other.to_string(),
                };
                return refuse(
                    ws,
                    ErrorCode::InterviewNotActive,
                    message,
                    CloseCode::Policy,
                )
                .await;
            }
        };
        let Some(voice) = state.realtime.voice.clone() else {
            return refuse(
                ws,
                ErrorCode::RealtimeUnavailable,
                "live voice needs a realtime provider (OpenAI); the interview goes on by text or \
                 recorded voice"
                    .into(),
                CloseCode::Error,
            )
            .await;
        };
        let session = match voice.connect(opening.config.clone()).await {
            Ok(session) => session,
            Err(error) => {
                tracing::warn!(%error, "realtime upstream unavailable");
                return refuse(
                    ws,
                    ErrorCode::RealtimeUnavailable,
                    "the realtime service is unavailable right now; the interview is untouched"
                        .into(),
                    CloseCode::Error,
                )
                .await;
            }
        };
        let mut ws = ws;
        let connected = ServerFrame::Connected {
            session_id: Uuid::now_v7(),
            interview_id: interview_id.as_uuid(),
            resumed: opening.resumed,
            message: if opening.resumed {
                "Reconnected: the interviewer repeats the open question.".into()
            } else {
                "Connected: the interviewer speaks first.".into()
            },
        };
        if ws.text(connected.to_text()).await.is_err() {
            session.sender.close().await;
            return;
        }
        let replaced = state.realtime.live.register(interview_id, connection);
        let watcher = actix_web::rt::spawn(watch_lease(
            state.clone(),
            interview_id,
            connection,
            replaced.clone(),
        ));
        let idle_timeout = state.realtime.idle_timeout;
        let live = state.clone();
        let _open = OpenSession::start();
        Relay {
            state,
            ws,
            interview_id,
            actor,
            connection,
            voice,
            idle_timeout,
            heard_bytes: 0,
            heard: Vec::new(),
            said: Vec::new(),
            reply_message: None,
        }
        .run(stream, session, &replaced)
        .await;
        watcher.abort();
        live.realtime.live.remove(interview_id, connection);
    });
    Ok(response)
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/{id}/realtime/connect").route(web::get().to(connect)));
}
