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

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use fake_realtime::{FakeRealtime, Script, Streaming, TEST_API_KEY};
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::chat_stub::ChatStub;
use crate::{Args, memory_kib, register, spawn_server, wait_until_ready};

/// 20 ms of 24 kHz PCM16 mono.
const FRAME_BYTES: usize = 960;
/// How long frames sent at the end of the window may take to arrive and still count.
const GRACE: Duration = Duration::from_secs(1);
/// Linux reports CPU times in clock ticks of 1/100 s (USER_HZ; 100 on every mainstream kernel).
const TICKS_PER_SECOND: f64 = 100.0;
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

/// What the clients and the drainer share during a run.
struct Shared {
    epoch: Instant,
    /// The measured window, in nanoseconds since `epoch` (`u64::MAX` until set).
    window_start: AtomicU64,
    window_end: AtomicU64,
    /// Upstream → client latencies (ns) of frames sent inside the window.
    down: Mutex<Histogram<u64>>,
    /// Client → upstream latencies (ns) of frames sent inside the window.
    up: Mutex<Histogram<u64>>,
    up_sent: AtomicU64,
    up_received: AtomicU64,
    down_received: AtomicU64,
    errors: AtomicU64,
    error_samples: Mutex<Vec<String>>,
}

impl Shared {
    fn new(epoch: Instant) -> Result<Self, String> {
        let histogram =
            || Histogram::<u64>::new_with_bounds(1, 60_000_000_000, 3).map_err(|e| e.to_string());
        Ok(Self {
            epoch,
            window_start: AtomicU64::new(u64::MAX),
            window_end: AtomicU64::new(u64::MAX),
            down: Mutex::new(histogram()?),
            up: Mutex::new(histogram()?),
            up_sent: AtomicU64::new(0),
            up_received: AtomicU64::new(0),
            down_received: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            error_samples: Mutex::new(Vec::new()),
        })
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    fn in_window(&self, stamp: u64) -> bool {
        stamp >= self.window_start.load(Ordering::Relaxed)
            && stamp <= self.window_end.load(Ordering::Relaxed)
    }

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

    fn record(histogram: &Mutex<Histogram<u64>>, nanos: u64) {
        histogram
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .saturating_record(nanos.max(1));
    }

    /// Times the appends the fake received so far.
    fn drain(&self, fake: &FakeRealtime) {
        for receipt in fake.take_appends() {
            if let Some(stamp) = receipt.stamp
                && self.in_window(stamp)
            {
                self.up_received.fetch_add(1, Ordering::Relaxed);
                Self::record(&self.up, receipt.received_ns.saturating_sub(stamp));
            }
        }
    }
}

/// The stamp at the head of a server audio frame, read without parsing the JSON.
fn audio_stamp(text: &str) -> Option<u64> {
    let audio = text.strip_prefix(AUDIO_PREFIX)?.get(..12)?;
    let head = STANDARD.decode(audio).ok()?;
    Some(u64::from_le_bytes(head.get(..8)?.try_into().ok()?))
}

/// One run's figures.
struct Report {
    sessions: usize,
    interval: Duration,
    connected: usize,
    seconds: f64,
    down: Histogram<u64>,
    up: Histogram<u64>,
    down_sent: u64,
    down_received: u64,
    up_sent: u64,
    up_received: u64,
    errors: u64,
    error_samples: Vec<String>,
    rss_idle_kib: u64,
    rss_open_kib: u64,
    hwm_kib: u64,
    server_cpu_seconds: f64,
    loadgen_cpu_seconds: f64,
    /// CPU the rest of the machine used in the window (other builds, tests…): noise.
    other_cpu_seconds: f64,
    load_average: String,
}

impl Report {
    fn micros(histogram: &Histogram<u64>, quantile: f64) -> f64 {
        histogram.value_at_quantile(quantile) as f64 / 1000.0
    }

    fn lost(sent: u64, received: u64) -> f64 {
        if sent == 0 {
            return 0.0;
        }
        sent.saturating_sub(received) as f64 * 100.0 / sent as f64
    }

    /// Frames each direction should have carried in the window (50 a second per session at
    /// 20 ms).
    fn nominal(&self) -> f64 {
        self.connected as f64 * self.seconds / self.interval.as_secs_f64()
    }

    /// Frames relayed as a share of the nominal rate (percent): below 100 when this process or
    /// the server could not keep up with real time.
    fn rate(&self, relayed: u64) -> f64 {
        relayed as f64 * 100.0 / self.nominal().max(1.0)
    }

    fn meets(&self, target_us: u64) -> bool {
        let target = target_us as f64;
        self.connected == self.sessions
            && self.rate(self.down_received) >= 99.0
            && self.rate(self.up_received) >= 99.0
            && self.errors == 0
            && !self.down.is_empty()
            && !self.up.is_empty()
            && Self::micros(&self.down, 0.99) < target
            && Self::micros(&self.up, 0.99) < target
            && Self::lost(self.up_sent, self.up_received) < 0.1
            && Self::lost(self.down_sent, self.down_received) < 0.1
    }

    fn rss_per_session_kib(&self) -> f64 {
        self.rss_open_kib.saturating_sub(self.rss_idle_kib) as f64 / self.connected.max(1) as f64
    }

    /// Server CPU milliseconds per second of one open session.
    fn cpu_ms_per_session_second(&self) -> f64 {
        self.server_cpu_seconds * 1000.0 / (self.connected.max(1) as f64 * self.seconds)
    }

    fn print(&self) {
        let quantiles = |histogram: &Histogram<u64>| {
            format!(
                "p50 {:.0}  p90 {:.0}  p99 {:.0}  max {:.0} µs",
                Self::micros(histogram, 0.5),
                Self::micros(histogram, 0.9),
                Self::micros(histogram, 0.99),
                histogram.max() as f64 / 1000.0
            )
        };
        println!(
            "N={}: {} connected, a frame every {} ms each way, measured {:.1}s",
            self.sessions,
            self.connected,
            self.interval.as_millis(),
            self.seconds
        );
        println!(
            "  upstream→client: {} ({} of ~{} frames sent relayed, {:.2}% short; {:.1}% of the \
             nominal rate)",
            quantiles(&self.down),
            self.down_received,
            self.down_sent,
            Self::lost(self.down_sent, self.down_received),
            self.rate(self.down_received)
        );
        println!(
            "  client→upstream: {} ({} of {} frames sent relayed, {:.2}% short; {:.1}% of the \
             nominal rate)",
            quantiles(&self.up),
            self.up_received,
            self.up_sent,
            Self::lost(self.up_sent, self.up_received),
            self.rate(self.up_received)
        );
        println!("  errors: {}", self.errors);
        for sample in &self.error_samples {
            println!("    e.g. {sample}");
        }
        println!(
            "  server RSS idle {:.1} MiB, with sessions {:.1} MiB (peak {:.1} MiB): {:.1} KiB per session",
            self.rss_idle_kib as f64 / 1024.0,
            self.rss_open_kib as f64 / 1024.0,
            self.hwm_kib as f64 / 1024.0,
            self.rss_per_session_kib()
        );
        println!(
            "  server CPU {:.2}s in {:.1}s ({:.0}% of one core) = {:.3} ms per session-second; \
             loadgen (clients + fake) CPU {:.2}s ({:.0}%); other processes {:.2}s ({:.0}%); \
             load average {}",
            self.server_cpu_seconds,
            self.seconds,
            self.server_cpu_seconds * 100.0 / self.seconds,
            self.cpu_ms_per_session_second(),
            self.loadgen_cpu_seconds,
            self.loadgen_cpu_seconds * 100.0 / self.seconds,
            self.other_cpu_seconds,
            self.other_cpu_seconds * 100.0 / self.seconds,
            self.load_average
        );
    }

    fn table_row(&self, target_us: u64) -> String {
        format!(
            "| {} | {} | {:.0} / {:.0} / {:.0} / {:.0} | {:.0} / {:.0} / {:.0} / {:.0} | {} / {} ({:.0}% / {:.0}%) | {} | {:.1} → {:.1} | {:.1} | {:.3} | {:.0}% | {:.0}% | {:.0}% | {} |",
            self.sessions,
            self.connected,
            Self::micros(&self.down, 0.5),
            Self::micros(&self.down, 0.9),
            Self::micros(&self.down, 0.99),
            self.down.max() as f64 / 1000.0,
            Self::micros(&self.up, 0.5),
            Self::micros(&self.up, 0.9),
            Self::micros(&self.up, 0.99),
            self.up.max() as f64 / 1000.0,
            self.down_received,
            self.up_received,
            self.rate(self.down_received),
            self.rate(self.up_received),
            self.errors,
            self.rss_idle_kib as f64 / 1024.0,
            self.rss_open_kib as f64 / 1024.0,
            self.rss_per_session_kib(),
            self.cpu_ms_per_session_second(),
            self.server_cpu_seconds * 100.0 / self.seconds,
            self.loadgen_cpu_seconds * 100.0 / self.seconds,
            self.other_cpu_seconds * 100.0 / self.seconds,
            if self.meets(target_us) { "yes" } else { "no" }
        )
    }
}

/// utime + stime of a process, in seconds.
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // the command name may hold spaces: the fields are counted after its closing parenthesis,
    // where field 3 (state) comes first, so utime (14) and stime (15) are the 12th and 13th
    let mut fields = stat
        .get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / TICKS_PER_SECOND)
}

/// CPU time the whole machine spent busy (everything but idle and iowait), in seconds.
fn machine_busy_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|field| field.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is already in user)
    let busy: u64 = ticks
        .iter()
        .take(8)
        .enumerate()
        .filter(|(index, _)| *index != 3 && *index != 4)
        .map(|(_, ticks)| ticks)
        .sum();
    Some(busy as f64 / TICKS_PER_SECOND)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// The soft limit on open files, to warn before sockets fail.
fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    limits
        .lines()
        .find(|line| line.starts_with("Max open files"))?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()
}

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

/// Starts `count` realtime interviews spread over the candidates: (id, token) each.
async fn start_interviews(
    client: &Client,
    base: &str,
    tokens: &[String],
    role: &str,
    count: usize,
) -> Result<Vec<(String, String)>, String> {
    let mut started = Vec::with_capacity(count);
    for chunk in (0..count).collect::<Vec<_>>().chunks(32) {
        let batch: Vec<_> = chunk
            .iter()
            .map(|&index| {
                let client = client.clone();
                let url = format!("{base}/api/v1/interviews/start");
                let token = tokens[index % tokens.len()].clone();
                let role = role.to_owned();
                tokio::spawn(async move {
                    let response = client
                        .post(url)
                        .bearer_auth(&token)
                        .json(&json!({"role_type": role, "mode": "realtime"}))
                        .send()
                        .await
                        .map_err(|e| e.to_string())?;
                    if response.status() != StatusCode::CREATED {
                        return Err(format!(
                            "start: {} {}",
                            response.status(),
                            response.text().await.unwrap_or_default()
                        ));
                    }
                    let body: Value = response.json().await.map_err(|e| e.to_string())?;
                    let id = body["id"].as_str().ok_or("start: no id")?.to_owned();
                    Ok::<_, String>((id, token))
                })
            })
            .collect();
        for handle in batch {
            started.push(handle.await.map_err(|e| e.to_string())??);
        }
    }
    Ok(started)
}

/// One browser-like client: connects, then sends a stamped 20 ms frame every 20 ms and times the
/// stamped frames it receives, until told to stop.
async fn client_session(
    index: usize,
    interval: Duration,
    url: String,
    shared: Arc<Shared>,
    gate: Arc<Semaphore>,
    connected: mpsc::Sender<bool>,
    mut stop: watch::Receiver<bool>,
) {
    let socket = {
        let _permit = gate.acquire().await;
        open(&url).await
    };
    let mut socket = match socket {
        Ok(socket) => {
            let _ = connected.send(true).await;
            socket
        }
        Err(error) => {
            shared.error(format!("session {index}: {error}"));
            let _ = connected.send(false).await;
            return;
        }
    };
    drop(connected);
    // the tail of every frame is the same: 9 bytes (stamp and one) are 12 base64 characters
    // exactly, so only the head is encoded per frame
    let body: Vec<u8> = (0..FRAME_BYTES - 9).map(|i| (i % 253) as u8).collect();
    let tail = format!("{}\"}}", STANDARD.encode(body));
    let prefix = r#"{"type":"audio_chunk","audio":""#;
    // clients speak out of phase with each other, as independent people do
    let phase = interval.mul_f64(((index * 61) % 100) as f64 / 100.0);
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + phase, interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                let stamp = shared.now();
                let mut head = [0u8; 9];
                head[..8].copy_from_slice(&stamp.to_le_bytes());
                let mut frame = String::with_capacity(prefix.len() + 12 + tail.len());
                frame.push_str(prefix);
                STANDARD.encode_string(head, &mut frame);
                frame.push_str(&tail);
                if let Err(error) = socket.send(Message::text(frame)).await {
                    shared.error(format!("session {index}: sending: {error}"));
                    return;
                }
                if shared.in_window(stamp) {
                    shared.up_sent.fetch_add(1, Ordering::Relaxed);
                }
            }
            message = socket.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    if let Some(stamp) = audio_stamp(text.as_str()) {
                        let now = shared.now();
                        if shared.in_window(stamp) {
                            shared.down_received.fetch_add(1, Ordering::Relaxed);
                            Shared::record(&shared.down, now.saturating_sub(stamp));
                        }
                    } else if text.as_str().starts_with(r#"{"type":"error""#) {
                        shared.error(format!("session {index}: {}", text.as_str()));
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    shared.error(format!("session {index}: closed by the server: {frame:?}"));
                    return;
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => {
                    shared.error(format!("session {index}: {error}"));
                    return;
                }
                None => {
                    shared.error(format!("session {index}: the connection ended"));
                    return;
                }
            },
            _ = stop.changed() => {
                let _ = socket.close(None).await;
                return;
            }
        }
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connects and waits for `connected` (an `error` frame first is the refusal).
async fn open(url: &str) -> Result<Socket, String> {
    // TCP_NODELAY, as browsers set it; a small read buffer, because tungstenite zero-fills the
    // whole buffer (128 KiB by default) before every read and the client must stay cheap
    let config = WebSocketConfig::default().read_buffer_size(8 * 1024);
    let (mut socket, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
        .await
        .map_err(|e| format!("connecting: {e}"))?;
    let wait = async {
        while let Some(message) = socket.next().await {
            let message = message.map_err(|e| e.to_string())?;
            let Message::Text(text) = message else {
                continue;
            };
            let frame: Value = serde_json::from_str(text.as_str()).map_err(|e| e.to_string())?;
            match frame["type"].as_str() {
                Some("connected") => return Ok(()),
                Some("error") => return Err(format!("refused: {frame}")),
                _ => {}
            }
        }
        Err("closed before `connected`".to_owned())
    };
    tokio::time::timeout(Duration::from_mins(1), wait)
        .await
        .map_err(|_| "no `connected` within 60 s".to_owned())??;
    Ok(socket)
}
