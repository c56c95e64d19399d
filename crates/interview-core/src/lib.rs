//! The pure core of the interview platform.
//!
//! It knows the rules (`rules`: difficulty ladder, lifecycle, conversation memory, cost, budget,
//! skill choice) and runs interviews through [`interview::InterviewService`], talking to the
//! world only through the traits in [`ports`]. It depends on no I/O crate: adapters implement
//! the ports.

pub mod accounts;
pub mod actor;
pub mod assessment;
pub mod ids;
pub mod interview;
pub mod jobs;
pub mod metadata;
pub mod model;
pub mod portal;
pub mod ports;
pub mod recruiting;
pub mod rules;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod validation;
pub mod video;
pub mod webhooks;

pub use interview::{InterviewService, InterviewSettings, SpeechServices};
pub use rules::{cost, ladder, lifecycle, memory};
