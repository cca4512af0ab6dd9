//! What a run observed. The model reports each happening here; the recorder
//! applies the warm-up rule (only what happens at or after `warmup` counts)
//! and keeps latencies in a histogram, so memory does not grow with the run.

use crate::engine::SimTime;
use hdrhistogram::Histogram;

/// Counts over the measured window (after warm-up).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub messages_sent: u64,
    pub messages_received: u64,
    pub messages_deleted: u64,
    pub redeliveries: u64,
    pub dead_lettered: u64,
    pub expired: u64,
    pub receive_requests: u64,
    pub short_poll_requests: u64,
    pub long_poll_requests: u64,
    pub empty_responses: u64,
    pub false_empty_responses: u64,
    pub true_empty_responses: u64,
    pub overlimit_responses: u64,
    pub send_message_requests: u64,
    pub send_batch_requests: u64,
    pub delete_message_requests: u64,
    pub delete_batch_requests: u64,
    pub stale_deletes: u64,
    pub billable_requests: u64,
}

impl Counters {
    pub fn send_requests(&self) -> u64 {
        self.send_message_requests + self.send_batch_requests
    }
    pub fn delete_requests(&self) -> u64 {
        self.delete_message_requests + self.delete_batch_requests
    }
    pub fn total_requests(&self) -> u64 {
        self.receive_requests + self.send_requests() + self.delete_requests()
    }
}

/// One `timeseries.csv` row: counts within the bucket, levels at its end.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bucket {
    pub start: SimTime,
    pub visible: u64,
    pub in_flight: u64,
    pub delayed: u64,
    pub unreachable: u64,
    pub messages_sent: u64,
    pub receive_requests: u64,
    pub empty_responses: u64,
    pub false_empty_responses: u64,
    pub messages_received: u64,
    pub messages_deleted: u64,
}

/// Short polls and false empties by the number of visible messages at the
/// instant each short poll was served (depths ≥ `DEPTH_CAP` share a row).
pub const DEPTH_CAP: usize = 4096;

pub struct Recorder {
    warmup: SimTime,
    bucket_width: SimTime,
    pub counters: Counters,
    latency: Histogram<u64>,
    latency_sum_us: u128,
    latency_max_us: u64,
    /// `Some` when the run keeps a time series.
    pub buckets: Option<Vec<Bucket>>,
    /// `[polls, false_empties]` per visible depth.
    pub by_depth: Vec<[u64; 2]>,
}

impl Recorder {
    pub fn new(warmup: SimTime, bucket_width: SimTime, timeseries: bool) -> Recorder {
        Recorder {
            warmup,
            bucket_width,
            counters: Counters::default(),
            // Up to ~1.2 years in µs at 3 significant figures; longer saturates.
            latency: Histogram::new_with_bounds(1, 1 << 45, 3).expect("valid histogram bounds"),
            latency_sum_us: 0,
            latency_max_us: 0,
            buckets: timeseries.then(Vec::new),
            by_depth: Vec::new(),
        }
    }

    #[inline]
    fn measured(&self, now: SimTime) -> bool {
        now >= self.warmup
    }

    #[inline]
    fn bucket(&mut self, now: SimTime) -> Option<&mut Bucket> {
        let buckets = self.buckets.as_mut()?;
        let i = (now.micros() / self.bucket_width.micros()) as usize;
        while buckets.len() <= i {
            let start = SimTime(buckets.len() as u64 * self.bucket_width.micros());
            buckets.push(Bucket {
                start,
                ..Bucket::default()
            });
        }
        Some(&mut buckets[i])
    }

    /// Messages already in the queue at t = 0: sent, but by no request.
    pub fn initial(&mut self, messages: u64) {
        if let Some(b) = self.bucket(SimTime::ZERO) {
            b.messages_sent += messages;
        }
        if self.measured(SimTime::ZERO) {
            self.counters.messages_sent += messages;
        }
    }

    pub fn sent(&mut self, now: SimTime, messages: u64, batch: bool, billable: u64) {
        if let Some(b) = self.bucket(now) {
            b.messages_sent += messages;
        }
        if self.measured(now) {
            let c = &mut self.counters;
            c.messages_sent += messages;
            if batch {
                c.send_batch_requests += 1;
            } else {
                c.send_message_requests += 1;
            }
            c.billable_requests += billable;
        }
    }

    /// A ReceiveMessage request reached the queue.
    pub fn receive_request(&mut self, now: SimTime, long: bool) {
        if let Some(b) = self.bucket(now) {
            b.receive_requests += 1;
        }
        if self.measured(now) {
            let c = &mut self.counters;
            c.receive_requests += 1;
            if long {
                c.long_poll_requests += 1;
            } else {
                c.short_poll_requests += 1;
            }
        }
    }

    /// A receive was answered. `visible` is the number of reachable visible
    /// messages at that instant *before* the response took any.
    pub fn receive_response(
        &mut self,
        now: SimTime,
        delivered: u64,
        redelivered: u64,
        short_poll_depth: Option<u64>,
        visible_after: u64,
        billable: u64,
    ) {
        let empty = delivered == 0;
        let false_empty = empty && visible_after > 0;
        if let Some(b) = self.bucket(now) {
            b.messages_received += delivered;
            if empty {
                b.empty_responses += 1;
                if false_empty {
                    b.false_empty_responses += 1;
                }
            }
        }
        if !self.measured(now) {
            return;
        }
        if let Some(depth) = short_poll_depth {
            let i = (depth as usize).min(DEPTH_CAP);
            if self.by_depth.len() <= i {
                self.by_depth.resize(i + 1, [0, 0]);
            }
            self.by_depth[i][0] += 1;
            if false_empty {
                self.by_depth[i][1] += 1;
            }
        }
        let c = &mut self.counters;
        c.messages_received += delivered;
        c.redeliveries += redelivered;
        c.billable_requests += billable;
        if empty {
            c.empty_responses += 1;
            if false_empty {
                c.false_empty_responses += 1;
            } else {
                c.true_empty_responses += 1;
            }
        }
    }

    /// A short poll refused because too many messages are in flight.
    pub fn overlimit(&mut self, now: SimTime) {
        if self.measured(now) {
            self.counters.overlimit_responses += 1;
            self.counters.billable_requests += 1;
        }
    }

    /// A consumer got a message for the first time: latency since SendMessage.
    pub fn latency(&mut self, now: SimTime, sent: SimTime) {
        if !self.measured(now) {
            return;
        }
        let us = (now - sent).micros();
        self.latency.saturating_record(us);
        self.latency_sum_us += us as u128;
        self.latency_max_us = self.latency_max_us.max(us);
    }

    pub fn delete_request(&mut self, now: SimTime, batch: bool, deleted: u64, stale: u64) {
        if let Some(b) = self.bucket(now) {
            b.messages_deleted += deleted;
        }
        if self.measured(now) {
            let c = &mut self.counters;
            if batch {
                c.delete_batch_requests += 1;
            } else {
                c.delete_message_requests += 1;
            }
            c.messages_deleted += deleted;
            c.stale_deletes += stale;
            c.billable_requests += 1;
        }
    }

    pub fn dead_lettered(&mut self, now: SimTime, n: u64) {
        if self.measured(now) {
            self.counters.dead_lettered += n;
        }
    }

    pub fn expired(&mut self, now: SimTime, n: u64) {
        if self.measured(now) {
            self.counters.expired += n;
        }
    }

    /// Levels at the end of the bucket that starts at `bucket_start`.
    pub fn levels(
        &mut self,
        bucket_start: SimTime,
        visible: u64,
        in_flight: u64,
        delayed: u64,
        unreachable: u64,
    ) {
        if let Some(b) = self.bucket(bucket_start) {
            b.visible = visible;
            b.in_flight = in_flight;
            b.delayed = delayed;
            b.unreachable = unreachable;
        }
    }

    pub fn latency_stats(&self) -> LatencyStats {
        let n = self.latency.len();
        if n == 0 {
            return LatencyStats::default();
        }
        let q = |p: f64| self.latency.value_at_quantile(p) as f64 / 1e6;
        LatencyStats {
            count: n,
            mean_s: (self.latency_sum_us as f64 / n as f64) / 1e6,
            p50_s: q(0.50),
            p90_s: q(0.90),
            p99_s: q(0.99),
            max_s: self.latency_max_us as f64 / 1e6,
        }
    }

    /// The latency CDF as `(seconds, cumulative fraction)` points, one per
    /// histogram step (a few hundred at most), for charts.
    pub fn latency_cdf(&self) -> Vec<(f64, f64)> {
        let n = self.latency.len();
        if n == 0 {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut cum = 0u64;
        for v in self.latency.iter_log(1, 1.25) {
            cum += v.count_since_last_iteration();
            out.push((v.value_iterated_to() as f64 / 1e6, cum as f64 / n as f64));
        }
        out
    }
}

#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct LatencyStats {
    pub count: u64,
    pub mean_s: f64,
    pub p50_s: f64,
    pub p90_s: f64,
    pub p99_s: f64,
    pub max_s: f64,
}
