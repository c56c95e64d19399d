//! The recruiter side over HTTP, on SQLite and PostgreSQL: the first admin created by the CLI's
//! function, recruiters and viewers, a job posted and applied to, its interview found, read,
//! assessed, regenerated and decided.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use server::config::{Environment, Settings};

use crate::helpers::{PASSWORD, TestApp, error_code, spawn_app_with};

/// Workers that look for due jobs every 20 ms, retrying at once.
pub fn fast_jobs(settings: &mut Settings) {
    settings.jobs.poll_interval_ms = 20;
    settings.jobs.runner.retry.backoff_base_seconds = 0;
}

/// A signed-in recruiter.
pub struct Staff {
    pub token: String,
    pub id: String,
    pub organization: String,
}

/// What the CLI would be run with against the app's database.
fn cli_settings(app: &TestApp) -> Settings {
    let mut settings = Settings::defaults_for(Environment::Test);
    settings.database.url.clone_from(&app.database_url);
    settings
}

pub async fn sign_in(app: &TestApp, email: &str) -> Staff {
    let response = app
        .post_json(
            "/api/v1/recruiter/auth/login",
            None,
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    Staff {
        token: body["token"].as_str().unwrap().to_owned(),
        id: body["recruiter_id"].as_str().unwrap().to_owned(),
        organization: body["organization_id"].as_str().unwrap().to_owned(),
    }
}

/// The admin of `organization` (created with it when new), by `interview-server admin create`'s
/// function, signed in.
pub async fn admin_of(app: &TestApp, organization: &str, email: &str) -> Staff {
    let (created, admin) = server::cli::create_admin(
        &cli_settings(app),
        organization,
        email,
        "Ada Admin",
        PASSWORD,
    )
    .await
    .unwrap_or_else(|error| panic!("admin create: {error} ({error:?})"));
    let staff = sign_in(app, email).await;
    assert_eq!(staff.id, admin.id.to_string());
    assert_eq!(staff.organization, created.id.to_string());
    staff
}

/// An account of `role` the admin adds, signed in.
pub async fn add_user(app: &TestApp, admin: &Staff, email: &str, role: &str) -> Staff {
    let response = app
        .post_json(
            "/api/v1/recruiter/users",
            Some(&admin.token),
            &json!({"email": email, "full_name": "Rita Recruiter", "password": PASSWORD,
                    "role": role}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["role"], role);
    assert_eq!(
        body["organization_id"].as_str(),
        Some(admin.organization.as_str())
    );
    sign_in(app, email).await
}

pub fn react_job(status: &str) -> Value {
    json!({
        "title": "Senior React Engineer", "company": "Acme",
        "description": "Build the interview room.", "role_category": "react",
        "tech_stack": ["React", "TypeScript"], "required_skills": ["hooks", "state management"],
        "employment_type": "permanent", "work_setup": "remote", "experience_level": "senior",
        "location": "Berlin", "salary_min": 70000, "salary_max": 90000, "salary_currency": "EUR",
        "status": status
    })
}

/// Posts a job; returns its id.
pub async fn post_job(app: &TestApp, token: &str, body: &Value) -> String {
    let response = app
        .post_json("/api/v1/recruiter/job-postings", Some(token), body)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let posting: Value = response.json().await.unwrap();
    posting["id"].as_str().unwrap().to_owned()
}

/// Applies and starts the application's interview; returns (application id, start body).
pub async fn interview_for_job(app: &TestApp, token: &str, posting: &str) -> (String, Value) {
    let response = app
        .post_json(
            "/api/v1/applications",
            Some(token),
            &json!({"job_posting_id": posting}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let application: Value = response.json().await.unwrap();
    assert_eq!(application["status"], "applied");
    let application = application["id"].as_str().unwrap().to_owned();
    let response = app
        .post_json(
            "/api/v1/interviews/start",
            Some(token),
            &json!({"application_id": application, "role_type": null}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    // one screening per application
    let again = app
        .post_json(
            "/api/v1/interviews/start",
            Some(token),
            &json!({"application_id": application, "role_type": null}),
        )
        .await;
    let (status, body) = error_code(again).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "already_interviewed");
    (application, response.json().await.unwrap())
}

/// Answers `answers` questions of a started interview and completes it.
pub async fn finish(app: &TestApp, token: &str, started: &Value, answers: usize) -> String {
    crate::helpers::finish_interview(app, token, started, answers)
        .await
        .0
}

/// Asks for the recruiter's assessment until `done` holds of a 200 body.
pub async fn assessment_when(
    app: &TestApp,
    token: &str,
    id: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..1_000 {
        let response = app
            .get(
                &format!("/api/v1/recruiter/interviews/{id}/assessment"),
                Some(token),
            )
            .await;
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        if status == StatusCode::OK && done(&body) {
            return body;
        }
        assert!(
            [StatusCode::OK, StatusCode::ACCEPTED].contains(&status),
            "{status}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the assessment of {id} never settled");
}

async fn list(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let response = app
        .get(
            &format!("/api/v1/recruiter/interviews?{query}"),
            Some(token),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    let body: Value = response.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_job_is_posted_applied_to_interviewed_for_assessed_and_decided() {
    let app = spawn_app_with(fast_jobs).await;
    let admin = admin_of(&app, "Acme", "admin@acme.example").await;
    let me: Value = app
        .get_json("/api/v1/recruiter/auth/me", Some(&admin.token))
        .await;
    assert_eq!(me["role"], "admin");
    assert!(me["last_login_at"].is_string(), "{me}");
    let recruiter = add_user(&app, &admin, "rita@acme.example", "recruiter").await;
    let viewer = add_user(&app, &admin, "vic@acme.example", "viewer").await;
    let users: Value = app
        .get_json("/api/v1/recruiter/users", Some(&viewer.token))
        .await;
    assert_eq!(users.as_array().unwrap().len(), 3);

    // the job: viewers read, recruiters post
    let (status, _) = error_code(
        app.post_json(
            "/api/v1/recruiter/job-postings",
            Some(&viewer.token),
            &react_job("open"),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut invalid = react_job("open");
    invalid["work_setup"] = json!("moon");
    invalid["title"] = json!("");
    let (status, body) = error_code(
        app.post_json(
            "/api/v1/recruiter/job-postings",
            Some(&recruiter.token),
            &invalid,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let posting = post_job(&app, &recruiter.token, &react_job("open")).await;
    let draft = post_job(&app, &recruiter.token, &react_job("draft")).await;

    // a candidate finds it publicly (the draft is not listed), applies once, interviews
    let candidate = app.register("cand@example.com").await;
    let token = candidate.token.as_str();
    let listed: Value = app
        .get_json(
            "/api/v1/job-postings?role_category=react&tech_stack=typescript&work_setup=remote\
             &employment_type=permanent&experience_level=senior&location=berl&search=SENIOR",
            None,
        )
        .await;
    assert_eq!(listed["total"], 1, "{listed}");
    assert_eq!(listed["items"][0]["id"].as_str(), Some(posting.as_str()));
    assert!(listed["items"][0].get("created_by").is_none());
    for query in ["role_category=python", "work_setup=onsite", "search=cobol"] {
        let none: Value = app
            .get_json(&format!("/api/v1/job-postings?{query}"), None)
            .await;
        assert_eq!(none["total"], 0, "{query}");
    }
    let (status, _) = error_code(
        app.get(&format!("/api/v1/job-postings/{draft}"), None)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (application, started) = interview_for_job(&app, token, &posting).await;
    assert_eq!(started["role_type"], "react");
    let reported = app
        .post_json(
            &format!("/api/v1/interviews/{}/events", started["id"].as_str().unwrap()),
            Some(token),
            &json!({"events": [{"type": "tab_hidden", "timestamp": "2026-11-26T09:00:00Z", "count": 2}]}),
        )
        .await;
    assert_eq!(reported.status(), StatusCode::ACCEPTED);
    let again = app
        .post_json(
            "/api/v1/applications",
            Some(token),
            &json!({"job_posting_id": posting}),
        )
        .await;
    let (status, body) = error_code(again).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "already_applied");
    let to_draft = app
        .post_json(
            "/api/v1/applications",
            Some(token),
            &json!({"job_posting_id": draft}),
        )
        .await;
    assert_eq!(error_code(to_draft).await.0, StatusCode::NOT_FOUND);
    let mine: Value = app.get_json("/api/v1/applications/me", Some(token)).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["status"], "interviewing");
    assert_eq!(mine[0]["interview_id"], started["id"]);
    let id = finish(&app, token, &started, 3).await;

    // the recruiter finds it by filters
    let query = format!("status=completed&role=react&job_posting_id={posting}");
    let rows = list(&app, &viewer.token, &query).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["interview_id"].as_str(), Some(id.as_str()));
    assert_eq!(rows[0]["candidate_email"], "cand@example.com");
    assert_eq!(rows[0]["job_title"], "Senior React Engineer");
    assert_eq!(rows[0]["questions_answered"], 3);
    assert!(
        list(&app, &viewer.token, "status=in_progress")
            .await
            .is_empty()
    );
    assert!(
        list(&app, &viewer.token, "from=2999-01-01T00:00:00Z")
            .await
            .is_empty()
    );
    assert_eq!(
        error_code(
            app.get(
                "/api/v1/recruiter/interviews?status=done",
                Some(&viewer.token)
            )
            .await
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );

    // detail: the job's skills, the transcript, costs
    let detail: Value = app
        .get_json(
            &format!("/api/v1/recruiter/interviews/{id}"),
            Some(&viewer.token),
        )
        .await;
    assert_eq!(
        detail["interview"]["job_posting_id"].as_str(),
        Some(posting.as_str())
    );
    assert_eq!(
        detail["interview"]["organization_id"].as_str(),
        Some(admin.organization.as_str())
    );
    assert_eq!(
        detail["interview"]["key_skills"],
        json!(["hooks", "state-management"])
    );
    assert!(
        detail["transcript"].as_array().unwrap().len() >= 7,
        "{detail}"
    );
    assert!(detail["costs"]["total_usd"].is_string());
    assert!(detail["session_state"]["current_difficulty"].is_string());
    assert!(detail["decision"].is_null());
    assert_eq!(
        detail["integrity_events"],
        json!([{"type": "tab_hidden", "timestamp": "2026-11-26T09:00:00Z", "count": 2}])
    );

    // the full assessment, then a second version (viewers may not ask for one)
    let ready = assessment_when(&app, &viewer.token, &id, |body| body["status"] == "ready").await;
    let assessment = &ready["assessment"];
    assert!(assessment["overall_score"].as_u64().unwrap() <= 100);
    assert!(assessment["integrity_score"].as_u64().unwrap() <= 100);
    for field in [
        "ai_reasoning",
        "recommendation",
        "generator",
        "prompt_version",
        "cost_usd",
    ] {
        assert!(assessment[field].is_string(), "{field}: {assessment}");
    }
    for field in [
        "skill_scores",
        "skill_boundary_map",
        "strengths",
        "growth_areas",
        "highlights",
        "integrity_flags",
        "recommended_actions",
    ] {
        assert!(assessment[field].is_array(), "{field}: {assessment}");
    }
    assert_eq!(ready["versions"].as_array().unwrap().len(), 1);
    let score = assessment["overall_score"].as_u64().unwrap();
    let recommendation = assessment["recommendation"].as_str().unwrap();
    let flagged = !assessment["integrity_flags"].as_array().unwrap().is_empty();
    let by_assessment = format!(
        "recommendation={recommendation}&min_score={score}&max_score={score}\
         &integrity_flagged={flagged}"
    );
    assert_eq!(list(&app, &viewer.token, &by_assessment).await.len(), 1);
    assert!(
        list(
            &app,
            &viewer.token,
            &format!("integrity_flagged={}", !flagged)
        )
        .await
        .is_empty()
    );
    let regenerate = format!("/api/v1/recruiter/interviews/{id}/assessment/regenerate");
    let (status, _) = error_code(
        app.post_json(&regenerate, Some(&viewer.token), &json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let queued = app
        .post_json(&regenerate, Some(&recruiter.token), &json!({}))
        .await;
    assert_eq!(queued.status(), StatusCode::ACCEPTED);
    // the latest version is read before the list of versions: once it is the second, the list
    // has both
    let second = assessment_when(&app, &viewer.token, &id, |body| {
        body["assessment"]["version"] == 2
    })
    .await;
    let versions: Vec<&Value> = second["versions"].as_array().unwrap().iter().collect();
    assert_eq!(versions.len(), 2, "{second}");
    assert_eq!(versions[0]["version"], 1);

    // the decision moves the application
    let decision = format!("/api/v1/recruiter/interviews/{id}/decision");
    let advance = json!({"decision": "advance", "note": "Strong on hooks."});
    let (status, _) = error_code(
        app.post_json(&decision, Some(&viewer.token), &advance)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = error_code(
        app.post_json(
            &decision,
            Some(&recruiter.token),
            &json!({"decision": "maybe"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let recorded = app
        .post_json(&decision, Some(&recruiter.token), &advance)
        .await;
    assert_eq!(recorded.status(), StatusCode::CREATED);
    let recorded: Value = recorded.json().await.unwrap();
    assert_eq!(recorded["decided_by"].as_str(), Some(recruiter.id.as_str()));
    let moved: Value = app
        .get_json(&format!("/api/v1/applications/{application}"), Some(token))
        .await;
    assert_eq!(moved["status"], "advanced");
    let seen: Value = app
        .get_json(
            &format!("/api/v1/recruiter/applications/{application}"),
            Some(&viewer.token),
        )
        .await;
    assert_eq!(seen["status"], "advanced");
    let detail: Value = app
        .get_json(
            &format!("/api/v1/recruiter/interviews/{id}"),
            Some(&viewer.token),
        )
        .await;
    assert_eq!(detail["decision"]["decision"], "advance");
    assert_eq!(detail["decision"]["note"], "Strong on hooks.");

    // an interview without a job belongs to the default organization (the first one); no
    // decision while it runs
    let running = app.start(token, "python").await;
    let running = running["id"].as_str().unwrap();
    assert_eq!(
        list(&app, &viewer.token, "status=in_progress").await.len(),
        1
    );
    let (status, body) = error_code(
        app.post_json(
            &format!("/api/v1/recruiter/interviews/{running}/decision"),
            Some(&recruiter.token),
            &advance,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "interview_not_finished");
    let (status, body) = error_code(
        app.get(
            &format!("/api/v1/recruiter/interviews/{running}/assessment"),
            Some(&viewer.token),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "assessment_not_due");
}
