//! Wiring: adapters → services → HTTP server. `Application::build` binds first, so tests can
//! ask for port 0 and read the port back. This file only composes: each resource registers its
//! own routes (`routes::*::configure`), each background job is a task of its own (`jobs`).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use actix_cors::Cors;
use actix_governor::{Governor, GovernorConfigBuilder};
use actix_web::dev::Server;
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::{Compress, Condition, DefaultHeaders, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use adapter_db::{
    SeaOrmApplications, SeaOrmAssessments, SeaOrmCandidates, SeaOrmCredentials, SeaOrmInterviews,
    SeaOrmJobPostings, SeaOrmJobs, SeaOrmProfiles, SeaOrmRecruiterInterviews, SeaOrmRecruiters,
    SeaOrmResumes, SeaOrmVideos, SeaOrmWebhooks,
};
use adapter_documents::DocumentText;
use adapter_object_store::ObjectBlobStore;
use adapter_offline::resume::{OfflineFeedbackAuthor, OfflineResumeAnalyzer};
use adapter_offline::{OFFLINE_MODEL, OfflineAssessor, OfflineInterviewer, QuestionBank};
use adapter_openai::OpenAiProvider;
use adapter_webhooks::HttpWebhookSender;
use chrono::Duration;
use interview_core::InterviewService;
use interview_core::SpeechServices;
use interview_core::accounts::{AccountService, HashError, PasswordHasher};
use interview_core::assessment::AssessmentService;
use interview_core::jobs::JobRunner;
use interview_core::portal::{FeedbackSender, PortalService, PortalStores, ResumeParser};
use interview_core::ports::WebhookRepository;
use interview_core::ports::{
    AssessmentWriter, BlobStore, Clock, FeedbackAuthor, InterviewerModel, RealtimeVoice,
    ResumeAnalyzer, SpeechSynthesizer, SystemClock, Transcriber,
};
use interview_core::recruiting::{RecruitingService, RecruitingStores};
use interview_core::validation::{Password, PasswordError, PasswordPolicy};
use interview_core::video::VideoService;
use interview_core::webhooks::{Deliver, FanOut, WebhookService};
use secrecy::ExposeSecret;
use thiserror::Error;

use crate::auth::{Argon2Hasher, TokenService, generated_secret};
use crate::body_timeout::{BodyIdleTimeout, body_timeout};
use crate::config::{AiProvider, Environment, Settings};
use crate::error::{ApiError, json_error, path_error, query_error};
use crate::jobs::{
    Jobs, Yielding, abandonment_sweep, feedback_auto_send, queue_worker, revoked_token_purge,
    video_retention,
};
use crate::middleware::{InFlight, count_in_flight, error_body, request_id};
use crate::observability::cost::MeteredAssessor;
use crate::observability::requests::record_requests;
use crate::observability::{self, MetricsEndpoint};
use crate::openapi;
use crate::probes::{DatabaseReadiness, OpenAiBreakers};
use crate::rate_limit::{JsonAccount, JsonPeerIp};
use crate::realtime::account_sessions::AccountSessions;
use crate::revocations::CachedRevocations;
use crate::routes::{
    applications, assessments, audio, auth, health, interviews, job_postings, matching, profile,
    realtime, recruiter, resumes, videos,
};
use crate::state::{AiHealth, AppState, LiveConnections, Observed, RealtimeState};

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
    #[error("the offline question bank is invalid")]
    QuestionBank(#[from] adapter_offline::BankError),
    #[error("cannot bind {address}")]
    Bind {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error("blob storage (storage.*) cannot be set up")]
    Storage(#[source] adapter_object_store::BlobSetupError),
    #[error("the OpenAI provider (ai.openai.*) cannot be set up")]
    OpenAi(#[source] adapter_openai::SetupError),
    #[error("the built-in decoy password breaks the password policy")]
    DecoyPassword(#[source] PasswordError),
    #[error("the password hasher does not work")]
    PasswordHashing(#[source] HashError),
    #[error("email (email.*) cannot be set up")]
    Email(#[source] adapter_email::EmailSetupError),
    #[error("webhook delivery (webhooks.*) cannot be set up")]
    Webhooks(#[source] adapter_webhooks::BuildError),
    #[error(
        "rate_limit.per_second = {per_second} and rate_limit.burst = {burst} are not a valid quota"
    )]
    RateLimitQuota { per_second: u64, burst: u32 },
}

pub struct Application {
    port: u16,
    server: Server,
    jobs: Jobs,
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
    base.allowed_methods([
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
    ])
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

/// The interviewer, the speech services (OpenAI only) and what `/api/v1/ai/status` reports.
struct AiServices {
    model: Arc<dyn InterviewerModel>,
    assessor: Arc<dyn AssessmentWriter>,
    resume_analyzer: Arc<dyn ResumeAnalyzer>,
    feedback_author: Arc<dyn FeedbackAuthor>,
    speech: Option<SpeechServices>,
    realtime: Option<Arc<dyn RealtimeVoice>>,
    health: Arc<AiHealth>,
}

fn ai_services(
    settings: &Settings,
    clock: &Arc<dyn Clock>,
    blobs: Arc<dyn BlobStore>,
) -> Result<AiServices, StartupError> {
    if settings.ai.resolved_provider() != AiProvider::Openai {
        tracing::info!("AI provider: the offline interviewer (no speech)");
        let model: Arc<dyn InterviewerModel> =
            Arc::new(OfflineInterviewer::new(QuestionBank::builtin()?));
        return Ok(AiServices {
            model,
            assessor: Arc::new(OfflineAssessor),
            resume_analyzer: Arc::new(OfflineResumeAnalyzer),
            feedback_author: Arc::new(OfflineFeedbackAuthor),
            speech: None,
            realtime: None,
            health: Arc::new(AiHealth::new("offline", OFFLINE_MODEL)),
        });
    }
    let openai =
        Arc::new(OpenAiProvider::new(&settings.ai.openai, clock).map_err(StartupError::OpenAi)?);
    tracing::info!(
        base_url = %settings.ai.openai.base_url,
        chat_model = %settings.ai.openai.chat_model,
        "AI provider: OpenAI"
    );
    let pricing = settings.interview_settings().pricing;
    let health = Arc::new(
        AiHealth::new("openai", &settings.ai.openai.chat_model)
            .with_breakers(Arc::new(OpenAiBreakers(openai.clone())))
            .with_pricing(pricing.clone()),
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
    Ok(AiServices {
        model,
        assessor: Arc::new(MeteredAssessor::new(openai.assessor.clone(), pricing)),
        resume_analyzer: openai.resume_analyzer.clone(),
        feedback_author: openai.feedback_author.clone(),
        speech: Some(speech),
        realtime: Some(openai.realtime.clone()),
        health,
    })
}

fn signing_secret(settings: &Settings) -> secrecy::SecretString {
    let secret = settings.auth.jwt_secret.clone().unwrap_or_else(|| {
        tracing::warn!(
            "no auth.jwt_secret (JWT_SECRET) configured: using a generated one; tokens will not \
             survive a restart"
        );
        generated_secret()
    });
    debug_assert!(!secret.expose_secret().is_empty());
    secret
}

impl Application {
    /// Connects, migrates (or checks migrations), wires the services, binds the listener and
    /// spawns the background jobs.
    ///
    /// # Errors
    /// [`StartupError`] saying what to fix.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// As [`Self::build`], on `clock` (tests move time forward to see retention work).
    ///
    /// # Errors
    /// [`StartupError`] saying what to fix.
    pub async fn build_with_clock(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartupError> {
        let db = open_database(&settings).await?;
        let object_store = ObjectBlobStore::from_settings(&settings.storage.blobs)
            .map_err(StartupError::Storage)?;
        let blobs: Arc<dyn BlobStore> = Arc::new(object_store.clone());
        let AiServices {
            model,
            assessor,
            resume_analyzer,
            feedback_author,
            speech,
            realtime: realtime_voice,
            health: ai,
        } = ai_services(&settings, &clock, blobs.clone())?;
        let interviewer = Arc::new(Observed::<dyn InterviewerModel>::new(
            model,
            ai.clone(),
            clock.clone(),
        ));
        let interview_store = Arc::new(SeaOrmInterviews::new(db.clone()));
        let mut service = InterviewService::new(
            interview_store.clone(),
            interviewer,
            clock.clone(),
            settings.interview_settings(),
        );
        if let Some(speech) = speech {
            service = service.with_speech(speech);
        }
        let interviews = Arc::new(service);
        let video = Arc::new(VideoService::new(
            interviews.clone(),
            Arc::new(SeaOrmVideos::new(db.clone())),
            Arc::new(object_store),
            blobs.clone(),
            clock.clone(),
            settings.video_settings(),
        ));
        let job_queue = Arc::new(SeaOrmJobs::new(db.clone()));
        let assessments = Arc::new(AssessmentService::new(
            interview_store,
            Arc::new(SeaOrmAssessments::new(db.clone())),
            assessor,
            job_queue.clone(),
            clock.clone(),
            settings.interview_settings(),
        ));
        let webhook_store: Arc<dyn WebhookRepository> = Arc::new(SeaOrmWebhooks::new(db.clone()));
        let webhook_sender =
            HttpWebhookSender::new(&settings.webhooks).map_err(StartupError::Webhooks)?;
        let webhooks = Arc::new(WebhookService::new(
            webhook_store.clone(),
            clock.clone(),
            settings.webhooks,
        ));
        let runner = JobRunner::new(job_queue.clone(), clock.clone(), settings.jobs.runner)
            .with_handler(assessments.clone())
            .with_handler(Arc::new(FanOut::new(webhook_store.clone(), clock.clone())))
            .with_handler(Arc::new(Deliver::new(
                webhook_store,
                Arc::new(webhook_sender),
                clock.clone(),
                settings.webhooks,
            )));

        let hasher = Arc::new(Argon2Hasher::new(settings.auth.max_concurrent_hashes));
        let decoy_hash = decoy_hash(hasher.as_ref()).await?;
        let accounts = Arc::new(
            AccountService::new(
                Arc::new(SeaOrmCandidates::new(db.clone())),
                Arc::new(CachedRevocations::new(
                    Arc::new(SeaOrmCredentials::new(db.clone())),
                    StdDuration::from_secs(1),
                )),
                hasher.clone(),
                clock.clone(),
                settings.auth.lockout,
                decoy_hash.clone(),
            )
            .with_password_policy(settings.auth.password),
        );
        let recruiting = Arc::new(recruiting_service(
            &db,
            interviews.clone(),
            assessments.clone(),
            hasher,
            clock.clone(),
            &settings,
            decoy_hash,
        ));
        let secret = signing_secret(&settings);
        let tokens = Arc::new(TokenService::new(
            &secret,
            Duration::minutes(settings.auth.token_ttl_minutes),
        ));
        let resumes = Arc::new(SeaOrmResumes::new(db.clone()));
        let portal = Arc::new(PortalService::new(
            PortalStores {
                profiles: Arc::new(SeaOrmProfiles::new(db.clone())),
                resumes: resumes.clone(),
                feedback: resumes,
                recruiters: Arc::new(SeaOrmRecruiters::new(db.clone())),
                postings: Arc::new(SeaOrmJobPostings::new(db.clone())),
                files: blobs.clone(),
                jobs: job_queue.clone(),
            },
            clock.clone(),
            settings.portal.limits,
            // a key of its own for download links, derived from the token secret
            format!("resume-links:{}", secret.expose_secret()),
        ));
        let mailer = adapter_email::mailer(&settings.email).map_err(StartupError::Email)?;
        let runner = Arc::new(
            runner
                .with_handler(Arc::new(ResumeParser::new(
                    portal.clone(),
                    Arc::new(DocumentText),
                    resume_analyzer,
                    feedback_author,
                )))
                .with_handler(Arc::new(FeedbackSender::new(portal.clone(), mailer))),
        );

        let metrics = web::Data::new(MetricsEndpoint::new(
            &settings.metrics,
            job_queue.clone(),
            db.clone(),
        ));
        let state = web::Data::new(AppState {
            interviews: interviews.clone(),
            assessments,
            accounts: accounts.clone(),
            recruiting,
            webhooks,
            video: video.clone(),
            portal: portal.clone(),
            tokens,
            clock,
            readiness: Arc::new(DatabaseReadiness(db)),
            ai,
            realtime: RealtimeState {
                voice: realtime_voice,
                turn_detection: settings.realtime.turn_detection,
                idle_timeout: StdDuration::from_secs(settings.realtime.idle_timeout_seconds),
                lease_check: StdDuration::from_secs(settings.realtime.lease_check_seconds.max(1)),
                store_audio: settings.realtime.store_audio,
                live: LiveConnections::default(),
                per_account: AccountSessions::new(settings.realtime.max_sessions_per_account),
            },
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
        let in_flight = web::Data::new(InFlight::default());
        let server = http_server(
            &settings,
            state,
            in_flight.clone(),
            metrics,
            listener,
            &address,
        )?;

        let mut jobs = Jobs::new();
        jobs.spawn("metrics_upkeep", StdDuration::from_secs(5), || async {
            observability::upkeep();
        });
        jobs.spawn(
            "abandonment_sweep",
            StdDuration::from_secs(settings.interview.sweep_interval_seconds),
            abandonment_sweep(interviews),
        );
        jobs.spawn(
            "feedback_auto_send",
            StdDuration::from_secs(settings.portal.sweep_interval_seconds),
            feedback_auto_send(portal),
        );
        jobs.spawn(
            "video_retention",
            StdDuration::from_secs(settings.video.sweep_interval_seconds),
            video_retention(video),
        );
        jobs.spawn(
            "revoked_token_purge",
            StdDuration::from_secs(settings.auth.revocation_purge_interval_seconds),
            revoked_token_purge(accounts),
        );
        for _ in 0..settings.jobs.workers {
            jobs.spawn_worker(
                "job_worker",
                StdDuration::from_millis(settings.jobs.poll_interval_ms),
                queue_worker(
                    runner.clone(),
                    Yielding {
                        in_flight: in_flight.clone().into_inner(),
                        requests: settings.jobs.yield_at_requests_in_flight,
                        max_wait: StdDuration::from_secs(settings.jobs.max_deferral_seconds),
                    },
                ),
            );
        }
        Ok(Self { port, server, jobs })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM or Ctrl-C, then drains in-flight requests (up to 30 s) and stops
    /// the background jobs, waiting for a run in progress to finish.
    ///
    /// # Errors
    /// The server's I/O error.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.jobs.stop().await;
        result
    }
}

/// Connects, then migrates (`database.auto_migrate`) or checks that no migration is pending.
///
/// # Errors
/// [`StartupError::Database`], or [`StartupError::MigrationsBehind`] naming the pending ones.
pub async fn open_database(settings: &Settings) -> Result<adapter_db::Database, StartupError> {
    let db = adapter_db::connect(&settings.database.connection).await?;
    if settings.database.auto_migrate {
        adapter_db::migrate(&db).await?;
    } else {
        let pending = adapter_db::pending_migrations(&db).await?;
        if !pending.is_empty() {
            return Err(StartupError::MigrationsBehind(pending));
        }
    }
    Ok(db)
}

/// The hash checked when an email has no account, so a login takes as long either way.
///
/// # Errors
/// [`StartupError`] when the hasher does not work.
/// The blocking-pool size of each HTTP worker (see where the server is built).
const BLOCKING_THREADS_PER_WORKER: usize = 16;

pub async fn decoy_hash(hasher: &dyn PasswordHasher) -> Result<String, StartupError> {
    // checked against the default policy: the decoy never signs in, so the configured one does
    // not apply to it
    let decoy_password = Password::parse("Decoy-Passw0rd!", &PasswordPolicy::default(), None)
        .map_err(StartupError::DecoyPassword)?;
    hasher
        .hash(&decoy_password)
        .await
        .map_err(StartupError::PasswordHashing)
}

/// The recruiter side over the database, with the candidates' lockout settings.
pub fn recruiting_service(
    db: &adapter_db::Database,
    interviews: Arc<InterviewService>,
    assessments: Arc<AssessmentService>,
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
    settings: &Settings,
    decoy_hash: String,
) -> RecruitingService {
    RecruitingService::new(
        RecruitingStores {
            recruiters: Arc::new(SeaOrmRecruiters::new(db.clone())),
            postings: Arc::new(SeaOrmJobPostings::new(db.clone())),
            applications: Arc::new(SeaOrmApplications::new(db.clone())),
            interview_list: Arc::new(SeaOrmRecruiterInterviews::new(db.clone())),
            // login attempts only: revocations are checked through the accounts' cache
            credentials: Arc::new(SeaOrmCredentials::new(db.clone())),
        },
        interviews,
        assessments,
        hasher,
        clock,
        settings.auth.lockout,
        decoy_hash,
    )
    .with_password_policy(settings.auth.password)
}

/// The HTTP server: middleware, shared data, and each resource's routes.
fn http_server(
    settings: &Settings,
    state: web::Data<AppState>,
    in_flight: web::Data<InFlight>,
    metrics: web::Data<MetricsEndpoint>,
    listener: TcpListener,
    address: &str,
) -> Result<Server, StartupError> {
    let limits = &settings.rate_limit;
    let governor = GovernorConfigBuilder::default()
        .requests_per_second(limits.per_second)
        .burst_size(limits.burst)
        .key_extractor(JsonPeerIp)
        .finish()
        .ok_or(StartupError::RateLimitQuota {
            per_second: limits.per_second,
            burst: limits.burst,
        })?;
    let account_governor = GovernorConfigBuilder::default()
        .milliseconds_per_request((60_000 / limits.account_per_minute.max(1)).max(1))
        .burst_size(limits.account_burst)
        .key_extractor(JsonAccount)
        .finish()
        .ok_or(StartupError::RateLimitQuota {
            per_second: limits.account_per_minute,
            burst: limits.account_burst,
        })?;
    let rate_limited = limits.enabled;
    let json_limit = settings.server.json_limit_bytes;
    let body_idle = StdDuration::from_secs(settings.server.body_idle_timeout_seconds.max(1));
    let app_settings = settings.clone();
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(in_flight.clone())
            .app_data(metrics.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(json_limit)
                    .error_handler(json_error),
            )
            .app_data(web::Data::new(BodyIdleTimeout(body_idle)))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .wrap(from_fn(body_timeout))
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
            .wrap(from_fn(count_in_flight))
            .wrap(from_fn(record_requests))
            .configure(health::configure)
            .configure(crate::routes::metrics::configure)
            .service(
                web::scope("/api/v1/auth")
                    .wrap(Condition::new(rate_limited, Governor::new(&governor)))
                    .configure(auth::configure),
            )
            .service(
                web::scope("/api/v1/candidates")
                    .wrap(Condition::new(rate_limited, Governor::new(&governor)))
                    .configure(auth::configure_candidates),
            )
            .service(
                web::scope("/api/v1/recruiter/auth")
                    .wrap(Condition::new(rate_limited, Governor::new(&governor)))
                    .configure(recruiter::auth::configure),
            )
            .service(web::scope("/api/v1/recruiter").configure(recruiter::configure))
            .service(web::scope("/api/v1/job-postings").configure(job_postings::configure))
            .service(web::scope("/api/v1/applications").configure(applications::configure))
            .service(
                web::scope("/api/v1/interviews")
                    .wrap(Condition::new(
                        rate_limited,
                        Governor::new(&account_governor),
                    ))
                    .configure(interviews::configure)
                    .configure(audio::configure)
                    .configure(assessments::configure)
                    .configure(realtime::configure)
                    .configure(videos::configure_interview),
            )
            .service(web::scope("/api/v1/videos").configure(videos::configure))
            .service(web::scope("/api/v1/profile").configure(profile::configure))
            .service(web::scope("/api/v1/resumes").configure(resumes::configure))
            .service(web::scope("/api/v1/matching").configure(matching::configure))
            .configure(openapi::configure)
            .configure(crate::routes::web::configure)
            .default_service(web::to(not_found))
    })
    // Nagle off: realtime audio frames (every 20 ms) must not wait for the previous one's ACK
    .tcp_nodelay(true)
    .listen(listener)
    .map_err(|source| StartupError::Bind {
        address: address.to_owned(),
        source,
    })?
    .shutdown_timeout(30)
    // File I/O (local objects, audio) runs on each worker's blocking pool, and every blocking
    // thread keeps its own allocator heap: with tokio's default of 512 threads, 50 parallel video
    // uploads peaked ~5 MiB higher and stored chunks no faster than with 16 (docs/performance.md).
    .worker_max_blocking_threads(BLOCKING_THREADS_PER_WORKER);
    if settings.server.workers > 0 {
        server = server.workers(settings.server.workers);
    }
    Ok(server.run())
}
