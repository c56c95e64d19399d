//! Candidate accounts: registration with field-level validation, login with lockout after
//! repeated failures, logout by token revocation.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ids::CandidateId;
use crate::model::{Candidate, CandidateStatus};
use crate::ports::{CandidateRepository, Clock, RepositoryError};
use crate::validation::{Email, FullName, Password, PasswordPolicy};

/// Failed-login bookkeeping for one email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginAttempts {
    pub failed_count: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

/// How many failures lock an email, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LockoutSettings {
    pub max_failures: u32,
    /// Failures older than this no longer count.
    pub window_seconds: i64,
    pub lockout_seconds: i64,
}

impl Default for LockoutSettings {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window_seconds: 15 * 60,
            lockout_seconds: 15 * 60,
        }
    }
}

/// Login attempts and revoked tokens.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait CredentialStore: Send + Sync {
    /// Atomically counts one failed login (restarting the count when the first counted failure
    /// is older than `window_start`), locks the email until `lock_until` once the count reaches
    /// `max_failures`, and returns the attempts after it.
    ///
    /// # Errors
    /// Storage failures.
    async fn record_failed_login(
        &self,
        email: &Email,
        now: DateTime<Utc>,
        window_start: DateTime<Utc>,
        max_failures: u32,
        lock_until: DateTime<Utc>,
    ) -> Result<LoginAttempts, RepositoryError>;

    /// # Errors
    /// Storage failures.
    async fn login_attempts(&self, email: &Email)
    -> Result<Option<LoginAttempts>, RepositoryError>;

    /// # Errors
    /// Storage failures.
    async fn clear_failed_logins(&self, email: &Email) -> Result<(), RepositoryError>;

    /// Refuses a token from now on; revoking twice is not an error.
    ///
    /// # Errors
    /// Storage failures.
    async fn revoke_token(
        &self,
        jti: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;

    /// # Errors
    /// Storage failures.
    async fn is_token_revoked(&self, jti: &str) -> Result<bool, RepositoryError>;

    /// Every revocation of a token that has not expired yet.
    ///
    /// # Errors
    /// Storage failures.
    async fn revoked_tokens(&self, now: DateTime<Utc>) -> Result<Vec<String>, RepositoryError>;

    /// Forgets revocations of tokens that have expired anyway; returns how many.
    ///
    /// # Errors
    /// Storage failures.
    async fn purge_expired_tokens(&self, now: DateTime<Utc>) -> Result<u64, RepositoryError>;
}

#[derive(Debug, Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// Password hashing, slow by design; implementations keep it off the async executor.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// # Errors
    /// [`HashError`] when the hasher fails.
    async fn hash(&self, password: &Password) -> Result<String, HashError>;

    /// Whether `password` matches `hash`; a malformed hash is a mismatch.
    ///
    /// # Errors
    /// [`HashError`] when the hasher fails.
    async fn verify(&self, password: &str, hash: &str) -> Result<bool, HashError>;
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

#[derive(Debug, Error)]
pub enum AccountError {
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("invalid email or password")]
    InvalidCredentials,
    #[error("too many failed logins; try again later")]
    LockedOut { retry_after_seconds: i64 },
    #[error("account not found")]
    NotFound,
    /// Storage failed (unreachable, or worse); the cause is kept for the logs.
    #[error("account storage failed")]
    Storage(#[source] RepositoryError),
    #[error("password hashing failed")]
    Hashing(#[source] HashError),
}

impl From<RepositoryError> for AccountError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Duplicate(_) => Self::EmailTaken,
            RepositoryError::NotFound => Self::NotFound,
            other => Self::Storage(other),
        }
    }
}

impl From<HashError> for AccountError {
    fn from(error: HashError) -> Self {
        Self::Hashing(error)
    }
}

/// The one password check of the platform, for candidates and recruiters alike.
pub(crate) struct LoginCheck<'a> {
    pub credentials: &'a dyn CredentialStore,
    pub hasher: &'a dyn PasswordHasher,
    pub lockout: LockoutSettings,
    /// Verified against when the email is unknown, so both paths cost the same time.
    pub decoy_hash: &'a str,
}

impl LoginCheck<'_> {
    /// Refuses an email locked out by too many failures, even for the right password.
    ///
    /// # Errors
    /// [`AccountError::LockedOut`]; storage failures.
    pub(crate) async fn refuse_locked_out(
        &self,
        email: &Email,
        now: DateTime<Utc>,
    ) -> Result<(), AccountError> {
        if let Some(attempts) = self.credentials.login_attempts(email).await?
            && let Some(locked_until) = attempts.locked_until
            && locked_until > now
        {
            return Err(AccountError::LockedOut {
                retry_after_seconds: (locked_until - now).num_seconds().max(1),
            });
        }
        Ok(())
    }

    /// Verifies `password` against the account's hash (`account`: the hash and whether the
    /// account may sign in; the decoy's when there is no account). A failure counts toward the
    /// lockout; a success clears the count.
    ///
    /// # Errors
    /// [`AccountError::InvalidCredentials`], never saying which part was wrong.
    pub(crate) async fn verify(
        &self,
        email: &Email,
        password: &str,
        account: Option<(&str, bool)>,
        now: DateTime<Utc>,
    ) -> Result<(), AccountError> {
        let hash = account.map_or(self.decoy_hash, |(hash, _)| hash);
        let matches = self.hasher.verify(password, hash).await?;
        if matches && account.is_some_and(|(_, may_sign_in)| may_sign_in) {
            self.credentials.clear_failed_logins(email).await?;
            return Ok(());
        }
        self.credentials
            .record_failed_login(
                email,
                now,
                now - Duration::seconds(self.lockout.window_seconds),
                self.lockout.max_failures,
                now + Duration::seconds(self.lockout.lockout_seconds),
            )
            .await?;
        Err(AccountError::InvalidCredentials)
    }
}

pub struct AccountService {
    candidates: Arc<dyn CandidateRepository>,
    credentials: Arc<dyn CredentialStore>,
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
    lockout: LockoutSettings,
    /// Verified against when the email is unknown, so both paths cost the same time.
    decoy_hash: String,
    password_policy: PasswordPolicy,
}

impl AccountService {
    pub fn new(
        candidates: Arc<dyn CandidateRepository>,
        credentials: Arc<dyn CredentialStore>,
        hasher: Arc<dyn PasswordHasher>,
        clock: Arc<dyn Clock>,
        lockout: LockoutSettings,
        decoy_hash: String,
    ) -> Self {
        Self {
            candidates,
            credentials,
            hasher,
            clock,
            lockout,
            decoy_hash,
            password_policy: PasswordPolicy::default(),
        }
    }

    /// Registration checks passwords against `policy` instead of the default one.
    #[must_use]
    pub fn with_password_policy(mut self, policy: PasswordPolicy) -> Self {
        self.password_policy = policy;
        self
    }

    /// Creates a candidate account.
    ///
    /// # Errors
    /// [`AccountError::Validation`] listing every invalid field; [`AccountError::EmailTaken`].
    pub async fn register(
        &self,
        email: &str,
        password: &str,
        full_name: &str,
    ) -> Result<Candidate, AccountError> {
        let mut errors = Vec::new();
        let mut note = |field: &'static str, message: String| {
            errors.push(FieldError { field, message });
        };
        let email = Email::parse(email)
            .map_err(|e| note("email", e.to_string()))
            .ok();
        let password = Password::parse(password, &self.password_policy, email.as_ref())
            .map_err(|e| note("password", e.to_string()))
            .ok();
        let full_name = FullName::parse(full_name)
            .map_err(|e| note("full_name", e.to_string()))
            .ok();
        let (Some(email), Some(password), Some(full_name)) = (email, password, full_name) else {
            return Err(AccountError::Validation(errors));
        };
        if self.candidates.by_email(&email).await?.is_some() {
            return Err(AccountError::EmailTaken);
        }
        let now = self.clock.now();
        let candidate = Candidate {
            id: CandidateId::new(),
            email,
            full_name,
            password_hash: self.hasher.hash(&password).await?,
            phone: None,
            status: CandidateStatus::Active,
            created_at: now,
            updated_at: now,
            last_login_at: None,
        };
        self.candidates.insert(&candidate).await?;
        Ok(candidate)
    }

    /// Checks credentials. After `max_failures` failures within the window, the email is locked
    /// for `lockout_seconds`, even for the right password.
    ///
    /// # Errors
    /// [`AccountError::InvalidCredentials`] (never saying which part was wrong),
    /// [`AccountError::LockedOut`].
    pub async fn login(&self, email: &str, password: &str) -> Result<Candidate, AccountError> {
        let Ok(email) = Email::parse(email) else {
            return Err(AccountError::InvalidCredentials);
        };
        let now = self.clock.now();
        let check = LoginCheck {
            credentials: self.credentials.as_ref(),
            hasher: self.hasher.as_ref(),
            lockout: self.lockout,
            decoy_hash: &self.decoy_hash,
        };
        check.refuse_locked_out(&email, now).await?;
        let candidate = self.candidates.by_email(&email).await?;
        let account = candidate.as_ref().map(|c| {
            (
                c.password_hash.as_str(),
                c.status == CandidateStatus::Active,
            )
        });
        check.verify(&email, password, account, now).await?;
        let candidate = candidate.ok_or(AccountError::InvalidCredentials)?;
        self.candidates.record_login(candidate.id, now).await?;
        Ok(Candidate {
            last_login_at: Some(now),
            ..candidate
        })
    }

    /// # Errors
    /// [`AccountError::NotFound`] for an unknown or deleted account.
    pub async fn me(&self, id: CandidateId) -> Result<Candidate, AccountError> {
        match self.candidates.by_id(id).await? {
            Some(candidate) if candidate.status != CandidateStatus::Deleted => Ok(candidate),
            _ => Err(AccountError::NotFound),
        }
    }

    /// # Errors
    /// Storage failures.
    pub async fn logout(&self, jti: &str, expires_at: DateTime<Utc>) -> Result<(), AccountError> {
        Ok(self.credentials.revoke_token(jti, expires_at).await?)
    }

    /// # Errors
    /// Storage failures.
    pub async fn is_token_revoked(&self, jti: &str) -> Result<bool, AccountError> {
        Ok(self.credentials.is_token_revoked(jti).await?)
    }

    /// # Errors
    /// Storage failures.
    pub async fn purge_expired_tokens(&self) -> Result<u64, AccountError> {
        Ok(self
            .credentials
            .purge_expired_tokens(self.clock.now())
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{InMemoryCandidates, InMemoryCredentials, ManualClock};

    /// Stores the password reversed: enough to tell right from wrong.
    struct ReversingHasher;

    #[async_trait]
    impl PasswordHasher for ReversingHasher {
        async fn hash(&self, password: &Password) -> Result<String, HashError> {
            Ok(password.expose().chars().rev().collect())
        }
        async fn verify(&self, password: &str, hash: &str) -> Result<bool, HashError> {
            Ok(password.chars().rev().collect::<String>() == hash)
        }
    }

    fn service() -> (AccountService, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::default());
        (
            AccountService::new(
                Arc::new(InMemoryCandidates::default()),
                Arc::new(InMemoryCredentials::default()),
                Arc::new(ReversingHasher),
                clock.clone(),
                LockoutSettings::default(),
                "decoy".into(),
            ),
            clock,
        )
    }

    #[tokio::test]
    async fn registration_reports_every_invalid_field() {
        let (service, _) = service();
        let Err(AccountError::Validation(errors)) = service.register("nope", "short", " ").await
        else {
            panic!("expected a validation error");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["email", "password", "full_name"]);
    }

    #[tokio::test]
    async fn an_email_registers_once() {
        let (service, _) = service();
        let candidate = service
            .register("Ann@Example.com", "Str0ng!pass", "Ann")
            .await
            .unwrap();
        assert_ne!(candidate.password_hash, "Str0ng!pass");
        assert!(matches!(
            service
                .register("ann@example.com", "Str0ng!pass", "Ann")
                .await,
            Err(AccountError::EmailTaken)
        ));
    }

    #[tokio::test]
    async fn five_failures_lock_the_email_for_fifteen_minutes_even_with_the_right_password() {
        let (service, clock) = service();
        service
            .register("ann@example.com", "Str0ng!pass", "Ann")
            .await
            .unwrap();
        for _ in 0..5 {
            assert!(matches!(
                service.login("ann@example.com", "wrong").await,
                Err(AccountError::InvalidCredentials)
            ));
        }
        match service.login("ann@example.com", "Str0ng!pass").await {
            Err(AccountError::LockedOut {
                retry_after_seconds,
            }) => assert_eq!(retry_after_seconds, 900),
            other => panic!("expected a lockout, got {other:?}"),
        }
        clock.advance(Duration::minutes(15) + Duration::seconds(1));
        let candidate = service
            .login("ann@example.com", "Str0ng!pass")
            .await
            .unwrap();
        assert!(candidate.last_login_at.is_some());
    }

    #[tokio::test]
    async fn a_success_resets_the_failure_count() {
        let (service, _) = service();
        service
            .register("ann@example.com", "Str0ng!pass", "Ann")
            .await
            .unwrap();
        for _ in 0..4 {
            service.login("ann@example.com", "wrong").await.ok();
        }
        service
            .login("ann@example.com", "Str0ng!pass")
            .await
            .unwrap();
        for _ in 0..4 {
            service.login("ann@example.com", "wrong").await.ok();
        }
        assert!(
            service
                .login("ann@example.com", "Str0ng!pass")
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn unknown_emails_fail_like_wrong_passwords() {
        let (service, _) = service();
        assert!(matches!(
            service.login("ghost@example.com", "Str0ng!pass").await,
            Err(AccountError::InvalidCredentials)
        ));
        assert!(matches!(
            service.login("not an email", "x").await,
            Err(AccountError::InvalidCredentials)
        ));
    }

    #[tokio::test]
    async fn logout_revokes_the_token() {
        let (service, clock) = service();
        assert!(!service.is_token_revoked("jti-1").await.unwrap());
        service
            .logout("jti-1", clock.now() + Duration::hours(1))
            .await
            .unwrap();
        assert!(service.is_token_revoked("jti-1").await.unwrap());
        clock.advance(Duration::hours(2));
        assert_eq!(service.purge_expired_tokens().await.unwrap(), 1);
    }
}
