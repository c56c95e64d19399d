//! The candidate portal.
//!
//! - `candidate_profiles`: what a candidate looks for (the name and phone stay on `candidates`);
//!   lists are JSON arrays. `skills_source` says who set the skills last: parsed resumes fill
//!   them only until the candidate does.
//! - `resumes` gains the document format, whether it is the active one (at most one per
//!   candidate, a partial unique index), and why parsing failed.
//! - `resume_feedback` is recreated: no release ever wrote it. Feedback now waits for a
//!   recruiter (`pending_approval`), is `approved`, `rejected` or `sent`, keeps who decided and
//!   when, and is sent by itself at `auto_send_at`. The down migration restores the seed table
//!   (with the index migration 3 gave it).

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r"
CREATE TABLE candidate_profiles (
    candidate_id {uuid} PRIMARY KEY REFERENCES candidates (id) ON DELETE CASCADE,
    skills {json} NOT NULL,
    skills_source text NOT NULL CHECK (skills_source IN ('none', 'resume', 'candidate')),
    experience_years integer CHECK (experience_years >= 0),
    preferred_job_types {json} NOT NULL,
    preferred_locations {json} NOT NULL,
    preferred_work_setup text CHECK (preferred_work_setup IN ('remote', 'hybrid', 'onsite', 'any')),
    salary_min bigint CHECK (salary_min >= 0),
    salary_max bigint CHECK (salary_max >= 0),
    salary_currency text,
    updated_at {ts} NOT NULL
);

ALTER TABLE resumes ADD COLUMN format text NOT NULL DEFAULT 'pdf';
ALTER TABLE resumes ADD COLUMN is_active boolean NOT NULL DEFAULT FALSE;
ALTER TABLE resumes ADD COLUMN parsing_error text;
CREATE UNIQUE INDEX uq_resumes_active ON resumes (candidate_id) WHERE is_active;

DROP TABLE resume_feedback;
CREATE TABLE resume_feedback (
    id {uuid} PRIMARY KEY,
    resume_id {uuid} NOT NULL UNIQUE REFERENCES resumes (id) ON DELETE CASCADE,
    candidate_id {uuid} NOT NULL REFERENCES candidates (id) ON DELETE CASCADE,
    feedback_content text NOT NULL,
    improvement_areas {json} NOT NULL,
    recommended_resources {json} NOT NULL,
    status text NOT NULL CHECK (status IN ('pending_approval', 'approved', 'rejected', 'sent')),
    generated_at {ts} NOT NULL,
    auto_send_at {ts} NOT NULL,
    edited_by {uuid},
    decided_by {uuid},
    decided_at {ts},
    sent_at {ts}
);
CREATE INDEX ix_resume_feedback_due ON resume_feedback (status, auto_send_at);
CREATE INDEX ix_resume_feedback_candidate ON resume_feedback (candidate_id)
";

const DOWN: &str = r"
DROP TABLE resume_feedback;
CREATE TABLE resume_feedback (
    id {uuid} PRIMARY KEY,
    resume_id {uuid} NOT NULL UNIQUE REFERENCES resumes (id) ON DELETE CASCADE,
    feedback_content text NOT NULL,
    identified_gaps {json} NOT NULL,
    recommended_resources {json} NOT NULL,
    status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'pending_approval', 'approved', 'sent')),
    generated_at {ts} NOT NULL,
    approved_at {ts},
    approved_by {uuid} REFERENCES recruiters (id) ON DELETE SET NULL,
    sent_at {ts},
    auto_send_at {ts}
);
CREATE INDEX idx_resume_feedback_approved_by ON resume_feedback (approved_by);
DROP INDEX uq_resumes_active;
ALTER TABLE resumes DROP COLUMN parsing_error;
ALTER TABLE resumes DROP COLUMN is_active;
ALTER TABLE resumes DROP COLUMN format;
DROP TABLE candidate_profiles
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, DOWN).await
    }
}
