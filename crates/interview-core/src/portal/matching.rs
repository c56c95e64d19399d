//! Open jobs ranked for the candidate (`rules/job_matching.rs`), with the terms of each score.

use crate::actor::Actor;
use crate::ids::JobPostingId;
use crate::portal::profile::candidate_of;
use crate::portal::{PortalError, PortalService};
use crate::recruiting::{JobPosting, PostingFilter, PostingStatus};
use crate::rules::job_matching::{JobMatch, Seeker, rank, score};

/// The most open postings one ranking reads.
pub const MAX_RANKED: u64 = 10_000;

/// A page of ranked jobs.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchPage {
    pub matches: Vec<(JobPosting, JobMatch)>,
    pub total_count: u64,
}

impl PortalService {
    async fn seeker_facts(
        &self,
        actor: Actor,
    ) -> Result<(crate::portal::CandidateProfile, Vec<String>), PortalError> {
        let profile = self.profile(actor).await?;
        let candidate = candidate_of(&actor)?;
        let resume_skills = self
            .stores
            .resumes
            .list(candidate)
            .await?
            .into_iter()
            .find(|resume| resume.is_active)
            .and_then(|resume| resume.facts)
            .map(|facts| facts.skills)
            .unwrap_or_default();
        Ok((profile, resume_skills))
    }

    /// Open jobs ranked for the caller, `page` (1-based) of `limit`.
    ///
    /// # Errors
    /// [`PortalError::WrongAudience`] for a recruiter.
    pub async fn matching_jobs(
        &self,
        actor: Actor,
        page: u64,
        limit: u64,
    ) -> Result<MatchPage, PortalError> {
        let (profile, resume_skills) = self.seeker_facts(actor).await?;
        let filter = PostingFilter {
            open_only: true,
            ..PostingFilter::default()
        };
        let open = self.stores.postings.search(&filter, 0, MAX_RANKED).await?;
        let seeker = Seeker::new(&profile, &resume_skills);
        let ranked = rank(&seeker, &open.postings);
        let skip =
            usize::try_from(page.saturating_sub(1).saturating_mul(limit)).unwrap_or(usize::MAX);
        let matches = ranked
            .into_iter()
            .skip(skip)
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|(job, _)| (job.clone(), score(&seeker, job)))
            .collect();
        Ok(MatchPage {
            matches,
            total_count: open.postings.len() as u64,
        })
    }

    /// The terms of one open job's score for the caller.
    ///
    /// # Errors
    /// [`PortalError::NotFound`] for an unknown or closed job.
    pub async fn match_explanation(
        &self,
        actor: Actor,
        job: JobPostingId,
    ) -> Result<(JobPosting, JobMatch), PortalError> {
        let (profile, resume_skills) = self.seeker_facts(actor).await?;
        let posting = match self.stores.postings.by_id(job).await? {
            Some(posting) if posting.status == PostingStatus::Open => posting,
            _ => return Err(PortalError::NotFound("job posting")),
        };
        let fit = score(&Seeker::new(&profile, &resume_skills), &posting);
        Ok((posting, fit))
    }
}
