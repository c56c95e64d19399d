//! sea-orm entities, private to this crate: nothing here crosses a port. Enums are stored as
//! text (checked by the schema) and money as integer nano-dollars.
//!
//! Tables whose ports arrive with later features (recruiters, resumes, video, webhooks) already
//! have entities; the round-trip tests exercise them.
#![allow(dead_code)]

macro_rules! no_relations {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod candidates {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "candidates")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub email: String,
        pub full_name: String,
        pub password_hash: String,
        pub phone: Option<String>,
        pub status: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub last_login_at: Option<DateTimeUtc>,
    }

    no_relations!();
}

pub mod recruiters {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "recruiters")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub email: String,
        pub full_name: String,
        pub password_hash: String,
        pub role: String,
        pub organization_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub last_login_at: Option<DateTimeUtc>,
        pub is_active: bool,
    }

    no_relations!();
}

pub mod resumes {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "resumes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub candidate_id: Uuid,
        pub file_url: String,
        pub file_name: String,
        pub file_size: i64,
        pub uploaded_at: DateTimeUtc,
        pub parsed_at: Option<DateTimeUtc>,
        pub parsing_status: String,
        #[sea_orm(column_type = "JsonBinary", nullable)]
        pub parsed_data: Option<Json>,
        pub format: String,
        pub is_active: bool,
        pub parsing_error: Option<String>,
    }

    no_relations!();
}

pub mod interviews {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "interviews")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub candidate_id: Uuid,
        pub resume_id: Option<Uuid>,
        pub role_type: String,
        pub mode: String,
        pub status: String,
        pub started_at: Option<DateTimeUtc>,
        pub completed_at: Option<DateTimeUtc>,
        pub duration_seconds: Option<i64>,
        pub completion_reason: Option<String>,
        pub ai_model_used: Option<String>,
        pub total_tokens_used: i64,
        pub cost_usd_nanos: i64,
        pub speech_tokens_used: i64,
        pub speech_cost_usd_nanos: i64,
        pub realtime_cost_usd_nanos: i64,
        #[sea_orm(column_type = "JsonBinary", nullable)]
        pub tech_check_metadata: Option<Json>,
        pub video_recording_url: Option<String>,
        pub video_recording_consent: bool,
        pub video_recording_status: Option<String>,
        pub video_consent_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub organization_id: Option<Uuid>,
        pub job_posting_id: Option<Uuid>,
        #[sea_orm(column_type = "JsonBinary")]
        pub key_skills: Json,
    }

    no_relations!();
}

pub mod interview_sessions {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "interview_sessions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub interview_id: Uuid,
        pub current_difficulty_level: String,
        pub questions_asked_count: i32,
        #[sea_orm(column_type = "JsonBinary")]
        pub skill_boundaries_identified: Json,
        #[sea_orm(column_type = "JsonBinary")]
        pub progression_state: Json,
        #[sea_orm(column_type = "JsonBinary")]
        pub conversation_memory: Json,
        #[sea_orm(column_type = "JsonBinary", nullable)]
        pub pending_question: Option<Json>,
        pub last_activity_at: DateTimeUtc,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::interviews::Entity",
            from = "Column::InterviewId",
            to = "super::interviews::Column::Id"
        )]
        Interview,
    }

    impl Related<super::interviews::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Interview.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod interview_messages {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "interview_messages")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub interview_id: Uuid,
        pub session_id: Uuid,
        pub sequence_number: i32,
        pub message_type: String,
        pub content_text: String,
        pub audio_url: Option<String>,
        pub audio_duration_seconds: Option<f64>,
        #[sea_orm(column_type = "JsonBinary", nullable)]
        pub audio_metadata: Option<Json>,
        pub response_time_seconds: Option<f64>,
        #[sea_orm(column_type = "JsonBinary")]
        pub metadata: Json,
        pub created_at: DateTimeUtc,
    }

    no_relations!();
}

pub mod assessment_results {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "assessment_results")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub interview_id: Uuid,
        pub version: i32,
        pub overall_score: i32,
        #[sea_orm(column_type = "JsonBinary")]
        pub skill_scores: Json,
        #[sea_orm(column_type = "JsonBinary")]
        pub skill_boundary_map: Json,
        #[sea_orm(column_type = "JsonBinary")]
        pub strengths: Json,
        #[sea_orm(column_type = "JsonBinary")]
        pub growth_areas: Json,
        #[sea_orm(column_type = "JsonBinary")]
        pub highlights: Json,
        pub integrity_score: i32,
        #[sea_orm(column_type = "JsonBinary")]
        pub integrity_flags: Json,
        pub ai_reasoning: String,
        pub recommendation: String,
        #[sea_orm(column_type = "JsonBinary")]
        pub recommended_actions: Json,
        pub generated_at: DateTimeUtc,
        pub generator: String,
        pub prompt_version: String,
        pub cost_usd_nanos: i64,
        pub tokens_used: i64,
        pub is_fallback: bool,
    }

    no_relations!();
}

pub mod background_jobs {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "background_jobs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub kind: String,
        pub subject: Uuid,
        pub state: String,
        pub attempts: i32,
        pub last_error: Option<String>,
        pub run_at: DateTimeUtc,
        pub lease_token: Option<Uuid>,
        pub locked_until: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        #[sea_orm(column_type = "JsonBinary", nullable)]
        pub payload: Option<Json>,
    }

    no_relations!();
}

pub mod interview_events {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "interview_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub interview_id: Uuid,
        pub kind: String,
        pub occurred_at: DateTimeUtc,
        pub count: i32,
        pub received_at: DateTimeUtc,
    }

    no_relations!();
}

pub mod video_recordings {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "video_recordings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub interview_id: Uuid,
        pub status: String,
        pub container: Option<String>,
        pub chunk_count: i32,
        pub file_size_bytes: i64,
        pub expected_chunks: Option<i32>,
        pub storage_key: Option<String>,
        pub created_at: DateTimeUtc,
        pub last_chunk_at: Option<DateTimeUtc>,
        pub finalized_at: Option<DateTimeUtc>,
        pub deleted_at: Option<DateTimeUtc>,
        pub deletion_reason: Option<String>,
    }

    no_relations!();
}

pub mod video_chunks {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "video_chunks")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub recording_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub chunk_index: i32,
        pub size_bytes: i64,
        pub sha256: String,
        pub storage_key: String,
        pub stored_at: DateTimeUtc,
    }

    no_relations!();
}

pub mod resume_feedback {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "resume_feedback")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub resume_id: Uuid,
        pub candidate_id: Uuid,
        pub feedback_content: String,
        #[sea_orm(column_type = "JsonBinary")]
        pub improvement_areas: Json,
        #[sea_orm(column_type = "JsonBinary")]
        pub recommended_resources: Json,
        pub status: String,
        pub generated_at: DateTimeUtc,
        pub auto_send_at: DateTimeUtc,
        pub edited_by: Option<Uuid>,
        pub decided_by: Option<Uuid>,
        pub decided_at: Option<DateTimeUtc>,
        pub sent_at: Option<DateTimeUtc>,
    }

    no_relations!();
}

pub mod candidate_profiles {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "candidate_profiles")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub candidate_id: Uuid,
        #[sea_orm(column_type = "JsonBinary")]
        pub skills: Json,
        pub skills_source: String,
        pub experience_years: Option<i32>,
        #[sea_orm(column_type = "JsonBinary")]
        pub preferred_job_types: Json,
        #[sea_orm(column_type = "JsonBinary")]
        pub preferred_locations: Json,
        pub preferred_work_setup: Option<String>,
        pub salary_min: Option<i64>,
        pub salary_max: Option<i64>,
        pub salary_currency: Option<String>,
        pub updated_at: DateTimeUtc,
    }

    no_relations!();
}

pub mod integration_webhooks {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "integration_webhooks")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub organization_id: Uuid,
        pub url: String,
        #[sea_orm(column_type = "JsonBinary")]
        pub event_types: Json,
        pub signing_secret: String,
        pub is_active: bool,
        pub consecutive_failures: i32,
        pub disabled_reason: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub last_delivered_at: Option<DateTimeUtc>,
    }

    no_relations!();
}

pub mod webhook_deliveries {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "webhook_deliveries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub webhook_id: Uuid,
        pub delivery_id: Uuid,
        pub event_id: Uuid,
        pub event_type: String,
        pub attempt: i32,
        pub succeeded: bool,
        pub status_code: Option<i32>,
        pub error: Option<String>,
        pub duration_ms: i64,
        pub attempted_at: DateTimeUtc,
    }

    no_relations!();
}

pub mod revoked_tokens {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "revoked_tokens")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub jti: String,
        pub expires_at: DateTimeUtc,
    }

    no_relations!();
}

pub mod login_attempts {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "login_attempts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub email: String,
        pub failed_count: i32,
        pub first_failed_at: Option<DateTimeUtc>,
        pub locked_until: Option<DateTimeUtc>,
        pub updated_at: DateTimeUtc,
    }

    no_relations!();
}

pub mod realtime_leases {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "realtime_leases")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub interview_id: Uuid,
        pub connection_id: Uuid,
        pub claimed_at: DateTimeUtc,
    }

    no_relations!();
}

pub mod answer_idempotency {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "answer_idempotency")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub interview_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub client_key: String,
        #[sea_orm(column_type = "JsonBinary")]
        pub outcome: Json,
        pub created_at: DateTimeUtc,
    }

    no_relations!();
}

pub mod organizations {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "organizations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub name: String,
        pub created_at: DateTimeUtc,
    }

    no_relations!();
}

pub mod job_postings {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "job_postings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub organization_id: Uuid,
        pub title: String,
        pub company: String,
        pub description: String,
        pub role_category: String,
        #[sea_orm(column_type = "JsonBinary")]
        pub tech_stack: Json,
        #[sea_orm(column_type = "JsonBinary")]
        pub required_skills: Json,
        pub employment_type: String,
        pub work_setup: String,
        pub experience_level: String,
        pub location: Option<String>,
        pub salary_min: Option<i64>,
        pub salary_max: Option<i64>,
        pub salary_currency: Option<String>,
        pub status: String,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    no_relations!();
}

pub mod applications {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "applications")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub job_posting_id: Uuid,
        pub candidate_id: Uuid,
        pub organization_id: Uuid,
        pub status: String,
        pub interview_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    no_relations!();
}

pub mod interview_decisions {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "interview_decisions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub interview_id: Uuid,
        pub decision: String,
        pub note: Option<String>,
        pub decided_by: Uuid,
        pub decided_at: DateTimeUtc,
    }

    no_relations!();
}
