//! `loadgen realtime`: N live-voice sessions through the server's relay at once.
//!
//! This process hosts the upstream (`fake-realtime` in streaming mode) and a chat stand-in
//! ([`ChatStub`], for the first question of each interview), starts the server pointed at both,
//! registers a few candidates, starts N realtime interviews and opens N WebSockets. Then every
//! client sends 20 ms of 24 kHz PCM16 (960 bytes) every 20 ms while the fake sends 20 ms deltas
//! back on every upstream session. The first 8 bytes of every chunk are its send time
//! (nanoseconds since an `Instant` this process shares with the fake), so:
//! - upstream → client latency = client receipt − fake send time,
//! - client → upstream latency = fake receipt − client send time,
//!
//! both of which include the loopback hops and this process's own scheduling, on top of what the
//! relay adds. Only frames sent inside the measured window count.

use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use fake_realtime::{FakeRealtime, Script, Streaming, TEST_API_KEY};
use reqwest::Client;
use tokio::sync::{Semaphore, mpsc, watch};

use crate::chat_stub::ChatStub;
use crate::{Args, memory_kib, register, spawn_server, wait_until_ready};

/// 20 ms of 24 kHz PCM16 mono.
const FRAME_BYTES: usize = 960;
/// How long frames sent at the end of the window may take to arrive and still count.
const GRACE: Duration = Duration::from_secs(1);
/// The prefix of every audio frame the server sends (serde writes the fields in order).
const AUDIO_PREFIX: &str = r#"{"type":"ai_audio_chunk","audio":""#;

#[derive(clap::Args, Debug, Clone)]
pub struct RealtimeArgs {
    /// Concurrent sessions. Several, comma-separated (250,500,1000,2000), run one after
    /// another, each on a fresh server, database and fake upstream.
    #[arg(
        short = 'n',
        long = "sessions",
        value_delimiter = ',',
        default_value = "250"
    )]
    sessions: Vec<usize>,
    /// Measured seconds per run.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Seconds of streaming after the last socket opened, before measuring.
    #[arg(long, default_value_t = 3)]
    warmup: u64,
    /// Candidates registered per run; the interviews are spread over them (registration hashes
    /// a password with argon2, which is slow; any number of interviews may be active per
    /// candidate, one per connection).
    #[arg(long, default_value_t = 8)]
    candidates: usize,
    /// Sockets opened at once while connecting.
    #[arg(long, default_value_t = 32)]
    connect_parallelism: usize,
    /// Milliseconds between two frames in each direction (frames stay 20 ms of audio). 20 is
    /// real time; a larger value holds many sessions at a lower message rate, to see their
    /// memory without the CPU saturating.
    #[arg(long, default_value_t = 20)]
    frame_ms: u64,
    /// The latency target of the verdict: p99 in both directions below this many microseconds.
    #[arg(long, default_value_t = 1000)]
    p99_target_us: u64,
}

mod clients;
mod report;
pub(crate) mod system;

use clients::{Shared, client_session, start_interviews};
use report::Report;
use system::{cpu_seconds, load_average, machine_busy_seconds, open_file_limit};

pub async fn run(args: &Args, realtime: &RealtimeArgs) -> Result<(), String> {
    let Some(bin) = args.server_bin.clone() else {
        return Err(
            "realtime needs --server-bin: the server must be started pointed at the fake \
                    upstream this process hosts"
                .into(),
        );
    };
    let most = realtime.sessions.iter().copied().max().unwrap_or(0);
    if let Some(limit) = open_file_limit()
        && limit < 2 * most as u64 + 256
    {
        println!(
            "warning: the open-file limit is {limit}; {most} sessions need about {} here and as \
             many in the server (raise it with `ulimit -n 16384`)",
            2 * most + 256
        );
    }
    let mut reports = Vec::new();
    for &sessions in &realtime.sessions {
        match run_once(args, &bin, realtime, sessions).await {
            Ok(report) => {
                report.print();
                reports.push(report);
            }
            Err(error) => println!("N={sessions}: the run failed: {error}"),
        }
    }
    println!();
    println!(
        "| N | connected | up→client p50 / p90 / p99 / max µs | client→up p50 / p90 / p99 / max µs | frames relayed down / up (% of nominal) | errors | RSS idle → open MiB | KiB per session | server CPU ms per session-s | server CPU | loadgen CPU | other CPU | p99 < {} µs, ≥ 99 % of real time, no loss or errors |",
        realtime.p99_target_us
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for report in &reports {
        println!("{}", report.table_row(realtime.p99_target_us));
    }
    let held = reports
        .iter()
        .filter(|report| report.meets(realtime.p99_target_us))
        .map(|report| report.sessions)
        .max();
    match held {
        Some(held) => println!(
            "most sessions meeting the targets: {held} (p99 < {} µs both ways)",
            realtime.p99_target_us
        ),
        None => println!("no run met the targets"),
    }
    Ok(())
}

async fn run_once(
    args: &Args,
    bin: &str,
    realtime: &RealtimeArgs,
    sessions: usize,
) -> Result<Report, String> {
    let interval = Duration::from_millis(realtime.frame_ms.max(1));
    let epoch = Instant::now();
    let fake = FakeRealtime::start_with(Script::new().streaming(Streaming {
        interval,
        chunk_bytes: FRAME_BYTES,
        epoch,
    }))
    .await;
    let chat = ChatStub::start().await?;
    let environment = [
        ("APP__AI__PROVIDER", "openai".to_owned()),
        ("OPENAI_API_KEY", TEST_API_KEY.to_owned()),
        ("OPENAI_BASE_URL", chat.base_url()),
        ("APP__AI__OPENAI__BASE_URL", chat.base_url()),
        ("APP__AI__OPENAI__REALTIME__URL", fake.url()),
    ];
    let (server, base) = spawn_server(bin, args, &environment)?;
    let pid = server.child.id();
    let client = Client::builder()
        .timeout(Duration::from_mins(1))
        .build()
        .map_err(|e| e.to_string())?;
    wait_until_ready(&client, &base).await?;

    let began = Instant::now();
    let candidates = realtime.candidates.clamp(1, sessions.max(1));
    let mut tokens = Vec::with_capacity(candidates);
    for index in 0..candidates {
        tokens.push(register(&client, &base, index).await?);
    }
    let interviews = start_interviews(&client, &base, &tokens, &args.role, sessions).await?;
    println!(
        "N={sessions}: {candidates} candidates registered and {} realtime interviews started in {:.1}s",
        interviews.len(),
        began.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (rss_idle_kib, _) = memory_kib(pid).ok_or("cannot read the server's memory")?;

    let shared = Arc::new(Shared::new(epoch)?);
    let (stop, stopped) = watch::channel(false);
    let (connected_tx, mut connected_rx) = mpsc::channel(sessions.max(1));
    let gate = Arc::new(Semaphore::new(realtime.connect_parallelism.max(1)));
    let ws_base = base.replacen("http", "ws", 1);
    let opening = Instant::now();
    let clients: Vec<_> = interviews
        .into_iter()
        .enumerate()
        .map(|(index, (id, token))| {
            let url = format!("{ws_base}/api/v1/interviews/{id}/realtime/connect?token={token}");
            tokio::spawn(client_session(
                index,
                interval,
                url,
                shared.clone(),
                gate.clone(),
                connected_tx.clone(),
                stopped.clone(),
            ))
        })
        .collect();
    drop(connected_tx);
    let mut connected = 0;
    while let Some(ok) = connected_rx.recv().await {
        connected += usize::from(ok);
    }
    println!(
        "N={sessions}: {connected} sockets open in {:.1}s",
        opening.elapsed().as_secs_f64()
    );

    // drain the fake's receipts as they come, so they never pile up
    let draining = {
        let shared = shared.clone();
        let mut stopped = stopped.clone();
        let fake = &fake;
        async move {
            loop {
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(100)) => shared.drain(fake),
                    _ = stopped.changed() => break,
                }
            }
        }
    };
    let measuring = async {
        tokio::time::sleep(Duration::from_secs(realtime.warmup)).await;
        let server_cpu = cpu_seconds(&pid.to_string());
        let own_cpu = cpu_seconds("self");
        let machine = machine_busy_seconds();
        let deltas = fake.deltas_sent();
        let started = Instant::now();
        shared.window_start.store(shared.now(), Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs(realtime.seconds)).await;
        shared.window_end.store(shared.now(), Ordering::Relaxed);
        let seconds = started.elapsed().as_secs_f64();
        let server_cpu = cpu_seconds(&pid.to_string())
            .zip(server_cpu)
            .map(|(end, start)| end - start);
        let own_cpu = cpu_seconds("self")
            .zip(own_cpu)
            .map(|(end, start)| end - start);
        let machine = machine_busy_seconds()
            .zip(machine)
            .map(|(end, start)| end - start);
        let down_sent = fake.deltas_sent() - deltas;
        let memory = memory_kib(pid);
        let load = load_average();
        tokio::time::sleep(GRACE).await;
        let _ = stop.send(true);
        let cpu = (
            server_cpu.unwrap_or(f64::NAN),
            own_cpu.unwrap_or(f64::NAN),
            machine.unwrap_or(f64::NAN),
        );
        (seconds, cpu, down_sent, memory, load)
    };
    let ((seconds, (server_cpu, own_cpu, machine), down_sent, memory, load), ()) =
        tokio::join!(measuring, draining);
    for handle in clients {
        let _ = tokio::time::timeout(Duration::from_secs(10), handle).await;
    }
    shared.drain(&fake);
    let (rss_open_kib, hwm_kib) = memory.ok_or("cannot read the server's memory")?;
    drop(server);
    let down = shared
        .down
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let up = shared
        .up
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let error_samples = shared
        .error_samples
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    Ok(Report {
        sessions,
        interval,
        connected,
        seconds,
        down,
        up,
        down_sent,
        down_received: shared.down_received.load(Ordering::Relaxed),
        up_sent: shared.up_sent.load(Ordering::Relaxed),
        up_received: shared.up_received.load(Ordering::Relaxed),
        errors: shared.errors.load(Ordering::Relaxed),
        error_samples,
        rss_idle_kib,
        rss_open_kib,
        hwm_kib,
        server_cpu_seconds: server_cpu,
        loadgen_cpu_seconds: own_cpu,
        other_cpu_seconds: (machine - server_cpu - own_cpu).max(0.0),
        load_average: load,
    })
}
