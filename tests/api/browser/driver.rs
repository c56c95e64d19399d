//! Headless Chromium driven over WebDriver (chromedriver + fantoccini), with Chromium's fake
//! media devices: the microphone plays a WAV file, the camera a generated test pattern.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::sync::{Semaphore, SemaphorePermit};

/// Only a guard against a hang: every wait ends as soon as its condition holds.
pub(crate) const HANG_GUARD: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(50);

/// Two cores: one browser at a time keeps the suite's other tests and the page responsive.
static BROWSERS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(1));

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Whether this machine can run the browser tests. CI installs Chromium (`.ci/run`), so there a
/// missing browser fails the test instead of skipping it.
pub(crate) fn available() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium and chromium-driver (see .ci/run)"
        );
        eprintln!(
            "skipped: {CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)"
        );
    }
    present
}

pub(crate) struct Browser {
    pub(crate) client: Client,
    driver: Child,
    /// The browser's profile: its path in Chromium's command line names this browser's processes.
    profile: tempfile::TempDir,
    base: String,
    _turn: SemaphorePermit<'static>,
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Where screenshots go: `target/browser-screenshots/` at the workspace root.
pub(crate) fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/browser-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    // without `..`: Chromium refuses to read a fake-capture file whose path refers to a parent
    std::fs::canonicalize(dir).unwrap()
}

impl Browser {
    /// A fresh browser profile on the server at `base`, its microphone playing `microphone`.
    pub(crate) async fn open(base: &str, microphone: Option<&Path>) -> Browser {
        let turn = BROWSERS.acquire().await.unwrap();
        let port = free_port();
        let mut driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().unwrap();
        let mut args = vec![
            format!("--user-data-dir={}", profile.path().display()),
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-gpu".to_owned(),
            "--window-size=1280,900".to_owned(),
            "--use-fake-device-for-media-stream".to_owned(),
            "--use-fake-ui-for-media-stream".to_owned(),
            "--autoplay-policy=no-user-gesture-required".to_owned(),
        ];
        if let Some(wav) = microphone {
            args.push(format!(
                "--use-file-for-fake-audio-capture={}",
                wav.display()
            ));
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({"binary": CHROMIUM, "args": args}),
        );
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                // chromedriver is still binding its port
                Err(error) if started.elapsed() < HANG_GUARD => {
                    let _ = error;
                    tokio::time::sleep(POLL).await;
                }
                Err(error) => {
                    let _ = driver.kill();
                    let _ = driver.wait();
                    panic!("no WebDriver session: {error}");
                }
            }
        };
        Browser {
            client,
            driver,
            profile,
            base: base.trim_end_matches('/').to_owned(),
            _turn: turn,
        }
    }

    /// Opens a page of the web client: `route` is its hash route, e.g. `/login`.
    pub(crate) async fn visit(&self, route: &str) {
        self.client
            .goto(&format!("{}/#{route}", self.base))
            .await
            .unwrap();
    }

    pub(crate) async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(HANG_GUARD)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("no element {css}: {error}"))
    }

    pub(crate) async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    pub(crate) async fn click(&self, css: &str) {
        self.wait_until(&format!(
            "const e = document.querySelector({css:?}); return !!e && !e.disabled && e.offsetParent !== null;"
        ))
        .await;
        self.find(css).await.click().await.unwrap();
    }

    pub(crate) async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    /// Runs `script` (a function body) in the page and returns its value.
    pub(crate) async fn eval(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    /// Waits until `script` (a function body) returns a truthy value, and returns that value.
    pub(crate) async fn wait_until(&self, script: &str) -> Value {
        let started = Instant::now();
        loop {
            let value = self.eval(script).await;
            let truthy = match &value {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return value;
            }
            assert!(
                started.elapsed() < HANG_GUARD,
                "never true: {script}\npage: {}\nerror: {}\ntext: {}",
                self.eval("return location.hash").await,
                self.eval("const e = document.querySelector('#form-error'); return e ? e.textContent : ''").await,
                self.eval("const p = document.querySelector('main') || document.body; return p.innerText.slice(0, 600);").await,
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the element's text contains `needle`; returns the whole text.
    pub(crate) async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let script = format!(
            "const e = document.querySelector({css:?}); return e && e.textContent.includes({needle:?}) ? e.textContent : null;"
        );
        self.wait_until(&script)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits for the page whose root carries `data-page="name"`.
    pub(crate) async fn on_page(&self, name: &str) {
        self.find(&format!("[data-page=\"{name}\"]")).await;
    }

    /// Saves a PNG of the viewport under `target/browser-screenshots/<name>.png`, and under
    /// `docs/screenshots/` when `UPDATE_SCREENSHOTS` is set.
    pub(crate) async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(artifacts_dir().join(format!("{name}.png")), &png).unwrap();
        if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
            let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
            std::fs::create_dir_all(&docs).unwrap();
            std::fs::write(docs.join(format!("{name}.png")), &png).unwrap();
        }
    }

    pub(crate) async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // also after a failed test: leave no chromedriver or Chromium behind (a session that
        // was closed has already ended its Chromium)
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = Command::new("pkill")
            .arg("-KILL")
            .args(["-f", "--"])
            .arg(format!("--user-data-dir={}", self.profile.path().display()))
            .status();
    }
}

/// A spoken answer for the fake microphone, made once per run with espeak-ng.
pub(crate) fn spoken_answer() -> PathBuf {
    static WAV: LazyLock<PathBuf> = LazyLock::new(|| {
        let path = artifacts_dir().join("spoken-answer.wav");
        let status = Command::new("espeak-ng")
            .args(["-s", "150", "-w"])
            .arg(&path)
            .arg("React hooks let a function component keep state and run effects after rendering.")
            .status()
            .expect("espeak-ng is installed (apt-get install espeak-ng; .ci/run does)");
        assert!(status.success());
        path
    });
    WAV.clone()
}
