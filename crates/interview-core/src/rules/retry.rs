//! When a failed background job runs again, and when it stops trying.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How background jobs are retried and leased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; the job is `failed` after the last.
    pub max_attempts: u32,
    /// The wait after the first failure; it doubles with each further one.
    pub backoff_base_seconds: u64,
    /// The longest wait between two attempts.
    pub backoff_max_seconds: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            backoff_base_seconds: 10,
            backoff_max_seconds: 600,
        }
    }
}

impl RetryPolicy {
    /// After the `attempt`-th attempt (1-based) failed: the wait before the next one, or `None`
    /// when that was the last.
    pub fn next_attempt_after(&self, attempt: u32) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let doublings = attempt.saturating_sub(1).min(32);
        let seconds = self
            .backoff_base_seconds
            .saturating_mul(1u64 << doublings)
            .min(self.backoff_max_seconds);
        Some(Duration::from_secs(seconds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap_and_stop_after_the_last_attempt() {
        let policy = RetryPolicy {
            max_attempts: 5,
            backoff_base_seconds: 10,
            backoff_max_seconds: 60,
        };
        let waits: Vec<Option<u64>> = (1..=5)
            .map(|attempt| {
                policy
                    .next_attempt_after(attempt)
                    .map(|wait| wait.as_secs())
            })
            .collect();
        assert_eq!(waits, [Some(10), Some(20), Some(40), Some(60), None]);
    }

    #[test]
    fn a_single_attempt_is_never_retried() {
        let policy = RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        };
        assert_eq!(policy.next_attempt_after(1), None);
    }

    #[test]
    fn huge_attempt_numbers_do_not_overflow() {
        let policy = RetryPolicy {
            max_attempts: u32::MAX,
            ..RetryPolicy::default()
        };
        assert_eq!(
            policy.next_attempt_after(1_000),
            Some(Duration::from_mins(10))
        );
    }
}
