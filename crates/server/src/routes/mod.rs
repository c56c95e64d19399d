pub mod assessments;
pub mod audio;
pub mod auth;
pub mod health;
pub mod interviews;
pub mod realtime;
