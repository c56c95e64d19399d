//! The web client in a real browser: headless Chromium from the distribution, driven over
//! WebDriver, against the real server on loopback (and the fake OpenAI upstreams where a test
//! needs the AI). Screenshots of each main page land in `target/browser-screenshots/`.

mod candidate;
mod driver;
mod flows;
mod realtime;
mod recruiter;
mod voice;
