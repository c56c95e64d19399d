//! Persistence of the interview platform on sea-orm: PostgreSQL in production, SQLite as the
//! embedded default. Implements the repository ports of `interview-core`; sea-orm entities stay
//! private to this crate and driver errors are translated at the port.

mod applications;
mod assessments;
mod connection;
mod credentials;
mod entities;
mod error;
mod interview_list;
mod jobs;
mod leases;
mod mapping;
mod message_audio;
mod postings;
mod profiles;
mod recruiters;
mod repositories;
mod resumes;
#[cfg(test)]
mod tests;
mod videos;
mod webhooks;

pub use applications::SeaOrmApplications;
pub use assessments::SeaOrmAssessments;
pub use connection::{
    Backend, ConnectError, Database, DatabaseSettings, PoolStatus, backend_of, connect,
    connect_postgres, migrate, pending_migrations, ping, redact_url,
};
pub use credentials::SeaOrmCredentials;
pub use interview_list::SeaOrmRecruiterInterviews;
pub use jobs::SeaOrmJobs;
pub use postings::SeaOrmJobPostings;
pub use profiles::SeaOrmProfiles;
pub use recruiters::SeaOrmRecruiters;
pub use repositories::{SeaOrmCandidates, SeaOrmInterviews};
pub use resumes::SeaOrmResumes;
pub use videos::SeaOrmVideos;
pub use webhooks::SeaOrmWebhooks;
