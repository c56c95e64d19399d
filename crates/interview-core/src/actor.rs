//! Who is asking: every read and command of the engine names its actor, and the permission
//! matrix (`interview::access`) decides what that actor may do.

use crate::ids::{CandidateId, OrganizationId, RecruiterId};
use crate::model::RecruiterRole;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A candidate: owns the interviews they started.
    Candidate(CandidateId),
    /// A recruiter of an organization, with their role in it.
    Recruiter {
        id: RecruiterId,
        role: RecruiterRole,
        organization: OrganizationId,
    },
}

impl Actor {
    pub const fn candidate(&self) -> Option<CandidateId> {
        match self {
            Self::Candidate(id) => Some(*id),
            Self::Recruiter { .. } => None,
        }
    }
}
