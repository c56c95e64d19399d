//! Durable background jobs, versioned assessments and the browser's integrity events.
//!
//! - `background_jobs`: one row per job. At most one job of a kind and subject is active
//!   (queued or running) at a time, enforced by a partial unique index; a claim holds a job
//!   under a lease token until `locked_until`.
//! - `assessment_results` is recreated: no release ever wrote it, and every version of an
//!   assessment is now kept (`UNIQUE (interview_id, version)`), with who produced it and what it
//!   cost. The down migration restores the seed table exactly.
//! - `interview_events`: what the candidate's browser reported (tab hidden, paste, ...).

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r"
CREATE TABLE background_jobs (
    id {uuid} PRIMARY KEY,
    kind text NOT NULL,
    subject {uuid} NOT NULL,
    state text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error text,
    run_at {ts} NOT NULL,
    lease_token {uuid},
    locked_until {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE UNIQUE INDEX uq_background_jobs_active ON background_jobs (kind, subject)
    WHERE state IN ('queued', 'running');
CREATE INDEX idx_background_jobs_state_run_at ON background_jobs (state, run_at);
CREATE INDEX idx_background_jobs_subject ON background_jobs (subject, kind, created_at);

DROP TABLE assessment_results;
CREATE TABLE assessment_results (
    id {uuid} PRIMARY KEY,
    interview_id {uuid} NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    version integer NOT NULL CHECK (version >= 1),
    overall_score integer NOT NULL CHECK (overall_score >= 0 AND overall_score <= 100),
    skill_scores {json} NOT NULL,
    skill_boundary_map {json} NOT NULL,
    strengths {json} NOT NULL,
    growth_areas {json} NOT NULL,
    highlights {json} NOT NULL,
    integrity_score integer NOT NULL CHECK (integrity_score >= 0 AND integrity_score <= 100),
    integrity_flags {json} NOT NULL,
    ai_reasoning text NOT NULL,
    recommendation text NOT NULL CHECK (recommendation IN ('strong_yes', 'yes', 'maybe', 'no')),
    recommended_actions {json} NOT NULL,
    generated_at {ts} NOT NULL,
    generator text NOT NULL,
    prompt_version text NOT NULL,
    cost_usd_nanos bigint NOT NULL DEFAULT 0 CHECK (cost_usd_nanos >= 0),
    tokens_used bigint NOT NULL DEFAULT 0 CHECK (tokens_used >= 0),
    is_fallback boolean NOT NULL DEFAULT FALSE,
    CONSTRAINT uq_assessment_results_version UNIQUE (interview_id, version)
);

CREATE TABLE interview_events (
    id {uuid} PRIMARY KEY,
    interview_id {uuid} NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('tab_hidden', 'focus_lost', 'paste', 'fullscreen_exit')),
    occurred_at {ts} NOT NULL,
    count integer NOT NULL CHECK (count > 0),
    received_at {ts} NOT NULL
);
CREATE INDEX idx_interview_events_interview_id ON interview_events (interview_id)
";

/// The seed's `assessment_results`, as `m20261123_000001_core_schema` created it.
const DOWN: &str = r"
DROP TABLE interview_events;

DROP TABLE assessment_results;
CREATE TABLE assessment_results (
    id {uuid} PRIMARY KEY,
    interview_id {uuid} NOT NULL UNIQUE REFERENCES interviews (id) ON DELETE CASCADE,
    overall_score {f64} NOT NULL CHECK (overall_score >= 0 AND overall_score <= 100),
    skill_scores {json} NOT NULL,
    skill_boundary_map {json} NOT NULL,
    strengths {json} NOT NULL,
    weaknesses {json} NOT NULL,
    integrity_score {f64} CHECK (integrity_score >= 0 AND integrity_score <= 100),
    integrity_flags {json} NOT NULL,
    ai_reasoning text,
    recommended_actions {json} NOT NULL,
    generated_at {ts} NOT NULL
);

DROP TABLE background_jobs
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on every backend: the assessments table is never seen dropped and not
    /// yet recreated.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, DOWN).await
    }
}
