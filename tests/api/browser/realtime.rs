//! A whole live interview through the browser: the fake microphone speaks a WAV made by
//! espeak-ng, the page streams it over the realtime WebSocket, the server relays it to the fake
//! Realtime upstream, and the interviewer's audio comes back to the page's playback worklet.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use fake_realtime::{FakeRealtime, Script};
use serde_json::Value;

use super::driver::{Browser, available, spoken_answer};
use super::flows;
use crate::realtime_flow::{KEY, chat_server, node, strong};
use crate::recruiters::fast_jobs;

/// Root mean square of base64 PCM16 LE samples.
fn loudness(chunks: &[Value]) -> f64 {
    let mut sum = 0.0;
    let mut count = 0.0;
    for chunk in chunks {
        let bytes = STANDARD.decode(chunk["audio"].as_str().unwrap()).unwrap();
        for sample in bytes.chunks_exact(2) {
            let value = f64::from(i16::from_le_bytes([sample[0], sample[1]]));
            sum += value * value;
            count += 1.0;
        }
    }
    if count == 0.0 {
        0.0
    } else {
        (sum / count).sqrt()
    }
}

/// Holds push-to-talk (the space bar) while the fake microphone plays, then releases it.
async fn speak(browser: &Browser) {
    use fantoccini::actions::{InputSource as _, KeyAction, KeyActions};
    use fantoccini::key::Key;
    let space = char::from(Key::Space);
    let hold = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: space })
        .then(KeyAction::Pause {
            duration: std::time::Duration::from_millis(1500),
        })
        .then(KeyAction::Up { value: space });
    browser.client.perform_actions(hold).await.unwrap();
}

#[tokio::test]
async fn a_whole_realtime_interview_runs_in_the_browser_with_a_spoken_answer() {
    if !available() {
        return;
    }
    let chat = chat_server().await;
    let fake =
        FakeRealtime::start_with(Script::new().turn(strong(1)).turn(strong(2)).api_key(KEY)).await;
    let app = node(
        &chat,
        &fake,
        |settings| {
            fast_jobs(settings);
            settings.interview.max_questions = Some(2);
        },
        None,
    )
    .await;
    app.register("ada@example.com").await;
    let browser = Browser::open(&app.address, Some(&spoken_answer())).await;

    flows::sign_in(&browser, "ada@example.com").await;
    flows::start(&browser, "realtime", "react").await;

    // the tech check hears the microphone and shows the camera; the candidate consents to video
    browser.on_page("tech-check").await;
    browser
        .wait_until("const m = document.querySelector('#mic-level'); return m && m.value > 0;")
        .await;
    browser
        .wait_until(
            "const v = document.querySelector('#camera-preview'); return v && v.videoWidth > 0;",
        )
        .await;
    browser.click("#consent-checkbox").await;
    browser.screenshot("tech-check").await;
    browser.click("#tech-check-continue").await;

    browser.on_page("interview").await;
    browser
        .wait_until("const s = document.querySelector('#connection-status'); return s && s.dataset.status === 'connected';")
        .await;
    for turn in 1..=2 {
        // the interviewer's question is shown and heard before the candidate speaks
        browser
            .wait_until(&format!(
                "return document.querySelectorAll('#transcript li[data-role=\"assistant\"]').length >= {turn};"
            ))
            .await;
        browser
            .wait_until("return window.__audioStats && window.__audioStats.samplesPlayed > 0;")
            .await;
        if turn == 1 {
            browser.screenshot("interview-realtime").await;
        }
        speak(&browser).await;
        browser
            .wait_for_text("#transcript", &format!("Spoken answer number {turn}."))
            .await;
    }

    // the microphone's audio reached the upstream: speech, not silence
    let appends = fake.received_of(0, "input_audio_buffer.append");
    assert!(!appends.is_empty());
    let rms = loudness(&appends);
    assert!(
        rms > 300.0,
        "the relayed microphone audio is silent (rms {rms})"
    );
    let mic: Value = browser.eval("return window.__micStats;").await;
    assert!(
        mic["samplesSent"].as_f64().unwrap_or_default() > 24_000.0,
        "{mic}"
    );

    // the interview ends by itself after its last question; the results page shows scores
    browser.on_page("results").await;
    browser
        .wait_until("const s = document.querySelector('#assessment-status'); return s && s.dataset.status === 'ready';")
        .await;
    let skills = browser
        .eval("return document.querySelectorAll('.skill-score').length;")
        .await;
    assert!(skills.as_u64().unwrap() > 0);
    let played: Value = browser.eval("return window.__audioStats;").await;
    assert!(played["chunksReceived"].as_u64().unwrap() > 0, "{played}");

    // the consented video was recorded in chunks and stored
    let video: Value = browser.eval("return window.__videoStats;").await;
    assert!(
        video["chunksUploaded"].as_u64().unwrap_or_default() > 0,
        "{video}"
    );
    browser.close().await;
}
