//! `interview-server admin create`, run as a process with the server's configuration loading:
//! the password from `ADMIN_PASSWORD` or standard input, never an argument; the organization
//! created once; the ids printed.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BINARY: &str = env!("CARGO_BIN_EXE_interview-server");

/// Runs `admin create` against the SQLite database in `dir`, with `password` in the
/// environment or (when `stdin` is given) none there and `stdin` piped in.
fn admin_create(dir: &Path, email: &str, password: Option<&str>, stdin: Option<&str>) -> Output {
    let mut command = Command::new(BINARY);
    command
        .args([
            "admin",
            "create",
            "--organization",
            "Acme",
            "--email",
            email,
            "--full-name",
            "Ada Admin",
        ])
        .env("APP_ENV", "test")
        .env("APP_CONFIG_DIR", dir.join("no-config"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.join("cli.db").display()),
        )
        .env_remove("ADMIN_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(password) = password {
        command.env("ADMIN_PASSWORD", password);
    }
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn printed(output: &Output, key: &str) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{key}: ")))
        .unwrap_or_else(|| panic!("no {key} in {stdout}"))
        .to_owned()
}

#[test]
fn admin_create_makes_the_organization_once_and_prints_the_ids() {
    let dir = tempfile::tempdir().unwrap();
    let first = admin_create(dir.path(), "ada@acme.example", Some("Str0ng!pass"), None);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let organization = printed(&first, "organization_id");
    uuid::Uuid::parse_str(&organization).unwrap();
    uuid::Uuid::parse_str(&printed(&first, "recruiter_id")).unwrap();
    assert_eq!(printed(&first, "role"), "admin");

    // the password from standard input; the same organization
    let second = admin_create(dir.path(), "bob@acme.example", None, Some("Str0ng!pass\n"));
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(printed(&second, "organization_id"), organization);

    // the email is taken; no password at all; a password breaking the policy
    let taken = admin_create(dir.path(), "ada@acme.example", Some("Str0ng!pass"), None);
    assert!(!taken.status.success());
    let none = admin_create(dir.path(), "cy@acme.example", None, Some(""));
    assert!(!none.status.success());
    assert!(String::from_utf8_lossy(&none.stderr).contains("ADMIN_PASSWORD"));
    let weak = admin_create(dir.path(), "cy@acme.example", Some("short"), None);
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));
}
