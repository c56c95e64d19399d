//! What a video run prints.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, PoisonError};

use hdrhistogram::Histogram;

use super::{MIB, Shared, VideoArgs, histogram};

/// What the server's memory did: `(VmRSS, VmHWM)` in KiB at three moments, and the samples.
pub(super) struct Memory {
    pub pid: u32,
    /// Once the server answered `/ready`, before any request.
    pub ready: Option<(u64, u64)>,
    /// After the set-up, when the uploads began.
    pub before: Option<(u64, u64)>,
    /// When the last uploader finished (VmHWM reset at the start when `reset`).
    pub after: Option<(u64, u64)>,
    pub reset: bool,
    /// The largest VmRSS sampled, and when (seconds into the uploads).
    pub sampled: (u64, f64),
    /// VmRSS once a second during the uploads, with `--timeline`.
    pub timeline: Vec<u64>,
}

pub(super) struct Measured {
    pub seconds: f64,
    /// CPU seconds during the uploads: server, this process, the whole machine.
    pub cpu: (Option<f64>, Option<f64>, Option<f64>),
    pub load: (String, String),
    pub memory: Option<Memory>,
    /// The temp directory and the bytes under its `objects/`.
    pub objects: Option<(PathBuf, u64)>,
}

fn ms(histogram: &Mutex<Histogram<u64>>, quantile: f64) -> f64 {
    let histogram = histogram.lock().unwrap_or_else(PoisonError::into_inner);
    if histogram.is_empty() {
        f64::NAN
    } else {
        histogram.value_at_quantile(quantile) as f64 / 1000.0
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

pub(super) fn print(video: &VideoArgs, shared: &Shared, measured: &Measured) -> Result<(), String> {
    let seconds = measured.seconds;
    let bytes = shared.bytes.load(Ordering::Relaxed);
    let all = histogram()?;
    for part in [&shared.chunk, &shared.last] {
        let part = part.lock().unwrap_or_else(PoisonError::into_inner);
        all.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .add(&*part)
            .map_err(|e| e.to_string())?;
    }
    let count = all.lock().unwrap_or_else(PoisonError::into_inner).len();
    println!(
        "video N={} M={} S={} B: {count} chunks, {:.1} MiB in {seconds:.2}s = {:.1} MiB/s",
        video.uploaders,
        video.chunks,
        video.chunk_bytes,
        bytes as f64 / MIB,
        bytes as f64 / MIB / seconds
    );
    let stored = shared.stored_before_last_us.load(Ordering::Relaxed) as f64 / 1e6;
    let before_last = (video.uploaders as f64)
        * f64::from(video.chunks.saturating_sub(1))
        * video.chunk_bytes as f64
        / MIB;
    if video.chunks > 1 && stored > 0.0 {
        println!(
            "  of which every chunk but the last: {before_last:.1} MiB stored by {stored:.2}s = \
             {:.1} MiB/s; then the last chunks and the assemblies {:.2}s",
            before_last / stored,
            seconds - stored
        );
    }
    println!(
        "chunk latency ms, all: p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        ms(&all, 0.5),
        ms(&all, 0.9),
        ms(&all, 0.99),
        ms(&all, 1.0)
    );
    println!(
        "  all but the last: p50 {:.2}  p99 {:.2}  max {:.2}; the last (stored, then {:.0} MiB \
         assembled): p50 {:.2}  max {:.2}; finalize: p50 {:.2}  max {:.2}",
        ms(&shared.chunk, 0.5),
        ms(&shared.chunk, 0.99),
        ms(&shared.chunk, 1.0),
        video.chunk_bytes as f64 * f64::from(video.chunks) / MIB,
        ms(&shared.last, 0.5),
        ms(&shared.last, 1.0),
        ms(&shared.finalize, 0.5),
        ms(&shared.finalize, 1.0)
    );
    println!("errors: {}", shared.errors.load(Ordering::Relaxed));
    for sample in shared
        .error_samples
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
    {
        println!("  e.g. {sample}");
    }
    let (server, own, machine) = measured.cpu;
    println!(
        "CPU s during the uploads: server {:.1}, loadgen {:.1}, whole machine {:.1} of {:.1} \
         (2 cores); load average before {}, after {}",
        server.unwrap_or(f64::NAN),
        own.unwrap_or(f64::NAN),
        machine.unwrap_or(f64::NAN),
        2.0 * seconds,
        measured.load.0,
        measured.load.1
    );
    if let Some(memory) = &measured.memory {
        let rss = |at: Option<(u64, u64)>| at.map_or(f64::NAN, |(rss, _)| mib(rss));
        let hwm = |at: Option<(u64, u64)>| at.map_or(f64::NAN, |(_, hwm)| mib(hwm));
        println!(
            "server pid {} RSS MiB: ready {:.1}, before the uploads {:.1} (peak so far {:.1}), \
             after {:.1}",
            memory.pid,
            rss(memory.ready),
            rss(memory.before),
            hwm(memory.before),
            rss(memory.after)
        );
        println!(
            "server peak RSS during the uploads: {:.1} MiB = {:.1} MB (VmHWM{}); largest sample \
             (every {} ms) {:.1} MiB at {:.1}s",
            hwm(memory.after),
            hwm(memory.after) * MIB / 1e6,
            if memory.reset {
                ", reset when they began"
            } else {
                " not reset: the lifetime peak"
            },
            video.sample_ms,
            mib(memory.sampled.0),
            memory.sampled.1
        );
        if !memory.timeline.is_empty() {
            let line: Vec<_> = memory
                .timeline
                .iter()
                .map(|kib| format!("{:.0}", mib(*kib)))
                .collect();
            println!("RSS MiB each second: {}", line.join(" "));
        }
    }
    if let Some((dir, bytes)) = &measured.objects {
        println!(
            "objects on disk after the run: {:.1} MiB (in {}, removed at exit)",
            *bytes as f64 / MIB,
            dir.display()
        );
    }
    Ok(())
}
