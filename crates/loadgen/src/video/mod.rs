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

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::realtime::system::{cpu_seconds, load_average, machine_busy_seconds};
use crate::{Args, memory_kib, register, spawn_server, start, wait_until_ready};

const MIB: f64 = 1024.0 * 1024.0;
const WEBM_EBML: [u8; 4] = [0x1a, 0x45, 0xdf, 0xa3];
const WEBM_CLUSTER: [u8; 4] = [0x1f, 0x43, 0xb6, 0x75];

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

/// Chunk `index` of uploader `uploader`: the WebM magic (chunk 0) or a cluster id, then a
/// xorshift stream seeded by both, so every chunk differs and can be made again.
fn chunk_body(uploader: usize, index: u32, size: usize) -> Vec<u8> {
    let mut state = ((uploader as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (u64::from(index) + 1).wrapping_mul(0xD1B5_4A32_D192_ED03))
        | 1;
    let mut bytes = vec![0u8; size];
    for word in bytes.chunks_mut(8) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        word.copy_from_slice(&state.to_le_bytes()[..word.len()]);
    }
    let magic = if index == 0 { WEBM_EBML } else { WEBM_CLUSTER };
    let length = magic.len().min(size);
    bytes[..length].copy_from_slice(&magic[..length]);
    bytes
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

/// Reads uploader 0's recording back — a range across the first chunk boundary, then all of it —
/// and compares it with what was sent; returns the seconds the full read took.
async fn verify(shared: &Shared, token: &str, id: &str) -> Result<f64, String> {
    let size = shared.chunk_bytes as u64;
    let total = size * u64::from(shared.chunks);
    let url = format!("{}/api/v1/videos/{id}/stream", shared.base);
    if shared.chunks >= 2 && size >= 64 {
        let (first, last) = (size - 32, size + 31);
        let response = shared
            .client
            .get(&url)
            .bearer_auth(token)
            .header(header::RANGE, format!("bytes={first}-{last}"))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if response.status() != StatusCode::PARTIAL_CONTENT {
            return Err(format!("ranged read: {}", response.status()));
        }
        let got = response.bytes().await.map_err(|e| e.to_string())?;
        let mut expected = chunk_body(0, 0, shared.chunk_bytes)[shared.chunk_bytes - 32..].to_vec();
        expected.extend_from_slice(&chunk_body(0, 1, shared.chunk_bytes)[..32]);
        if got[..] != expected[..] {
            return Err(format!(
                "ranged read: bytes {first}-{last} differ from those sent"
            ));
        }
    }
    let began = Instant::now();
    let mut response = shared
        .client
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status() != StatusCode::OK {
        return Err(format!("full read: {}", response.status()));
    }
    let mut position = 0u64;
    let mut current: Option<(u64, Vec<u8>)> = None;
    while let Some(piece) = response.chunk().await.map_err(|e| e.to_string())? {
        let mut piece = &piece[..];
        while !piece.is_empty() {
            let index = position / size;
            if index >= u64::from(shared.chunks) {
                return Err(format!("full read: more than the {total} bytes sent"));
            }
            if current.as_ref().map(|(at, _)| *at) != Some(index) {
                current = Some((index, chunk_body(0, index as u32, shared.chunk_bytes)));
            }
            let expected = current
                .as_ref()
                .map(|(_, bytes)| &bytes[(position % size) as usize..])
                .unwrap_or_default();
            let length = expected.len().min(piece.len());
            if piece[..length] != expected[..length] {
                return Err(format!("full read: the bytes at {position} differ"));
            }
            position += length as u64;
            piece = &piece[length..];
        }
    }
    if position != total {
        return Err(format!("full read: {position} bytes, {total} sent"));
    }
    Ok(began.elapsed().as_secs_f64())
}

/// Bytes of the files under `path`.
fn disk_usage(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => disk_usage(&entry.path()),
            _ => entry.metadata().map_or(0, |meta| meta.len()),
        })
        .sum()
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
    println!("load average before: {}", load_average());

    let setting_up = Instant::now();
    let gate = Arc::new(Semaphore::new(video.setup_parallelism.max(1)));
    let setups: Vec<_> = (0..video.uploaders)
        .map(|index| {
            let (client, base, gate) = (client.clone(), base.clone(), gate.clone());
            let role = args.role.clone();
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
        errors: AtomicU64::new(0),
        error_samples: Mutex::new(Vec::new()),
    });
    let before = pid.and_then(memory_kib);
    // the peak so far (start-up, argon2) is not the uploads'; from here VmHWM is theirs
    let reset =
        pid.is_some_and(|pid| std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok());
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = pid.map(|pid| {
        let (sampling, every) = (
            sampling.clone(),
            Duration::from_millis(video.sample_ms.max(1)),
        );
        tokio::spawn(async move {
            let mut most = 0;
            while sampling.load(Ordering::Relaxed) {
                if let Some((rss, _)) = memory_kib(pid) {
                    most = u64::max(most, rss);
                }
                tokio::time::sleep(every).await;
            }
            most
        })
    });
    let server_cpu = pid.and_then(|pid| cpu_seconds(&pid.to_string()));
    let (own_cpu, machine) = (cpu_seconds("self"), machine_busy_seconds());
    let began = Instant::now();
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
    let server_cpu = pid
        .and_then(|pid| cpu_seconds(&pid.to_string()))
        .zip(server_cpu)
        .map(|(end, start)| end - start);
    let own_cpu = cpu_seconds("self")
        .zip(own_cpu)
        .map(|(end, start)| end - start);
    let machine = machine_busy_seconds()
        .zip(machine)
        .map(|(end, start)| end - start);
    let after = pid.and_then(memory_kib);
    sampling.store(false, Ordering::Relaxed);
    let sampled = match sampler {
        Some(task) => Some(task.await.map_err(|e| e.to_string())?),
        None => None,
    };
    let load = load_average();

    let bytes = shared.bytes.load(Ordering::Relaxed);
    let mib = |kib: u64| kib as f64 / 1024.0;
    let ms = |histogram: &Mutex<Histogram<u64>>, quantile: f64| {
        let histogram = histogram.lock().unwrap_or_else(PoisonError::into_inner);
        if histogram.is_empty() {
            f64::NAN
        } else {
            histogram.value_at_quantile(quantile) as f64 / 1000.0
        }
    };
    let mut all = histogram()?
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    for part in [&shared.chunk, &shared.last] {
        let part = part.lock().unwrap_or_else(PoisonError::into_inner);
        all.add(&*part).map_err(|e| e.to_string())?;
    }
    let all = Mutex::new(all);
    println!(
        "video N={} M={} S={} B: {} chunks, {:.1} MiB in {seconds:.2}s = {:.1} MiB/s",
        video.uploaders,
        video.chunks,
        video.chunk_bytes,
        all.lock().unwrap_or_else(PoisonError::into_inner).len(),
        bytes as f64 / MIB,
        bytes as f64 / MIB / seconds
    );
    println!(
        "chunk latency ms, all: p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        ms(&all, 0.5),
        ms(&all, 0.9),
        ms(&all, 0.99),
        ms(&all, 1.0)
    );
    println!(
        "  before the last: p50 {:.2}  p99 {:.2}  max {:.2}; last (stores it, then assembles \
         {:.0} MiB): p50 {:.2}  max {:.2}; finalize: p50 {:.2}  max {:.2}",
        ms(&shared.chunk, 0.5),
        ms(&shared.chunk, 0.99),
        ms(&shared.chunk, 1.0),
        video.chunk_bytes as f64 * f64::from(video.chunks) / MIB,
        ms(&shared.last, 0.5),
        ms(&shared.last, 1.0),
        ms(&shared.finalize, 0.5),
        ms(&shared.finalize, 1.0)
    );
    let errors = shared.errors.load(Ordering::Relaxed);
    println!("errors: {errors}");
    for sample in shared
        .error_samples
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
    {
        println!("  e.g. {sample}");
    }
    println!(
        "CPU during the uploads: server {:.1}s, loadgen {:.1}s, whole machine {:.1}s of {:.1}s \
         (2 cores = {:.1}); load average after: {load}",
        server_cpu.unwrap_or(f64::NAN),
        own_cpu.unwrap_or(f64::NAN),
        machine.unwrap_or(f64::NAN),
        seconds,
        2.0 * seconds
    );
    if let (Some(pid), Some((rss_before, hwm_before)), Some((rss_after, hwm_after))) =
        (pid, before, after)
    {
        println!(
            "server pid {pid} RSS MiB: before the uploads {:.1} (peak so far {:.1}), after {:.1}",
            mib(rss_before),
            mib(hwm_before),
            mib(rss_after)
        );
        println!(
            "server peak RSS during the uploads: {} MiB, sampled every {} ms: {:.1} MiB",
            if reset {
                format!("{:.1} (VmHWM, reset when they began)", mib(hwm_after))
            } else {
                format!(
                    "{:.1} (VmHWM, could not reset: lifetime peak)",
                    mib(hwm_after)
                )
            },
            video.sample_ms,
            mib(sampled.unwrap_or(0))
        );
    }
    if let Some(dir) = server.as_ref().and_then(|server| server.dir.as_ref()) {
        println!(
            "objects on disk after the run: {:.1} MiB (temp dir {}, removed at exit)",
            disk_usage(&dir.join("objects")) as f64 / MIB,
            dir.display()
        );
    }
    let mut failed = errors;
    if !video.no_verify
        && let Some((token, id)) = sessions.first()
    {
        match verify(&shared, token, id).await {
            Ok(read) => println!(
                "read back: uploader 0's range across chunks 0/1 and all {:.1} MiB identical to \
                 what was sent ({:.1} MiB/s)",
                shared.chunk_bytes as f64 * f64::from(shared.chunks) / MIB,
                shared.chunk_bytes as f64 * f64::from(shared.chunks) / MIB / read
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
