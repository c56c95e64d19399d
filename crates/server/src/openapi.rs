//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    Content, Header, ObjectBuilder, Ref, RefOr, Response, ResponseBuilder, Type,
};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{ErrorBody, ErrorResponse};
use crate::routes::recruiter::{
    applications as recruiter_applications, auth as recruiter_auth,
    candidates as recruiter_candidates, feedback as recruiter_feedback,
    interviews as recruiter_interviews, postings as recruiter_postings, users as recruiter_users,
    webhooks as recruiter_webhooks,
};
use crate::routes::{
    applications, assessments, audio, auth, health, interviews, job_postings, matching, metrics,
    profile, realtime, resumes, videos,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "AI interview platform API",
        description = "Adaptive technical interviews: candidates register, start an interview for a \
                       role and answer questions whose difficulty follows their answers. Every \
                       error has the shape `{\"error\": {\"code\", \"message\", \"request_id\"}, \
                       \"detail\"}`, where `detail` repeats the message for clients written \
                       against FastAPI's conventions. A connection whose first request's headers \
                       have not all arrived after `server.header_timeout_seconds` (5 s) gets 408 \
                       `request_timeout` before any operation is chosen, and is closed."
    ),
    paths(
        health::health,
        health::ready,
        health::ai_status,
        metrics::metrics,
        auth::register,
        auth::register_candidate,
        auth::login,
        auth::logout,
        auth::me,
        interviews::start,
        interviews::list,
        interviews::get,
        interviews::answer,
        interviews::messages,
        interviews::latest,
        interviews::status,
        interviews::complete,
        interviews::transcript,
        audio::message_audio,
        audio::answer_audio,
        assessments::assessment,
        assessments::events,
        realtime::connect,
        job_postings::list,
        job_postings::get,
        applications::apply,
        applications::mine,
        applications::get,
        recruiter_auth::login,
        recruiter_auth::logout,
        recruiter_auth::me,
        recruiter_users::create,
        recruiter_users::list,
        recruiter_users::update,
        recruiter_postings::create,
        recruiter_postings::list,
        recruiter_postings::get,
        recruiter_postings::update,
        recruiter_applications::get,
        recruiter_candidates::list,
        recruiter_interviews::list,
        recruiter_interviews::get,
        recruiter_interviews::assessment,
        recruiter_interviews::regenerate,
        recruiter_interviews::decide,
        recruiter_webhooks::create,
        recruiter_webhooks::list,
        recruiter_webhooks::get,
        recruiter_webhooks::update,
        recruiter_webhooks::delete,
        recruiter_webhooks::deliveries,
        videos::tech_check,
        videos::consent,
        videos::upload_for_interview,
        videos::upload_chunk,
        videos::finalize,
        videos::chunks,
        videos::metadata,
        videos::delete,
        videos::watch,
        profile::get,
        profile::basic_info,
        profile::skills,
        profile::preferences,
        resumes::upload,
        resumes::list,
        resumes::get,
        resumes::delete,
        resumes::activate,
        resumes::download,
        resumes::file,
        resumes::parsing_status,
        resumes::analysis,
        resumes::feedback,
        matching::jobs,
        matching::explanation,
        recruiter_feedback::list,
        recruiter_feedback::get,
        recruiter_feedback::edit,
        recruiter_feedback::approve,
        recruiter_feedback::reject,
    ),
    components(schemas(ErrorResponse, ErrorBody)),
    modifiers(&BearerAuth, &CommonResponses),
    tags(
        (name = "auth", description = "Candidate accounts and tokens"),
        (name = "interviews", description = "Running an interview"),
        (name = "jobs", description = "The public listing of open job postings"),
        (name = "applications", description = "A candidate's applications to jobs"),
        (name = "recruiter", description = "Recruiters (`recruiter_bearer` tokens from \
            `/api/v1/recruiter/auth/login`): accounts, job postings, the organization's \
            interviews, assessments and decisions. Everything is scoped to the recruiter's \
            organization; another organization's resources are 404s. Roles: `admin` (everything, \
            and user and webhook management), `recruiter` (jobs, regeneration, decisions), `viewer` (read only)."),
        (name = "portal", description = "The candidate's profile, resumes (parsed in the \
            background into skills and feedback that recruiters approve before it is emailed) and \
            open jobs ranked for them"),
        (name = "video", description = "The tech check, consent to be filmed, resumable \
            chunk uploads (WebM or MP4), and the finished recording, streamed with ranges to \
            the candidate and the recruiters of the interview's organization"),
        (name = "health", description = "Liveness, readiness, AI provider status and the \
            Prometheus metrics"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A candidate token, from /api/v1/auth/register or /api/v1/auth/login",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "recruiter_bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("A recruiter token, from /api/v1/recruiter/auth/login"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics_bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "`metrics.token` (APP__METRICS__TOKEN), for Prometheus; /metrics is open \
                         when it is not set (development only)",
                    ))
                    .build(),
            ),
        );
    }
}

/// The responses every operation of a kind can give, added where the handler's annotation does
/// not already name them, so a new handler cannot forget them: 401 and 403 on operations
/// authenticated with a candidate's or a recruiter's token (`/metrics`, on its own token, names
/// its 401 itself and has no 403), 400/413/415/422 on JSON bodies, 408 on every body (a body
/// that stops arriving), 429 on the rate-limited sign-in routes
/// (`/api/v1/auth/*`, `/api/v1/candidates/*`, `/api/v1/recruiter/auth/*`).
struct CommonResponses;

const JSON_BODY: [(&str, &str); 4] = [
    ("400", "Malformed JSON (`malformed_json`)"),
    (
        "413",
        "The body is larger than `server.json_limit_bytes` (`payload_too_large`)",
    ),
    ("415", "The body is not JSON (`unsupported_media_type`)"),
    (
        "422",
        "The JSON does not have the expected shape (`invalid_body`) or a field is invalid (`validation_failed`)",
    ),
];

/// The scopes `startup` puts behind the per-address rate limiter.
pub const RATE_LIMITED: [&str; 3] = [
    "/api/v1/auth/",
    "/api/v1/candidates/",
    "/api/v1/recruiter/auth/",
];

const AUTHENTICATED: [(&str, &str); 2] = [
    (
        "401",
        "Missing, invalid, expired or revoked token (`unauthorized`)",
    ),
    (
        "403",
        "The token is another audience's: a recruiter's on a candidate endpoint or a candidate's \
         on a recruiter endpoint (`forbidden`)",
    ),
];

fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("ErrorResponse"))),
        )
        .build()
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// Whether the operation is authenticated with a candidate's or a recruiter's token: the ones
/// that answer another audience's token with 403. (utoipa keeps a requirement's scheme names
/// private; its serialized form shows them.)
fn takes_account_tokens(operation: &Operation) -> bool {
    let Ok(security) = serde_json::to_value(&operation.security) else {
        return false;
    };
    security.as_array().is_some_and(|alternatives| {
        alternatives.iter().any(|alternative| {
            ["bearer", "recruiter_bearer"]
                .iter()
                .any(|scheme| alternative.get(scheme).is_some())
        })
    })
}

fn has_json_body(operation: &Operation) -> bool {
    match &operation.request_body {
        Some(RefOr::T(RequestBody { content, .. })) => content.contains_key("application/json"),
        _ => false,
    }
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in &mut openapi.paths.paths {
            let rate_limited = RATE_LIMITED.iter().any(|prefix| path.starts_with(prefix));
            for operation in operations(item) {
                let mut common: Vec<(&str, Response)> = Vec::new();
                if takes_account_tokens(operation) {
                    common
                        .extend(AUTHENTICATED.map(|(status, text)| (status, error_response(text))));
                }
                if has_json_body(operation) {
                    common.extend(JSON_BODY.map(|(status, text)| (status, error_response(text))));
                }
                if operation.request_body.is_some() {
                    common.push((
                        "408",
                        error_response(
                            "The body stopped arriving for `server.body_idle_timeout_seconds` \
                             (`request_timeout`)",
                        ),
                    ));
                }
                if rate_limited {
                    common.push((
                        "429",
                        error_response("Too many requests from this address (`rate_limited`)"),
                    ));
                }
                for (status, response) in common {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| RefOr::T(response));
                }
                // every 429 (rate limit, lockout) says when to come back
                if let Some(RefOr::T(limited)) = operation.responses.responses.get_mut("429") {
                    limited
                        .headers
                        .entry("Retry-After".into())
                        .or_insert_with(|| {
                            let seconds = ObjectBuilder::new().schema_type(Type::Integer);
                            RefOr::T(Header::new(seconds))
                        });
                }
            }
        }
    }
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// The document at `/api/v1/openapi.json` and the interactive docs (vendored Swagger UI) at
/// `/docs/`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/docs").route(web::get().to(docs_redirect)))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", ApiDoc::openapi()));
}
