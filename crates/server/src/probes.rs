//! The server's ports over concrete adapters: readiness over the database pool, breaker states
//! over the OpenAI provider. Only the wiring names these types; `AppState` holds the ports.

use std::sync::Arc;

use async_trait::async_trait;
use interview_core::ports::RepositoryError;

use crate::state::{BreakerStatus, EndpointBreaker, ReadinessProbe};

/// Ready when the database answers `SELECT 1`.
pub struct DatabaseReadiness(pub adapter_db::Database);

#[async_trait]
impl ReadinessProbe for DatabaseReadiness {
    async fn check(&self) -> Result<(), RepositoryError> {
        adapter_db::ping(&self.0).await
    }
}

/// The breakers of the OpenAI endpoints (chat, transcription, speech).
pub struct OpenAiBreakers(pub Arc<adapter_openai::OpenAiProvider>);

impl BreakerStatus for OpenAiBreakers {
    fn breakers(&self) -> Vec<EndpointBreaker> {
        self.0
            .health()
            .into_iter()
            .map(|endpoint| EndpointBreaker {
                endpoint: endpoint.endpoint.to_owned(),
                model: endpoint.model,
                state: endpoint.breaker.as_str().to_owned(),
            })
            .collect()
    }
}
