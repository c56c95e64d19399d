//! Webhook management (permissions, validation, limits) and delivery (fan-out, signing, the
//! log, retries and switching off) against mocked ports.

use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::actor::Actor;
use crate::ids::{
    CandidateId, JobId, LeaseToken, OrganizationId, RecruiterId, WebhookEventId, WebhookId,
};
use crate::jobs::{ClaimedJob, JobFailure, JobHandler, JobKind};
use crate::model::RecruiterRole;
use crate::ports::{MockWebhookRepository, MockWebhookSender, RepositoryError, SendError};
use crate::recruiting::RecruitingError;
use crate::rules::webhook_signature::{SIGNATURE_HEADER, TIMESTAMP_HEADER, verify};
use crate::testing::ManualClock;

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::at(
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap(),
    ))
}

fn staff(role: RecruiterRole, organization: OrganizationId) -> Actor {
    Actor::Recruiter {
        id: RecruiterId::new(),
        role,
        organization,
    }
}

fn webhook(organization: OrganizationId) -> Webhook {
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    Webhook {
        id: WebhookId::new(),
        organization_id: organization,
        url: "https://ats.example.com/hook".into(),
        event_types: vec![EventType::InterviewCompleted],
        secret: "whsec_test".into(),
        is_active: true,
        consecutive_failures: 3,
        disabled_reason: None,
        created_at: at,
        updated_at: at,
        last_delivered_at: None,
    }
}

fn service(repository: MockWebhookRepository, settings: WebhookSettings) -> WebhookService {
    WebhookService::new(Arc::new(repository), clock(), settings)
}

#[tokio::test]
async fn an_admin_registers_an_endpoint_and_gets_its_secret_once() {
    let organization = OrganizationId::new();
    let mut repository = MockWebhookRepository::new();
    repository.expect_list().returning(|_| Ok(Vec::new()));
    let stored = Arc::new(Mutex::new(None));
    let keep = stored.clone();
    repository
        .expect_insert()
        .times(1)
        .returning(move |webhook| {
            *keep.lock().unwrap() = Some(webhook.clone());
            Ok(())
        });
    let service = service(repository, WebhookSettings::default());
    let registered = service
        .register(
            staff(RecruiterRole::Admin, organization),
            " https://ats.example.com/hook ",
            vec![
                EventType::AssessmentReady,
                EventType::InterviewCompleted,
                EventType::AssessmentReady,
            ],
        )
        .await
        .unwrap();
    assert_eq!(registered.organization_id, organization);
    assert_eq!(registered.url, "https://ats.example.com/hook");
    assert_eq!(
        registered.event_types,
        vec![EventType::InterviewCompleted, EventType::AssessmentReady]
    );
    assert!(registered.secret.starts_with("whsec_"));
    assert_eq!(registered.secret.len(), "whsec_".len() + 64);
    assert!(registered.is_active);
    assert_eq!(stored.lock().unwrap().as_ref(), Some(&registered));
}

#[tokio::test]
async fn only_admins_manage_endpoints() {
    let organization = OrganizationId::new();
    let service = service(MockWebhookRepository::new(), WebhookSettings::default());
    for role in [RecruiterRole::Recruiter, RecruiterRole::Viewer] {
        let refused = service
            .register(
                staff(role, organization),
                "https://ats.example.com/hook",
                vec![EventType::DecisionMade],
            )
            .await;
        assert!(matches!(refused, Err(RecruitingError::Forbidden)), "{role}");
        assert!(matches!(
            service.list(staff(role, organization)).await,
            Err(RecruitingError::Forbidden)
        ));
    }
    let candidate = service.list(Actor::Candidate(CandidateId::new())).await;
    assert!(matches!(candidate, Err(RecruitingError::WrongAudience(_))));
}

#[tokio::test]
async fn bad_urls_no_events_and_too_many_endpoints_are_refused() {
    let organization = OrganizationId::new();
    let admin = staff(RecruiterRole::Admin, organization);
    let mut repository = MockWebhookRepository::new();
    repository
        .expect_list()
        .returning(move |_| Ok(vec![webhook(organization); 2]));
    let service = service(
        repository,
        WebhookSettings {
            max_per_organization: 2,
            ..WebhookSettings::default()
        },
    );
    for (url, events, field) in [
        (
            "http://127.0.0.1:8080/hook",
            vec![EventType::DecisionMade],
            "url",
        ),
        (
            "ftp://ats.example.com/",
            vec![EventType::DecisionMade],
            "url",
        ),
        ("https://ats.example.com/", Vec::new(), "event_types"),
    ] {
        match service.register(admin, url, events).await {
            Err(RecruitingError::Validation(fields)) => assert_eq!(fields[0].field, field),
            other => panic!("{url}: {other:?}"),
        }
    }
    let full = service
        .register(
            admin,
            "https://ats.example.com/",
            vec![EventType::DecisionMade],
        )
        .await;
    assert!(matches!(
        full,
        Err(RecruitingError::Conflict {
            code: "webhook_limit",
            ..
        })
    ));
}

#[tokio::test]
async fn another_organizations_endpoint_does_not_exist_and_switching_on_clears_failures() {
    let ours = OrganizationId::new();
    let mut theirs = webhook(OrganizationId::new());
    theirs.id = WebhookId::new();
    let mut mine = webhook(ours);
    mine.is_active = false;
    mine.disabled_reason = Some("switched off".into());
    let (their_id, my_id) = (theirs.id, mine.id);
    let mut repository = MockWebhookRepository::new();
    repository.expect_by_id().returning(move |id| {
        Ok(Some(if id == their_id {
            theirs.clone()
        } else {
            mine.clone()
        }))
    });
    repository
        .expect_update()
        .withf(|webhook| {
            webhook.is_active
                && webhook.consecutive_failures == 0
                && webhook.disabled_reason.is_none()
        })
        .times(1)
        .returning(|_| Ok(()));
    repository.expect_deliveries().never();
    let service = service(repository, WebhookSettings::default());
    let admin = staff(RecruiterRole::Admin, ours);
    assert!(matches!(
        service.deliveries(admin, their_id, 50).await,
        Err(RecruitingError::NotFound("webhook"))
    ));
    let change = WebhookChange {
        is_active: Some(true),
        ..WebhookChange::default()
    };
    assert!(matches!(
        service.update(admin, their_id, change.clone()).await,
        Err(RecruitingError::NotFound("webhook"))
    ));
    let updated = service.update(admin, my_id, change).await.unwrap();
    assert!(updated.is_active);
}

fn event(organization: OrganizationId) -> Event {
    Event {
        id: WebhookEventId::new(),
        event_type: EventType::InterviewCompleted,
        organization_id: organization,
        created_at: Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap(),
        data: json!({"interview_id": Uuid::now_v7()}),
    }
}

fn claimed(kind: JobKind, payload: serde_json::Value, attempts: u32) -> ClaimedJob {
    ClaimedJob {
        id: JobId::new(),
        kind,
        subject: Uuid::now_v7(),
        attempts,
        lease: LeaseToken::new(),
        payload: Some(payload),
    }
}

#[tokio::test]
async fn an_event_becomes_one_delivery_per_subscribed_endpoint_written_with_its_completion() {
    let organization = OrganizationId::new();
    let event = event(organization);
    let endpoints = vec![webhook(organization), webhook(organization)];
    let expected: Vec<WebhookId> = endpoints.iter().map(|webhook| webhook.id).collect();
    let mut repository = MockWebhookRepository::new();
    repository
        .expect_subscribed()
        .withf(move |org, kind| *org == organization && *kind == EventType::InterviewCompleted)
        .returning(move |_, _| Ok(endpoints.clone()));
    let sent_event = event.clone();
    repository
        .expect_fan_out()
        .times(1)
        .withf(move |_, deliveries, _| {
            let orders: Vec<DeliveryOrder> = deliveries
                .iter()
                .map(|job| serde_json::from_value(job.payload.clone().unwrap()).unwrap())
                .collect();
            deliveries
                .iter()
                .all(|job| job.kind == JobKind::WebhookDelivery)
                && orders
                    .iter()
                    .map(|order| order.webhook_id)
                    .collect::<Vec<_>>()
                    == expected
                && orders.iter().all(|order| order.event == sent_event)
        })
        .returning(|_, _, _| Ok(()));
    let fan_out = FanOut::new(Arc::new(repository), clock());
    let job = claimed(
        JobKind::WebhookEvent,
        serde_json::to_value(&event).unwrap(),
        1,
    );
    fan_out.run(&job).await.unwrap();
}

#[tokio::test]
async fn an_unreadable_event_fails_for_good_and_a_lost_lease_is_reported() {
    let mut repository = MockWebhookRepository::new();
    repository
        .expect_subscribed()
        .returning(|_, _| Ok(Vec::new()));
    repository
        .expect_fan_out()
        .returning(|_, _, _| Err(RepositoryError::Conflict("lease".into())));
    let fan_out = FanOut::new(Arc::new(repository), clock());
    let garbage = claimed(JobKind::WebhookEvent, json!({"nope": 1}), 1);
    assert!(matches!(
        fan_out.run(&garbage).await,
        Err(JobFailure::Permanent(_))
    ));
    let job = claimed(
        JobKind::WebhookEvent,
        serde_json::to_value(event(OrganizationId::new())).unwrap(),
        1,
    );
    assert_eq!(fan_out.run(&job).await, Err(JobFailure::LeaseLost));
}

fn delivery_job(endpoint: &Webhook, attempts: u32) -> (ClaimedJob, Event) {
    let event = event(endpoint.organization_id);
    let order = DeliveryOrder {
        webhook_id: endpoint.id,
        event: event.clone(),
    };
    (
        claimed(
            JobKind::WebhookDelivery,
            serde_json::to_value(order).unwrap(),
            attempts,
        ),
        event,
    )
}

#[tokio::test]
async fn a_delivery_is_signed_and_its_success_logged_with_the_job_done() {
    let endpoint = webhook(OrganizationId::new());
    let (job, event) = delivery_job(&endpoint, 1);
    let mut repository = MockWebhookRepository::new();
    let found = endpoint.clone();
    repository
        .expect_by_id()
        .returning(move |_| Ok(Some(found.clone())));
    let (job_id, delivery, event_id) = (job.id, job.subject, event.id);
    repository
        .expect_record_success()
        .times(1)
        .withf(move |done, attempt| {
            done.id == job_id
                && attempt.succeeded
                && attempt.status_code == Some(204)
                && attempt.attempt == 1
                && attempt.delivery_id.as_uuid() == delivery
                && attempt.event_id == event_id
        })
        .returning(|_, _| Ok(()));
    let mut sender = MockWebhookSender::new();
    let body_event = event.clone();
    sender
        .expect_send()
        .times(1)
        .withf(move |request| {
            let header = |name: &str| {
                request
                    .headers
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| value.clone())
                    .unwrap()
            };
            let timestamp: i64 = header(TIMESTAMP_HEADER).parse().unwrap();
            let body: Event = serde_json::from_slice(&request.body).unwrap();
            request.url == "https://ats.example.com/hook"
                && body == body_event
                && header("X-Webhook-Event") == "interview.completed"
                && header("X-Webhook-Id") == body_event.id.to_string()
                && verify(
                    "whsec_test",
                    timestamp,
                    &request.body,
                    &header(SIGNATURE_HEADER),
                )
        })
        .returning(|_| Ok(204));
    let deliver = Deliver::new(
        Arc::new(repository),
        Arc::new(sender),
        clock(),
        WebhookSettings::default(),
    );
    deliver.run(&job).await.unwrap();
}

#[tokio::test]
async fn a_failed_delivery_is_logged_and_retried_until_the_endpoint_is_switched_off() {
    let endpoint = webhook(OrganizationId::new());
    let mut repository = MockWebhookRepository::new();
    let found = endpoint.clone();
    repository
        .expect_by_id()
        .returning(move |_| Ok(Some(found.clone())));
    let mut remaining_active = vec![false, true, true];
    repository
        .expect_record_failure()
        .times(3)
        .withf(|attempt, limit, reason| {
            !attempt.succeeded && *limit == 15 && reason.contains("15 failed deliveries")
        })
        .returning(move |_, _, _| Ok(remaining_active.pop().unwrap()));
    repository.expect_record_success().never();
    let mut sender = MockWebhookSender::new();
    let mut answers = vec![
        Ok(500),
        Err(SendError::TimedOut),
        Err(SendError::Failed("connection refused".into())),
    ];
    sender
        .expect_send()
        .times(3)
        .returning(move |_| answers.remove(0));
    let deliver = Deliver::new(
        Arc::new(repository),
        Arc::new(sender),
        clock(),
        WebhookSettings::default(),
    );
    let first = deliver.run(&delivery_job(&endpoint, 1).0).await;
    assert_eq!(
        first,
        Err(JobFailure::Retryable("the receiver answered 500".into()))
    );
    let second = deliver.run(&delivery_job(&endpoint, 2).0).await;
    assert_eq!(
        second,
        Err(JobFailure::Retryable("no answer within 10 s".into()))
    );
    // the third failure in a row reaches the limit: the endpoint is off and the job stops
    match deliver.run(&delivery_job(&endpoint, 3).0).await {
        Err(JobFailure::Permanent(reason)) => assert!(reason.contains("connection refused")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_switched_off_or_removed_endpoint_gets_nothing() {
    let mut off = webhook(OrganizationId::new());
    off.is_active = false;
    let off_id = off.id;
    let mut repository = MockWebhookRepository::new();
    repository
        .expect_by_id()
        .returning(move |id| Ok((id == off_id).then(|| off.clone())));
    let mut sender = MockWebhookSender::new();
    sender.expect_send().never();
    let deliver = Deliver::new(
        Arc::new(repository),
        Arc::new(sender),
        clock(),
        WebhookSettings::default(),
    );
    let mut switched_off = webhook(OrganizationId::new());
    switched_off.id = off_id;
    for endpoint in [switched_off, webhook(OrganizationId::new())] {
        let result = deliver.run(&delivery_job(&endpoint, 1).0).await;
        assert!(
            matches!(result, Err(JobFailure::Permanent(_))),
            "{result:?}"
        );
    }
}
