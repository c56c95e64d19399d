//! A recorded-voice answer through the browser: MediaRecorder captures the fake microphone, the
//! page sends the recording as the multipart answer, Whisper's stand-in transcribes it.

use super::driver::{Browser, available, spoken_answer};
use super::flows;
use crate::voice::{app_on, openai, speaking, transcribing};

#[tokio::test]
async fn a_recorded_voice_answer_is_sent_transcribed_and_answered() {
    if !available() {
        return;
    }
    let server = openai().await;
    transcribing(&server, "Hooks keep state in function components.").await;
    speaking(&server).await;
    let app = app_on(&server).await;
    app.register("lin@example.com").await;
    let browser = Browser::open(&app.address, Some(&spoken_answer())).await;

    flows::sign_in(&browser, "lin@example.com").await;
    flows::start_without_video(&browser, "voice", "react").await;
    browser
        .wait_until(
            "const q = document.querySelector('#question'); return q && q.textContent.trim();",
        )
        .await;

    browser.click("#record-button").await;
    browser
        .wait_until("const b = document.querySelector('#record-button'); return b.getAttribute('aria-pressed') === 'true';")
        .await;
    // let the recorder capture some of the spoken answer before stopping it
    browser
        .wait_until("return window.__micStats && window.__micStats.recordedBytes > 0;")
        .await;
    browser.screenshot("interview-voice").await;
    browser.click("#record-button").await;

    // the transcription comes back as the candidate's message, then the next question
    browser
        .wait_for_text("#transcript", "Hooks keep state in function components.")
        .await;
    browser
        .wait_until("return document.querySelectorAll('#transcript li[data-role=\"assistant\"]').length >= 2;")
        .await;

    // what reached Whisper's stand-in was a real recording from the browser
    let requests = server.received_requests().await.unwrap();
    let upload = requests
        .iter()
        .find(|request| request.url.path() == "/v1/audio/transcriptions")
        .expect("the recording was transcribed");
    let body = &upload.body;
    // WebM (Matroska) opens with the EBML magic
    let magic = [0x1a, 0x45, 0xdf, 0xa3];
    assert!(
        body.windows(4).any(|window| window == magic),
        "the transcribed file is not a WebM recording"
    );
    browser.close().await;
}
