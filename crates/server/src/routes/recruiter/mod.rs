//! The recruiter API under `/api/v1/recruiter`: every route takes a recruiter token
//! ([`crate::auth::AuthenticatedRecruiter`]) and works within the recruiter's organization;
//! another organization's job, application or interview is a 404.

pub mod applications;
pub mod auth;
pub mod candidates;
pub mod feedback;
pub mod interviews;
pub mod postings;
pub mod users;
pub mod webhooks;

use actix_web::web;

/// The recruiter routes except sign-in, relative to `/api/v1/recruiter` (`startup` mounts
/// [`auth::configure`] separately, under the rate limiter).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(users::configure)
        .configure(postings::configure)
        .configure(applications::configure)
        .configure(candidates::configure)
        .configure(interviews::configure)
        .configure(webhooks::configure)
        .configure(feedback::configure);
}
