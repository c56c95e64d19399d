//! The candidate portal over HTTP: the profile, resumes parsed into skills (real PDF and DOCX
//! files), signed downloads, feedback approved by a recruiter or sent at its deadline by email
//! (an in-process SMTP server), exactly once across two nodes, and job matching.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use adapter_email::EmailBackend;
use adapter_email::test_server::SmtpServer;
use chrono::Utc;
use interview_core::testing::ManualClock;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use server::config::Settings;

use crate::helpers::{TestApp, error_code, spawn_app_on, spawn_app_with};
use crate::recruiters::{admin_of, fast_jobs, post_job, react_job};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/resumes")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

async fn upload(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    app.client
        .post(app.url("/api/v1/resumes/upload"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn put(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .put(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Waits until the resume's parsing is over; returns the status body.
async fn parsed(app: &TestApp, token: &str, id: &str) -> Value {
    for _ in 0..1_000 {
        let status = app
            .get_json(&format!("/api/v1/resumes/{id}/parsing-status"), Some(token))
            .await;
        if matches!(
            status["parsing_status"].as_str(),
            Some("completed" | "failed")
        ) {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("resume {id} was never parsed");
}

fn portal_settings(settings: &mut Settings) {
    fast_jobs(settings);
    settings.portal.sweep_interval_seconds = 1;
}

#[tokio::test]
async fn the_profile_round_trips_and_refuses_bad_fields() {
    let app =
        spawn_app_with(|settings: &mut Settings| settings.portal.limits.max_resumes = 1).await;
    let candidate = app.register("pia@example.com").await;
    let profile = app
        .get_json("/api/v1/profile", Some(&candidate.token))
        .await;
    assert_eq!(profile["email"], "pia@example.com");
    assert_eq!(profile["skills"], json!([]));
    let response = put(
        &app,
        "/api/v1/profile/basic-info",
        &candidate.token,
        &json!({"full_name": "Pia Pérez", "phone": "+34 600 123 456"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = put(
        &app,
        "/api/v1/profile/skills",
        &candidate.token,
        &json!({"skills": ["Rust", " rust ", "SQL"]}),
    )
    .await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["skills"], json!(["Rust", "SQL"]));
    let preferences = json!({"preferred_job_types": ["permanent", "contract"], "preferred_locations": ["Madrid"],
        "preferred_work_setup": "hybrid", "salary_min": 50000, "salary_max": 70000, "salary_currency": "eur"});
    let response = put(
        &app,
        "/api/v1/profile/preferences",
        &candidate.token,
        &preferences,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let profile = app
        .get_json("/api/v1/profile", Some(&candidate.token))
        .await;
    assert_eq!(profile["full_name"], "Pia Pérez");
    assert_eq!(profile["phone"], "+34 600 123 456");
    assert_eq!(
        profile["preferred_job_types"],
        json!(["permanent", "contract"])
    );
    assert_eq!(
        (
            profile["preferred_work_setup"].as_str(),
            profile["salary_currency"].as_str()
        ),
        (Some("hybrid"), Some("EUR"))
    );

    for (path, body, field) in [
        (
            "/api/v1/profile/preferences",
            json!({"salary_min": 90000, "salary_max": 70000}),
            "salary_min",
        ),
        (
            "/api/v1/profile/preferences",
            json!({"preferred_job_types": ["freelance"]}),
            "preferred_job_types",
        ),
        (
            "/api/v1/profile/preferences",
            json!({"preferred_work_setup": "moon"}),
            "preferred_work_setup",
        ),
        (
            "/api/v1/profile/basic-info",
            json!({"full_name": "P", "phone": "12"}),
            "full_name",
        ),
        (
            "/api/v1/profile/skills",
            json!({"skills": ["x".repeat(51)]}),
            "skills",
        ),
    ] {
        let (status, error) = error_code(put(&app, path, &candidate.token, &body).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let fields: Vec<&str> = error["error"]["details"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{body}: {fields:?}");
    }
    // nothing of the refused changes was stored
    assert_eq!(
        app.get_json("/api/v1/profile", Some(&candidate.token))
            .await["salary_min"],
        50000
    );
    // a candidate keeps at most `portal.max_resumes` resumes
    let first = upload(&app, &candidate.token, "a.pdf", fixture("resume.pdf")).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let (status, error) =
        error_code(upload(&app, &candidate.token, "b.pdf", fixture("resume.pdf")).await).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("resume_limit"))
    );
}

#[tokio::test]
async fn resumes_are_parsed_into_skills_downloaded_by_signed_link_and_kept_private() {
    let clock = Arc::new(ManualClock::at(Utc::now()));
    let app = spawn_app_on(clock.clone(), portal_settings).await;
    let candidate = app.register("ada@example.com").await;
    let response = upload(&app, &candidate.token, "resume.pdf", fixture("resume.pdf")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let pdf: Value = response.json().await.unwrap();
    assert_eq!(
        (pdf["parsing_status"].as_str(), pdf["is_active"].as_bool()),
        (Some("pending"), Some(false))
    );
    let pdf_id = pdf["id"].as_str().unwrap().to_owned();
    let docx: Value = upload(
        &app,
        &candidate.token,
        "resume.docx",
        fixture("resume.docx"),
    )
    .await
    .json()
    .await
    .unwrap();
    let docx_id = docx["id"].as_str().unwrap().to_owned();
    for id in [&pdf_id, &docx_id] {
        let status = parsed(&app, &candidate.token, id).await;
        assert_eq!(status["parsing_status"], "completed", "{status}");
        let analysis = app
            .get_json(
                &format!("/api/v1/resumes/{id}/analysis"),
                Some(&candidate.token),
            )
            .await;
        let skills: Vec<&str> = analysis["skills"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        for expected in [
            "Python",
            "Django",
            "PostgreSQL",
            "React",
            "TypeScript",
            "Docker",
            "AWS",
        ] {
            assert!(skills.contains(&expected), "{id}: {skills:?}");
        }
        assert_eq!(analysis["experience_years"], 7);
    }
    // the parsed skills filled the profile, which the candidate had not set
    let profile = app
        .get_json("/api/v1/profile", Some(&candidate.token))
        .await;
    assert!(
        profile["skills"]
            .as_array()
            .unwrap()
            .contains(&json!("Django")),
        "{profile}"
    );

    // an interview started with the resume: with it; another's resume is refused
    let started = app
        .post_json(
            "/api/v1/interviews/start",
            Some(&candidate.token),
            &json!({"role_type": "python", "resume_id": pdf_id}),
        )
        .await;
    assert_eq!(started.status(), StatusCode::CREATED);
    let stranger = app.register("sam@example.com").await;
    let (status, error) = error_code(
        app.post_json(
            "/api/v1/interviews/start",
            Some(&stranger.token),
            &json!({"role_type": "python", "resume_id": pdf_id}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["error"]["details"]["fields"][0]["field"], "resume_id");

    // a corrupt PDF and a scanned one fail with a reason
    for name in ["corrupt.pdf", "scanned.pdf"] {
        let body: Value = upload(&app, &candidate.token, name, fixture(name))
            .await
            .json()
            .await
            .unwrap();
        let status = parsed(&app, &candidate.token, body["id"].as_str().unwrap()).await;
        assert_eq!(status["parsing_status"], "failed", "{name}");
        assert!(!status["parsing_error"].as_str().unwrap().is_empty());
        let (status, _) = error_code(
            app.get(
                &format!("/api/v1/resumes/{}/analysis", body["id"].as_str().unwrap()),
                Some(&candidate.token),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, _) = error_code(
        upload(
            &app,
            &candidate.token,
            "big.pdf",
            [b"%PDF-1.4\n".to_vec(), vec![b'x'; 6 * 1024 * 1024]].concat(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _) = error_code(
        upload(
            &app,
            &candidate.token,
            "photo.png",
            b"\x89PNG\r\n\x1a\n0000".to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // activation keeps one active resume
    let activated = app
        .post_json(
            &format!("/api/v1/resumes/{docx_id}/activate"),
            Some(&candidate.token),
            &json!({}),
        )
        .await;
    assert_eq!(activated.status(), StatusCode::OK);
    app.post_json(
        &format!("/api/v1/resumes/{pdf_id}/activate"),
        Some(&candidate.token),
        &json!({}),
    )
    .await;
    let listed = app
        .get_json("/api/v1/resumes", Some(&candidate.token))
        .await;
    let active: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["is_active"] == true)
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(active, vec![pdf_id.as_str()]);

    // another candidate sees none of it
    let other = app.register("eve@example.com").await;
    for path in [
        format!("/api/v1/resumes/{pdf_id}"),
        format!("/api/v1/resumes/{pdf_id}/download"),
        format!("/api/v1/resumes/{pdf_id}/analysis"),
    ] {
        let (status, _) = error_code(app.get(&path, Some(&other.token)).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }

    // a signed link downloads the file without a token, until it expires; a forged one never
    let link = app
        .get_json(
            &format!("/api/v1/resumes/{pdf_id}/download"),
            Some(&candidate.token),
        )
        .await;
    let url = link["signed_url"].as_str().unwrap().to_owned();
    let file = app.client.get(app.url(&url)).send().await.unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(
        file.bytes().await.unwrap().as_ref(),
        fixture("resume.pdf").as_slice()
    );
    let forged = url.replace("signature=", "signature=0");
    assert_eq!(
        app.client
            .get(app.url(&forged))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    clock.advance(chrono::Duration::seconds(301));
    assert_eq!(
        app.client.get(app.url(&url)).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    // deleted: gone
    let deleted = app
        .client
        .delete(app.url(&format!("/api/v1/resumes/{docx_id}")))
        .bearer_auth(&candidate.token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let (status, _) = error_code(
        app.get(
            &format!("/api/v1/resumes/{docx_id}"),
            Some(&candidate.token),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn pending_feedback(app: &TestApp, token: &str, count: usize) -> Vec<Value> {
    for _ in 0..1_000 {
        let rows = app
            .get_json(
                "/api/v1/recruiter/resume-feedback?status=pending_approval",
                Some(token),
            )
            .await;
        let rows = rows.as_array().unwrap().clone();
        if rows.len() >= count {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no pending feedback appeared");
}

async fn mails(smtp: &SmtpServer, count: usize) -> Vec<adapter_email::test_server::ReceivedMail> {
    for _ in 0..1_000 {
        let received = smtp.received();
        if received.len() >= count {
            return received;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{count} emails never arrived");
}

#[tokio::test]
async fn feedback_is_approved_and_emailed_or_sent_at_its_deadline_exactly_once_across_nodes() {
    let smtp = SmtpServer::start().await.unwrap();
    let clock = Arc::new(ManualClock::at(Utc::now()));
    let with_mail = |settings: &mut Settings| {
        portal_settings(settings);
        settings.email.backend = EmailBackend::Smtp;
        settings.email.smtp = smtp.settings();
    };
    let app = spawn_app_on(clock.clone(), with_mail).await;
    let admin = admin_of(&app, "Acme", "ada@acme.example").await;
    let candidate = app.register("cleo@example.com").await;
    let first: Value = upload(&app, &candidate.token, "cv.pdf", fixture("resume.pdf"))
        .await
        .json()
        .await
        .unwrap();
    let first_id = first["id"].as_str().unwrap().to_owned();
    parsed(&app, &candidate.token, &first_id).await;
    // not sent yet: the candidate cannot read it
    let (status, _) = error_code(
        app.get(
            &format!("/api/v1/resumes/{first_id}/feedback"),
            Some(&candidate.token),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let pending = pending_feedback(&app, &admin.token, 1).await;
    assert_eq!(pending[0]["candidate_email"], "cleo@example.com");
    assert!(
        !pending[0]["improvement_areas"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let id = pending[0]["id"].as_str().unwrap().to_owned();
    let edited = app
        .patch_json(
            &format!("/api/v1/recruiter/resume-feedback/{id}"),
            Some(&admin.token),
            &json!({"feedback_content": "Strong backend profile; quantify your impact."}),
        )
        .await;
    assert_eq!(edited.status(), StatusCode::OK);
    let approved = app
        .post_json(
            &format!("/api/v1/recruiter/resume-feedback/{id}/approve"),
            Some(&admin.token),
            &json!({}),
        )
        .await;
    assert_eq!(approved.status(), StatusCode::OK);
    let (status, body) = error_code(
        app.post_json(
            &format!("/api/v1/recruiter/resume-feedback/{id}/reject"),
            Some(&admin.token),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("feedback_decided"))
    );
    let received = mails(&smtp, 1).await;
    assert_eq!(received[0].to, vec!["cleo@example.com"]);
    assert_eq!(
        received[0].header("Subject").as_deref(),
        Some("Feedback on your resume")
    );
    assert!(
        received[0].body().contains("quantify your impact"),
        "{}",
        received[0].body()
    );
    let read = app
        .get_json(
            &format!("/api/v1/resumes/{first_id}/feedback"),
            Some(&candidate.token),
        )
        .await;
    assert_eq!(
        (read["status"].as_str(), read["feedback_content"].as_str()),
        (
            Some("sent"),
            Some("Strong backend profile; quantify your impact.")
        )
    );

    // a second node on the same database; the next feedback goes out by itself at its deadline
    let (url, storage) = (app.database_url.clone(), app.storage.clone());
    let _second = spawn_app_on(clock.clone(), |settings: &mut Settings| {
        with_mail(settings);
        settings.database.url = url.clone();
        settings.storage = storage.clone();
    })
    .await;
    let second: Value = upload(&app, &candidate.token, "cv2.docx", fixture("resume.docx"))
        .await
        .json()
        .await
        .unwrap();
    parsed(&app, &candidate.token, second["id"].as_str().unwrap()).await;
    clock.advance(chrono::Duration::hours(3));
    assert_eq!(smtp.received().len(), 1, "not before its deadline");
    clock.advance(chrono::Duration::hours(1) + chrono::Duration::seconds(1));
    let received = mails(&smtp, 2).await;
    // the email leaves before the feedback is marked sent: wait for the mark
    let path = format!(
        "/api/v1/resumes/{}/feedback",
        second["id"].as_str().unwrap()
    );
    let mut marked = false;
    for _ in 0..500 {
        if app.get(&path, Some(&candidate.token)).await.status() == StatusCode::OK {
            marked = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(marked, "the feedback was never marked sent");
    // at most one sending job of a feedback is active at a time, and it marks the feedback
    // sent in the write that finishes it; a later job finds it sent and sends nothing. So once
    // the mark is visible, no second email can still be on its way.
    assert_eq!(smtp.received().len(), 2, "sent exactly once");
    assert_eq!(received[1].to, vec!["cleo@example.com"]);
}

#[tokio::test]
async fn open_jobs_are_ranked_by_fit_and_explained() {
    let app = spawn_app_with(|_| {}).await;
    let admin = admin_of(&app, "Acme", "ada@acme.example").await;
    let job = |title: &str, skills: Value, setup: &str| {
        let mut body = react_job("open");
        body["title"] = json!(title);
        body["required_skills"] = skills;
        body["tech_stack"] = json!([]);
        body["work_setup"] = json!(setup);
        body
    };
    let perfect = post_job(
        &app,
        &admin.token,
        &job("Perfect", json!(["hooks", "state management"]), "remote"),
    )
    .await;
    let half = post_job(
        &app,
        &admin.token,
        &job("Half", json!(["hooks", "graphql"]), "remote"),
    )
    .await;
    let onsite = post_job(
        &app,
        &admin.token,
        &job("Onsite", json!(["hooks", "state management"]), "onsite"),
    )
    .await;
    let none = post_job(
        &app,
        &admin.token,
        &job("None", json!(["kotlin", "swift"]), "remote"),
    )
    .await;
    post_job(
        &app,
        &admin.token,
        &job("Draft", json!(["hooks"]), "remote")
            .as_object()
            .map(|o| {
                let mut o = o.clone();
                o.insert("status".into(), json!("draft"));
                Value::Object(o)
            })
            .unwrap(),
    )
    .await;
    let candidate = app.register("max@example.com").await;
    put(
        &app,
        "/api/v1/profile/skills",
        &candidate.token,
        &json!({"skills": ["Hooks", "State Management"]}),
    )
    .await;
    put(
        &app,
        "/api/v1/profile/preferences",
        &candidate.token,
        &json!({"preferred_work_setup": "remote", "experience_years": 6}),
    )
    .await;
    let ranked = app
        .get_json(
            "/api/v1/matching/jobs?page=1&limit=10",
            Some(&candidate.token),
        )
        .await;
    assert_eq!(ranked["total_count"], 4, "open jobs only");
    let order: Vec<&str> = ranked["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["job_posting"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        vec![
            perfect.as_str(),
            onsite.as_str(),
            half.as_str(),
            none.as_str()
        ]
    );
    assert_eq!(ranked["matches"][2]["missing_skills"], json!(["graphql"]));
    let explained = app
        .get_json(
            &format!("/api/v1/matching/jobs/{half}/explanation"),
            Some(&candidate.token),
        )
        .await;
    let total: f64 = explained["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["points"].as_f64().unwrap())
        .sum();
    assert!(
        (total - explained["score"].as_f64().unwrap()).abs() < 0.06,
        "{explained}"
    );
    assert_eq!(explained["score"], ranked["matches"][2]["score"]);
    let page2 = app
        .get_json(
            "/api/v1/matching/jobs?page=2&limit=3",
            Some(&candidate.token),
        )
        .await;
    assert_eq!(page2["matches"][0]["job_posting"]["id"], none.as_str());
    let (status, _) = error_code(
        app.get("/api/v1/matching/jobs?limit=0", Some(&candidate.token))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
