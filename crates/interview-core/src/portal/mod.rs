//! The candidate portal: the profile (`profile`), resumes with their parsing (`resumes`,
//! `parsing`), and feedback on them that recruiters approve before it is emailed, or that goes
//! out by itself at its deadline (`feedback`).

mod errors;
mod feedback;
mod matching;
mod model;
mod parsing;
mod profile;
mod resumes;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use errors::PortalError;
pub use feedback::{FeedbackSender, FeedbackView, feedback_email};
pub use matching::{MAX_RANKED, MatchPage};
pub use model::{
    CandidateProfile, Feedback, FeedbackState, ParseStatus, Preferences, SkillsSource,
    StoredResume, WorkPreference,
};
pub use parsing::ResumeParser;
pub use resumes::{DownloadLink, Upload};

use crate::ports::{
    BlobStore, Clock, FeedbackRepository, JobPostingRepository, JobQueue, ProfileRepository,
    RecruiterRepository, ResumeRepository,
};

/// Limits and timings of the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PortalSettings {
    /// The largest resume file.
    pub max_resume_bytes: u64,
    /// Resumes one candidate may keep.
    pub max_resumes: u32,
    /// How long feedback waits for a recruiter before it is sent anyway.
    pub feedback_auto_send_hours: i64,
    /// How long a resume download link works.
    pub download_link_seconds: i64,
}

impl Default for PortalSettings {
    fn default() -> Self {
        Self {
            max_resume_bytes: 5 * 1024 * 1024,
            max_resumes: 10,
            feedback_auto_send_hours: 4,
            download_link_seconds: 300,
        }
    }
}

/// The stores the portal reads and writes.
pub struct PortalStores {
    pub profiles: Arc<dyn ProfileRepository>,
    pub resumes: Arc<dyn ResumeRepository>,
    pub feedback: Arc<dyn FeedbackRepository>,
    pub recruiters: Arc<dyn RecruiterRepository>,
    pub postings: Arc<dyn JobPostingRepository>,
    pub files: Arc<dyn BlobStore>,
    pub jobs: Arc<dyn JobQueue>,
}

pub struct PortalService {
    stores: PortalStores,
    clock: Arc<dyn Clock>,
    settings: PortalSettings,
    /// Signs resume download links.
    link_secret: String,
}

impl PortalService {
    pub fn new(
        stores: PortalStores,
        clock: Arc<dyn Clock>,
        settings: PortalSettings,
        link_secret: String,
    ) -> Self {
        Self {
            stores,
            clock,
            settings,
            link_secret,
        }
    }

    pub const fn settings(&self) -> &PortalSettings {
        &self.settings
    }
}
