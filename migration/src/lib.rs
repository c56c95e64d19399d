//! The only source of schema truth. `cargo run -p migration -- up | down | status | fresh`
//! (the database comes from `DATABASE_URL` or `-u`).

pub use sea_orm_migration::prelude::*;

mod dialect;
mod m20261123_000001_core_schema;
mod m20261123_000002_auth_and_idempotency;
mod m20261123_000003_foreign_key_indexes;
mod m20261126_000004_closing_message_type;
mod m20261126_000005_realtime_leases;
mod m20261126_000006_assessments_and_jobs;
mod m20261126_000007_interview_ownership;
mod m20261126_000008_recruiting;
mod m20261126_000009_webhooks;
mod m20261126_000010_video;
mod m20261126_000011_candidate_portal;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_core_schema::Migration),
            Box::new(m20261123_000002_auth_and_idempotency::Migration),
            Box::new(m20261123_000003_foreign_key_indexes::Migration),
            Box::new(m20261126_000004_closing_message_type::Migration),
            Box::new(m20261126_000005_realtime_leases::Migration),
            Box::new(m20261126_000006_assessments_and_jobs::Migration),
            Box::new(m20261126_000007_interview_ownership::Migration),
            Box::new(m20261126_000008_recruiting::Migration),
            Box::new(m20261126_000009_webhooks::Migration),
            Box::new(m20261126_000010_video::Migration),
            Box::new(m20261126_000011_candidate_portal::Migration),
        ]
    }
}
