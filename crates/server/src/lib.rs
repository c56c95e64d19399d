//! The HTTP server of the interview platform: configuration, wiring, handlers, auth and OpenAPI.

pub mod auth;
pub mod body_timeout;
pub mod cli;
pub mod config;
pub mod dto;
pub mod error;
pub mod header_timeout;
pub mod jobs;
pub mod middleware;
pub mod observability;
pub mod openapi;
pub mod probes;
pub mod rate_limit;
pub mod realtime;
pub mod revocations;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;

pub use startup::Application;
