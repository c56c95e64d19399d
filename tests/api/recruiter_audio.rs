//! Stored audio streams to the recruiters of the interview's organization (any role), from the
//! URLs of the recruiter's transcript, and to nobody of another organization.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::error_code;
use crate::recruiters::{add_user, admin_of};
use crate::voice::{SPOKEN, app_on, openai, send_audio, speaking, start, transcribing, wav};

#[tokio::test]
async fn the_organization_s_recruiters_stream_its_interviews_audio() {
    let server = openai().await;
    transcribing(&server, "I keep it pure by avoiding side effects.").await;
    speaking(&server).await;
    let app = app_on(&server).await;
    // the first organization is the default one: interviews without a job belong to it
    let acme = admin_of(&app, "Acme", "admin@acme.example").await;
    let viewer = add_user(&app, &acme, "vic@acme.example", "viewer").await;
    let globex = admin_of(&app, "Globex", "admin@globex.example").await;
    let candidate = app.register("voice@example.com").await;
    let started: Value = start(&app, &candidate.token, "legacy_voice")
        .await
        .json()
        .await
        .unwrap();
    let interview = started["id"].as_str().unwrap();
    let answered = send_audio(&app, &candidate.token, interview, wav(), "answer.wav").await;
    assert_eq!(answered.status(), StatusCode::OK);

    let detail: Value = app
        .get_json(
            &format!("/api/v1/recruiter/interviews/{interview}"),
            Some(&viewer.token),
        )
        .await;
    let urls: Vec<&str> = detail["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|message| message["audio_url"].as_str())
        .collect();
    // the spoken first question, the recorded answer, the spoken reply
    assert_eq!(urls.len(), 3, "{detail}");
    let question = app.get(urls[0], Some(&viewer.token)).await;
    assert_eq!(question.status(), StatusCode::OK);
    assert_eq!(question.bytes().await.unwrap().as_ref(), SPOKEN);
    let answer = app.get(urls[1], Some(&acme.token)).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.bytes().await.unwrap().as_ref(), wav().as_slice());
    for url in &urls {
        let (status, _) = error_code(app.get(url, Some(&globex.token)).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{url}");
    }
}
