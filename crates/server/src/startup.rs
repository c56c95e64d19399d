//! Wiring: adapters → services → HTTP server. `Application::build` binds first, so tests can
//! ask for port 0 and read the port back.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use actix_cors::Cors;
use actix_governor::{Governor, GovernorConfigBuilder};
use actix_web::dev::Server;
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::{Compress, Condition, DefaultHeaders, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use adapter_db::{SeaOrmCandidates, SeaOrmCredentials, SeaOrmInterviews};
use adapter_object_store::ObjectBlobStore;
use adapter_offline::{OFFLINE_MODEL, OfflineInterviewer, QuestionBank};
use adapter_openai::OpenAiProvider;
use chrono::Duration;
use interview_core::SpeechServices;
use interview_core::accounts::{AccountService, PasswordHasher};
use interview_core::cost::Budget;
use interview_core::lifecycle::CompletionSettings;
use interview_core::ports::{
    BlobStore, Clock, InterviewerModel, SpeechSynthesizer, SystemClock, Transcriber,
};
use interview_core::validation::Password;
use interview_core::{InterviewService, InterviewSettings};
use secrecy::ExposeSecret;
use thiserror::Error;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::{Argon2Hasher, TokenService, generated_secret};
use crate::config::{AiProvider, Environment, Settings};
use crate::error::{ApiError, json_error, path_error, query_error};
use crate::middleware::{error_body, request_id};
use crate::openapi::ApiDoc;
use crate::rate_limit::JsonPeerIp;
use crate::revocations::CachedRevocations;
use crate::routes::{audio, auth, health, interviews};
use crate::state::{AiHealth, AppState, Observed};

#[derive(Debug, Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] adapter_db::ConnectError),
    #[error(
        "the database schema is behind: {} migration(s) pending ({}). Run \
         `DATABASE_URL=<url> cargo run -p migration -- up`, or set database.auto_migrate = true \
         (APP__DATABASE__AUTO_MIGRATE=true)",
        .0.len(),
        .0.join(", ")
    )]
    MigrationsBehind(Vec<String>),
    #[error("the offline question bank is invalid: {0}")]
    QuestionBank(#[from] adapter_offline::BankError),
    #[error("cannot bind {address}: {source}")]
    Bind {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Other(String),
}

pub struct Application {
    port: u16,
    server: Server,
    sweep: tokio::task::JoinHandle<()>,
}

fn interview_settings(settings: &Settings) -> InterviewSettings {
    let section = &settings.interview;
    InterviewSettings {
        budget: Budget {
            limit_usd: section.budget_usd,
        },
        completion: CompletionSettings {
            min_questions: section.min_questions,
            max_questions: section.max_questions,
            time_limit_seconds: section.time_limit_minutes.map(|minutes| minutes * 60),
            inactivity_timeout_seconds: section.inactivity_timeout_minutes * 60,
            ..CompletionSettings::default()
        },
        ..InterviewSettings::default()
    }
}

fn cors(settings: &Settings) -> Cors {
    let origins = &settings.server.cors_origins;
    let base = if origins.is_empty() && settings.environment() == Environment::Development {
        Cors::default().allow_any_origin()
    } else {
        origins
            .iter()
            .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
    };
    base.allowed_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::HeaderName::from_static("x-request-id"),
            header::RETRY_AFTER,
        ])
        .max_age(3600)
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such endpoint",
    ))
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

impl Application {
    /// Connects, migrates (or checks migrations), wires the services and binds the listener.
    ///
    /// # Errors
    /// [`StartupError`] saying what to fix.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let db = adapter_db::connect(&settings.database.adapter_settings()).await?;
        if settings.database.auto_migrate {
            adapter_db::migrate(&db).await?;
        } else {
            let pending = adapter_db::pending_migrations(&db).await?;
            if !pending.is_empty() {
                return Err(StartupError::MigrationsBehind(pending));
            }
        }
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);

        let blobs: Arc<dyn BlobStore> = Arc::new(
            ObjectBlobStore::from_settings(&settings.storage.blob_settings())
                .map_err(|error| StartupError::Other(format!("storage: {error}")))?,
        );
        let (model, speech, ai) = if settings.ai.resolved_provider() == AiProvider::Openai {
            let openai = Arc::new(
                OpenAiProvider::new(&settings.ai.openai, &clock)
                    .map_err(|error| StartupError::Other(error.to_string()))?,
            );
            tracing::info!(
                base_url = %settings.ai.openai.base_url,
                chat_model = %settings.ai.openai.chat_model,
                "AI provider: OpenAI"
            );
            let health = Arc::new(
                AiHealth::new("openai", &settings.ai.openai.chat_model).with_openai(openai.clone()),
            );
            let speech = SpeechServices {
                transcriber: Arc::new(Observed::<dyn Transcriber>::new(
                    openai.transcriber.clone(),
                    health.clone(),
                    clock.clone(),
                )),
                synthesizer: Arc::new(Observed::<dyn SpeechSynthesizer>::new(
                    openai.synthesizer.clone(),
                    health.clone(),
                    clock.clone(),
                )),
                blobs,
                language: settings.ai.openai.language.clone(),
            };
            let model: Arc<dyn InterviewerModel> = openai.interviewer.clone();
            (model, Some(speech), health)
        } else {
            tracing::info!("AI provider: the offline interviewer (no speech)");
            let model: Arc<dyn InterviewerModel> =
                Arc::new(OfflineInterviewer::new(QuestionBank::builtin()?));
            (
                model,
                None,
                Arc::new(AiHealth::new("offline", OFFLINE_MODEL)),
            )
        };
        let interviewer = Arc::new(Observed::<dyn InterviewerModel>::new(
            model,
            ai.clone(),
            clock.clone(),
        ));
        let mut service = InterviewService::new(
            Arc::new(SeaOrmInterviews::new(db.clone())),
            interviewer,
            clock.clone(),
            interview_settings(&settings),
        );
        if let Some(speech) = speech {
            service = service.with_speech(speech);
        }
        let interviews = Arc::new(service);

        let hasher = Arc::new(Argon2Hasher::new(settings.auth.max_concurrent_hashes));
        let decoy_password = Password::parse("Decoy-Passw0rd!")
            .map_err(|error| StartupError::Other(error.to_string()))?;
        let decoy_hash = hasher
            .hash(&decoy_password)
            .await
            .map_err(|error| StartupError::Other(error.to_string()))?;
        let accounts = Arc::new(AccountService::new(
            Arc::new(SeaOrmCandidates::new(db.clone())),
            Arc::new(CachedRevocations::new(
                Arc::new(SeaOrmCredentials::new(db.clone())),
                StdDuration::from_secs(1),
            )),
            hasher,
            clock.clone(),
            settings.auth.lockout,
            decoy_hash,
        ));
        let secret = settings.auth.jwt_secret.clone().unwrap_or_else(|| {
            tracing::warn!(
                "no auth.jwt_secret (JWT_SECRET) configured: using a generated one; tokens will \
                 not survive a restart"
            );
            generated_secret()
        });
        debug_assert!(!secret.expose_secret().is_empty());
        let tokens = Arc::new(TokenService::new(
            &secret,
            Duration::minutes(settings.auth.token_ttl_minutes),
        ));

        let state = web::Data::new(AppState {
            interviews: interviews.clone(),
            accounts: accounts.clone(),
            tokens,
            clock,
            db,
            ai,
        });

        let address = format!("{}:{}", settings.server.host, settings.server.port);
        let listener = TcpListener::bind(&address).map_err(|source| StartupError::Bind {
            address: address.clone(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartupError::Bind {
                address: address.clone(),
                source,
            })?
            .port();

        let governor = GovernorConfigBuilder::default()
            .requests_per_second(settings.rate_limit.per_second)
            .burst_size(settings.rate_limit.burst)
            .key_extractor(JsonPeerIp)
            .finish()
            .ok_or_else(|| StartupError::Other("rate_limit: invalid quota".into()))?;
        let rate_limited = settings.rate_limit.enabled;
        let json_limit = settings.server.json_limit_bytes;
        let openapi = ApiDoc::openapi();
        let app_settings = settings.clone();

        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(
                    web::JsonConfig::default()
                        .limit(json_limit)
                        .error_handler(json_error),
                )
                .app_data(web::PathConfig::default().error_handler(path_error))
                .app_data(web::QueryConfig::default().error_handler(query_error))
                .wrap(Compress::default())
                .wrap(from_fn(error_body))
                .wrap(cors(&app_settings))
                .wrap(
                    DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("X-Frame-Options", "DENY"))
                        .add(("Referrer-Policy", "no-referrer")),
                )
                .wrap(from_fn(request_id))
                .route("/health", web::get().to(health::health))
                .route("/ready", web::get().to(health::ready))
                .route("/api/v1/ai/status", web::get().to(health::ai_status))
                .service(
                    web::scope("/api/v1/auth")
                        .wrap(Condition::new(rate_limited, Governor::new(&governor)))
                        .route("/register", web::post().to(auth::register))
                        .route("/login", web::post().to(auth::login))
                        .route("/logout", web::post().to(auth::logout))
                        .route("/me", web::get().to(auth::me)),
                )
                .service(
                    web::scope("/api/v1/interviews")
                        .route("", web::get().to(interviews::list))
                        .route("/start", web::post().to(interviews::start))
                        .route("/{id}", web::get().to(interviews::get))
                        .route("/{id}/messages", web::post().to(interviews::answer))
                        .route("/{id}/messages", web::get().to(interviews::messages))
                        .route("/{id}/messages/latest", web::get().to(interviews::latest))
                        .route(
                            "/{id}/messages/{message_id}/audio",
                            web::get().to(audio::message_audio),
                        )
                        .route("/{id}/status", web::get().to(interviews::status))
                        .route("/{id}/complete", web::post().to(interviews::complete))
                        .route("/{id}/transcript", web::get().to(interviews::transcript)),
                )
                .route("/docs", web::get().to(docs_redirect))
                .service(
                    SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", openapi.clone()),
                )
                .default_service(web::to(not_found))
        })
        .listen(listener)
        .map_err(|source| StartupError::Bind { address, source })?
        .shutdown_timeout(30);
        if settings.server.workers > 0 {
            server = server.workers(settings.server.workers);
        }
        let server = server.run();

        let sweep_every = StdDuration::from_secs(settings.interview.sweep_interval_seconds);
        let sweep = tokio::spawn(async move {
            let mut ticker = tokio::time::interval(sweep_every);
            loop {
                ticker.tick().await;
                match interviews.abandon_inactive().await {
                    Ok(0) => {}
                    Ok(count) => tracing::info!(count, "marked idle interviews abandoned"),
                    Err(error) => tracing::warn!(%error, "abandonment sweep failed"),
                }
                if let Err(error) = accounts.purge_expired_tokens().await {
                    tracing::warn!(%error, "purging expired token revocations failed");
                }
            }
        });

        Ok(Self {
            port,
            server,
            sweep,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM or Ctrl-C, then drains in-flight requests (up to 30 s).
    ///
    /// # Errors
    /// The server's I/O error.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.sweep.abort();
        result
    }
}
