//! The pure core of the interview platform.
//!
//! It knows the rules (difficulty ladder, lifecycle, conversation memory, cost and budget) and
//! runs interviews through [`service::InterviewService`], talking to the world only through the
//! traits in [`ports`]. It depends on no I/O crate: adapters implement the ports.

pub mod accounts;
pub mod cost;
pub mod ids;
pub mod ladder;
pub mod lifecycle;
pub mod memory;
pub mod model;
pub mod ports;
pub mod service;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod validation;

pub use service::{
    InterviewError, InterviewService, InterviewSettings, SpeechServices, message_audio_path,
};
