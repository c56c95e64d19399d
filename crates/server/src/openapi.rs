//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{ErrorBody, ErrorResponse};
use crate::routes::{audio, auth, health, interviews};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "AI interview platform API",
        description = "Adaptive technical interviews: candidates register, start an interview for a \
                       role and answer questions whose difficulty follows their answers. Every \
                       error has the shape `{\"error\": {\"code\", \"message\", \"request_id\"}}`."
    ),
    paths(
        health::health,
        health::ready,
        health::ai_status,
        auth::register,
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
    ),
    components(schemas(ErrorResponse, ErrorBody)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Candidate accounts and tokens"),
        (name = "interviews", description = "Running an interview"),
        (name = "health", description = "Liveness, readiness and AI provider status"),
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
                    .build(),
            ),
        );
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
