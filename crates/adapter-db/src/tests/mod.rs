//! Repository tests on real databases: SQLite always (a fresh temp file per test), PostgreSQL
//! too when `TEST_DATABASE_URL` is set (a fresh schema per test).

mod assessments;
mod concurrency;
mod interview_list;
mod jobs;
mod legacy;
mod migrations;
mod postings;
mod recruiting;
mod repositories;
mod round_trip;
mod support;
mod turns;
mod videos;
mod webhooks;
