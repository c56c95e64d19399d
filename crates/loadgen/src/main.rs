//! Registers K candidates, then runs their interviews in parallel, each doing T text turns
//! (starting a new interview whenever one completes), and prints turns/s, latency percentiles,
//! errors and — given the server's PID, or when it starts the server itself — its memory.
//! `loadgen … realtime` benchmarks live-voice sessions instead (see `realtime.rs`), and
//! `loadgen … video` chunked video uploads (see `video.rs`), and `loadgen … slow-ai` the latency of
//! reads while answers wait on a slow AI provider (see `slow_ai.rs`).

mod chat_stub;
mod realtime;
mod slow_ai;
mod video;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use hdrhistogram::Histogram;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Mutex;

#[derive(Parser, Debug, Clone)]
#[command(about = "Load generator for the interview API")]
struct Args {
    /// Base URL of a running server (ignored with --server-bin).
    #[arg(long, default_value = "http://127.0.0.1:8000")]
    base_url: String,
    /// Candidates interviewing in parallel.
    #[arg(long, short = 'k', default_value_t = 64)]
    candidates: usize,
    /// Text turns per candidate.
    #[arg(long, short = 't', default_value_t = 100)]
    turns: usize,
    /// PID of the server, to report its memory.
    #[arg(long)]
    pid: Option<u32>,
    /// Start this server binary on a fresh database, load it, then stop it. It reads its
    /// configuration as usual (./config from the current directory), with rate limiting off.
    #[arg(long)]
    server_bin: Option<String>,
    /// Database for --server-bin (default: a fresh SQLite file in a temp directory).
    #[arg(long)]
    database_url: Option<String>,
    /// Port for --server-bin.
    #[arg(long, default_value_t = 18_000)]
    port: u16,
    /// Role interviewed for.
    #[arg(long, default_value = "python")]
    role: String,
    #[command(subcommand)]
    mode: Option<Mode>,
}

#[derive(clap::Subcommand, Debug, Clone)]
enum Mode {
    /// Live voice: N realtime WebSockets streaming audio both ways through the relay, against a
    /// fake upstream hosted here (needs --server-bin).
    Realtime(realtime::RealtimeArgs),
    /// Video recordings: N uploaders each sending M chunks of S bytes, then finalizing.
    Video(video::VideoArgs),
    /// Reads measured alone, then while N interviews answer through a slow AI provider
    /// hosted here (needs --server-bin).
    SlowAi(slow_ai::SlowAiArgs),
}

const ANSWER: &str = "I would start from the fundamentals because correctness matters more than \
    cleverness. For example, I measure first, then change one thing at a time, which means every \
    trade-off stays explicit; in practice that covers the data structures, the failure modes and \
    the tests that keep the behaviour in place.";

#[derive(Default)]
struct Totals {
    turns: u64,
    starts: u64,
    completed_interviews: u64,
    errors: u64,
    error_samples: Vec<String>,
}

struct ServerProcess {
    child: Child,
    dir: Option<std::path::PathBuf>,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // SIGTERM for a graceful stop, then make sure
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn spawn_server(
    bin: &str,
    args: &Args,
    environment: &[(&str, String)],
) -> Result<(ServerProcess, String), String> {
    let dir = std::env::temp_dir().join(format!("loadgen-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()));
    let child = Command::new(bin)
        .env("APP__SERVER__PORT", args.port.to_string())
        .env("APP__DATABASE__URL", &url)
        .env("APP__DATABASE__AUTO_MIGRATE", "true")
        .env("APP__RATE_LIMIT__ENABLED", "false")
        .env("APP__LOG__FILTER", "warn")
        .env("APP__STORAGE__OBJECTS_DIR", dir.join("objects"))
        .envs(environment.iter().map(|(name, value)| (name, value)))
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {bin}: {e}"))?;
    Ok((
        ServerProcess {
            child,
            dir: Some(dir),
        },
        format!("http://127.0.0.1:{}", args.port),
    ))
}

async fn wait_until_ready(client: &Client, base: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_mins(1);
    while Instant::now() < deadline {
        if let Ok(response) = client.get(format!("{base}/ready")).send().await
            && response.status() == StatusCode::OK
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{base} did not become ready within 60 s"))
}

fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse::<u64>()
            .ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

async fn register(client: &Client, base: &str, index: usize) -> Result<String, String> {
    let email = format!("load-{index}-{}@example.com", uuid::Uuid::new_v4().simple());
    let response = client
        .post(format!("{base}/api/v1/auth/register"))
        .json(
            &json!({"email": email, "password": "Load-Test-Passw0rd!", "full_name": "Load Tester"}),
        )
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status() != StatusCode::CREATED {
        return Err(format!("register: {}", response.status()));
    }
    let body: Value = response.json().await.map_err(|e| e.to_string())?;
    body["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "register: no token".into())
}

async fn start(
    client: &Client,
    base: &str,
    token: &str,
    role: &str,
) -> Result<(String, i64), String> {
    let response = client
        .post(format!("{base}/api/v1/interviews/start"))
        .bearer_auth(token)
        .json(&json!({"role_type": role}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status() != StatusCode::CREATED {
        return Err(format!("start: {}", response.status()));
    }
    let body: Value = response.json().await.map_err(|e| e.to_string())?;
    let id = body["id"].as_str().ok_or("start: no id")?.to_owned();
    let open = body["first_question"]["sequence_number"]
        .as_i64()
        .ok_or("start: no question")?;
    Ok((id, open))
}

/// What every candidate's loop of a text-turn run shares.
#[derive(Clone)]
struct TextLoad {
    client: Client,
    base: String,
    role: String,
    /// Turns each candidate answers.
    turns: usize,
    histogram: Arc<Mutex<Histogram<u64>>>,
    totals: Arc<Mutex<Totals>>,
}

async fn candidate_loop(load: TextLoad, token: String) {
    let TextLoad {
        client,
        base,
        role,
        turns,
        histogram,
        totals,
    } = load;
    let mut current: Option<(String, i64)> = None;
    let mut done = 0;
    while done < turns {
        let (id, open) = match current.take() {
            Some(open) => open,
            None => match start(&client, &base, &token, &role).await {
                Ok(started) => {
                    totals.lock().await.starts += 1;
                    started
                }
                Err(error) => {
                    let mut totals = totals.lock().await;
                    totals.errors += 1;
                    if totals.error_samples.len() < 5 {
                        totals.error_samples.push(error);
                    }
                    done += 1;
                    continue;
                }
            },
        };
        let began = Instant::now();
        let result = client
            .post(format!("{base}/api/v1/interviews/{id}/messages"))
            .bearer_auth(&token)
            .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
            .json(&json!({"message_text": ANSWER, "in_reply_to": open}))
            .send()
            .await;
        let elapsed = began.elapsed();
        done += 1;
        let outcome = match result {
            Ok(response) if response.status() == StatusCode::OK => {
                response.json::<Value>().await.map_err(|e| e.to_string())
            }
            Ok(response) => Err(format!("answer: {}", response.status())),
            Err(error) => Err(error.to_string()),
        };
        match outcome {
            Ok(body) => {
                let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
                histogram.lock().await.saturating_record(micros);
                let mut totals = totals.lock().await;
                totals.turns += 1;
                if body["interview_complete"].as_bool() == Some(true) {
                    totals.completed_interviews += 1;
                } else if let Some(next) = body["ai_sequence_number"].as_i64() {
                    current = Some((id, next));
                }
            }
            Err(error) => {
                let mut totals = totals.lock().await;
                totals.errors += 1;
                if totals.error_samples.len() < 5 {
                    totals.error_samples.push(error);
                }
            }
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    match &args.mode {
        Some(Mode::Realtime(realtime)) => return realtime::run(&args, realtime).await,
        Some(Mode::Video(video)) => return video::run(&args, video).await,
        Some(Mode::SlowAi(slow)) => return slow_ai::run(&args, slow).await,
        None => {}
    }
    let client = Client::builder()
        .pool_max_idle_per_host(args.candidates)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let (server, base) = match &args.server_bin {
        Some(bin) => {
            let (process, base) = spawn_server(bin, &args, &[])?;
            (Some(process), base)
        }
        None => (None, args.base_url.trim_end_matches('/').to_owned()),
    };
    let pid = args.pid.or_else(|| server.as_ref().map(|s| s.child.id()));
    wait_until_ready(&client, &base).await?;

    let registering = Instant::now();
    let mut tokens = Vec::with_capacity(args.candidates);
    for chunk in (0..args.candidates).collect::<Vec<_>>().chunks(16) {
        let batch = chunk.iter().map(|&i| {
            let client = client.clone();
            let base = base.clone();
            tokio::spawn(async move { register(&client, &base, i).await })
        });
        for handle in batch.collect::<Vec<_>>() {
            tokens.push(handle.await.map_err(|e| e.to_string())??);
        }
    }
    println!(
        "registered {} candidates in {:.2}s",
        tokens.len(),
        registering.elapsed().as_secs_f64()
    );
    let idle = pid.and_then(memory_kib);

    let histogram = Arc::new(Mutex::new(
        Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).map_err(|e| e.to_string())?,
    ));
    let totals = Arc::new(Mutex::new(Totals::default()));
    let load = TextLoad {
        client: client.clone(),
        base: base.clone(),
        role: args.role.clone(),
        turns: args.turns,
        histogram: histogram.clone(),
        totals: totals.clone(),
    };
    let began = Instant::now();
    let tasks: Vec<_> = tokens
        .into_iter()
        .map(|token| tokio::spawn(candidate_loop(load.clone(), token)))
        .collect();
    for task in tasks {
        task.await.map_err(|e| e.to_string())?;
    }
    let elapsed = began.elapsed().as_secs_f64();
    let loaded = pid.and_then(memory_kib);
    let histogram = histogram.lock().await;
    let totals = totals.lock().await;
    let ms = |quantile: f64| histogram.value_at_quantile(quantile) as f64 / 1000.0;
    println!(
        "K={} T={}: {} turns in {:.2}s = {:.0} turns/s ({} interviews started, {} completed)",
        args.candidates,
        args.turns,
        totals.turns,
        elapsed,
        totals.turns as f64 / elapsed,
        totals.starts,
        totals.completed_interviews
    );
    println!(
        "latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        ms(0.50),
        ms(0.90),
        ms(0.99),
        histogram.max() as f64 / 1000.0
    );
    println!("errors: {}", totals.errors);
    for sample in &totals.error_samples {
        println!("  e.g. {sample}");
    }
    if let (Some(pid), Some((rss, _))) = (pid, idle) {
        println!(
            "server pid {pid}: RSS after registration {:.1} MiB",
            rss as f64 / 1024.0
        );
    }
    if let Some((rss, peak)) = loaded {
        println!(
            "server RSS after load {:.1} MiB, peak (VmHWM) {:.1} MiB",
            rss as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    }
    drop(server);
    if totals.errors > 0 {
        return Err(format!("{} requests failed", totals.errors));
    }
    Ok(())
}
