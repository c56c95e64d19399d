//! `loadgen video`: N uploaders at once, each sending one consented recording of M chunks of S
//! bytes, in order, through `POST /api/v1/videos/{id}/upload-chunk` (multipart `video_chunk`,
//! `chunk_index`, `total_chunks = M`), then `finalize`, whose `file_size_bytes` must be M × S.
//!
//! Registration, interview start and consent happen first, for every uploader; only the uploads
//! and the finalize calls are timed. Chunk 0 opens with the WebM EBML magic, later chunks with a
//! WebM cluster id; the rest is a xorshift stream seeded by uploader and index, made again to
//! compare what the server streams back. The server's RSS peak is taken over the uploads only:
//! `VmHWM` is reset (`/proc/PID/clear_refs` ← 5) when they start and `VmRSS` is also sampled.
//! The last chunk of a recording triggers its assembly inside that request, so its latency is
//! reported apart from the others'.

mod content;
mod report;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::realtime::system::{cpu_seconds, load_average, machine_busy_seconds};
use crate::{Args, memory_kib, register, spawn_server, start, wait_until_ready};
use content::{chunk_body, disk_usage, verify};
use report::{Measured, Memory};

const MIB: f64 = 1024.0 * 1024.0;

#[derive(clap::Args, Debug, Clone)]
pub struct VideoArgs {
    /// Uploaders at once, each with its own candidate and interview.
    #[arg(short = 'n', long, default_value_t = 50)]
    uploaders: usize,
    /// Chunks per recording, sent one after the other (`total_chunks`).
    #[arg(short = 'm', long, default_value_t = 100)]
    chunks: u32,
    /// Bytes per chunk (at most `video.max_chunk_bytes`, 10 MiB by default).
    #[arg(short = 's', long, default_value_t = 1024 * 1024)]
    chunk_bytes: usize,
    /// Registrations (argon2) running at once before the uploads.
    #[arg(long, default_value_t = 16)]
    setup_parallelism: usize,
    /// Milliseconds between two samples of the server's RSS during the uploads.
    #[arg(long, default_value_t = 20)]
    sample_ms: u64,
    /// Print the server's RSS once a second during the uploads.
    #[arg(long)]
    timeline: bool,
    /// Do not read the first recording back to compare it with what was sent.
    #[arg(long)]
    no_verify: bool,
}

/// What the uploaders share.
struct Shared {
    client: Client,
    base: String,
    chunks: u32,
    chunk_bytes: usize,
    /// Every chunk but the last of each recording, in µs.
    chunk: Mutex<Histogram<u64>>,
    /// The last chunk of each recording: stored, then the recording assembled, in µs.
    last: Mutex<Histogram<u64>>,
    finalize: Mutex<Histogram<u64>>,
    bytes: AtomicU64,
    /// When the uploads began.
    began: Instant,
    /// When the last chunk but the last of a recording was stored, in µs after `began`: the
    /// uploads before any assembly.
    stored_before_last_us: AtomicU64,
    errors: AtomicU64,
    error_samples: Mutex<Vec<String>>,
}

impl Shared {
    fn error(&self, what: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let mut samples = self
            .error_samples
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if samples.len() < 5 {
            samples.push(what);
        }
    }

    fn record(histogram: &Mutex<Histogram<u64>>, elapsed: Duration) {
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        histogram
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .saturating_record(micros.max(1));
    }
}

fn histogram() -> Result<Mutex<Histogram<u64>>, String> {
    Histogram::new_with_bounds(1, 600_000_000, 3)
        .map(Mutex::new)
        .map_err(|e| e.to_string())
}

/// Registers a candidate, starts an interview and consents to recording it.
async fn set_up(
    client: &Client,
    base: &str,
    role: &str,
    index: usize,
) -> Result<(String, String), String> {
    let token = register(client, base, index).await?;
    let (id, _) = start(client, base, &token, role).await?;
    let response = client
        .post(format!("{base}/api/v1/interviews/{id}/consent"))
        .bearer_auth(&token)
        .json(&json!({"video_recording_consent": true}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status() != StatusCode::OK {
        return Err(format!("consent: {}", response.status()));
    }
    Ok((token, id))
}

async fn upload_chunk(
    shared: &Shared,
    token: &str,
    id: &str,
    uploader: usize,
    index: u32,
) -> Result<(), String> {
    let body = chunk_body(uploader, index, shared.chunk_bytes);
    let length = body.len() as u64;
    let part = Part::bytes(body)
        .file_name(format!("chunk-{index:05}.webm"))
        .mime_str("video/webm")
        .map_err(|e| e.to_string())?;
    let form = Form::new()
        .text("chunk_index", index.to_string())
        .text("total_chunks", shared.chunks.to_string())
        .part("video_chunk", part);
    let began = Instant::now();
    let response = shared
        .client
        .post(format!("{}/api/v1/videos/{id}/upload-chunk", shared.base))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .map_err(|e| format!("chunk {index}: {e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| e.to_string())?;
    let elapsed = began.elapsed();
    if status != StatusCode::OK {
        return Err(format!("chunk {index}: {status} {text}"));
    }
    let answer: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    if answer["chunk_index"].as_u64() != Some(u64::from(index)) {
        return Err(format!("chunk {index}: unexpected answer {text}"));
    }
    let last = index + 1 == shared.chunks;
    Shared::record(if last { &shared.last } else { &shared.chunk }, elapsed);
    shared.bytes.fetch_add(length, Ordering::Relaxed);
    if !last {
        let at = u64::try_from(shared.began.elapsed().as_micros()).unwrap_or(u64::MAX);
        shared
            .stored_before_last_us
            .fetch_max(at, Ordering::Relaxed);
    }
    Ok(())
}

async fn finalize(shared: &Shared, token: &str, id: &str) -> Result<(), String> {
    let began = Instant::now();
    let response = shared
        .client
        .post(format!("{}/api/v1/videos/{id}/finalize", shared.base))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| format!("finalize: {e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| e.to_string())?;
    Shared::record(&shared.finalize, began.elapsed());
    if status != StatusCode::OK {
        return Err(format!("finalize: {status} {text}"));
    }
    let answer: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let expected = u64::from(shared.chunks) * shared.chunk_bytes as u64;
    if answer["file_size_bytes"].as_u64() != Some(expected)
        || answer["total_chunks"].as_u64() != Some(u64::from(shared.chunks))
    {
        return Err(format!("finalize: expected {expected} bytes, got {text}"));
    }
    Ok(())
}

async fn uploader(shared: Arc<Shared>, index: usize, token: String, id: String) {
    for chunk in 0..shared.chunks {
        if let Err(error) = upload_chunk(&shared, &token, &id, index, chunk).await {
            shared.error(error);
        }
    }
    if let Err(error) = finalize(&shared, &token, &id).await {
        shared.error(error);
    }
}

/// Samples the server's VmRSS until `sampling` goes false: the largest and when (seconds), and
/// one sample a second.
async fn sample(pid: u32, every: Duration, sampling: Arc<AtomicBool>) -> ((u64, f64), Vec<u64>) {
    let began = Instant::now();
    let (mut most, mut timeline) = ((0, 0.0), Vec::new());
    while sampling.load(Ordering::Relaxed) {
        if let Some((rss, _)) = memory_kib(pid) {
            let at = began.elapsed().as_secs_f64();
            if rss > most.0 {
                most = (rss, at);
            }
            if at >= timeline.len() as f64 {
                timeline.push(rss);
            }
        }
        tokio::time::sleep(every).await;
    }
    (most, timeline)
}

/// Registers, starts and consents for every uploader, `parallelism` at a time.
async fn set_up_all(
    client: &Client,
    base: &str,
    role: &str,
    video: &VideoArgs,
) -> Result<Vec<(String, String)>, String> {
    let gate = Arc::new(Semaphore::new(video.setup_parallelism.max(1)));
    let setups: Vec<_> = (0..video.uploaders)
        .map(|index| {
            let (client, base, role, gate) = (
                client.clone(),
                base.to_owned(),
                role.to_owned(),
                gate.clone(),
            );
            tokio::spawn(async move {
                let _permit = gate.acquire().await.map_err(|e| e.to_string())?;
                set_up(&client, &base, &role, index).await
            })
        })
        .collect();
    let mut sessions = Vec::with_capacity(video.uploaders);
    for setup in setups {
        sessions.push(setup.await.map_err(|e| e.to_string())??);
    }
    Ok(sessions)
}

fn cpu_since(
    pid: Option<u32>,
    start: (Option<f64>, Option<f64>, Option<f64>),
) -> (Option<f64>, Option<f64>, Option<f64>) {
    let now = (
        pid.and_then(|pid| cpu_seconds(&pid.to_string())),
        cpu_seconds("self"),
        machine_busy_seconds(),
    );
    let since =
        |end: Option<f64>, start: Option<f64>| end.zip(start).map(|(end, start)| end - start);
    (
        since(now.0, start.0),
        since(now.1, start.1),
        since(now.2, start.2),
    )
}

pub async fn run(args: &Args, video: &VideoArgs) -> Result<(), String> {
    let (server, base) = match &args.server_bin {
        Some(bin) => {
            let (process, base) = spawn_server(bin, args, &[])?;
            (Some(process), base)
        }
        None => (None, args.base_url.trim_end_matches('/').to_owned()),
    };
    let pid = args.pid.or_else(|| server.as_ref().map(|s| s.child.id()));
    let client = Client::builder()
        .pool_max_idle_per_host(video.uploaders.max(1))
        .timeout(Duration::from_mins(10))
        .build()
        .map_err(|e| e.to_string())?;
    wait_until_ready(&client, &base).await?;
    let ready = pid.and_then(memory_kib);
    let load_before = load_average();

    let setting_up = Instant::now();
    let sessions = set_up_all(&client, &base, &args.role, video).await?;
    println!(
        "{} candidates registered, interviews started and consented in {:.1}s",
        sessions.len(),
        setting_up.elapsed().as_secs_f64()
    );
    let shared = Arc::new(Shared {
        client,
        base,
        chunks: video.chunks,
        chunk_bytes: video.chunk_bytes,
        chunk: histogram()?,
        last: histogram()?,
        finalize: histogram()?,
        bytes: AtomicU64::new(0),
        began: Instant::now(),
        stored_before_last_us: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        error_samples: Mutex::new(Vec::new()),
    });
    let before = pid.and_then(memory_kib);
    // the peak so far (start-up, argon2) is not the uploads': from here VmHWM is theirs
    let reset =
        pid.is_some_and(|pid| std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok());
    let sampling = Arc::new(AtomicBool::new(true));
    let every = Duration::from_millis(video.sample_ms.max(1));
    let sampler = pid.map(|pid| tokio::spawn(sample(pid, every, sampling.clone())));
    let cpu = (
        pid.and_then(|pid| cpu_seconds(&pid.to_string())),
        cpu_seconds("self"),
        machine_busy_seconds(),
    );
    let began = shared.began;
    let tasks: Vec<_> = sessions
        .iter()
        .cloned()
        .enumerate()
        .map(|(index, (token, id))| tokio::spawn(uploader(shared.clone(), index, token, id)))
        .collect();
    for task in tasks {
        task.await.map_err(|e| e.to_string())?;
    }
    let seconds = began.elapsed().as_secs_f64();
    let cpu = cpu_since(pid, cpu);
    let after = pid.and_then(memory_kib);
    sampling.store(false, Ordering::Relaxed);
    let memory = match (pid, sampler) {
        (Some(pid), Some(task)) => {
            let (sampled, timeline) = task.await.map_err(|e| e.to_string())?;
            Some(Memory {
                pid,
                ready,
                before,
                after,
                reset,
                sampled,
                timeline: if video.timeline { timeline } else { Vec::new() },
            })
        }
        _ => None,
    };
    let measured = Measured {
        seconds,
        cpu,
        load: (load_before, load_average()),
        memory,
        objects: server
            .as_ref()
            .and_then(|server| server.dir.clone())
            .map(|dir| {
                let bytes = disk_usage(&dir.join("objects"));
                (dir, bytes)
            }),
    };
    report::print(video, &shared, &measured)?;

    let mut failed = shared.errors.load(Ordering::Relaxed);
    if !video.no_verify
        && let Some((token, id)) = sessions.first()
    {
        let recording = shared.chunk_bytes as f64 * f64::from(shared.chunks) / MIB;
        match verify(&shared, token, id).await {
            Ok(read) => println!(
                "read back: uploader 0's range across chunks 0/1 and all {recording:.1} MiB \
                 identical to what was sent ({:.1} MiB/s)",
                recording / read
            ),
            Err(error) => {
                println!("read back: {error}");
                failed += 1;
            }
        }
    }
    drop(server);
    if failed > 0 {
        return Err(format!("{failed} requests or checks failed"));
    }
    Ok(())
}
