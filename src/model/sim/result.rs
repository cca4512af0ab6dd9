//! What a run hands back: the measurements a library user reads, and — behind
//! one method — the queue's bookkeeping that only the model's own tests need.

use super::{Sim, Stall};
use crate::model::billing;
use crate::model::cloudwatch::CloudwatchPeriod;
use crate::model::queue::Diagnostics;
use crate::model::recorder::{Bucket, BucketSink, Counters, LatencyStats};

/// What one run produced. Counts and latencies cover the measured window
/// (after warm-up); the `*_at_end` levels are read at the run's end.
#[derive(Clone, Debug, Default)]
pub struct RunResult {
    pub counters: Counters,
    pub latency: LatencyStats,
    /// `(seconds, cumulative fraction)` points, a few hundred at most.
    pub latency_cdf: Vec<(f64, f64)>,
    /// Model events handled (time-series ticks are not counted, so a run
    /// has the same count whether or not it keeps a time series).
    pub events: u64,
    /// Messages sent over the whole run, warm-up included: the work the run
    /// simulated (the counters cover only the measured window).
    pub messages_simulated: u64,
    /// `Some` when the run was stopped because simulated time stood still.
    pub stalled: Option<Stall>,
    /// Simulated seconds the counters cover (duration − warm-up).
    pub sim_seconds: f64,
    pub cost_usd: f64,
    /// The window's SQS bill projected to 30 days: free tier and volume tiers.
    pub cost_usd_per_30d: f64,
    /// Consumers running × minutes over the measured window.
    pub consumer_minutes: f64,
    pub visible_at_end: u64,
    pub in_flight_at_end: u64,
    pub delayed_at_end: u64,
    pub unreachable_at_end: u64,
    /// The time series, when `run` kept one in memory (`run_into` streams it).
    pub timeseries: Option<Vec<Bucket>>,
    /// `cloudwatch.csv`'s periods, kept with the time series.
    pub cloudwatch: Option<Vec<CloudwatchPeriod>>,
    /// `[short polls, false empties]` by visible depth at the instant each
    /// short poll was served (depths ≥ 4096 share the last row).
    pub by_depth: Vec<[u64; 2]>,
    /// Lambda consumers' bill for the measured window (invocations and
    /// GB-seconds); SQS's is `cost_usd`.
    pub lambda_cost_usd: f64,
    /// The most pollers one Lambda event source mapping ran (0: none).
    pub lambda_pollers_max: u64,
    diagnostics: Diagnostics,
}

impl RunResult {
    /// The queue's bookkeeping at the end of the run (whole-run totals for
    /// the conservation identity, live messages, index sizes): for tests of
    /// the model's invariants, not for reports.
    #[doc(hidden)]
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }
}

/// A sink that keeps what `run` hands it, for a result held in memory.
#[derive(Default)]
pub(super) struct Kept {
    pub(super) buckets: Vec<Bucket>,
    pub(super) periods: Vec<CloudwatchPeriod>,
}

impl BucketSink for Kept {
    fn bucket(&mut self, b: &Bucket) {
        self.buckets.push(b.clone());
    }
    fn period(&mut self, p: &CloudwatchPeriod) {
        self.periods.push(p.clone());
    }
}

impl Sim<'_> {
    /// Checks conservation, closes the time series and collects the result.
    pub(super) fn finish(mut self) -> RunResult {
        let cfg = self.cfg;
        if let Err(e) = self.queue.conservation() {
            // A broken invariant is a bug in the model, never bad input.
            panic!("{e}");
        }
        if let Some(Err(e)) = self.queue.groups().map(|g| g.check()) {
            // FIFO ordering and blocking, checked like conservation.
            panic!("{e}");
        }
        if self.opts.timeseries {
            self.last_cloudwatch_sample();
            self.last_tick();
        }
        let events = self.model_events();
        let consumer_minutes = self.consumer_minutes();
        let levels = self.queue.levels();
        let recorded = self.rec.finish();
        RunResult {
            cost_usd: billing::cost_usd(recorded.counters.billable_requests, &cfg.pricing),
            cost_usd_per_30d: billing::cost_usd_per_30d(
                recorded.counters.billable_requests,
                (cfg.duration - cfg.warmup).as_secs_f64(),
                &cfg.pricing,
            ),
            lambda_cost_usd: billing::lambda_cost_usd(&recorded.counters, &cfg.pricing),
            lambda_pollers_max: self.lambda.pollers_max(),
            counters: recorded.counters,
            latency: recorded.latency,
            latency_cdf: recorded.latency_cdf,
            events,
            messages_simulated: self.queue.messages_sent(),
            stalled: self.stalled.take(),
            sim_seconds: (cfg.duration - cfg.warmup).as_secs_f64(),
            consumer_minutes,
            visible_at_end: levels.visible,
            in_flight_at_end: levels.in_flight,
            delayed_at_end: levels.delayed,
            unreachable_at_end: levels.unreachable,
            timeseries: None,
            cloudwatch: None,
            by_depth: recorded.by_depth,
            diagnostics: self.queue.diagnostics(),
        }
    }
}
