//! A candidate in the browser: registration errors, then a text interview to its results.

use serde_json::{Value, json};

use super::driver::{Browser, available};
use super::flows;
use crate::helpers::{PASSWORD, spawn_app_with, strong_answer};
use crate::recruiters::fast_jobs;

#[tokio::test]
async fn a_candidate_sees_registration_errors_then_takes_a_text_interview_to_its_results() {
    if !available() {
        return;
    }
    let app = spawn_app_with(|settings| {
        fast_jobs(settings);
        settings.interview.max_questions = Some(3);
    })
    .await;
    app.register("taken@example.com").await;
    let browser = Browser::open(&app.address, None).await;

    // a password from the common list: refused, and the field says why
    browser.visit("/register").await;
    browser.on_page("register").await;
    browser.fill("#register-name", "Grace Hopper").await;
    browser.fill("#register-email", "grace@example.com").await;
    browser.fill("#register-password", "password123").await;
    browser.click("#register-submit").await;
    let reason = browser
        .wait_until(
            "const e = document.querySelector('[data-field-error=\"password\"]'); return e && e.textContent.trim();",
        )
        .await;
    assert!(
        reason.as_str().unwrap().to_lowercase().contains("common"),
        "{reason}"
    );
    browser.screenshot("register-error").await;

    // an email already registered: the API's code becomes a sentence, not a status number
    browser.fill("#register-email", "taken@example.com").await;
    browser.fill("#register-password", PASSWORD).await;
    browser.click("#register-submit").await;
    let code = browser
        .wait_until(
            "const e = document.querySelector('#form-error'); return e && e.dataset.errorCode;",
        )
        .await;
    assert_eq!(code, "email_taken");
    let message = browser.text("#form-error").await;
    assert!(!message.contains("409"), "{message}");
    assert!(message.to_lowercase().contains("already"), "{message}");

    // then a good registration goes on to choosing the interview
    browser.fill("#register-email", "grace@example.com").await;
    browser.click("#register-submit").await;
    browser.on_page("start").await;
    browser.screenshot("start").await;
    flows::start_without_video(&browser, "text", "python").await;
    for answered in 0..3 {
        let question = browser
            .wait_until(
                "const q = document.querySelector('#question'); return q && q.textContent.trim();",
            )
            .await;
        let question = question.as_str().unwrap().to_owned();
        let progress = browser.text("#progress").await;
        assert!(
            progress.contains(&format!("Question {}", answered + 1)),
            "{progress}"
        );
        if answered == 1 {
            browser.screenshot("interview-text").await;
        }
        browser
            .fill("#answer-text", &strong_answer(&question))
            .await;
        browser.click("#answer-submit").await;
        browser
            .wait_until(&format!(
                "return document.querySelectorAll('#transcript li[data-role=\"user\"]').length >= {} || document.querySelector('[data-page=\"results\"]');",
                answered + 1
            ))
            .await;
    }

    // the third answer ends the interview; the results page waits for the assessment
    browser.on_page("results").await;
    browser
        .wait_until("const s = document.querySelector('#assessment-status'); return s && s.dataset.status === 'ready';")
        .await;
    let overall = browser.text("#overall-score").await;
    assert!(overall.chars().any(|c| c.is_ascii_digit()), "{overall}");
    let skills = browser
        .eval("return [...document.querySelectorAll('.skill-score')].map(e => [e.dataset.skill, e.textContent]);")
        .await;
    let skills = skills.as_array().unwrap();
    assert!(!skills.is_empty());
    for skill in skills {
        assert!(!skill[0].as_str().unwrap_or_default().is_empty(), "{skill}");
    }
    let highlights = browser.text("#highlights").await;
    assert!(!highlights.trim().is_empty());
    browser.screenshot("results").await;

    // what the page shows is what the API holds
    let login = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &json!({"email": "grace@example.com", "password": PASSWORD}),
        )
        .await;
    let token: Value = login.json().await.unwrap();
    let interviews = app
        .get_json("/api/v1/interviews", token["token"].as_str())
        .await;
    assert_eq!(interviews[0]["status"], "completed");
    browser.close().await;
}
