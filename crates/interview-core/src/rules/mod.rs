//! The rules of an interview, each in the file named after it. Pure: no I/O, no clock.

pub mod budget;
pub mod cost;
pub mod document_format;
pub mod evaluation;
pub mod integrity;
pub mod job_matching;
pub mod ladder;
pub mod lifecycle;
pub mod memory;
pub mod password_policy;
pub mod retry;
pub mod scoring;
pub mod skills;
pub mod video_container;
pub mod webhook_signature;
pub mod webhook_target;
