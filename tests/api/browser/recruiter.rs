//! Recruiters in the browser: the interview list, an assessment read and decided; a viewer
//! cannot regenerate.

use serde_json::Value;

use super::driver::{Browser, available};
use super::flows;
use crate::helpers::{PASSWORD, TestApp, spawn_app_with};
use crate::recruiters::{
    Staff, add_user, admin_of, assessment_when, fast_jobs, finish, interview_for_job, post_job,
    react_job,
};

async fn sign_in(browser: &Browser, email: &str) {
    browser.visit("/recruiter/login").await;
    browser.on_page("recruiter-login").await;
    browser.fill("#recruiter-email", email).await;
    browser.fill("#recruiter-password", PASSWORD).await;
    browser.click("#recruiter-login-submit").await;
    browser.on_page("recruiter-interviews").await;
}

/// A candidate's finished, assessed interview for the organization's job; returns its id.
async fn assessed_interview(app: &TestApp, recruiter: &Staff) -> String {
    let posting = post_job(app, &recruiter.token, &react_job("open")).await;
    let candidate = app.register("cand@example.com").await;
    let (_, started) = interview_for_job(app, &candidate.token, &posting).await;
    let id = finish(app, &candidate.token, &started, 3).await;
    assessment_when(app, &recruiter.token, &id, |body| body["status"] == "ready").await;
    id
}

#[tokio::test]
async fn a_recruiter_reads_the_assessment_and_decides_and_a_viewer_cannot_regenerate() {
    if !available() {
        return;
    }
    let app = spawn_app_with(fast_jobs).await;
    let admin = admin_of(&app, "Acme", "admin@acme.example").await;
    let recruiter = add_user(&app, &admin, "rita@acme.example", "recruiter").await;
    add_user(&app, &admin, "vic@acme.example", "viewer").await;
    let id = assessed_interview(&app, &recruiter).await;

    let browser = Browser::open(&app.address, None).await;
    sign_in(&browser, "rita@acme.example").await;
    let row = format!("#interview-list tr[data-interview-id=\"{id}\"]");
    browser.find(&row).await;
    browser.screenshot("recruiter-interviews").await;
    browser.click(&format!("{row} a")).await;

    browser.on_page("recruiter-interview").await;
    browser
        .wait_until("return document.querySelectorAll('#transcript li').length >= 6;")
        .await;
    let bars = browser
        .wait_until("const c = document.querySelector('#score-chart'); return c && c.querySelectorAll('rect').length;")
        .await;
    assert!(bars.as_u64().unwrap() >= 1);
    let recommendation = browser.text("#recommendation").await;
    let api: Value = app
        .get_json(
            &format!("/api/v1/recruiter/interviews/{id}/assessment"),
            Some(&recruiter.token),
        )
        .await;
    let expected = api["recommendation"]
        .as_str()
        .or_else(|| api["recommendation"]["decision"].as_str())
        .unwrap_or_default()
        .replace('_', " ");
    assert!(
        recommendation.to_lowercase().contains(&expected),
        "page: {recommendation}; API: {api}"
    );
    assert!(!browser.text("#reasoning").await.trim().is_empty());
    browser.find("#integrity-flags").await;
    browser.screenshot("recruiter-interview").await;

    // the decision, recorded through the page, is what the API holds
    flows::choose(&browser, "#decision-select", "advance").await;
    browser.fill("#decision-notes", "Clear on hooks.").await;
    browser.click("#decision-submit").await;
    browser.wait_for_text("#decision-status", "dvance").await;
    let detail: Value = app
        .get_json(
            &format!("/api/v1/recruiter/interviews/{id}"),
            Some(&recruiter.token),
        )
        .await;
    assert_eq!(detail["decision"]["decision"], "advance", "{detail}");
    assert_eq!(detail["decision"]["note"], "Clear on hooks.");
    browser.close().await;

    // a viewer reads the same page, without the regenerate action
    let browser = Browser::open(&app.address, None).await;
    sign_in(&browser, "vic@acme.example").await;
    browser.visit(&format!("/recruiter/interviews/{id}")).await;
    browser.on_page("recruiter-interview").await;
    browser.find("#assessment").await;
    let regenerate = browser
        .eval("const b = document.querySelector('#regenerate-button'); return b === null || b.disabled || b.offsetParent === null;")
        .await;
    assert_eq!(regenerate, true, "a viewer is offered regenerate");
    browser.close().await;
}
