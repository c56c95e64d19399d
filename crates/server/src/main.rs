use std::path::PathBuf;
use std::process::ExitCode;

use server::config::Settings;
use server::{Application, telemetry};

/// mimalloc returns freed memory to the system; glibc's allocator keeps each 19 MiB argon2
/// buffer after a login or registration, growing the process by that much per request.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let config_dir =
        std::env::var_os("APP_CONFIG_DIR").map_or_else(|| PathBuf::from("config"), PathBuf::from);
    let settings = match Settings::load(&config_dir) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(&settings.log);
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
