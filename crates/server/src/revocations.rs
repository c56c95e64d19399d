//! Token revocations, checked on every authenticated request, read from the database at most
//! once a second per node instead of once per request. A logout takes effect at once on the node
//! that handled it and within a second everywhere else.

use std::collections::HashSet;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use interview_core::accounts::{CredentialStore, LoginAttempts};
use interview_core::ports::RepositoryError;
use interview_core::validation::Email;
use tokio::sync::Mutex;

pub struct CachedRevocations {
    inner: Arc<dyn CredentialStore>,
    refresh_every: Duration,
    snapshot: RwLock<Snapshot>,
    refreshing: Mutex<()>,
}

#[derive(Default)]
struct Snapshot {
    revoked: HashSet<String>,
    loaded_at: Option<Instant>,
}

impl CachedRevocations {
    pub fn new(inner: Arc<dyn CredentialStore>, refresh_every: Duration) -> Self {
        Self {
            inner,
            refresh_every,
            snapshot: RwLock::default(),
            refreshing: Mutex::new(()),
        }
    }

    fn cached(&self, jti: &str) -> Option<bool> {
        let snapshot = self.snapshot.read().unwrap_or_else(PoisonError::into_inner);
        let fresh = snapshot
            .loaded_at
            .is_some_and(|loaded| loaded.elapsed() < self.refresh_every);
        fresh.then(|| snapshot.revoked.contains(jti))
    }

    /// Reloads the set from the store now.
    ///
    /// # Errors
    /// Storage failures; the old set stays in place.
    pub async fn refresh(&self) -> Result<(), RepositoryError> {
        let revoked: HashSet<String> = self
            .inner
            .revoked_tokens(Utc::now())
            .await?
            .into_iter()
            .collect();
        let mut snapshot = self
            .snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        *snapshot = Snapshot {
            revoked,
            loaded_at: Some(Instant::now()),
        };
        Ok(())
    }
}

#[async_trait]
impl CredentialStore for CachedRevocations {
    async fn record_failed_login(
        &self,
        email: &Email,
        now: DateTime<Utc>,
        window_start: DateTime<Utc>,
        max_failures: u32,
        lock_until: DateTime<Utc>,
    ) -> Result<LoginAttempts, RepositoryError> {
        self.inner
            .record_failed_login(email, now, window_start, max_failures, lock_until)
            .await
    }

    async fn login_attempts(
        &self,
        email: &Email,
    ) -> Result<Option<LoginAttempts>, RepositoryError> {
        self.inner.login_attempts(email).await
    }

    async fn clear_failed_logins(&self, email: &Email) -> Result<(), RepositoryError> {
        self.inner.clear_failed_logins(email).await
    }

    async fn revoke_token(
        &self,
        jti: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        self.inner.revoke_token(jti, expires_at).await?;
        self.snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .revoked
            .insert(jti.to_owned());
        Ok(())
    }

    async fn is_token_revoked(&self, jti: &str) -> Result<bool, RepositoryError> {
        if let Some(revoked) = self.cached(jti) {
            return Ok(revoked);
        }
        // one refresh at a time; whoever waited finds the set fresh
        let _refreshing = self.refreshing.lock().await;
        if let Some(revoked) = self.cached(jti) {
            return Ok(revoked);
        }
        self.refresh().await?;
        Ok(self.cached(jti).unwrap_or(true))
    }

    async fn revoked_tokens(&self, now: DateTime<Utc>) -> Result<Vec<String>, RepositoryError> {
        self.inner.revoked_tokens(now).await
    }

    async fn purge_expired_tokens(&self, now: DateTime<Utc>) -> Result<u64, RepositoryError> {
        self.inner.purge_expired_tokens(now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use interview_core::testing::InMemoryCredentials;

    fn later() -> DateTime<Utc> {
        Utc::now() + chrono::Duration::hours(1)
    }

    #[tokio::test]
    async fn a_local_logout_is_seen_at_once() {
        let cache = CachedRevocations::new(
            Arc::new(InMemoryCredentials::default()),
            Duration::from_hours(1),
        );
        assert!(!cache.is_token_revoked("a").await.unwrap());
        cache.revoke_token("a", later()).await.unwrap();
        assert!(cache.is_token_revoked("a").await.unwrap());
    }

    #[tokio::test]
    async fn another_nodes_logout_is_seen_after_the_next_refresh() {
        let store: Arc<dyn CredentialStore> = Arc::new(InMemoryCredentials::default());
        let cache = CachedRevocations::new(store.clone(), Duration::from_hours(1));
        assert!(!cache.is_token_revoked("b").await.unwrap());
        // revoked behind this node's back
        store.revoke_token("b", later()).await.unwrap();
        assert!(!cache.is_token_revoked("b").await.unwrap(), "still cached");
        cache.refresh().await.unwrap();
        assert!(cache.is_token_revoked("b").await.unwrap());
        // with no caching interval every check reads the store
        let eager = CachedRevocations::new(store.clone(), Duration::ZERO);
        store.revoke_token("c", later()).await.unwrap();
        assert!(eager.is_token_revoked("c").await.unwrap());
    }
}
