//! The organization's webhook endpoints (admins only): registration (the secret shown once),
//! changes, removal and the delivery log.

use actix_web::{HttpResponse, web};
use interview_core::ids::WebhookId;
use interview_core::webhooks::WebhookChange;
use uuid::Uuid;

use crate::auth::AuthenticatedRecruiter;
use crate::dto::{
    CreateWebhookRequest, DeliveryAttemptDto, DeliveryLogQuery, RegisteredWebhookDto,
    UpdateWebhookRequest, WebhookDto, parse_event_types,
};
use crate::error::{ApiError, ErrorResponse};
use crate::state::AppState;

/// Register an endpoint for some event types (admins only). The response carries the signing
/// secret, which is never shown again.
#[utoipa::path(post, path = "/api/v1/recruiter/webhooks", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    request_body = CreateWebhookRequest,
    responses(
        (status = 201, description = "Registered; keep the secret", body = RegisteredWebhookDto),
        (status = 403, description = "Not an admin, or a candidate token (`forbidden`)", body = ErrorResponse),
        (status = 409, description = "The organization has as many endpoints as allowed (`webhook_limit`)", body = ErrorResponse),
        (status = 422, description = "A URL that is not allowed, or no or unknown event types (`details.fields`)", body = ErrorResponse)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    body: web::Json<CreateWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let event_types = parse_event_types(&body.event_types)?;
    let webhook = state
        .webhooks
        .register(caller.actor(), &body.url, event_types)
        .await?;
    Ok(HttpResponse::Created().json(RegisteredWebhookDto {
        webhook: WebhookDto::from(&webhook),
        secret: webhook.secret,
    }))
}

/// The organization's endpoints, oldest first (admins only).
#[utoipa::path(get, path = "/api/v1/recruiter/webhooks", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    responses(
        (status = 200, description = "The endpoints", body = [WebhookDto]),
        (status = 403, description = "Not an admin (`forbidden`)", body = ErrorResponse)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
) -> Result<HttpResponse, ApiError> {
    let webhooks = state.webhooks.list(caller.actor()).await?;
    let body: Vec<WebhookDto> = webhooks.iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// One endpoint (admins only).
#[utoipa::path(get, path = "/api/v1/recruiter/webhooks/{id}", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 200, description = "The endpoint", body = WebhookDto),
        (status = 403, description = "Not an admin (`forbidden`)", body = ErrorResponse),
        (status = 404, description = "No such endpoint in the caller's organization", body = ErrorResponse)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let webhook = state
        .webhooks
        .get(caller.actor(), WebhookId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Ok().json(WebhookDto::from(&webhook)))
}

/// Change an endpoint's URL or event types, or switch it off or back on (admins only).
#[utoipa::path(patch, path = "/api/v1/recruiter/webhooks/{id}", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    request_body = UpdateWebhookRequest,
    responses(
        (status = 200, description = "Updated", body = WebhookDto),
        (status = 403, description = "Not an admin (`forbidden`)", body = ErrorResponse),
        (status = 404, description = "No such endpoint in the caller's organization", body = ErrorResponse),
        (status = 422, description = "A URL or event types that are not allowed (`details.fields`)", body = ErrorResponse)))]
pub async fn update(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    id: web::Path<Uuid>,
    body: web::Json<crate::dto::JsonObject<UpdateWebhookRequest>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner().0;
    let change = WebhookChange {
        event_types: body
            .event_types
            .as_deref()
            .map(parse_event_types)
            .transpose()?,
        url: body.url,
        is_active: body.is_active,
    };
    let webhook = state
        .webhooks
        .update(caller.actor(), WebhookId::from_uuid(*id), change)
        .await?;
    Ok(HttpResponse::Ok().json(WebhookDto::from(&webhook)))
}

/// Remove an endpoint and its delivery log (admins only); deliveries still queued for it are
/// dropped.
#[utoipa::path(delete, path = "/api/v1/recruiter/webhooks/{id}", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Not an admin (`forbidden`)", body = ErrorResponse),
        (status = 404, description = "No such endpoint in the caller's organization", body = ErrorResponse)))]
pub async fn delete(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state
        .webhooks
        .delete(caller.actor(), WebhookId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The endpoint's delivery attempts, newest first (admins only).
#[utoipa::path(get, path = "/api/v1/recruiter/webhooks/{id}/deliveries", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id"), DeliveryLogQuery),
    responses(
        (status = 200, description = "The attempts", body = [DeliveryAttemptDto]),
        (status = 400, description = "A limit that does not parse or is out of range (`invalid_query`)", body = ErrorResponse),
        (status = 403, description = "Not an admin (`forbidden`)", body = ErrorResponse),
        (status = 404, description = "No such endpoint in the caller's organization", body = ErrorResponse)))]
pub async fn deliveries(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    id: web::Path<Uuid>,
    query: web::Query<DeliveryLogQuery>,
) -> Result<HttpResponse, ApiError> {
    let attempts = state
        .webhooks
        .deliveries(caller.actor(), WebhookId::from_uuid(*id), query.limit()?)
        .await?;
    let body: Vec<DeliveryAttemptDto> = attempts.iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(body))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/webhooks")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(
        web::resource("/webhooks/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(web::resource("/webhooks/{id}/deliveries").route(web::get().to(deliveries)));
}
