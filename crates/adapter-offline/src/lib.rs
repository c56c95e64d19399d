//! The offline interviewer and assessment writer: the default when no AI provider is configured,
//! and the ones tests use. Deterministic and free: questions come from the bank in `questions/`,
//! answers are judged by documented heuristics, assessments are written from the record.

pub mod assessor;
pub mod bank;
pub mod evaluator;
pub mod interviewer;
pub mod resume;
pub mod speech;

pub use assessor::{OFFLINE_ASSESSMENT_VERSION, OfflineAssessor};
pub use bank::{BankError, QuestionBank};
pub use interviewer::{OFFLINE_MODEL, OfflineInterviewer};
pub use speech::NoSpeech;
