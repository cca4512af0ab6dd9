//! `summary.csv`: one row per variant × replication (sweeps add `param,
//! value`). The first columns are the documented contract (scripts depend
//! on their names); more follow them. A figure that does not exist (a
//! latency or a cost per message when no message was delivered) is an empty
//! cell, never 0.
//!
//! Every column is listed once, in [`summary_columns!`]'s invocation below:
//! the row's fields (in CSV order), the [`Metric`] enum of its numeric
//! figures, their names and [`SummaryRow::get`] all come from that list, so
//! a metric that is not a column does not compile.

use crate::model::RunResult;
use serde::{Deserialize, Serialize};

/// Builds [`SummaryRow`] from its key columns and its metric columns
/// (`Variant => field: type`), and [`Metric`] from the metric columns.
macro_rules! summary_columns {
    (
        keys { $( $(#[$key_doc:meta])* $key:ident: $key_ty:ty, )* }
        metrics { $( $(#[$doc:meta])* $variant:ident => $field:ident: $ty:ty, )* }
        notes { $( $(#[$note_doc:meta])* $note:ident: $note_ty:ty, )* }
    ) => {
        /// One row of `summary.csv`; fields in column order.
        #[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
        pub(crate) struct SummaryRow {
            $( $(#[$key_doc])* pub(crate) $key: $key_ty, )*
            $( $(#[$doc])* pub(crate) $field: $ty, )*
            $( $(#[$note_doc])* pub(crate) $note: $note_ty, )*
        }

        /// A numeric column of `summary.csv`: what `aggregate.csv`, the
        /// terminal table and the charts summarise over replications.
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        pub enum Metric {
            $( $(#[$doc])* $variant, )*
        }

        impl Metric {
            /// Every metric, in column order.
            pub const ALL: &'static [Metric] = &[$(Metric::$variant),*];
            pub const COUNT: usize = Metric::ALL.len();

            /// The column name in `summary.csv`.
            pub fn name(self) -> &'static str {
                match self {
                    $( Metric::$variant => stringify!($field), )*
                }
            }
        }

        impl SummaryRow {
            /// The figure `m` of this run; `None` when it does not exist.
            pub(crate) fn get(&self, m: Metric) -> Option<f64> {
                match m {
                    $( Metric::$variant => Figure::value(&self.$field), )*
                }
            }
        }
    };
}

summary_columns! {
    keys {
        variant: String,
        replication: u32,
        seed: u64,
    }
    metrics {
        SimSeconds => sim_seconds: f64,
        Events => events: u64,
        MessagesSent => messages_sent: u64,
        MessagesReceived => messages_received: u64,
        MessagesDeleted => messages_deleted: u64,
        Redeliveries => redeliveries: u64,
        DeadLettered => dead_lettered: u64,
        Expired => expired: u64,
        ReceiveRequests => receive_requests: u64,
        EmptyResponses => empty_responses: u64,
        FalseEmptyResponses => false_empty_responses: u64,
        TrueEmptyResponses => true_empty_responses: u64,
        SendRequests => send_requests: u64,
        DeleteRequests => delete_requests: u64,
        TotalRequests => total_requests: u64,
        BillableRequests => billable_requests: u64,
        CostUsd => cost_usd: f64,
        LatencyMeanS => latency_mean_s: Option<f64>,
        LatencyP50S => latency_p50_s: Option<f64>,
        LatencyP90S => latency_p90_s: Option<f64>,
        LatencyP99S => latency_p99_s: Option<f64>,
        LatencyMaxS => latency_max_s: Option<f64>,
        VisibleAtEnd => visible_at_end: u64,
        InFlightAtEnd => in_flight_at_end: u64,
        DelayedAtEnd => delayed_at_end: u64,
        UnreachableAtEnd => unreachable_at_end: u64,
        // Beyond the contract's minimum:
        EmptyPct => empty_pct: f64,
        FalseEmptyPct => false_empty_pct: f64,
        /// Per million messages sent (empty when none was sent).
        CostPerMillionMessagesUsd => cost_per_million_messages_usd: Option<f64>,
        ShortPollRequests => short_poll_requests: u64,
        LongPollRequests => long_poll_requests: u64,
        OverlimitResponses => overlimit_responses: u64,
        StaleDeletes => stale_deletes: u64,
        LatencySamples => latency_samples: u64,
        /// Per million messages delivered (first deliveries, the messages whose
        /// latency is measured; empty when none was delivered).
        CostPerMillionDeliveredUsd => cost_per_million_delivered_usd: Option<f64>,
        LatencyMinS => latency_min_s: Option<f64>,
        ChangeVisibilityRequests => change_visibility_requests: u64,
        GetAttributesRequests => get_attributes_requests: u64,
        /// Consumers running × minutes, over the measured window.
        ConsumerMinutes => consumer_minutes: f64,
        /// Lambda consumers: invocations of the function.
        LambdaInvocations => lambda_invocations: u64,
        /// Most invocations running at once.
        LambdaConcurrencyMax => lambda_concurrency_max: u64,
        /// Messages per invocation (empty when there was none).
        LambdaMeanBatchSize => lambda_mean_batch_size: Option<f64>,
        /// Invocations and GB-seconds, USD.
        LambdaCostUsd => lambda_cost_usd: f64,
        /// SQS requests plus Lambda, USD.
        TotalCostUsd => total_cost_usd: f64,
        /// The most pollers one event source mapping ran (0: no Lambda consumer).
        LambdaPollersMax => lambda_pollers_max: u64,
        /// Calls refused by the throughput quota (billed, then retried).
        ThrottledRequests => throttled_requests: u64,
        /// Retried messages a FIFO queue accepted without storing them.
        Deduplicated => deduplicated: u64,
        /// First deliveries of a message's second copy (standard queues).
        DuplicatesDelivered => duplicates_delivered: u64,
        /// The SQS bill at the window's rate for 30 days: the free tier taken
        /// off the month, the rest priced by `pricing.tiers`.
        CostUsdPer30d => cost_usd_per_30d: f64,
        /// Messages sent in the measured window less first deliveries in it,
        /// over messages sent (0 when a backlog from before drained; empty
        /// when none was sent): the share the consumers did not take.
        UnreceivedShare => unreceived_share: Option<f64>,
        /// Messages sent less first deliveries over the window's last
        /// quarter: how much the backlog of unreceived messages grew there.
        BacklogGrowthLastQuarter => backlog_growth_last_quarter: f64,
    }
    notes {
        /// The run's warnings (`report/warnings.rs`): codes separated by `;`.
        warnings: String,
    }
}

/// A column's value as a figure to average (`None`: it does not exist).
trait Figure {
    fn value(&self) -> Option<f64>;
}

impl Figure for u64 {
    fn value(&self) -> Option<f64> {
        Some(*self as f64)
    }
}

impl Figure for f64 {
    fn value(&self) -> Option<f64> {
        Some(*self)
    }
}

impl Figure for Option<f64> {
    fn value(&self) -> Option<f64> {
        *self
    }
}

impl SummaryRow {
    pub(crate) fn new(variant: &str, replication: u32, seed: u64, r: &RunResult) -> SummaryRow {
        let c = &r.counters;
        let pct = |a: u64, b: u64| {
            if b == 0 {
                0.0
            } else {
                100.0 * a as f64 / b as f64
            }
        };
        // Latencies exist only when a message was delivered.
        let lat = |x: f64| (r.latency.count > 0).then_some(x);
        let per_million = |n: u64| (n > 0).then(|| r.cost_usd * 1e6 / n as f64);
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
            latency_mean_s: lat(r.latency.mean_s),
            latency_p50_s: lat(r.latency.p50_s),
            latency_p90_s: lat(r.latency.p90_s),
            latency_p99_s: lat(r.latency.p99_s),
            latency_max_s: lat(r.latency.max_s),
            visible_at_end: r.visible_at_end,
            in_flight_at_end: r.in_flight_at_end,
            delayed_at_end: r.delayed_at_end,
            unreachable_at_end: r.unreachable_at_end,
            empty_pct: pct(c.empty_responses, c.receive_requests),
            false_empty_pct: pct(c.false_empty_responses, c.receive_requests),
            cost_per_million_messages_usd: per_million(c.messages_sent),
            short_poll_requests: c.short_poll_requests,
            long_poll_requests: c.long_poll_requests,
            overlimit_responses: c.overlimit_responses,
            stale_deletes: c.stale_deletes,
            latency_samples: r.latency.count,
            cost_per_million_delivered_usd: per_million(r.latency.count),
            latency_min_s: lat(r.latency.min_s),
            change_visibility_requests: c.change_visibility_requests,
            get_attributes_requests: c.get_attributes_requests,
            consumer_minutes: r.consumer_minutes,
            lambda_invocations: c.lambda_invocations,
            lambda_concurrency_max: c.lambda_concurrency_max,
            lambda_mean_batch_size: (c.lambda_invocations > 0)
                .then(|| c.lambda_batch_messages as f64 / c.lambda_invocations as f64),
            lambda_cost_usd: r.lambda_cost_usd,
            total_cost_usd: r.cost_usd + r.lambda_cost_usd,
            lambda_pollers_max: r.lambda_pollers_max,
            throttled_requests: c.throttled_requests,
            deduplicated: c.deduplicated,
            duplicates_delivered: c.duplicates_delivered,
            cost_usd_per_30d: r.cost_usd_per_30d,
            unreceived_share: (c.messages_sent > 0).then(|| {
                c.messages_sent.saturating_sub(r.latency.count) as f64 / c.messages_sent as f64
            }),
            backlog_growth_last_quarter: c.tail_messages_sent as f64 - c.tail_first_receives as f64,
            warnings: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::keyed::header_of;

    /// The metrics are the CSV's columns after the three keys, in order and
    /// by name (what `aggregate.csv`'s header is built from); the warnings last.
    #[test]
    fn metrics_are_the_columns_after_the_keys() {
        let header = header_of(&SummaryRow::default()).unwrap();
        assert_eq!(&header[..3], ["variant", "replication", "seed"]);
        let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(header[3..header.len() - 1], names);
        assert_eq!(header.last().map(String::as_str), Some("warnings"));
        assert_eq!(Metric::COUNT, 51);
    }

    /// A figure that does not exist stays `None`; counts become numbers.
    #[test]
    fn get_reads_the_field_of_its_metric() {
        let row = SummaryRow {
            total_requests: 7,
            cost_usd: 0.25,
            latency_p99_s: None,
            latency_p50_s: Some(1.5),
            ..SummaryRow::default()
        };
        assert_eq!(row.get(Metric::TotalRequests), Some(7.0));
        assert_eq!(row.get(Metric::CostUsd), Some(0.25));
        assert_eq!(row.get(Metric::LatencyP99S), None);
        assert_eq!(row.get(Metric::LatencyP50S), Some(1.5));
    }
}
