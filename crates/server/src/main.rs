use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use server::cli::{AdminCommand, Cli, Command, admin_password, create_admin};
use server::config::Settings;
use server::{Application, telemetry};

/// mimalloc returns freed memory to the system; glibc's allocator keeps each 19 MiB argon2
/// buffer after a login or registration, growing the process by that much per request.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config_dir =
        std::env::var_os("APP_CONFIG_DIR").map_or_else(|| PathBuf::from("config"), PathBuf::from);
    let settings = match Settings::load(&config_dir) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        None | Some(Command::Serve) => serve(settings).await,
        Some(Command::Admin {
            command:
                AdminCommand::Create {
                    organization,
                    email,
                    full_name,
                },
        }) => {
            let created = match admin_password() {
                Ok(password) => {
                    create_admin(&settings, &organization, &email, &full_name, &password).await
                }
                Err(error) => Err(error),
            };
            match created {
                Ok((organization, admin)) => {
                    println!("organization_id: {}", organization.id);
                    println!("organization: {}", organization.name);
                    println!("recruiter_id: {}", admin.id);
                    println!("email: {}", admin.email.as_str());
                    println!("role: {}", admin.role);
                    println!("Sign in with POST /api/v1/recruiter/auth/login");
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("admin create failed: {}", with_causes(&error));
                    ExitCode::FAILURE
                }
            }
        }
    }
}

async fn serve(settings: Settings) -> ExitCode {
    let telemetry = telemetry::init(&settings.log, &settings.traces);
    if telemetry.traces_on() {
        tracing::info!(endpoint = %settings.traces.otlp_endpoint.trim(), "sending traces over OTLP");
    }
    // boxed: the whole server's start-up and run is a large future
    let code = Box::pin(run(settings)).await;
    telemetry.shutdown().await;
    code
}

async fn run(settings: Settings) -> ExitCode {
    let host = settings.server.host.clone();
    let application = match Application::build(settings).await {
        Ok(application) => application,
        Err(error) => {
            let error = with_causes(&error);
            tracing::error!(%error, "start-up failed");
            eprintln!("start-up failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    let base = format!("http://{host}:{}", application.port());
    tracing::info!(api = %format!("{base}/api/v1"), docs = %format!("{base}/docs/"), "listening");
    println!("Interview API: {base}/api/v1  ·  docs: {base}/docs/");
    match application.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "server stopped with an error");
            ExitCode::FAILURE
        }
    }
}

/// The error and each of its causes: "cannot bind 0.0.0.0:80: permission denied".
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
