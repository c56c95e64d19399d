//! The seed schema: accounts, interviews with their sessions and messages, assessments, video,
//! resumes and feedback, webhooks.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r"
CREATE TABLE candidates (
    id {uuid} PRIMARY KEY,
    email text NOT NULL UNIQUE,
    full_name text NOT NULL CHECK (length(full_name) >= 2),
    password_hash text NOT NULL,
    phone text,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'deleted')),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    last_login_at {ts}
);

CREATE TABLE recruiters (
    id {uuid} PRIMARY KEY,
    email text NOT NULL UNIQUE,
    full_name text NOT NULL,
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('recruiter', 'admin', 'viewer')),
    organization_id {uuid},
    created_at {ts} NOT NULL,
    last_login_at {ts},
    is_active boolean NOT NULL DEFAULT TRUE
);

CREATE TABLE resumes (
    id {uuid} PRIMARY KEY,
    candidate_id {uuid} NOT NULL REFERENCES candidates (id) ON DELETE CASCADE,
    file_url text NOT NULL,
    file_name text NOT NULL,
    file_size bigint NOT NULL CHECK (file_size >= 0),
    uploaded_at {ts} NOT NULL,
    parsed_at {ts},
    parsing_status text NOT NULL DEFAULT 'pending'
        CHECK (parsing_status IN ('pending', 'processing', 'completed', 'failed')),
    parsed_data {json}
);
CREATE INDEX idx_resumes_candidate_id ON resumes (candidate_id);
CREATE INDEX idx_resumes_parsed_data ON resumes USING GIN (parsed_data) -- postgres only
;

CREATE TABLE interviews (
    id {uuid} PRIMARY KEY,
    candidate_id {uuid} NOT NULL REFERENCES candidates (id) ON DELETE CASCADE,
    resume_id {uuid} REFERENCES resumes (id) ON DELETE SET NULL,
    role_type text NOT NULL CHECK (role_type IN ('react', 'python', 'javascript', 'fullstack')),
    mode text NOT NULL DEFAULT 'text' CHECK (mode IN ('text', 'legacy_voice', 'realtime')),
    status text NOT NULL CHECK (status IN ('scheduled', 'in_progress', 'completed', 'abandoned')),
    started_at {ts},
    completed_at {ts},
    duration_seconds bigint CHECK (duration_seconds >= 0),
    completion_reason text CHECK (completion_reason IN ('max_questions', 'boundaries_found',
        'time_limit', 'budget_exhausted', 'candidate_requested', 'inactivity')),
    ai_model_used text,
    total_tokens_used bigint NOT NULL DEFAULT 0 CHECK (total_tokens_used >= 0),
    cost_usd_nanos bigint NOT NULL DEFAULT 0 CHECK (cost_usd_nanos >= 0),
    speech_tokens_used bigint NOT NULL DEFAULT 0 CHECK (speech_tokens_used >= 0),
    speech_cost_usd_nanos bigint NOT NULL DEFAULT 0 CHECK (speech_cost_usd_nanos >= 0),
    realtime_cost_usd_nanos bigint NOT NULL DEFAULT 0 CHECK (realtime_cost_usd_nanos >= 0),
    tech_check_metadata {json},
    video_recording_url text,
    video_recording_consent boolean NOT NULL DEFAULT FALSE,
    video_recording_status text CHECK (video_recording_status IN
        ('pending', 'recording', 'uploading', 'completed', 'failed')),
    created_at {ts} NOT NULL
);
CREATE INDEX idx_interviews_candidate_id ON interviews (candidate_id);
CREATE INDEX idx_interviews_status ON interviews (status);
CREATE INDEX idx_interviews_created_at ON interviews (created_at);

CREATE TABLE interview_sessions (
    id {uuid} PRIMARY KEY,
    interview_id {uuid} NOT NULL UNIQUE REFERENCES interviews (id) ON DELETE CASCADE,
    current_difficulty_level text NOT NULL CHECK (current_difficulty_level IN
        ('warmup', 'fundamental', 'intermediate', 'advanced', 'expert')),
    questions_asked_count integer NOT NULL DEFAULT 0 CHECK (questions_asked_count >= 0),
    skill_boundaries_identified {json} NOT NULL,
    progression_state {json} NOT NULL,
    conversation_memory {json} NOT NULL,
    pending_question {json},
    last_activity_at {ts} NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version bigint NOT NULL DEFAULT 1
);
CREATE INDEX idx_interview_sessions_last_activity_at ON interview_sessions (last_activity_at);

CREATE TABLE interview_messages (
    id {uuid} PRIMARY KEY,
    interview_id {uuid} NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    session_id {uuid} NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    sequence_number integer NOT NULL CHECK (sequence_number >= 1),
    message_type text NOT NULL CHECK (message_type IN ('ai_question', 'candidate_response')),
    content_text text NOT NULL,
    audio_url text,
    audio_duration_seconds {f64},
    audio_metadata {json},
    response_time_seconds {f64},
    metadata {json} NOT NULL,
    created_at {ts} NOT NULL,
    CONSTRAINT uq_interview_messages_sequence UNIQUE (interview_id, sequence_number)
);

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

CREATE TABLE video_recordings (
    id {uuid} PRIMARY KEY,
    interview_id {uuid} NOT NULL UNIQUE REFERENCES interviews (id) ON DELETE CASCADE,
    storage_path text NOT NULL,
    file_size_bytes bigint NOT NULL DEFAULT 0 CHECK (file_size_bytes >= 0),
    duration_seconds bigint CHECK (duration_seconds >= 0),
    chunk_count integer NOT NULL DEFAULT 0 CHECK (chunk_count >= 0),
    uploaded_at {ts},
    created_at {ts} NOT NULL
);

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

CREATE TABLE integration_webhooks (
    id {uuid} PRIMARY KEY,
    organization_id {uuid},
    url text NOT NULL,
    event_types {json} NOT NULL,
    secret_hash text,
    is_active boolean NOT NULL DEFAULT TRUE,
    created_at {ts} NOT NULL,
    last_delivered_at {ts}
)
";

const DOWN: &str = r"
DROP TABLE integration_webhooks;
DROP TABLE resume_feedback;
DROP TABLE video_recordings;
DROP TABLE assessment_results;
DROP TABLE interview_messages;
DROP TABLE interview_sessions;
DROP TABLE interviews;
DROP TABLE resumes;
DROP TABLE recruiters;
DROP TABLE candidates
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
