//! The command line: `interview-server` (or `interview-server serve`) runs the API;
//! `interview-server admin create --organization … --email … --full-name …` creates an
//! organization's admin (the organization too when it does not exist). The password never goes
//! on the command line: it comes from `ADMIN_PASSWORD` or standard input.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use adapter_db::{SeaOrmAssessments, SeaOrmInterviews, SeaOrmJobs};
use adapter_offline::{OfflineAssessor, OfflineInterviewer, QuestionBank};
use clap::{Parser, Subcommand};
use interview_core::InterviewService;
use interview_core::assessment::AssessmentService;
use interview_core::model::Recruiter;
use interview_core::ports::{Clock, SystemClock};
use interview_core::recruiting::{Organization, RecruitingError};
use thiserror::Error;

use crate::auth::Argon2Hasher;
use crate::config::Settings;
use crate::startup::{StartupError, decoy_hash, open_database, recruiting_service};

/// The environment variable the admin's password is read from before standard input.
pub const PASSWORD_VARIABLE: &str = "ADMIN_PASSWORD";

#[derive(Debug, Parser)]
#[command(
    name = "interview-server",
    version,
    about = "The AI interview platform's API server",
    long_about = "The AI interview platform's API server. Configuration comes from ./config \
                  (or APP_CONFIG_DIR), APP_ENV and the environment, as for the server."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Recruiter accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin of an organization, and the organization when it does not exist (the
    /// first one becomes the platform's default). The password is read from ADMIN_PASSWORD, or
    /// from standard input.
    Create {
        /// The organization's name.
        #[arg(long)]
        organization: String,
        #[arg(long)]
        email: String,
        #[arg(long = "full-name")]
        full_name: String,
    },
}

#[derive(Debug, Error)]
pub enum CliError {
    #[error(transparent)]
    Startup(#[from] StartupError),
    #[error("the offline question bank is invalid")]
    QuestionBank(#[from] adapter_offline::BankError),
    #[error("{}", describe(.0))]
    Recruiting(#[from] RecruitingError),
    #[error("no password: set {PASSWORD_VARIABLE} or write it on standard input")]
    NoPassword,
    #[error("the password could not be read from standard input")]
    Stdin(#[source] std::io::Error),
}

fn describe(error: &RecruitingError) -> String {
    match error {
        RecruitingError::Validation(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|field| format!("{}: {}", field.field, field.message))
                .collect();
            format!("invalid input:\n  - {}", fields.join("\n  - "))
        }
        other => other.to_string(),
    }
}

/// The admin's password: `ADMIN_PASSWORD`, or the first line of standard input (with a prompt
/// when it is a terminal; the typing is echoed, so prefer the variable or a pipe).
///
/// # Errors
/// [`CliError::NoPassword`] when neither gives one.
pub fn admin_password() -> Result<String, CliError> {
    if let Some(password) = std::env::var_os(PASSWORD_VARIABLE) {
        return password
            .into_string()
            .ok()
            .filter(|password| !password.is_empty())
            .ok_or(CliError::NoPassword);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password: ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).map_err(CliError::Stdin)?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err(CliError::NoPassword);
    }
    Ok(password)
}

/// Creates an admin of `organization` (and the organization when it does not exist) in the
/// database `settings` name, migrating it first as the server would.
///
/// # Errors
/// [`CliError`]: the database, or the core's refusal (invalid input, an email taken).
pub async fn create_admin(
    settings: &Settings,
    organization: &str,
    email: &str,
    full_name: &str,
    password: &str,
) -> Result<(Organization, Recruiter), CliError> {
    let db = open_database(settings).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    // creating an account asks neither the interviewer nor the assessment writer anything: the
    // offline ones stand in, so no AI provider is contacted or needs configuring
    let interview_store = Arc::new(SeaOrmInterviews::new(db.clone()));
    let interviews = Arc::new(InterviewService::new(
        interview_store.clone(),
        Arc::new(OfflineInterviewer::new(QuestionBank::builtin()?)),
        clock.clone(),
        settings.interview_settings(),
    ));
    let assessments = Arc::new(AssessmentService::new(
        interview_store,
        Arc::new(SeaOrmAssessments::new(db.clone())),
        Arc::new(OfflineAssessor),
        Arc::new(SeaOrmJobs::new(db.clone())),
        clock.clone(),
        settings.interview_settings(),
    ));
    let hasher = Arc::new(Argon2Hasher::new(settings.auth.max_concurrent_hashes));
    let decoy = decoy_hash(hasher.as_ref()).await?;
    let recruiting =
        recruiting_service(&db, interviews, assessments, hasher, clock, settings, decoy);
    Ok(recruiting
        .create_admin(organization, email, full_name, password)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_arguments_serve_and_admin_create_takes_its_three_options() {
        assert!(
            Cli::try_parse_from(["interview-server"])
                .unwrap()
                .command
                .is_none()
        );
        assert!(matches!(
            Cli::try_parse_from(["interview-server", "serve"])
                .unwrap()
                .command,
            Some(Command::Serve)
        ));
        let cli = Cli::try_parse_from([
            "interview-server",
            "admin",
            "create",
            "--organization",
            "Acme",
            "--email",
            "ada@acme.example",
            "--full-name",
            "Ada Lovelace",
        ])
        .unwrap();
        let Some(Command::Admin {
            command:
                AdminCommand::Create {
                    organization,
                    email,
                    full_name,
                },
        }) = cli.command
        else {
            panic!("not admin create");
        };
        assert_eq!(
            (organization.as_str(), email.as_str(), full_name.as_str()),
            ("Acme", "ada@acme.example", "Ada Lovelace")
        );
        // the password is never an option
        assert!(
            Cli::try_parse_from([
                "interview-server",
                "admin",
                "create",
                "--organization",
                "Acme",
                "--email",
                "ada@acme.example",
                "--full-name",
                "Ada",
                "--password",
                "Str0ng!pass",
            ])
            .is_err()
        );
    }
}
