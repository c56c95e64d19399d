//! The permission matrix over interviews: who may read an interview and who may act on it.
//! Someone without access is told the interview does not exist, never that it is forbidden.

use crate::actor::Actor;
use crate::model::Interview;

/// What an actor wants to do with an interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Its state, transcript and audio.
    Read,
    /// Answer its questions, complete it.
    Take,
}

/// Whether `actor` may `access` the interview.
pub fn permits(actor: &Actor, interview: &Interview, access: Access) -> bool {
    match (actor, access) {
        (Actor::Candidate(candidate), Access::Read | Access::Take) => {
            interview.candidate_id == *candidate
        }
        // every role of the interview's organization reads it; taking it is the candidate's alone
        (Actor::Recruiter { organization, .. }, Access::Read) => {
            interview.organization_id == Some(*organization)
        }
        (Actor::Recruiter { .. }, Access::Take) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CandidateId, OrganizationId, RecruiterId};
    use crate::model::RecruiterRole;
    use crate::testing::sample_interview;

    #[test]
    fn a_candidate_reaches_only_their_own_interviews() {
        let interview = sample_interview();
        let owner = Actor::Candidate(interview.candidate_id);
        assert!(permits(&owner, &interview, Access::Read));
        assert!(permits(&owner, &interview, Access::Take));
        let stranger = Actor::Candidate(CandidateId::new());
        assert!(!permits(&stranger, &interview, Access::Read));
        assert!(!permits(&stranger, &interview, Access::Take));
    }

    #[test]
    fn a_recruiter_reads_only_the_interviews_of_their_organization() {
        let organization = OrganizationId::new();
        let mut interview = sample_interview();
        let recruiter = |role| Actor::Recruiter {
            id: RecruiterId::new(),
            role,
            organization,
        };
        for role in [
            RecruiterRole::Admin,
            RecruiterRole::Recruiter,
            RecruiterRole::Viewer,
        ] {
            assert!(!permits(&recruiter(role), &interview, Access::Read));
        }
        interview.organization_id = Some(organization);
        for role in [
            RecruiterRole::Admin,
            RecruiterRole::Recruiter,
            RecruiterRole::Viewer,
        ] {
            assert!(permits(&recruiter(role), &interview, Access::Read));
            assert!(!permits(&recruiter(role), &interview, Access::Take));
        }
        interview.organization_id = Some(OrganizationId::new());
        assert!(!permits(
            &recruiter(RecruiterRole::Admin),
            &interview,
            Access::Read
        ));
    }

    #[test]
    fn a_recruiter_never_takes_an_interview() {
        let recruiter = Actor::Recruiter {
            id: RecruiterId::new(),
            role: RecruiterRole::Admin,
            organization: OrganizationId::new(),
        };
        assert!(!permits(&recruiter, &sample_interview(), Access::Take));
    }
}
