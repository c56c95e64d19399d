//! Typed identifiers: a `CandidateId` can never be passed where an `InterviewId` is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered (UUIDv7) identifier.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    };
}

typed_id!(
    /// Identifies a candidate account.
    CandidateId
);
typed_id!(
    /// Identifies a recruiter account.
    RecruiterId
);
typed_id!(
    /// Identifies an interview.
    InterviewId
);
typed_id!(
    /// Identifies the live session state of an interview.
    SessionId
);
typed_id!(
    /// Identifies one message of an interview transcript.
    MessageId
);
typed_id!(
    /// Identifies an uploaded resume.
    ResumeId
);
typed_id!(
    /// Identifies an assessment result.
    AssessmentId
);
typed_id!(
    /// Identifies a video recording.
    VideoRecordingId
);
typed_id!(
    /// Identifies the feedback generated for a resume.
    ResumeFeedbackId
);
typed_id!(
    /// Identifies the organisation a recruiter belongs to.
    OrganizationId
);
typed_id!(
    /// Identifies one live realtime connection to an interview.
    ConnectionId
);
typed_id!(
    /// Identifies a background job.
    JobId
);
typed_id!(
    /// Identifies a job posting of an organization.
    JobPostingId
);
typed_id!(
    /// Identifies a candidate's application to a job posting.
    ApplicationId
);
typed_id!(
    /// Identifies one claim of a background job: a worker's right to finish it.
    LeaseToken
);
typed_id!(
    /// Identifies a webhook endpoint an organization registered.
    WebhookId
);
typed_id!(
    /// Identifies an event sent to webhooks (receivers deduplicate on it).
    WebhookEventId
);
typed_id!(
    /// Identifies the delivery of one event to one webhook endpoint, across its attempts.
    WebhookDeliveryId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_strings() {
        let id = InterviewId::new();
        let parsed: InterviewId = id.to_string().parse().unwrap();
        assert_eq!(parsed, id);
        assert!("not-a-uuid".parse::<InterviewId>().is_err());
    }

    #[test]
    fn new_ids_are_time_ordered() {
        let first = MessageId::new();
        let second = MessageId::new();
        assert!(second > first);
    }
}
