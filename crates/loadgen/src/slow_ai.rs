//! `loadgen --server-bin … slow-ai`: do the endpoints that need no AI keep their latency while
//! the AI provider is slow? Starts a chat stand-in that answers after `--delay-ms`, the server
//! pointed at it, and N candidates with an interview each; measures `--reads` reads (an interview
//! and its transcript, alternately, from `--readers` parallel readers) first with no answer in
//! flight, then again while all N interviews answer in a loop, each answer waiting on the stub.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::chat_stub::ChatStub;
use crate::{ANSWER, Args, memory_kib, register, spawn_server, start, wait_until_ready};

#[derive(clap::Args, Debug, Clone)]
pub struct SlowAiArgs {
    /// Interviews answering at once, each answer waiting on the slow provider.
    #[arg(long, default_value_t = 64)]
    interviews: usize,
    /// How long the provider takes over each chat call.
    #[arg(long, default_value_t = 2_000)]
    delay_ms: u64,
    /// Reads measured in each phase.
    #[arg(long, default_value_t = 4_000)]
    reads: usize,
    /// Parallel readers.
    #[arg(long, default_value_t = 8)]
    readers: usize,
}

#[derive(Clone)]
struct Interview {
    token: String,
    id: String,
    open: i64,
}

/// `reads` reads spread over `readers` tasks; their latency, and how many failed.
async fn measure_reads(
    client: &Client,
    base: &str,
    interviews: &Arc<Vec<Interview>>,
    reads: usize,
    readers: usize,
) -> Result<(Histogram<u64>, usize), String> {
    let readers = readers.max(1);
    let tasks: Vec<_> = (0..readers)
        .map(|reader| {
            let (client, base, interviews) = (client.clone(), base.to_owned(), interviews.clone());
            tokio::spawn(async move {
                let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)
                    .map_err(|e| e.to_string())?;
                let mut failed = 0;
                for n in (reader..reads).step_by(readers) {
                    let interview = &interviews[n % interviews.len()];
                    let path = if n % 2 == 0 {
                        format!("{base}/api/v1/interviews/{}", interview.id)
                    } else {
                        format!("{base}/api/v1/interviews/{}/transcript", interview.id)
                    };
                    let began = Instant::now();
                    let response = client.get(path).bearer_auth(&interview.token).send().await;
                    let ok = match response {
                        Ok(response) if response.status() == StatusCode::OK => {
                            response.bytes().await.is_ok()
                        }
                        _ => false,
                    };
                    if ok {
                        let micros = u64::try_from(began.elapsed().as_micros()).unwrap_or(u64::MAX);
                        histogram.saturating_record(micros);
                    } else {
                        failed += 1;
                    }
                }
                Ok::<_, String>((histogram, failed))
            })
        })
        .collect();
    let mut total =
        Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).map_err(|e| e.to_string())?;
    let mut failed = 0;
    for task in tasks {
        let (histogram, task_failed) = task.await.map_err(|e| e.to_string())??;
        total.add(&histogram).map_err(|e| e.to_string())?;
        failed += task_failed;
    }
    Ok((total, failed))
}

/// Answers the interview's open question again and again (a new interview when one completes)
/// until `stop`; counts answers given and failed.
async fn answer_loop(
    client: Client,
    base: String,
    role: String,
    mut interview: Interview,
    stop: Arc<AtomicBool>,
    answered: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
) {
    while !stop.load(Ordering::Relaxed) {
        let response = client
            .post(format!(
                "{base}/api/v1/interviews/{}/messages",
                interview.id
            ))
            .bearer_auth(&interview.token)
            .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
            .json(&json!({"message_text": ANSWER, "in_reply_to": interview.open}))
            .send()
            .await;
        let body = match response {
            Ok(response) if response.status() == StatusCode::OK => {
                response.json::<Value>().await.ok()
            }
            _ => None,
        };
        let Some(body) = body else {
            failed.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        answered.fetch_add(1, Ordering::Relaxed);
        match body["ai_sequence_number"].as_i64() {
            Some(next) if body["interview_complete"].as_bool() != Some(true) => {
                interview.open = next;
            }
            _ => match start(&client, &base, &interview.token, &role).await {
                Ok((id, open)) => {
                    interview = Interview {
                        id,
                        open,
                        ..interview
                    }
                }
                Err(_) => {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            },
        }
    }
}

fn report(phase: &str, histogram: &Histogram<u64>, failed: usize) {
    let ms = |quantile: f64| histogram.value_at_quantile(quantile) as f64 / 1000.0;
    println!(
        "{phase}: {} reads, p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms, {failed} failed",
        histogram.len(),
        ms(0.50),
        ms(0.90),
        ms(0.99),
        histogram.max() as f64 / 1000.0
    );
}

pub async fn run(args: &Args, slow: &SlowAiArgs) -> Result<(), String> {
    let bin = args
        .server_bin
        .as_deref()
        .ok_or("slow-ai needs --server-bin: it points the server at its own slow provider")?;
    let delay = Duration::from_millis(slow.delay_ms);
    let chat = ChatStub::start_with_delay(delay).await?;
    let environment = [
        ("APP__AI__PROVIDER", "openai".to_owned()),
        ("OPENAI_API_KEY", "sk-loadgen-slow-ai".to_owned()),
        ("APP__AI__OPENAI__BASE_URL", chat.base_url()),
        ("APP__RATE_LIMIT__ENABLED", "false".to_owned()),
    ];
    let (server, base) = spawn_server(bin, args, &environment)?;
    let client = Client::builder()
        .pool_max_idle_per_host(slow.interviews + slow.readers)
        .timeout(Duration::from_mins(2))
        .build()
        .map_err(|e| e.to_string())?;
    wait_until_ready(&client, &base).await?;

    let count = slow.interviews.max(1);
    let setting_up = Instant::now();
    let started: Vec<_> = (0..count)
        .map(|index| {
            let (client, base, role) = (client.clone(), base.clone(), args.role.clone());
            tokio::spawn(async move {
                let token = register(&client, &base, index).await?;
                let (id, open) = start(&client, &base, &token, &role).await?;
                Ok::<_, String>(Interview { token, id, open })
            })
        })
        .collect();
    let mut interviews = Vec::with_capacity(count);
    for task in started {
        interviews.push(task.await.map_err(|e| e.to_string())??);
    }
    let interviews = Arc::new(interviews);
    println!(
        "{count} candidates registered, each with an interview, in {:.1}s; the provider takes {} ms a call",
        setting_up.elapsed().as_secs_f64(),
        slow.delay_ms
    );

    let (quiet, quiet_failed) =
        measure_reads(&client, &base, &interviews, slow.reads, slow.readers).await?;
    report("no answer in flight", &quiet, quiet_failed);

    let stop = Arc::new(AtomicBool::new(false));
    let (answered, answers_failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let loops_began = Instant::now();
    let loops: Vec<_> = interviews
        .iter()
        .map(|interview| {
            tokio::spawn(answer_loop(
                client.clone(),
                base.clone(),
                args.role.clone(),
                interview.clone(),
                stop.clone(),
                answered.clone(),
                answers_failed.clone(),
            ))
        })
        .collect();
    // every loop's first answer is on its way to the provider before reads are measured
    tokio::time::sleep(delay / 2).await;
    let (loaded, loaded_failed) =
        measure_reads(&client, &base, &interviews, slow.reads, slow.readers).await?;
    report(
        &format!("{count} answers waiting on the provider"),
        &loaded,
        loaded_failed,
    );
    stop.store(true, Ordering::Relaxed);
    for task in loops {
        task.await.map_err(|e| e.to_string())?;
    }
    let given = answered.load(Ordering::Relaxed);
    println!(
        "answers: {given} given in {:.1}s, {} failed",
        loops_began.elapsed().as_secs_f64(),
        answers_failed.load(Ordering::Relaxed)
    );
    if let Some((rss, peak)) = memory_kib(server.child.id()) {
        println!(
            "server RSS {:.1} MiB, peak (VmHWM) {:.1} MiB",
            rss as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    }
    drop(server);
    let failures = quiet_failed + loaded_failed + answers_failed.load(Ordering::Relaxed) as usize;
    if failures > 0 {
        return Err(format!("{failures} requests failed"));
    }
    Ok(())
}
