//! The recruiter permission matrix: what each role may do. Every recruiter action is also
//! scoped to the recruiter's own organization; something of another organization does not
//! exist for them (404, never 403).

use crate::actor::Actor;
use crate::ids::OrganizationId;
use crate::model::RecruiterRole;

/// What a recruiter wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecruiterAction {
    /// Read job postings, applications, candidates, interviews and assessments.
    Read,
    /// Create, change and close job postings.
    ManagePostings,
    /// Ask for a new version of an assessment.
    RegenerateAssessment,
    /// Record a hiring decision.
    Decide,
    /// Create recruiters and change their role or status.
    ManageUsers,
    /// Register, change and remove the organization's webhooks and read their delivery log.
    ManageWebhooks,
}

/// Whether `role` may perform `action` (within its own organization).
pub const fn role_allows(role: RecruiterRole, action: RecruiterAction) -> bool {
    match role {
        RecruiterRole::Admin => true,
        RecruiterRole::Recruiter => !matches!(
            action,
            RecruiterAction::ManageUsers | RecruiterAction::ManageWebhooks
        ),
        RecruiterRole::Viewer => matches!(action, RecruiterAction::Read),
    }
}

/// The organization `actor` may `action` in: theirs, when they are a recruiter whose role allows
/// it. `Err(Forbidden)` for a recruiter whose role does not, `Err(NotRecruiter)` for a candidate.
///
/// # Errors
/// [`Refusal`] saying why.
pub fn organization_for(actor: &Actor, action: RecruiterAction) -> Result<OrganizationId, Refusal> {
    match actor {
        Actor::Recruiter {
            role, organization, ..
        } => {
            if role_allows(*role, action) {
                Ok(*organization)
            } else {
                Err(Refusal::RoleForbids)
            }
        }
        Actor::Candidate(_) => Err(Refusal::NotRecruiter),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The caller is a candidate.
    NotRecruiter,
    /// The recruiter's role does not allow the action.
    RoleForbids,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CandidateId, RecruiterId};

    const ACTIONS: [RecruiterAction; 6] = [
        RecruiterAction::Read,
        RecruiterAction::ManagePostings,
        RecruiterAction::RegenerateAssessment,
        RecruiterAction::Decide,
        RecruiterAction::ManageUsers,
        RecruiterAction::ManageWebhooks,
    ];

    #[test]
    fn the_matrix() {
        // (role, [read, postings, regenerate, decide, users, webhooks])
        let table = [
            (RecruiterRole::Admin, [true, true, true, true, true, true]),
            (
                RecruiterRole::Recruiter,
                [true, true, true, true, false, false],
            ),
            (
                RecruiterRole::Viewer,
                [true, false, false, false, false, false],
            ),
        ];
        for (role, expected) in table {
            for (action, allowed) in ACTIONS.iter().zip(expected) {
                assert_eq!(role_allows(role, *action), allowed, "{role} {action:?}");
                let organization = OrganizationId::new();
                let actor = Actor::Recruiter {
                    id: RecruiterId::new(),
                    role,
                    organization,
                };
                let scoped = organization_for(&actor, *action);
                if allowed {
                    assert_eq!(scoped, Ok(organization));
                } else {
                    assert_eq!(scoped, Err(Refusal::RoleForbids));
                }
            }
        }
        let candidate = Actor::Candidate(CandidateId::new());
        for action in ACTIONS {
            assert_eq!(
                organization_for(&candidate, action),
                Err(Refusal::NotRecruiter)
            );
        }
    }
}
