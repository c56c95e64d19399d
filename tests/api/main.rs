//! Black-box tests: the real server on port 0 with a fresh database, driven over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

mod abuse;
mod ai_faults;
mod ai_load;
mod assessments;
mod auth;
mod browser;
mod compat;
mod errors;
mod gated_provider;
mod headers;
mod helpers;
mod interviews;
mod metrics;
mod nodes;
mod openapi;
mod paging;
mod platform;
mod portal;
mod realtime;
mod realtime_flow;
mod realtime_resilience;
mod recruiter_access;
mod recruiter_audio;
mod recruiters;
mod video;
mod video_support;
mod voice;
mod web_client;
mod webhooks;
