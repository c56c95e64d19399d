//! Repository tests on real databases: SQLite always (a fresh temp file per test), PostgreSQL
//! too when `TEST_DATABASE_URL` is set (a fresh schema per test).

mod assessments;
mod concurrency;
mod jobs;
mod legacy;
mod migrations;
mod repositories;
mod round_trip;
mod support;
mod turns;
