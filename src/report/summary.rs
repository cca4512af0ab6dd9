//! `summary.csv`: one row per variant × replication (sweeps add `param,
//! value`). Column names are fixed by SPEC §4; more follow them.

use crate::model::RunResult;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct SummaryRow {
    pub variant: String,
    pub replication: u32,
    pub seed: u64,
    pub sim_seconds: f64,
    pub events: u64,
    pub messages_sent: u64,
    pub messages_received: u64,
    pub messages_deleted: u64,
    pub redeliveries: u64,
    pub dead_lettered: u64,
    pub expired: u64,
    pub receive_requests: u64,
    pub empty_responses: u64,
    pub false_empty_responses: u64,
    pub true_empty_responses: u64,
    pub send_requests: u64,
    pub delete_requests: u64,
    pub total_requests: u64,
    pub billable_requests: u64,
    pub cost_usd: f64,
    pub latency_mean_s: f64,
    pub latency_p50_s: f64,
    pub latency_p90_s: f64,
    pub latency_p99_s: f64,
    pub latency_max_s: f64,
    pub visible_at_end: u64,
    pub in_flight_at_end: u64,
    pub delayed_at_end: u64,
    pub unreachable_at_end: u64,
    // Beyond the SPEC's minimum:
    pub empty_pct: f64,
    pub false_empty_pct: f64,
    pub cost_per_million_messages_usd: f64,
    pub short_poll_requests: u64,
    pub long_poll_requests: u64,
    pub overlimit_responses: u64,
    pub stale_deletes: u64,
    pub latency_samples: u64,
}

impl SummaryRow {
    pub fn new(variant: &str, replication: u32, seed: u64, r: &RunResult) -> SummaryRow {
        let c = &r.counters;
        let pct = |a: u64, b: u64| {
            if b == 0 {
                0.0
            } else {
                100.0 * a as f64 / b as f64
            }
        };
        SummaryRow {
            variant: variant.to_string(),
            replication,
            seed,
            sim_seconds: r.sim_seconds,
            events: r.events,
            messages_sent: c.messages_sent,
            messages_received: c.messages_received,
            messages_deleted: c.messages_deleted,
            redeliveries: c.redeliveries,
            dead_lettered: c.dead_lettered,
            expired: c.expired,
            receive_requests: c.receive_requests,
            empty_responses: c.empty_responses,
            false_empty_responses: c.false_empty_responses,
            true_empty_responses: c.true_empty_responses,
            send_requests: c.send_requests(),
            delete_requests: c.delete_requests(),
            total_requests: c.total_requests(),
            billable_requests: c.billable_requests,
            cost_usd: r.cost_usd,
            latency_mean_s: r.latency.mean_s,
            latency_p50_s: r.latency.p50_s,
            latency_p90_s: r.latency.p90_s,
            latency_p99_s: r.latency.p99_s,
            latency_max_s: r.latency.max_s,
            visible_at_end: r.visible_at_end,
            in_flight_at_end: r.in_flight_at_end,
            delayed_at_end: r.delayed_at_end,
            unreachable_at_end: r.unreachable_at_end,
            empty_pct: pct(c.empty_responses, c.receive_requests),
            false_empty_pct: pct(c.false_empty_responses, c.receive_requests),
            cost_per_million_messages_usd: if c.messages_sent == 0 {
                0.0
            } else {
                r.cost_usd * 1e6 / c.messages_sent as f64
            },
            short_poll_requests: c.short_poll_requests,
            long_poll_requests: c.long_poll_requests,
            overlimit_responses: c.overlimit_responses,
            stale_deletes: c.stale_deletes,
            latency_samples: r.latency.count,
        }
    }

    /// The numeric columns, by name, in CSV order (for aggregation).
    pub fn metrics(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("sim_seconds", self.sim_seconds),
            ("events", self.events as f64),
            ("messages_sent", self.messages_sent as f64),
            ("messages_received", self.messages_received as f64),
            ("messages_deleted", self.messages_deleted as f64),
            ("redeliveries", self.redeliveries as f64),
            ("dead_lettered", self.dead_lettered as f64),
            ("expired", self.expired as f64),
            ("receive_requests", self.receive_requests as f64),
            ("empty_responses", self.empty_responses as f64),
            ("false_empty_responses", self.false_empty_responses as f64),
            ("true_empty_responses", self.true_empty_responses as f64),
            ("send_requests", self.send_requests as f64),
            ("delete_requests", self.delete_requests as f64),
            ("total_requests", self.total_requests as f64),
            ("billable_requests", self.billable_requests as f64),
            ("cost_usd", self.cost_usd),
            ("latency_mean_s", self.latency_mean_s),
            ("latency_p50_s", self.latency_p50_s),
            ("latency_p90_s", self.latency_p90_s),
            ("latency_p99_s", self.latency_p99_s),
            ("latency_max_s", self.latency_max_s),
            ("visible_at_end", self.visible_at_end as f64),
            ("in_flight_at_end", self.in_flight_at_end as f64),
            ("delayed_at_end", self.delayed_at_end as f64),
            ("unreachable_at_end", self.unreachable_at_end as f64),
            ("empty_pct", self.empty_pct),
            ("false_empty_pct", self.false_empty_pct),
            (
                "cost_per_million_messages_usd",
                self.cost_per_million_messages_usd,
            ),
            ("short_poll_requests", self.short_poll_requests as f64),
            ("long_poll_requests", self.long_poll_requests as f64),
            ("overlimit_responses", self.overlimit_responses as f64),
            ("stale_deletes", self.stale_deletes as f64),
            ("latency_samples", self.latency_samples as f64),
        ]
    }
}
