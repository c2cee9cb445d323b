//! The service's Prometheus metrics, written by hand in the text format:
//! a few counters and one histogram need no metrics framework.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A label value escaped as the text format wants it.
pub(crate) fn label(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Upper bounds of the decision latency histogram, in seconds.
const BUCKETS: [f64; 12] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0];

#[derive(Default)]
pub(crate) struct Metrics {
    /// channel -> outcome -> count (looked up by `&str`: a decision
    /// allocates nothing once its channel has been counted).
    decisions: Mutex<BTreeMap<String, BTreeMap<&'static str, u64>>>,
    latency_buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_ns: AtomicU64,
    /// "ok" | "error" -> count.
    reloads: Mutex<BTreeMap<&'static str, u64>>,
    state_errors: AtomicU64,
}

impl Metrics {
    /// One decision on `channel` ended with `outcome` after `took`.
    pub(crate) fn decision(&self, channel: &str, outcome: &'static str, took: Duration) {
        let mut decisions = self.decisions.lock().unwrap_or_else(|p| p.into_inner());
        let outcomes = match decisions.get_mut(channel) {
            Some(outcomes) => outcomes,
            None => decisions.entry(channel.to_owned()).or_default(),
        };
        *outcomes.entry(outcome).or_default() += 1;
        drop(decisions);
        let secs = took.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&self.latency_buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_ns.fetch_add(took.as_nanos() as u64, Ordering::Relaxed);
    }

    pub(crate) fn reload(&self, ok: bool) {
        *self.reloads.lock().unwrap_or_else(|p| p.into_inner()).entry(if ok { "ok" } else { "error" }).or_default() +=
            1;
    }

    pub(crate) fn state_error(&self) {
        self.state_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition, with the active table's hash.
    pub(crate) fn render(&self, table_hash: &str) -> String {
        let mut out = String::new();
        out.push_str("# HELP chatroute_decisions_total New-deal decisions by channel and outcome.\n");
        out.push_str("# TYPE chatroute_decisions_total counter\n");
        for (channel, outcomes) in self.decisions.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            for (outcome, n) in outcomes {
                let channel = label(channel);
                let _ = writeln!(out, "chatroute_decisions_total{{channel=\"{channel}\",outcome=\"{outcome}\"}} {n}");
            }
        }
        out.push_str("# HELP chatroute_decision_seconds Time to decide a new deal.\n");
        out.push_str("# TYPE chatroute_decision_seconds histogram\n");
        for (bound, bucket) in BUCKETS.iter().zip(&self.latency_buckets) {
            let _ =
                writeln!(out, "chatroute_decision_seconds_bucket{{le=\"{bound}\"}} {}", bucket.load(Ordering::Relaxed));
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(out, "chatroute_decision_seconds_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.latency_sum_ns.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(out, "chatroute_decision_seconds_sum {sum}\nchatroute_decision_seconds_count {count}");
        out.push_str("# HELP chatroute_table_info The active table.\n# TYPE chatroute_table_info gauge\n");
        let _ = writeln!(out, "chatroute_table_info{{hash=\"{}\"}} 1", label(table_hash));
        out.push_str("# HELP chatroute_table_reloads_total Table reloads by result.\n");
        out.push_str("# TYPE chatroute_table_reloads_total counter\n");
        let reloads = self.reloads.lock().unwrap_or_else(|p| p.into_inner());
        for result in ["ok", "error"] {
            let _ = writeln!(
                out,
                "chatroute_table_reloads_total{{result=\"{result}\"}} {}",
                reloads.get(result).unwrap_or(&0)
            );
        }
        out.push_str("# HELP chatroute_state_errors_total Assignment state calls that failed.\n");
        out.push_str("# TYPE chatroute_state_errors_total counter\n");
        let _ = writeln!(out, "chatroute_state_errors_total {}", self.state_errors.load(Ordering::Relaxed));
        out
    }
}
