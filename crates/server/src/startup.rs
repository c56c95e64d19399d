//! Wiring: adapters → services → HTTP server. `Application::build` binds first, so tests can
//! ask for port 0 and read the port back. This file only composes: each resource registers its
//! own routes (`routes::*::configure`), each background job is a task of its own (`jobs`).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use actix_web::dev::Server;
use actix_web::web;
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

mod http;

use http::http_server;

use crate::auth::{Argon2Hasher, TokenService, generated_secret};
use crate::config::{AiProvider, Settings};
use crate::jobs::{
    Jobs, Yielding, abandonment_sweep, feedback_auto_send, queue_worker, revoked_token_purge,
    succeeded_job_purge, video_retention,
};
use crate::middleware::InFlight;
use crate::observability::cost::MeteredAssessor;
use crate::observability::{self, MetricsEndpoint};
use crate::probes::{DatabaseReadiness, OpenAiBreakers};
use crate::realtime::account_sessions::AccountSessions;
use crate::revocations::CachedRevocations;
use crate::state::{AiHealth, AppState, LiveConnections, Observed, RealtimeState};

/// How often each node deletes succeeded jobs past `jobs.keep_succeeded_days`.
const SUCCEEDED_JOB_PURGE_INTERVAL: StdDuration = StdDuration::from_hours(1);

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
        jobs.spawn(
            "succeeded_job_purge",
            SUCCEEDED_JOB_PURGE_INTERVAL,
            succeeded_job_purge(runner.clone()),
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
