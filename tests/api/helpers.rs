use std::sync::Once;

use adapter_offline::QuestionBank;
use reqwest::{Client, Response, StatusCode};
use secrecy::SecretString;
use serde_json::{Value, json};
use server::Application;
use server::config::{Environment, LogSettings, Settings, StorageSection};
use sqlx::Connection;

pub const SECRET: &str = "black-box-test-signing-secret-0123456789";
pub const PASSWORD: &str = "Str0ng!pass";

pub struct TestApp {
    pub address: String,
    pub client: Client,
    _dir: tempfile::TempDir,
    pub database: &'static str,
    /// Where its data lives: a second server on it is another node of the same deployment.
    pub database_url: String,
    /// Its object store (local directory): another node shares it.
    pub storage: StorageSection,
}

static TELEMETRY: Once = Once::new();

async fn fresh_postgres_url(admin_url: &str) -> String {
    let schema = format!("api_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::postgres::PgConnection::connect(admin_url)
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
        .execute(&mut admin)
        .await
        .unwrap();
    let separator = if admin_url.contains('?') { '&' } else { '?' };
    format!("{admin_url}{separator}options=-c%20search_path%3D{schema}")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the real server on a random port with a fresh database (a SQLite file, or a fresh
/// PostgreSQL schema when `TEST_DATABASE_URL` is set).
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_on(
        std::sync::Arc::new(interview_core::ports::SystemClock),
        configure,
    )
    .await
}

/// As [`spawn_app_with`], on `clock`.
pub async fn spawn_app_on(
    clock: std::sync::Arc<dyn interview_core::ports::Clock>,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    TELEMETRY.call_once(|| {
        let filter = std::env::var("TEST_LOG").unwrap_or_else(|_| "error".into());
        let telemetry = server::telemetry::init(
            &LogSettings {
                filter,
                ..LogSettings::default()
            },
            &server::config::TracesSection::default(),
        );
        drop(telemetry);
    });
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::defaults_for(Environment::Test);
    settings.server.port = 0;
    settings.server.workers = 2;
    settings.auth.jwt_secret = Some(SecretString::from(SECRET));
    settings.rate_limit.enabled = false;
    settings.storage = StorageSection::local(dir.path().join("objects"));
    settings.email.outbox_dir = dir.path().join("outbox");
    let mut database = "sqlite";
    settings.database.url = format!("sqlite://{}?mode=rwc", dir.path().join("api.db").display());
    if let Ok(admin_url) = std::env::var("TEST_DATABASE_URL")
        && !admin_url.trim().is_empty()
    {
        settings.database.url = fresh_postgres_url(admin_url.trim()).await;
        settings.database.max_connections = 8;
        database = "postgres";
    }
    configure(&mut settings);
    let database_url = settings.database.url.clone();
    let storage = settings.storage.clone();
    let application = Application::build_with_clock(settings, clock)
        .await
        .expect("the server starts");
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());
    TestApp {
        address,
        client: Client::new(),
        _dir: dir,
        database,
        database_url,
        storage,
    }
}

pub struct Candidate {
    pub token: String,
    pub id: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    pub async fn patch_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        let mut request = self.client.patch(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    /// GET, expecting a JSON body.
    pub async fn get_json(&self, path: &str, token: Option<&str>) -> Value {
        self.get(path, token).await.json().await.unwrap()
    }

    pub async fn register(&self, email: &str) -> Candidate {
        let response = self
            .post_json(
                "/api/v1/auth/register",
                None,
                &json!({"email": email, "password": PASSWORD, "full_name": "Test Candidate"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        Candidate {
            token: body["token"].as_str().unwrap().to_owned(),
            id: body["candidate_id"].as_str().unwrap().to_owned(),
        }
    }

    /// Starts an interview and returns its body.
    pub async fn start(&self, token: &str, role: &str) -> Value {
        let response = self
            .post_json(
                "/api/v1/interviews/start",
                Some(token),
                &json!({"role_type": role, "resume_id": null}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.unwrap()
    }

    pub async fn answer(
        &self,
        token: &str,
        interview: &str,
        text: &str,
        in_reply_to: i64,
        key: Option<&str>,
    ) -> Response {
        let mut request = self
            .client
            .post(self.url(&format!("/api/v1/interviews/{interview}/messages")))
            .bearer_auth(token)
            .json(&json!({"message_text": text, "in_reply_to": in_reply_to}));
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        request.send().await.unwrap()
    }
}

/// Answers `answers` questions of a started interview (its start body) with strong answers and
/// completes it; returns its id and the completion's body.
pub async fn finish_interview(
    app: &TestApp,
    token: &str,
    started: &Value,
    answers: usize,
) -> (String, Value) {
    let id = started["id"].as_str().unwrap().to_owned();
    let mut question = started["first_question"]["content_text"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut open = 1;
    for _ in 0..answers {
        let response = app
            .answer(token, &id, &strong_answer(&question), open, None)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        body["ai_response"]
            .as_str()
            .unwrap()
            .clone_into(&mut question);
        open = body["ai_sequence_number"].as_i64().unwrap();
    }
    let completed = app
        .post_json(
            &format!("/api/v1/interviews/{id}/complete"),
            Some(token),
            &json!({}),
        )
        .await;
    assert_eq!(completed.status(), StatusCode::OK);
    (id, completed.json().await.unwrap())
}

/// An answer covering every key point of a bank question, with reasons.
pub fn strong_answer(question: &str) -> String {
    let bank = QuestionBank::builtin().unwrap();
    let Some(found) = bank.find(question) else {
        return "I would explain it carefully because it matters, for example in production."
            .to_owned();
    };
    let phrases: Vec<&str> = found
        .key_points
        .iter()
        .map(|point| point.alternatives[0].as_str())
        .collect();
    format!(
        "The core idea involves {}. This matters because each affects correctness in practice. \
         For example, I would reason about {} first and then check {}, which means the \
         trade-off is explicit. In short, {}.",
        phrases.join(", "),
        phrases[0],
        phrases[phrases.len() - 1],
        phrases.join(" and ")
    )
}

pub async fn error_code(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]["code"].is_string() && body["error"]["message"].is_string(),
        "not an API error body: {body}"
    );
    (status, body)
}

/// A strong evaluation of a React answer, as the interviewer model returns it.
pub const GOOD_EVALUATION: &str = r#"{"answer_quality":"good","technical_accuracy":0.8,
    "explanation_clarity":0.75,"identified_skills":["components"],"skill_boundaries_detected":[],
    "rationale":"Solid."}"#;

/// The question the React stand-ins ask next.
pub const REACT_QUESTION: &str = "How do you keep a React component pure?";

/// The body of an OpenAI chat completion saying `content`, with usage (200 prompt, 40
/// completion tokens).
pub fn chat_completion(content: &str) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1_700_000_000,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 200, "completion_tokens": 40, "total_tokens": 240}
    })
}

/// [`chat_completion`] as a wiremock response.
pub fn chat_reply(content: &str) -> wiremock::ResponseTemplate {
    wiremock::ResponseTemplate::new(200).set_body_json(chat_completion(content))
}

/// Chat completions on `server`: requests for structured output (evaluations) get `evaluation`,
/// any other chat request (questions) gets `question`.
pub async fn mount_chat(server: &wiremock::MockServer, evaluation: &str, question: &str) {
    use wiremock::Mock;
    use wiremock::matchers::{body_partial_json, method, path};
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(body_partial_json(
            json!({"response_format": {"type": "json_schema"}}),
        ))
        .respond_with(chat_reply(evaluation))
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(chat_reply(question))
        .with_priority(5)
        .mount(server)
        .await;
}
