//! Passwords (argon2id, hashed on dedicated threads) and bearer tokens (JWT HS256 with `jti`,
//! `sub`, `role`, `exp`), and the extractor that authenticates a request.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, mpsc};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier};
use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use interview_core::accounts::{HashError, PasswordHasher};
use interview_core::actor::Actor;
use interview_core::ids::CandidateId;
use interview_core::validation::Password;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

mod recruiter;

pub use recruiter::{AuthenticatedActor, AuthenticatedRecruiter};

/// argon2id with OWASP's 9 MiB / 4 passes / 1 lane setting (as strong as the 19 MiB / 2 passes
/// default, with half the memory per hash), run on a fixed set of hashing threads, one per core
/// by default, so hashing never stalls request handling and a burst of registrations queues
/// instead of taking 9 MiB per request.
#[derive(Clone)]
pub struct Argon2Hasher {
    threads: Arc<HashingThreads>,
}

impl std::fmt::Debug for Argon2Hasher {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Argon2Hasher")
            .finish_non_exhaustive()
    }
}

impl Default for Argon2Hasher {
    fn default() -> Self {
        Self::new(0)
    }
}

impl Argon2Hasher {
    /// `concurrent` hashing threads; 0 means one per core.
    pub fn new(concurrent: usize) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let count = if concurrent == 0 { cores } else { concurrent };
        Self {
            threads: Arc::new(HashingThreads::start(count)),
        }
    }
}

type HashJob = Box<dyn FnOnce() + Send>;

/// Long-lived threads that run the hashes. Each keeps the 9 MiB it hashes with in its own
/// allocator heap and reuses it; on tokio's blocking pool every runtime's short-lived threads
/// kept one such buffer each (measured: 6 threads holding ~54 MiB after 50 registrations,
/// released only when the threads exited). The threads stop when the hasher is dropped.
struct HashingThreads {
    jobs: mpsc::Sender<HashJob>,
}

impl HashingThreads {
    fn start(count: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<HashJob>();
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..count {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{index}"))
                .spawn(move || {
                    loop {
                        // the lock is released before the job runs
                        let next = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match next {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(error) = spawned {
                // with none at all, every hash reports the failure (the queue has no reader)
                tracing::error!(%error, "a password hashing thread could not start");
            }
        }
        Self { jobs }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let (done, result) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = done.send(work());
            }))
            .map_err(|_| HashError::Failed("no password hashing thread is running".to_owned()))?;
        result
            .await
            .map_err(|_| HashError::Failed("a password hashing thread stopped".to_owned()))
    }
}

fn hasher() -> Result<Argon2<'static>, HashError> {
    let params = argon2::Params::new(9 * 1024, 4, 1, None)
        .map_err(|error| HashError::Failed(error.to_string()))?;
    Ok(Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params,
    ))
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let password = password.expose().to_owned();
        self.threads
            .run(move || {
                // argon2 0.6 draws a fresh random salt for every hash
                hasher()?
                    .hash_password(password.as_bytes())
                    .map(|hash| hash.to_string())
                    .map_err(|error| HashError::Failed(error.to_string()))
            })
            .await?
    }

    async fn verify(&self, password: &str, hash: &str) -> Result<bool, HashError> {
        let password = password.to_owned();
        let hash = hash.to_owned();
        self.threads
            .run(move || {
                let Ok(parsed) = PasswordHash::new(&hash) else {
                    return false;
                };
                // the parameters stored in the hash are the ones used to check it
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .await
    }
}

/// Who a token speaks for. Recruiter accounts (every recruiter role) get `recruiter` tokens;
/// their role is read from the account on each request, so a change applies at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Candidate,
    Recruiter,
    Admin,
    Viewer,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
}

/// Issues and checks HS256 tokens.
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

pub struct IssuedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

impl TokenService {
    pub fn new(secret: &SecretString, ttl: Duration) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        // only HS256: a token claiming `alg: none` or any other algorithm is refused
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub", "jti"]);
        Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
            ttl,
        }
    }

    /// # Errors
    /// [`ApiError`] (500) if signing fails.
    pub fn issue(
        &self,
        subject: impl Into<Uuid>,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken, ApiError> {
        let expires_at = now + self.ttl;
        let claims = Claims {
            sub: subject.into().to_string(),
            role,
            jti: Uuid::new_v4().to_string(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|error| ApiError::internal(&error))?;
        Ok(IssuedToken { token, expires_at })
    }

    /// # Errors
    /// [`ApiError`] 401 for a token that is malformed, tampered with, expired or not HS256.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|_| ApiError::unauthorized("the token is invalid or has expired"))
    }
}

/// A generated signing secret for development runs without one.
pub fn generated_secret() -> SecretString {
    SecretString::from(format!(
        "{}{}",
        Uuid::new_v4().simple(),
        Uuid::new_v4().simple()
    ))
}

/// The candidate a valid, unrevoked candidate token speaks for.
#[derive(Debug, Clone)]
pub struct AuthenticatedCandidate {
    pub id: CandidateId,
    pub jti: String,
    pub expires_at: DateTime<Utc>,
}

impl AuthenticatedCandidate {
    /// The caller as the engine knows them.
    pub const fn actor(&self) -> Actor {
        Actor::Candidate(self.id)
    }
}

pub(crate) fn bearer(request: &HttpRequest) -> Result<String, ApiError> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing Authorization: Bearer <token> header"))?
        .to_str()
        .map_err(|_| ApiError::unauthorized("malformed Authorization header"))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| ApiError::unauthorized("malformed Authorization header"))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthorized("expected a Bearer token"));
    }
    Ok(token.trim().to_owned())
}

impl FromRequest for AuthenticatedCandidate {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let token = bearer(request);
        let state = request.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| {
                ApiError::internal(&std::io::Error::other("application state missing"))
            })?;
            AuthenticatedCandidate::from_token(&state, &token?).await
        })
    }
}

impl AuthenticatedCandidate {
    /// The candidate a token speaks for: valid, a candidate's, not revoked.
    ///
    /// # Errors
    /// 401 for an invalid, expired or revoked token; 403 for another role's token.
    pub async fn from_token(state: &AppState, token: &str) -> Result<Self, ApiError> {
        let claims = state.tokens.verify(token)?;
        if claims.role != Role::Candidate {
            return Err(ApiError::forbidden(
                "this endpoint is for candidates; a recruiter token cannot be used here",
            ));
        }
        let id: CandidateId = claims
            .sub
            .parse()
            .map_err(|_| ApiError::unauthorized("the token is invalid or has expired"))?;
        if state.accounts.is_token_revoked(&claims.jti).await? {
            return Err(ApiError::unauthorized("the token has been revoked"));
        }
        let expires_at = Utc
            .timestamp_opt(claims.exp, 0)
            .single()
            .ok_or_else(|| ApiError::unauthorized("the token is invalid or has expired"))?;
        Ok(Self {
            id,
            jti: claims.jti,
            expires_at,
        })
    }

    /// The token of a request: the `Authorization: Bearer` header, or (for WebSockets, whose
    /// browser API cannot set headers) a `token` query parameter.
    ///
    /// # Errors
    /// 401 when neither is there.
    pub fn token_of(request: &HttpRequest) -> Result<String, ApiError> {
        bearer(request).or_else(|missing| {
            web::Query::<TokenQuery>::from_query(request.query_string())
                .ok()
                .and_then(|query| query.into_inner().token)
                .filter(|token| !token.trim().is_empty())
                .ok_or(missing)
        })
    }
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> TokenService {
        TokenService::new(
            &SecretString::from("0123456789abcdef0123456789abcdef"),
            Duration::hours(24),
        )
    }

    #[test]
    fn issued_tokens_verify_and_carry_the_claims() {
        let tokens = service();
        let id = CandidateId::new();
        let issued = tokens.issue(id, Role::Candidate, Utc::now()).unwrap();
        let claims = tokens.verify(&issued.token).unwrap();
        assert_eq!(claims.sub, id.to_string());
        assert_eq!(claims.role, Role::Candidate);
        assert!(!claims.jti.is_empty());
    }

    #[test]
    fn expired_tampered_and_unsigned_tokens_are_refused() {
        let tokens = service();
        let expired = tokens
            .issue(
                CandidateId::new(),
                Role::Candidate,
                Utc::now() - Duration::hours(25),
            )
            .unwrap();
        assert!(tokens.verify(&expired.token).is_err());
        let good = tokens
            .issue(CandidateId::new(), Role::Candidate, Utc::now())
            .unwrap();
        let other = TokenService::new(
            &SecretString::from("another-secret-another-secret-12"),
            Duration::hours(1),
        );
        assert!(other.verify(&good.token).is_err());
        // alg: none, signature stripped
        let mut parts = good.token.split('.');
        let _header = parts.next();
        let payload = parts.next().unwrap();
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert!(tokens.verify(&none).is_err());
    }

    #[tokio::test]
    async fn argon2_hashes_verify_only_the_right_password() {
        let hasher = Argon2Hasher::default();
        let password = Password::parse(
            "Str0ng!pass",
            &interview_core::validation::PasswordPolicy::default(),
            None,
        )
        .unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=9216,t=4,p=1$"), "{hash}");
        assert!(hasher.verify("Str0ng!pass", &hash).await.unwrap());
        assert!(!hasher.verify("Str0ng!pasS", &hash).await.unwrap());
        assert!(!hasher.verify("Str0ng!pass", "not a hash").await.unwrap());
    }
}
