//! One run's figures and how they are printed.

use hdrhistogram::Histogram;
use std::time::Duration;

/// One run's figures.
pub(super) struct Report {
    pub(super) sessions: usize,
    pub(super) interval: Duration,
    pub(super) connected: usize,
    pub(super) seconds: f64,
    pub(super) down: Histogram<u64>,
    pub(super) up: Histogram<u64>,
    pub(super) down_sent: u64,
    pub(super) down_received: u64,
    pub(super) up_sent: u64,
    pub(super) up_received: u64,
    pub(super) errors: u64,
    pub(super) error_samples: Vec<String>,
    pub(super) rss_idle_kib: u64,
    pub(super) rss_open_kib: u64,
    pub(super) hwm_kib: u64,
    pub(super) server_cpu_seconds: f64,
    pub(super) loadgen_cpu_seconds: f64,
    /// CPU the rest of the machine used in the window (other builds, tests…): noise.
    pub(super) other_cpu_seconds: f64,
    pub(super) load_average: String,
}

impl Report {
    pub(super) fn micros(histogram: &Histogram<u64>, quantile: f64) -> f64 {
        histogram.value_at_quantile(quantile) as f64 / 1000.0
    }

    pub(super) fn lost(sent: u64, received: u64) -> f64 {
        if sent == 0 {
            return 0.0;
        }
        sent.saturating_sub(received) as f64 * 100.0 / sent as f64
    }

    /// Frames each direction should have carried in the window (50 a second per session at
    /// 20 ms).
    pub(super) fn nominal(&self) -> f64 {
        self.connected as f64 * self.seconds / self.interval.as_secs_f64()
    }

    /// Frames relayed as a share of the nominal rate (percent): below 100 when this process or
    /// the server could not keep up with real time.
    pub(super) fn rate(&self, relayed: u64) -> f64 {
        relayed as f64 * 100.0 / self.nominal().max(1.0)
    }

    pub(super) fn meets(&self, target_us: u64) -> bool {
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

    pub(super) fn rss_per_session_kib(&self) -> f64 {
        self.rss_open_kib.saturating_sub(self.rss_idle_kib) as f64 / self.connected.max(1) as f64
    }

    /// Server CPU milliseconds per second of one open session.
    pub(super) fn cpu_ms_per_session_second(&self) -> f64 {
        self.server_cpu_seconds * 1000.0 / (self.connected.max(1) as f64 * self.seconds)
    }

    pub(super) fn print(&self) {
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

    pub(super) fn table_row(&self, target_us: u64) -> String {
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
