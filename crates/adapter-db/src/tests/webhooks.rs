//! Webhook endpoints and their log on each backend: round trip, the fan-out and a success
//! written with their job under its lease, failures counted until the endpoint switches off.

use std::time::Duration;

use interview_core::ids::{OrganizationId, WebhookDeliveryId, WebhookEventId, WebhookId};
use interview_core::jobs::{JobKind, JobState, NewJob};
use interview_core::ports::{JobQueue, RecruiterRepository, RepositoryError, WebhookRepository};
use interview_core::webhooks::{DeliveryAttempt, EventType, Webhook};
use serde_json::json;
use uuid::Uuid;

use super::recruiting::organization;
use super::support::{at, databases};
use crate::{SeaOrmJobs, SeaOrmRecruiters, SeaOrmWebhooks};

fn endpoint(organization: OrganizationId, minute: u32) -> Webhook {
    Webhook {
        id: WebhookId::new(),
        organization_id: organization,
        url: format!("https://ats.example.com/hook/{minute}"),
        event_types: vec![EventType::InterviewCompleted, EventType::DecisionMade],
        secret: "whsec_abc".into(),
        is_active: true,
        consecutive_failures: 0,
        disabled_reason: None,
        created_at: at(minute),
        updated_at: at(minute),
        last_delivered_at: None,
    }
}

fn attempt(webhook: &Webhook, number: u32, succeeded: bool, minute: u32) -> DeliveryAttempt {
    DeliveryAttempt {
        webhook_id: webhook.id,
        delivery_id: WebhookDeliveryId::new(),
        event_id: WebhookEventId::new(),
        event_type: EventType::InterviewCompleted,
        attempt: number,
        succeeded,
        status_code: if succeeded { Some(200) } else { Some(503) },
        error: (!succeeded).then(|| "the receiver answered 503".to_owned()),
        duration_ms: 12,
        attempted_at: at(minute),
    }
}

#[tokio::test]
async fn endpoints_round_trip_and_stay_within_their_organization() {
    for database in databases().await {
        let name = database.name;
        let db = &database.db;
        let recruiters = SeaOrmRecruiters::new(db.clone());
        let (acme, beta) = (organization("Acme", 1), organization("Beta", 2));
        recruiters.create_organization(&acme).await.unwrap();
        recruiters.create_organization(&beta).await.unwrap();
        let webhooks = SeaOrmWebhooks::new(db.clone());
        let (first, second, theirs) = (
            endpoint(acme.id, 3),
            endpoint(acme.id, 4),
            endpoint(beta.id, 5),
        );
        for webhook in [&first, &second, &theirs] {
            webhooks.insert(webhook).await.unwrap();
        }
        assert_eq!(
            webhooks.by_id(first.id).await.unwrap(),
            Some(first.clone()),
            "{name}"
        );
        assert_eq!(
            webhooks.list(acme.id).await.unwrap(),
            vec![first.clone(), second.clone()]
        );
        let mut off = second.clone();
        off.is_active = false;
        off.event_types = vec![EventType::AssessmentReady];
        off.disabled_reason = Some("manual".into());
        off.updated_at = at(6);
        webhooks.update(&off).await.unwrap();
        assert_eq!(
            webhooks.by_id(off.id).await.unwrap(),
            Some(off.clone()),
            "{name}"
        );
        assert_eq!(
            webhooks
                .subscribed(acme.id, EventType::InterviewCompleted)
                .await
                .unwrap(),
            vec![first.clone()],
            "{name}: only active subscribers"
        );
        webhooks.delete(first.id).await.unwrap();
        assert_eq!(webhooks.by_id(first.id).await.unwrap(), None);
        assert!(matches!(
            webhooks.delete(first.id).await,
            Err(RepositoryError::NotFound)
        ));
        assert!(matches!(
            webhooks.update(&first).await,
            Err(RepositoryError::NotFound)
        ));
        let stranger = endpoint(OrganizationId::new(), 7);
        assert!(
            webhooks.insert(&stranger).await.is_err(),
            "{name}: an unknown organization is refused"
        );
        database.finish().await;
    }
}

#[tokio::test]
async fn fan_out_and_success_finish_their_job_under_its_lease_and_failures_switch_off() {
    for database in databases().await {
        let name = database.name;
        let db = &database.db;
        let acme = organization("Acme", 1);
        SeaOrmRecruiters::new(db.clone())
            .create_organization(&acme)
            .await
            .unwrap();
        let webhooks = SeaOrmWebhooks::new(db.clone());
        let jobs = SeaOrmJobs::new(db.clone());
        let hook = endpoint(acme.id, 2);
        webhooks.insert(&hook).await.unwrap();

        let event = NewJob::new(JobKind::WebhookEvent, Uuid::now_v7(), at(3))
            .with_payload(json!({"type": "interview.completed"}));
        jobs.enqueue(&event).await.unwrap();
        let claimed = jobs
            .claim(&[JobKind::WebhookEvent], at(3), Duration::from_mins(1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            claimed.payload, event.payload,
            "{name}: the payload comes back"
        );
        let delivery = NewJob::new(JobKind::WebhookDelivery, Uuid::now_v7(), at(3))
            .with_payload(json!({"webhook_id": hook.id}));
        // a stale claim writes nothing
        let mut stale = claimed.clone();
        stale.lease = interview_core::ids::LeaseToken::new();
        assert!(matches!(
            webhooks
                .fan_out(&stale, std::slice::from_ref(&delivery), at(4))
                .await,
            Err(RepositoryError::Conflict(_))
        ));
        assert_eq!(
            jobs.latest(JobKind::WebhookDelivery, delivery.subject)
                .await
                .unwrap(),
            None
        );
        webhooks
            .fan_out(&claimed, std::slice::from_ref(&delivery), at(4))
            .await
            .unwrap();
        let done = jobs
            .latest(JobKind::WebhookEvent, event.subject)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(done.state, JobState::Succeeded, "{name}");

        let sending = jobs
            .claim(&[JobKind::WebhookDelivery], at(5), Duration::from_mins(1))
            .await
            .unwrap()
            .unwrap();
        // two failures, then a success that clears the count
        assert!(
            webhooks
                .record_failure(&attempt(&hook, 1, false, 5), 3, "off")
                .await
                .unwrap()
        );
        assert!(
            webhooks
                .record_failure(&attempt(&hook, 2, false, 6), 3, "off")
                .await
                .unwrap()
        );
        assert_eq!(
            webhooks
                .by_id(hook.id)
                .await
                .unwrap()
                .unwrap()
                .consecutive_failures,
            2
        );
        let success = attempt(&hook, 3, true, 7);
        webhooks.record_success(&sending, &success).await.unwrap();
        let delivered = webhooks.by_id(hook.id).await.unwrap().unwrap();
        assert_eq!(
            (delivered.consecutive_failures, delivered.last_delivered_at),
            (0, Some(at(7))),
            "{name}"
        );
        let sent = jobs
            .latest(JobKind::WebhookDelivery, delivery.subject)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(sent.state, JobState::Succeeded, "{name}");
        assert!(
            matches!(
                webhooks
                    .record_success(&sending, &attempt(&hook, 4, true, 8))
                    .await,
                Err(RepositoryError::Conflict(_))
            ),
            "{name}: a finished job's success is not logged twice"
        );

        // three failures in a row switch it off, with the reason
        for (number, minute) in [(1, 10), (2, 11)] {
            assert!(
                webhooks
                    .record_failure(&attempt(&hook, number, false, minute), 3, "off: 503")
                    .await
                    .unwrap()
            );
        }
        assert!(
            !webhooks
                .record_failure(&attempt(&hook, 3, false, 12), 3, "off: 503")
                .await
                .unwrap()
        );
        let off = webhooks.by_id(hook.id).await.unwrap().unwrap();
        assert!(!off.is_active, "{name}");
        assert_eq!(off.disabled_reason.as_deref(), Some("off: 503"));
        assert_eq!(off.consecutive_failures, 3);

        let log = webhooks.deliveries(hook.id, 4).await.unwrap();
        let minutes: Vec<_> = log.iter().map(|attempt| attempt.attempted_at).collect();
        assert_eq!(
            minutes,
            vec![at(12), at(11), at(10), at(7)],
            "{name}: newest first"
        );
        assert_eq!(log[3], success);
        database.finish().await;
    }
}
