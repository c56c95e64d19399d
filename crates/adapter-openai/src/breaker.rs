//! A circuit breaker per endpoint, on the core's `Clock` port so tests move time by hand.
//!
//! failsafe and recloser were considered: both read `std::time::Instant` directly (only a
//! thread-local mock clock in failsafe), and neither has a bounded number of half-open trial
//! calls, which the product asks for. The state machine is small enough to own.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use interview_core::ports::{Clock, ProviderError};
use serde::Serialize;
use tracing::Instrument;

use crate::settings::BreakerSettings;
use crate::telemetry;

/// What `/api/v1/ai/status` shows of a breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Open => "open",
            Self::HalfOpen => "half_open",
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum State {
    Closed { consecutive_failures: u32 },
    Open { until: DateTime<Utc> },
    HalfOpen { trials_started: u32, successes: u32 },
}

pub struct CircuitBreaker {
    endpoint: &'static str,
    settings: BreakerSettings,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

impl CircuitBreaker {
    pub fn new(endpoint: &'static str, settings: BreakerSettings, clock: Arc<dyn Clock>) -> Self {
        Self {
            endpoint,
            settings,
            clock,
            state: Mutex::new(State::Closed {
                consecutive_failures: 0,
            }),
        }
    }

    pub fn endpoint(&self) -> &'static str {
        self.endpoint
    }

    pub fn state(&self) -> BreakerState {
        let state = *self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match state {
            State::Closed { .. } => BreakerState::Closed,
            State::Open { until } if self.clock.now() >= until => BreakerState::HalfOpen,
            State::Open { .. } => BreakerState::Open,
            State::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// Runs `call` unless the breaker is open, and records how it went. A rejected request
    /// (4xx) proves the endpoint is up, so only transient failures count against it.
    /// Every call is counted in the metrics by endpoint and outcome, and timed when it was made.
    ///
    /// # Errors
    /// [`ProviderError::Unavailable`] at once while open; otherwise whatever `call` returns.
    pub async fn call<T, F>(&self, call: F) -> Result<T, ProviderError>
    where
        F: Future<Output = Result<T, ProviderError>>,
    {
        // one span per logical call, in the trace of the request or job that made it
        let span = tracing::info_span!(
            "ai.call",
            otel.kind = "client",
            ai.endpoint = self.endpoint,
            ai.outcome = tracing::field::Empty,
        );
        if let Err(refused) = self.acquire() {
            span.record("ai.outcome", telemetry::SHORT_CIRCUITED);
            telemetry::record(self.endpoint, telemetry::SHORT_CIRCUITED, None);
            return Err(refused);
        }
        let started = Instant::now();
        let result = call.instrument(span.clone()).await;
        let outcome = telemetry::outcome(&result);
        span.record("ai.outcome", outcome);
        telemetry::record(self.endpoint, outcome, Some(started.elapsed()));
        let failed = matches!(
            &result,
            Err(ProviderError::Unavailable { .. }
                | ProviderError::RateLimited { .. }
                | ProviderError::InvalidResponse(_))
        );
        self.record(!failed);
        result
    }

    fn acquire(&self) -> Result<(), ProviderError> {
        let now = self.clock.now();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match *state {
            State::Closed { .. } => Ok(()),
            State::Open { until } if now >= until => {
                *state = State::HalfOpen {
                    trials_started: 1,
                    successes: 0,
                };
                tracing::info!(endpoint = self.endpoint, "circuit breaker half-open");
                Ok(())
            }
            State::Open { until } => Err(self.open_error(
                (until - now)
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .max(Duration::from_secs(1)),
            )),
            State::HalfOpen {
                trials_started,
                successes,
            } if trials_started < self.settings.half_open_trials => {
                *state = State::HalfOpen {
                    trials_started: trials_started + 1,
                    successes,
                };
                Ok(())
            }
            State::HalfOpen { .. } => Err(self.open_error(Duration::from_secs(1))),
        }
    }

    fn open_error(&self, retry_after: Duration) -> ProviderError {
        ProviderError::Unavailable {
            message: format!(
                "the {} endpoint failed repeatedly; calls are paused (circuit breaker open)",
                self.endpoint
            ),
            retry_after: Some(retry_after),
        }
    }

    fn record(&self, success: bool) {
        let now = self.clock.now();
        let open_until = now
            + chrono::Duration::seconds(
                i64::try_from(self.settings.open_seconds).unwrap_or(i64::MAX),
            );
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        *state = match (*state, success) {
            (State::Closed { .. }, true) => State::Closed {
                consecutive_failures: 0,
            },
            (
                State::Closed {
                    consecutive_failures,
                },
                false,
            ) => {
                let failures = consecutive_failures + 1;
                if failures >= self.settings.failure_threshold {
                    tracing::warn!(endpoint = self.endpoint, failures, "circuit breaker open");
                    State::Open { until: open_until }
                } else {
                    State::Closed {
                        consecutive_failures: failures,
                    }
                }
            }
            (
                State::HalfOpen {
                    trials_started,
                    successes,
                },
                true,
            ) => {
                if successes + 1 >= self.settings.half_open_trials {
                    tracing::info!(endpoint = self.endpoint, "circuit breaker closed");
                    State::Closed {
                        consecutive_failures: 0,
                    }
                } else {
                    State::HalfOpen {
                        trials_started,
                        successes: successes + 1,
                    }
                }
            }
            (State::HalfOpen { .. }, false) => {
                tracing::warn!(endpoint = self.endpoint, "trial call failed; breaker open");
                State::Open { until: open_until }
            }
            // a call that started before the breaker opened: the breaker already decided
            (open @ State::Open { .. }, _) => open,
        };
    }
}

#[cfg(test)]
mod tests {
    use interview_core::testing::ManualClock;

    use super::*;

    fn breaker(clock: &Arc<ManualClock>) -> CircuitBreaker {
        CircuitBreaker::new("chat", BreakerSettings::default(), clock.clone())
    }

    async fn fail(breaker: &CircuitBreaker) -> Result<(), ProviderError> {
        breaker
            .call(async {
                Err(ProviderError::Unavailable {
                    message: "502".into(),
                    retry_after: None,
                })
            })
            .await
    }

    async fn succeed(breaker: &CircuitBreaker) -> Result<(), ProviderError> {
        breaker.call(async { Ok(()) }).await
    }

    #[tokio::test]
    async fn five_consecutive_failures_open_it_and_calls_are_refused_without_running() {
        let clock = Arc::new(ManualClock::default());
        let breaker = breaker(&clock);
        for _ in 0..4 {
            fail(&breaker).await.unwrap_err();
        }
        assert_eq!(breaker.state(), BreakerState::Closed);
        fail(&breaker).await.unwrap_err();
        assert_eq!(breaker.state(), BreakerState::Open);

        let mut ran = false;
        let refused = breaker
            .call(async {
                ran = true;
                Ok(())
            })
            .await;
        assert!(!ran, "an open breaker must not run the call");
        match refused {
            Err(ProviderError::Unavailable { retry_after, .. }) => {
                assert_eq!(retry_after, Some(Duration::from_mins(1)));
            }
            other => panic!("expected Unavailable, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_success_or_a_rejection_resets_the_count() {
        let clock = Arc::new(ManualClock::default());
        let breaker = breaker(&clock);
        for _ in 0..4 {
            fail(&breaker).await.unwrap_err();
        }
        breaker
            .call(async { Err::<(), _>(ProviderError::Rejected("400".into())) })
            .await
            .unwrap_err();
        for _ in 0..4 {
            fail(&breaker).await.unwrap_err();
        }
        assert_eq!(breaker.state(), BreakerState::Closed);
        succeed(&breaker).await.unwrap();
        assert_eq!(breaker.state(), BreakerState::Closed);
    }

    #[tokio::test]
    async fn after_the_window_three_successful_trials_close_it() {
        let clock = Arc::new(ManualClock::default());
        let breaker = breaker(&clock);
        for _ in 0..5 {
            fail(&breaker).await.unwrap_err();
        }
        clock.advance(chrono::Duration::seconds(59));
        assert!(succeed(&breaker).await.is_err(), "still open at 59 s");
        clock.advance(chrono::Duration::seconds(1));
        assert_eq!(breaker.state(), BreakerState::HalfOpen);
        succeed(&breaker).await.unwrap();
        succeed(&breaker).await.unwrap();
        assert_eq!(breaker.state(), BreakerState::HalfOpen);
        succeed(&breaker).await.unwrap();
        assert_eq!(breaker.state(), BreakerState::Closed);
    }

    #[tokio::test]
    async fn half_open_lets_three_trials_through_at_once_and_a_failed_trial_reopens() {
        let clock = Arc::new(ManualClock::default());
        let breaker = breaker(&clock);
        for _ in 0..5 {
            fail(&breaker).await.unwrap_err();
        }
        clock.advance(chrono::Duration::seconds(60));
        for _ in 0..3 {
            breaker.acquire().unwrap();
        }
        assert!(
            breaker.acquire().is_err(),
            "a fourth concurrent trial is refused"
        );
        breaker.record(false);
        assert_eq!(breaker.state(), BreakerState::Open);
    }
}
