//! Who may reach what on the recruiter side: organizations see only their own (404s), each
//! audience's tokens are refused on the other's endpoints (403), admins manage users and a
//! deactivated recruiter is refused at once, sign-out, postings closed, keyset pages.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, error_code, spawn_app, spawn_app_with};
use crate::recruiters::{
    add_user, admin_of, fast_jobs, finish, interview_for_job, post_job, react_job, sign_in,
};

#[tokio::test]
async fn another_organization_sees_none_of_it() {
    let app = spawn_app_with(fast_jobs).await;
    let acme = admin_of(&app, "Acme", "admin@acme.example").await;
    let globex = admin_of(&app, "Globex", "admin@globex.example").await;
    assert_ne!(acme.organization, globex.organization);
    let posting = post_job(&app, &acme.token, &react_job("open")).await;
    let candidate = app.register("cand@example.com").await;
    let (application, started) = interview_for_job(&app, &candidate.token, &posting).await;
    let id = finish(&app, &candidate.token, &started, 1).await;

    let token = Some(globex.token.as_str());
    for path in [
        format!("/api/v1/recruiter/interviews/{id}"),
        format!("/api/v1/recruiter/interviews/{id}/assessment"),
        format!("/api/v1/recruiter/job-postings/{posting}"),
        format!("/api/v1/recruiter/applications/{application}"),
    ] {
        let (status, body) = error_code(app.get(&path, token).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    for path in [
        format!("/api/v1/recruiter/interviews/{id}/assessment/regenerate"),
        format!("/api/v1/recruiter/interviews/{id}/decision"),
    ] {
        let body = json!({"decision": "reject"});
        let (status, body) = error_code(app.post_json(&path, token, &body).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    let patch = app
        .patch_json(
            &format!("/api/v1/recruiter/job-postings/{posting}"),
            token,
            &json!({"status": "closed"}),
        )
        .await;
    assert_eq!(error_code(patch).await.0, StatusCode::NOT_FOUND);
    let rows: Value = app.get_json("/api/v1/recruiter/interviews", token).await;
    assert_eq!(rows["items"], json!([]));
    let postings: Value = app.get_json("/api/v1/recruiter/job-postings", token).await;
    assert_eq!(postings["total"], 0);
    // the owner's recruiters see it
    let mine: Value = app
        .get_json("/api/v1/recruiter/job-postings", Some(&acme.token))
        .await;
    assert_eq!(mine["total"], 1);
    assert!(mine["items"][0]["created_by"].is_string());

    // the candidate is one of Acme's (applied and interviewed there), none of Globex's
    let theirs: Value = app.get_json("/api/v1/recruiter/candidates", token).await;
    assert_eq!(theirs["items"], json!([]));
    let ours: Value = app
        .get_json("/api/v1/recruiter/candidates", Some(&acme.token))
        .await;
    assert_eq!(ours["items"].as_array().unwrap().len(), 1, "{ours}");
    assert_eq!(ours["items"][0]["candidate_id"], candidate.id.as_str());
    assert_eq!(ours["items"][0]["email"], "cand@example.com");
    assert_eq!(
        ours["items"][0]["interviews"][0]["interview_id"],
        id.as_str()
    );
    assert!(ours["next_after"].is_null());
    let bad = app
        .get("/api/v1/recruiter/candidates?limit=0", Some(&acme.token))
        .await;
    assert_eq!(error_code(bad).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn each_audience_s_token_is_refused_on_the_other_s_endpoints() {
    let app = spawn_app().await;
    let admin = admin_of(&app, "Acme", "admin@acme.example").await;
    let candidate = app.register("cand@example.com").await;
    let id = uuid::Uuid::now_v7();
    for path in [
        "/api/v1/recruiter/auth/me".to_owned(),
        "/api/v1/recruiter/users".to_owned(),
        "/api/v1/recruiter/job-postings".to_owned(),
        "/api/v1/recruiter/interviews".to_owned(),
        "/api/v1/recruiter/candidates".to_owned(),
        format!("/api/v1/recruiter/interviews/{id}"),
        format!("/api/v1/recruiter/applications/{id}"),
    ] {
        let (status, body) = error_code(app.get(&path, Some(&candidate.token)).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    let posted = app
        .post_json(
            "/api/v1/recruiter/job-postings",
            Some(&candidate.token),
            &react_job("open"),
        )
        .await;
    assert_eq!(error_code(posted).await.0, StatusCode::FORBIDDEN);
    for path in [
        "/api/v1/auth/me".to_owned(),
        "/api/v1/interviews".to_owned(),
        "/api/v1/applications/me".to_owned(),
        format!("/api/v1/applications/{id}"),
        format!("/api/v1/interviews/{id}/transcript"),
    ] {
        let (status, body) = error_code(app.get(&path, Some(&admin.token)).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    for (path, body) in [
        ("/api/v1/applications", json!({"job_posting_id": id})),
        ("/api/v1/interviews/start", json!({"role_type": "react"})),
    ] {
        let (status, _) = error_code(app.post_json(path, Some(&admin.token), &body).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    // no token at all is a 401 on both sides
    let (status, _) = error_code(app.get("/api/v1/recruiter/interviews", None).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn admins_manage_users_and_a_deactivated_recruiter_is_refused_at_once() {
    let app = spawn_app().await;
    let admin = admin_of(&app, "Acme", "admin@acme.example").await;
    let viewer = add_user(&app, &admin, "vic@acme.example", "viewer").await;
    let user = |token: &str| {
        let body = json!({"email": "new@acme.example", "full_name": "New Person",
                          "password": PASSWORD, "role": "recruiter"});
        let token = token.to_owned();
        let app = &app;
        async move {
            app.post_json("/api/v1/recruiter/users", Some(&token), &body)
                .await
        }
    };
    assert_eq!(
        error_code(user(&viewer.token).await).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(user(&admin.token).await.status(), StatusCode::CREATED);
    let (status, body) = error_code(user(&admin.token).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "email_taken");
    let bad_role = app
        .post_json(
            "/api/v1/recruiter/users",
            Some(&admin.token),
            &json!({"email": "x@acme.example", "full_name": "X Y", "password": PASSWORD,
                    "role": "owner"}),
        )
        .await;
    let (status, body) = error_code(bad_role).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"]["fields"][0]["field"], "role");

    // an admin cannot demote themselves; a viewer is promoted, then deactivated
    let own = format!("/api/v1/recruiter/users/{}", admin.id);
    let demote = app
        .patch_json(&own, Some(&admin.token), &json!({"role": "viewer"}))
        .await;
    let (status, body) = error_code(demote).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "admin_self_change");
    let theirs = format!("/api/v1/recruiter/users/{}", viewer.id);
    let promoted: Value = app
        .patch_json(&theirs, Some(&admin.token), &json!({"role": "recruiter"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(promoted["role"], "recruiter");
    let me: Value = app
        .get_json("/api/v1/recruiter/auth/me", Some(&viewer.token))
        .await;
    assert_eq!(
        me["role"], "recruiter",
        "a role change applies to live tokens"
    );
    let deactivated = app
        .patch_json(&theirs, Some(&admin.token), &json!({"is_active": false}))
        .await;
    assert_eq!(deactivated.status(), StatusCode::OK);
    let (status, _) = error_code(
        app.get("/api/v1/recruiter/auth/me", Some(&viewer.token))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let login = app
        .post_json(
            "/api/v1/recruiter/auth/login",
            None,
            &json!({"email": "vic@acme.example", "password": PASSWORD}),
        )
        .await;
    assert_eq!(error_code(login).await.0, StatusCode::UNAUTHORIZED);

    // sign-out revokes the token; a wrong password is a 401
    let logout = app
        .post_json(
            "/api/v1/recruiter/auth/logout",
            Some(&admin.token),
            &json!({}),
        )
        .await;
    assert_eq!(logout.status(), StatusCode::OK);
    let (status, _) =
        error_code(app.get("/api/v1/recruiter/users", Some(&admin.token)).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let wrong = app
        .post_json(
            "/api/v1/recruiter/auth/login",
            None,
            &json!({"email": "admin@acme.example", "password": "Wr0ng!pass"}),
        )
        .await;
    assert_eq!(error_code(wrong).await.0, StatusCode::UNAUTHORIZED);
    sign_in(&app, "admin@acme.example").await;
}

#[tokio::test]
async fn a_posting_is_changed_in_part_and_closing_it_takes_it_off_the_listing() {
    let app = spawn_app().await;
    let admin = admin_of(&app, "Acme", "admin@acme.example").await;
    let posting = post_job(&app, &admin.token, &react_job("draft")).await;
    let path = format!("/api/v1/recruiter/job-postings/{posting}");
    let listed: Value = app.get_json("/api/v1/job-postings", None).await;
    assert_eq!(listed["total"], 0);
    let opened: Value = app
        .patch_json(
            &path,
            Some(&admin.token),
            &json!({"status": "open", "title": "Lead React Engineer", "location": null}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(opened["status"], "open");
    assert_eq!(opened["title"], "Lead React Engineer");
    assert!(opened["location"].is_null());
    assert_eq!(opened["company"], "Acme", "absent fields stay");
    assert_eq!(
        opened["required_skills"],
        json!(["hooks", "state-management"])
    );
    let public: Value = app
        .get_json(&format!("/api/v1/job-postings/{posting}"), None)
        .await;
    assert_eq!(public["title"], "Lead React Engineer");
    let invalid = app
        .patch_json(&path, Some(&admin.token), &json!({"status": "archived"}))
        .await;
    assert_eq!(
        error_code(invalid).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let closed = app
        .patch_json(&path, Some(&admin.token), &json!({"status": "closed"}))
        .await;
    assert_eq!(closed.status(), StatusCode::OK);
    let listed: Value = app.get_json("/api/v1/job-postings", None).await;
    assert_eq!(listed["total"], 0);
    let candidate = app.register("cand@example.com").await;
    let applied = app
        .post_json(
            "/api/v1/applications",
            Some(&candidate.token),
            &json!({"job_posting_id": posting}),
        )
        .await;
    assert_eq!(error_code(applied).await.0, StatusCode::NOT_FOUND);
    let (status, _) = error_code(app.get("/api/v1/job-postings?limit=101", None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn keyset_pages_walk_every_interview_once() {
    let app = spawn_app().await;
    let admin = admin_of(&app, "Acme", "admin@acme.example").await;
    let mut started = BTreeSet::new();
    for n in 0..7 {
        let candidate = app.register(&format!("cand{n}@example.com")).await;
        let body = app.start(&candidate.token, "python").await;
        started.insert(body["id"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let query = cursor
            .as_ref()
            .map_or_else(|| "limit=3".to_owned(), |c| format!("limit=3&cursor={c}"));
        let page: Value = app
            .get_json(
                &format!("/api/v1/recruiter/interviews?{query}"),
                Some(&admin.token),
            )
            .await;
        pages += 1;
        let items = page["items"].as_array().unwrap();
        assert!(!items.is_empty(), "an empty page after a cursor");
        seen.extend(
            items
                .iter()
                .map(|row| row["interview_id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 7, "every row once");
    assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), started);
    // newest first
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(seen, sorted, "UUIDv7 ids follow creation order");
    let (status, _) = error_code(
        app.get(
            "/api/v1/recruiter/interviews?cursor=not-a-cursor",
            Some(&admin.token),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
