//! The offline interviewer: the default when no AI provider is configured, and the one tests
//! use. Deterministic and free: questions come from the bank in `questions/`, answers are judged
//! by documented heuristics.

pub mod bank;
pub mod evaluator;
pub mod interviewer;
pub mod speech;

pub use bank::{BankError, QuestionBank};
pub use interviewer::{OFFLINE_MODEL, OfflineInterviewer};
pub use speech::NoSpeech;
