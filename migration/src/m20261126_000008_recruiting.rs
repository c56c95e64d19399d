//! The recruiter side: organizations, job postings, applications and hiring decisions.
//!
//! - `organizations`: names are unique; the oldest is the platform's default.
//! - `job_postings`: owned by an organization; the tech stack and required skills are JSON
//!   arrays of strings. The public listing reads open postings newest first.
//! - `applications`: one per candidate and posting; `interview_id` is the interview started
//!   through it.
//! - `interview_decisions`: every decision a recruiter records, with who and when; the latest
//!   counts.
//!
//! The recruiter's interview list reads an organization's interviews newest first, so the
//! organization index of migration 7 becomes one on (organization, created_at, id).

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r"
CREATE TABLE organizations (
    id {uuid} PRIMARY KEY,
    name text NOT NULL UNIQUE,
    created_at {ts} NOT NULL
);

CREATE TABLE job_postings (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title text NOT NULL,
    company text NOT NULL,
    description text NOT NULL,
    role_category text NOT NULL
        CHECK (role_category IN ('react', 'python', 'javascript', 'fullstack')),
    tech_stack {json} NOT NULL,
    required_skills {json} NOT NULL,
    employment_type text NOT NULL
        CHECK (employment_type IN ('permanent', 'part_time', 'contract')),
    work_setup text NOT NULL CHECK (work_setup IN ('remote', 'hybrid', 'onsite')),
    experience_level text NOT NULL
        CHECK (experience_level IN ('entry', 'junior', 'mid', 'senior', 'lead', 'principal')),
    location text,
    salary_min bigint,
    salary_max bigint,
    salary_currency text,
    status text NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
    created_by {uuid} NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX idx_job_postings_status_created_at ON job_postings (status, created_at);
CREATE INDEX idx_job_postings_organization_id ON job_postings (organization_id, created_at);

CREATE TABLE applications (
    id {uuid} PRIMARY KEY,
    job_posting_id {uuid} NOT NULL REFERENCES job_postings (id) ON DELETE CASCADE,
    candidate_id {uuid} NOT NULL REFERENCES candidates (id) ON DELETE CASCADE,
    organization_id {uuid} NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    status text NOT NULL
        CHECK (status IN ('applied', 'interviewing', 'advanced', 'rejected', 'on_hold')),
    interview_id {uuid} REFERENCES interviews (id) ON DELETE SET NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT uq_applications_posting_candidate UNIQUE (job_posting_id, candidate_id)
);
CREATE INDEX idx_applications_candidate_id ON applications (candidate_id, created_at);
CREATE INDEX idx_applications_interview_id ON applications (interview_id);
CREATE INDEX idx_applications_organization_id ON applications (organization_id);

CREATE TABLE interview_decisions (
    id {uuid} PRIMARY KEY,
    interview_id {uuid} NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    decision text NOT NULL CHECK (decision IN ('advance', 'reject', 'hold')),
    note text,
    decided_by {uuid} NOT NULL,
    decided_at {ts} NOT NULL
);
CREATE INDEX idx_interview_decisions_interview_id ON interview_decisions (interview_id, decided_at);

DROP INDEX idx_interviews_organization_id;
CREATE INDEX idx_interviews_organization_created_at ON interviews (organization_id, created_at, id)
";

const DOWN: &str = r"
DROP INDEX idx_interviews_organization_created_at;
CREATE INDEX idx_interviews_organization_id ON interviews (organization_id);
DROP TABLE interview_decisions;
DROP TABLE applications;
DROP TABLE job_postings;
DROP TABLE organizations
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
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
