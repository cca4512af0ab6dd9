//! What a run observed. The model reports each happening here; the recorder
//! applies the warm-up rule (only what happens at or after `warmup` counts),
//! keeps latencies in a histogram and hands each finished time-series bucket
//! to a [`BucketSink`], so memory does not grow with the run.

use super::cloudwatch::{CloudwatchPeriod, Periods, Sample};
use super::queue::{Delivery, Levels};
use crate::engine::SimTime;
use hdrhistogram::Histogram;
use std::collections::VecDeque;

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
    /// Heartbeats (`heartbeat`): one per message per beat.
    pub change_visibility_requests: u64,
    /// The scaler's readings (`autoscale.source = "api"`).
    pub get_attributes_requests: u64,
    /// Lambda consumers: invocations started.
    pub lambda_invocations: u64,
    /// ... the messages of their batches.
    pub lambda_batch_messages: u64,
    /// ... their billed milliseconds × memory MB (GB-seconds × 1,024,000).
    pub lambda_mb_ms: u64,
    /// ... the most invocations running at once (at an invocation's start).
    pub lambda_concurrency_max: u64,
    /// Calls refused by the throughput quota (each billed, then retried).
    pub throttled_requests: u64,
    /// Messages of a producer's retry that a FIFO queue accepted without
    /// storing them (a duplicate within the deduplication window).
    pub deduplicated: u64,
    /// First deliveries of the second copy of a message (a producer's retry
    /// stored twice: standard queues).
    pub duplicates_delivered: u64,
    /// Messages sent in the last quarter of the measured window (see
    /// [`Recorder::watch_tail`]): with the next count, whether the backlog
    /// still grew at the end of the run.
    pub tail_messages_sent: u64,
    /// First deliveries (latency samples) in the last quarter.
    pub tail_first_receives: u64,
}

impl Counters {
    pub fn send_requests(&self) -> u64 {
        self.send_message_requests + self.send_batch_requests
    }
    pub fn delete_requests(&self) -> u64 {
        self.delete_message_requests + self.delete_batch_requests
    }
    /// Every call that reached the queue, throttled ones included.
    pub fn total_requests(&self) -> u64 {
        self.receive_requests
            + self.send_requests()
            + self.delete_requests()
            + self.change_visibility_requests
            + self.get_attributes_requests
            + self.throttled_requests
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
    /// Messages being processed at the bucket's end.
    pub busy: u64,
    /// Consumers running at the bucket's end (every group's size).
    pub consumers: u64,
    /// Lambda invocations started in the bucket.
    pub lambda_invocations: u64,
    /// Most Lambda invocations running at once during the bucket.
    pub lambda_concurrency: u64,
    /// Lambda pollers at the bucket's end.
    pub lambda_pollers: u64,
    /// FIFO: groups with a message in flight at the bucket's end.
    pub groups_in_flight: u64,
    pub throttled_requests: u64,
}

/// Where finished time-series buckets go, in time order, one call each. The
/// model never writes files: the runner supplies a sink that does.
pub trait BucketSink {
    fn bucket(&mut self, b: &Bucket);
    /// A finished `cloudwatch.csv` period (runs that keep a time series).
    fn period(&mut self, _p: &CloudwatchPeriod) {}
}

/// Keeps the whole series in memory (tests, short runs).
impl BucketSink for Vec<Bucket> {
    fn bucket(&mut self, b: &Bucket) {
        self.push(b.clone());
    }
}

/// The buckets of a run's time series that may still change. A bucket's
/// counts are final once time reaches its end, and its levels are recorded
/// by the tick at that instant (or by `finish`), which may come after the
/// next bucket opened; so a bucket is handed on once one two places later
/// opens, and at most three are ever held.
struct Series<'s> {
    width: u64,
    /// Index of `pending[0]`.
    first: u64,
    pending: VecDeque<Bucket>,
    /// `None`: the run keeps no time series. The counts still go to a
    /// bucket (one, as wide as time: nothing to hand on), so the recorder's
    /// hot calls add to it without first asking whether there is one.
    sink: Option<&'s mut dyn BucketSink>,
    /// The bucket the last call landed in, `[cur_start, cur_end)`, is kept
    /// here, out of the deque (its place there, `pending[cur]`, holds a
    /// blank until it goes back). Nearly every call is for it, which this
    /// answers with two comparisons and a field at a fixed offset instead
    /// of a division and a walk of the deque (an empty range: none held).
    current: Bucket,
    cur_start: u64,
    cur_end: u64,
    cur: usize,
}

impl<'s> Series<'s> {
    fn new(width: SimTime, sink: Option<&'s mut dyn BucketSink>) -> Series<'s> {
        Series {
            width: match sink {
                Some(_) => width.micros(),
                None => u64::MAX,
            },
            first: 0,
            pending: VecDeque::new(),
            sink,
            current: Bucket::default(),
            cur_start: 0,
            cur_end: 0,
            cur: 0,
        }
    }

    #[inline(always)]
    fn at(&mut self, now: SimTime) -> &mut Bucket {
        let t = now.micros();
        if t >= self.cur_start && t < self.cur_end {
            return &mut self.current;
        }
        self.at_slow(now)
    }

    /// Puts the bucket held in `current` back in its place in the deque.
    fn put_back(&mut self) {
        if self.cur_start < self.cur_end {
            std::mem::swap(&mut self.current, &mut self.pending[self.cur]);
            self.cur_end = self.cur_start;
        }
    }

    /// `at` for a bucket other than the last one used: opens buckets up to
    /// it, hands on those two places behind, and holds it in `current`.
    #[inline(never)]
    fn at_slow(&mut self, now: SimTime) -> &mut Bucket {
        self.put_back();
        let i = now.micros() / self.width;
        assert!(
            i >= self.first,
            "time-series bucket {i} changed after it was handed on"
        );
        while self.first + (self.pending.len() as u64) <= i {
            let start = SimTime((self.first + self.pending.len() as u64) * self.width);
            self.pending.push_back(Bucket {
                start,
                ..Bucket::default()
            });
        }
        while self.first + 1 < i {
            let b = self.pending.pop_front().expect("bucket i is pending");
            if let Some(sink) = self.sink.as_mut() {
                sink.bucket(&b);
            }
            self.first += 1;
        }
        self.cur = (i - self.first) as usize;
        self.cur_start = i * self.width;
        self.cur_end = self.cur_start.saturating_add(self.width);
        std::mem::swap(&mut self.current, &mut self.pending[self.cur]);
        &mut self.current
    }
}

/// Short polls and false empties by the number of visible messages at the
/// instant each short poll was served (depths ≥ `DEPTH_CAP` share a row).
pub(crate) const DEPTH_CAP: usize = 4096;

/// Latencies counted in the very slots of the HdrHistogram the run reports
/// from (lowest value 1 µs, highest 2^45 µs ≈ 1.1 years, 3 significant
/// digits), which is built from these counts once, at the run's end.
/// `Histogram::saturating_record` reads its geometry from memory, checks
/// the slot and keeps its own min, max and total on every call; here the
/// geometry is constant and the rest is done once per slot, not per sample.
struct LatencyCounts {
    counts: Box<[u64; LatencyCounts::SLOTS]>,
}

impl LatencyCounts {
    /// 3 significant digits: 2,048 values per sub-bucket range; its upper
    /// half, 1,024 slots, per power of two.
    const HALF_MAGNITUDE: u32 = 10;
    const HIGHEST: u64 = 1 << 45;
    /// 36 powers of two above the first 2,048 values, plus those values.
    const SLOTS: usize = 37 << Self::HALF_MAGNITUDE;

    fn new() -> LatencyCounts {
        let counts = vec![0; Self::SLOTS].into_boxed_slice();
        LatencyCounts {
            counts: counts.try_into().expect("SLOTS counts"),
        }
    }

    /// HdrHistogram's slot for `us` (its `index_for` with this geometry):
    /// values below 2,048 have a slot each, then each power of two `2^(10+b)`
    /// splits into 1,024 slots `2^b` wide.
    #[inline(always)]
    fn slot(us: u64) -> usize {
        let b = 63 - Self::HALF_MAGNITUDE - (us | 2047).leading_zeros();
        ((b as usize) << Self::HALF_MAGNITUDE) + (us >> b) as usize
    }

    /// The lowest value of `slot` (HdrHistogram's `value_for`).
    fn lowest(slot: usize) -> u64 {
        let half = 1 << Self::HALF_MAGNITUDE;
        match (slot >> Self::HALF_MAGNITUDE).checked_sub(1) {
            None | Some(0) => slot as u64,
            Some(b) => ((slot & (half - 1)) as u64 + half as u64) << b,
        }
    }

    /// As `Histogram::saturating_record`: a value past the last slot
    /// (2^46 µs and more) counts at `HIGHEST`.
    #[inline(always)]
    fn record(&mut self, us: u64) {
        let mut i = Self::slot(us);
        if i >= Self::SLOTS {
            i = Self::slot(Self::HIGHEST);
        }
        self.counts[i] += 1;
    }

    /// The histogram these counts describe: the same slot counts, total,
    /// and (as far as it can tell) the same min and max, so every quantile
    /// and iteration it answers is the same as if each value had been
    /// recorded into it.
    fn histogram(&self) -> Histogram<u64> {
        let mut h =
            Histogram::new_with_bounds(1, Self::HIGHEST, 3).expect("valid histogram bounds");
        debug_assert_eq!(h.distinct_values(), Self::SLOTS);
        for (i, &n) in self.counts.iter().enumerate() {
            if n > 0 {
                h.record_n(Self::lowest(i), n)
                    .expect("a slot's lowest value is in range");
            }
        }
        h
    }
}

pub(crate) struct Recorder<'s> {
    warmup: SimTime,
    /// Where the last quarter of the measured window starts (`MAX`: not watched).
    tail_from: SimTime,
    counters: Counters,
    latency: LatencyCounts,
    latency_sum_us: u128,
    latency_min_us: u64,
    latency_max_us: u64,
    /// The time series (a single, never-handed-on bucket when the run
    /// keeps none: `series.sink` is `None`).
    series: Series<'s>,
    /// `[polls, false_empties]` per visible depth.
    by_depth: Vec<[u64; 2]>,
    /// CloudWatch's periods, kept with the time series (`cloudwatch`);
    /// otherwise one period as long as time, counted and never handed on.
    cw: Periods,
    cw_kept: bool,
    /// The quiet window `[quiet_from, quiet_from + quiet_len)`: an instant
    /// in it lands in `series.current` and in `cw`'s current period, and
    /// `quiet_measured` / `quiet_tail` answer `now >= warmup` / `now >=
    /// tail_from`. The hot calls (about four per message) test it with one
    /// comparison instead of testing each of these; the window ends where
    /// the first answer can change and is refreshed out of line
    /// (`refresh_quiet`). Anything else that moves the series' current
    /// bucket or the period closes it (`quiet_len = 0`).
    quiet_from: u64,
    quiet_len: u64,
    quiet_measured: bool,
    quiet_tail: bool,
}

/// What a run measured, once it is over.
pub(crate) struct Recorded {
    pub(crate) counters: Counters,
    pub(crate) latency: LatencyStats,
    pub(crate) latency_cdf: Vec<(f64, f64)>,
    pub(crate) by_depth: Vec<[u64; 2]>,
}

impl<'s> Recorder<'s> {
    /// With a `sink`, the run keeps a time series of buckets `bucket_width` wide.
    pub(crate) fn new(
        warmup: SimTime,
        bucket_width: SimTime,
        sink: Option<&'s mut dyn BucketSink>,
    ) -> Recorder<'s> {
        Recorder {
            warmup,
            tail_from: SimTime::MAX,
            counters: Counters::default(),
            latency: LatencyCounts::new(),
            latency_sum_us: 0,
            latency_min_us: u64::MAX,
            latency_max_us: 0,
            series: Series::new(bucket_width, sink),
            by_depth: Vec::new(),
            cw: Periods::new(SimTime::MAX),
            cw_kept: false,
            quiet_from: 0,
            quiet_len: 0,
            quiet_measured: false,
            quiet_tail: false,
        }
    }

    /// A run with a time series also keeps CloudWatch's periods, `period` wide.
    pub(crate) fn with_cloudwatch(mut self, period: SimTime) -> Self {
        if self.series.sink.is_some() {
            self.cw = Periods::new(period);
            self.cw_kept = true;
        }
        self.quiet_len = 0;
        self
    }

    /// Whether `now` is in the quiet window (one subtraction and one
    /// comparison: before `quiet_from` it wraps to a huge offset).
    #[inline(always)]
    fn quiet(&self, now: SimTime) -> bool {
        now.micros().wrapping_sub(self.quiet_from) < self.quiet_len
    }

    /// Makes `series.current` the bucket of `now` and the answers for `now`
    /// the cached ones, exactly as the per-call tests did: the bucket is
    /// found by `Series::at` and (`roll`: for a call that counts in
    /// CloudWatch) the period by `Periods::at`, so buckets are handed on
    /// and periods roll at the very calls they did without the window. A
    /// call that does not count in CloudWatch leaves an ended period for
    /// the next one that does; the window then closes at once.
    #[cold]
    #[inline(never)]
    fn refresh_quiet(&mut self, now: SimTime, roll: bool) {
        self.series.at(now);
        if roll {
            self.cw.at(now);
        }
        let mut end = self.series.cur_end;
        end = end.min(self.cw.end().micros().max(now.micros()));
        self.quiet_measured = now >= self.warmup;
        if !self.quiet_measured {
            end = end.min(self.warmup.micros());
        }
        self.quiet_tail = now >= self.tail_from;
        if !self.quiet_tail {
            end = end.min(self.tail_from.micros());
        }
        self.quiet_from = now.micros();
        self.quiet_len = end - now.micros();
    }

    /// The levels at a minute's end (`last`: the run's end): closes the
    /// CloudWatch period they end, handing it to the sink.
    pub(crate) fn cloudwatch_sample(&mut self, now: SimTime, sample: Sample, last: bool) {
        if let (true, Some(sink)) = (self.cw_kept, self.series.sink.as_mut()) {
            self.cw.sample(now, sample, last, &mut |p| sink.period(p));
            self.quiet_len = 0;
        }
    }

    #[inline]
    fn measured(&self, now: SimTime) -> bool {
        now >= self.warmup
    }

    /// The bucket of `now`, for the calls that do not use the quiet window
    /// (a time-series tick may write the bucket before the current one).
    #[inline]
    fn bucket(&mut self, now: SimTime) -> Option<&mut Bucket> {
        self.series.sink.as_ref()?;
        self.quiet_len = 0;
        Some(self.series.at(now))
    }

    /// Hands on the rest of the series: the buckets before index `end`.
    pub(crate) fn finish_series(&mut self, end: u64) {
        let s = &mut self.series;
        if s.sink.is_none() {
            return;
        }
        self.quiet_len = 0;
        s.put_back();
        let Some(sink) = s.sink.as_mut() else {
            return;
        };
        for b in s.pending.drain(..) {
            if s.first < end {
                sink.bucket(&b);
            }
            s.first += 1;
        }
    }

    /// Messages already in the queue at t = 0: sent, but by no request.
    /// Counts sends and first deliveries from `from` on as well: the
    /// "did not keep up" warning compares them over the run's last quarter.
    pub(crate) fn watch_tail(&mut self, from: SimTime) {
        self.tail_from = from.max(self.warmup);
        self.quiet_len = 0;
    }

    pub(crate) fn initial(&mut self, messages: u64) {
        if let Some(b) = self.bucket(SimTime::ZERO) {
            b.messages_sent += messages;
        }
        if self.cw_kept {
            let p = self.cw.at(SimTime::ZERO);
            p.sent += messages;
            p.sent_bytes += messages * super::queue::INITIAL_MESSAGE_BYTES as u64;
            self.quiet_len = 0;
        }
        if self.measured(SimTime::ZERO) {
            self.counters.messages_sent += messages;
        }
    }

    /// A send stored `messages` of `bytes` in all (0: a duplicate dropped).
    ///
    /// This and `receive_response` are always inlined: a call saved and
    /// restored six registers (for the rare bucket change) around a dozen
    /// additions.
    #[inline(always)]
    pub(crate) fn sent(
        &mut self,
        now: SimTime,
        messages: u64,
        bytes: u64,
        batch: bool,
        billable: u64,
    ) {
        if !self.quiet(now) {
            self.refresh_quiet(now, true);
        }
        self.series.current.messages_sent += messages;
        let p = self.cw.current();
        p.sent += messages;
        p.sent_bytes += bytes;
        if self.quiet_measured {
            let c = &mut self.counters;
            c.messages_sent += messages;
            if batch {
                c.send_batch_requests += 1;
            } else {
                c.send_message_requests += 1;
            }
            c.billable_requests += billable;
            if self.quiet_tail {
                c.tail_messages_sent += messages;
            }
        }
    }

    /// A ReceiveMessage request reached the queue: counted and billed now,
    /// like every request (a long poll still waiting at the end is billed).
    pub(crate) fn receive_request(&mut self, now: SimTime, long: bool) {
        if !self.quiet(now) {
            self.refresh_quiet(now, false);
        }
        self.series.current.receive_requests += 1;
        if self.quiet_measured {
            let c = &mut self.counters;
            c.receive_requests += 1;
            c.billable_requests += 1;
            if long {
                c.long_poll_requests += 1;
            } else {
                c.short_poll_requests += 1;
            }
        }
    }

    /// A receive was answered; the model has classified it (`false_empty`).
    /// `extra_chunks`: the 64 KiB chunks of the response's payload beyond
    /// the first, billed now that it is served.
    #[inline(always)]
    pub(crate) fn receive_response(
        &mut self,
        now: SimTime,
        delivered: u64,
        redelivered: u64,
        short_poll_depth: Option<u64>,
        false_empty: bool,
        extra_chunks: u64,
    ) {
        let empty = delivered == 0;
        debug_assert!(
            empty || !false_empty,
            "a response with messages is not empty"
        );
        if !self.quiet(now) {
            self.refresh_quiet(now, true);
        }
        let b = &mut self.series.current;
        b.messages_received += delivered;
        if empty {
            b.empty_responses += 1;
            if false_empty {
                b.false_empty_responses += 1;
            }
        }
        let p = self.cw.current();
        p.received += delivered;
        p.empty_receives += empty as u64;
        if !self.quiet_measured {
            return;
        }
        if let Some(depth) = short_poll_depth {
            let i = (depth as usize).min(DEPTH_CAP);
            if self.by_depth.len() <= i {
                self.grow_by_depth(i);
            }
            self.by_depth[i][0] += 1;
            if false_empty {
                self.by_depth[i][1] += 1;
            }
        }
        let c = &mut self.counters;
        c.messages_received += delivered;
        c.redeliveries += redelivered;
        c.billable_requests += extra_chunks;
        if empty {
            c.empty_responses += 1;
            if false_empty {
                c.false_empty_responses += 1;
            } else {
                c.true_empty_responses += 1;
            }
        }
    }

    /// Makes room for depth `i` (rare: the table only grows).
    #[cold]
    #[inline(never)]
    fn grow_by_depth(&mut self, i: usize) {
        self.by_depth.resize(i + 1, [0, 0]);
    }

    /// A short poll refused because too many messages are in flight (it was
    /// billed when it arrived).
    pub(crate) fn overlimit(&mut self, now: SimTime) {
        if self.measured(now) {
            self.counters.overlimit_responses += 1;
        }
    }

    /// A response with `delivered` reached its consumer at `now`: the
    /// latency of each message it delivers for the first time.
    #[inline]
    pub(crate) fn latencies(&mut self, now: SimTime, delivered: &[Delivery]) {
        for d in delivered {
            if d.first {
                self.latency(now, d.sent);
            }
        }
    }

    /// A consumer got a message for the first time: latency since SendMessage.
    #[inline]
    pub(crate) fn latency(&mut self, now: SimTime, sent: SimTime) {
        if !self.measured(now) {
            return;
        }
        if now >= self.tail_from {
            self.counters.tail_first_receives += 1;
        }
        let us = (now - sent).micros();
        self.latency.record(us);
        self.latency_sum_us += us as u128;
        self.latency_min_us = self.latency_min_us.min(us);
        self.latency_max_us = self.latency_max_us.max(us);
    }

    #[inline]
    pub(crate) fn delete_request(&mut self, now: SimTime, batch: bool, deleted: u64, stale: u64) {
        if !self.quiet(now) {
            self.refresh_quiet(now, true);
        }
        self.series.current.messages_deleted += deleted;
        self.cw.current().deleted += deleted;
        if self.quiet_measured {
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

    /// A ChangeMessageVisibility reached the queue (billed whatever it did).
    pub(crate) fn change_visibility_request(&mut self, now: SimTime) {
        if self.measured(now) {
            self.counters.change_visibility_requests += 1;
            self.counters.billable_requests += 1;
        }
    }

    /// A scaler's GetQueueAttributes reached the queue.
    pub(crate) fn get_attributes_request(&mut self, now: SimTime) {
        if self.measured(now) {
            self.counters.get_attributes_requests += 1;
            self.counters.billable_requests += 1;
        }
    }

    /// The consumers' levels at the end of the bucket that starts at
    /// `bucket_start`: messages being processed, consumers running.
    pub(crate) fn consumer_levels(&mut self, bucket_start: SimTime, busy: u64, consumers: u64) {
        if let Some(b) = self.bucket(bucket_start) {
            b.busy = busy;
            b.consumers = consumers;
        }
    }

    /// A Lambda event source mapping invoked its function with `messages`,
    /// billed `mb_ms` (milliseconds × memory MB); `running` invocations now.
    pub(crate) fn lambda_invocation(
        &mut self,
        now: SimTime,
        messages: u64,
        mb_ms: u64,
        running: u64,
    ) {
        if let Some(b) = self.bucket(now) {
            b.lambda_invocations += 1;
            b.lambda_concurrency = b.lambda_concurrency.max(running);
        }
        if self.measured(now) {
            let c = &mut self.counters;
            c.lambda_invocations += 1;
            c.lambda_batch_messages += messages;
            c.lambda_mb_ms += mb_ms;
            c.lambda_concurrency_max = c.lambda_concurrency_max.max(running);
        }
    }

    /// Lambda levels at the end of the bucket that starts at `bucket_start`;
    /// what still runs then also runs at the start of the bucket `next`.
    pub(crate) fn lambda_levels(
        &mut self,
        bucket_start: SimTime,
        next: Option<SimTime>,
        running: u64,
        pollers: u64,
    ) {
        if let Some(b) = self.bucket(bucket_start) {
            b.lambda_concurrency = b.lambda_concurrency.max(running);
            b.lambda_pollers = pollers;
        }
        if let Some(b) = next.and_then(|t| self.bucket(t)) {
            b.lambda_concurrency = b.lambda_concurrency.max(running);
        }
    }

    pub(crate) fn dead_lettered(&mut self, now: SimTime, n: u64) {
        if self.measured(now) {
            self.counters.dead_lettered += n;
        }
    }

    pub(crate) fn expired(&mut self, now: SimTime, n: u64) {
        if self.measured(now) {
            self.counters.expired += n;
        }
    }

    /// Levels at the end of the bucket that starts at `bucket_start`.
    pub(crate) fn levels(&mut self, bucket_start: SimTime, levels: Levels) {
        if let Some(b) = self.bucket(bucket_start) {
            b.visible = levels.visible;
            b.in_flight = levels.in_flight;
            b.delayed = levels.delayed;
            b.unreachable = levels.unreachable;
            b.groups_in_flight = levels.groups_in_flight;
        }
    }

    /// A call refused by the throughput quota: billed as one request.
    pub(crate) fn throttled(&mut self, now: SimTime) {
        if let Some(b) = self.bucket(now) {
            b.throttled_requests += 1;
        }
        if self.measured(now) {
            self.counters.throttled_requests += 1;
            self.counters.billable_requests += 1;
        }
    }

    /// A FIFO queue accepted `n` messages of a retry without storing them.
    pub(crate) fn deduplicated(&mut self, now: SimTime, n: u64) {
        if self.measured(now) {
            self.counters.deduplicated += n;
        }
    }

    /// `n` second copies were delivered for the first time.
    pub(crate) fn duplicates_delivered(&mut self, now: SimTime, n: u64) {
        if self.measured(now) {
            self.counters.duplicates_delivered += n;
        }
    }

    /// The run's measurements (the series is handed on by `finish_series`).
    pub(crate) fn finish(self) -> Recorded {
        let histogram = self.latency.histogram();
        Recorded {
            latency: self.latency_stats(&histogram),
            latency_cdf: latency_cdf(&histogram),
            counters: self.counters,
            by_depth: self.by_depth,
        }
    }

    fn latency_stats(&self, histogram: &Histogram<u64>) -> LatencyStats {
        let n = histogram.len();
        if n == 0 {
            return LatencyStats::default();
        }
        // The histogram answers with the bucket that holds the quantile. Its
        // middle (`median_equivalent`, the representative value HdrHistogram
        // itself uses for its mean) is within half a bucket, 0.05% at 3
        // significant digits, of the exact sample quantile; clamping to the
        // exact min and max keeps it inside the samples (a constant latency
        // gives exactly that latency).
        let q = |p: f64| {
            let v = histogram.median_equivalent(histogram.value_at_quantile(p));
            v.clamp(self.latency_min_us, self.latency_max_us) as f64 / 1e6
        };
        LatencyStats {
            count: n,
            mean_s: (self.latency_sum_us as f64 / n as f64) / 1e6,
            p50_s: q(0.50),
            p90_s: q(0.90),
            p99_s: q(0.99),
            min_s: self.latency_min_us as f64 / 1e6,
            max_s: self.latency_max_us as f64 / 1e6,
        }
    }
}

/// The latency CDF as `(seconds, cumulative fraction)` points, one per
/// histogram step (a few hundred at most), for charts.
fn latency_cdf(histogram: &Histogram<u64>) -> Vec<(f64, f64)> {
    let n = histogram.len();
    if n == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut cum = 0u64;
    for v in histogram.iter_log(1, 1.25) {
        cum += v.count_since_last_iteration();
        out.push((v.value_iterated_to() as f64 / 1e6, cum as f64 / n as f64));
    }
    out
}

#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct LatencyStats {
    pub count: u64,
    pub mean_s: f64,
    pub p50_s: f64,
    pub p90_s: f64,
    pub p99_s: f64,
    pub min_s: f64,
    pub max_s: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 6: a bucket leaves as soon as it is final, so a day-long run
    /// holds a few buckets, not 86,400.
    #[test]
    fn buckets_leave_once_final() {
        let s = |secs: f64| SimTime((secs * 1e6) as u64);
        let mut out: Vec<Bucket> = Vec::new();
        {
            let mut rec = Recorder::new(SimTime::ZERO, s(1.0), Some(&mut out));
            rec.sent(s(0.5), 1, 1, false, 1);
            // The tick at 1 s records bucket 0's levels after bucket 1 opened.
            rec.sent(s(1.0), 2, 2, false, 1);
            let levels = Levels {
                visible: 7,
                ..Levels::default()
            };
            rec.levels(s(0.0), levels);
            rec.sent(s(2.0), 3, 3, false, 1);
            let pending = |r: &Recorder| r.series.pending.len();
            assert_eq!(pending(&rec), 2, "bucket 0 left when bucket 2 opened");
            rec.sent(s(9.5), 4, 4, false, 1);
            assert_eq!(pending(&rec), 2);
            // A run ending at 9.5 s has 10 buckets.
            rec.finish_series(10);
        }
        let sent: Vec<u64> = out.iter().map(|b| b.messages_sent).collect();
        assert_eq!(sent, [1, 2, 3, 0, 0, 0, 0, 0, 0, 4]);
        assert_eq!(out[0].visible, 7);
        assert!(out.iter().enumerate().all(|(i, b)| b.start == s(i as f64)));
    }

    /// The cached current bucket stays right when older buckets leave the
    /// deque under it and when a tick writes the bucket before it.
    #[test]
    fn cached_bucket_follows_the_series() {
        let s = |secs: f64| SimTime((secs * 1e6) as u64);
        let mut out: Vec<Bucket> = Vec::new();
        {
            let mut rec = Recorder::new(SimTime::ZERO, s(1.0), Some(&mut out));
            let visible = |v| Levels {
                visible: v,
                ..Levels::default()
            };
            rec.sent(s(0.5), 1, 1, false, 1);
            rec.sent(s(0.999_999), 1, 1, false, 1);
            rec.sent(s(1.0), 10, 10, false, 1);
            rec.levels(s(0.0), visible(5));
            rec.sent(s(1.5), 10, 10, false, 1);
            rec.sent(s(2.0), 100, 100, false, 1);
            rec.sent(s(2.5), 100, 100, false, 1);
            rec.levels(s(1.0), visible(6));
            rec.sent(s(2.7), 100, 100, false, 1);
            rec.sent(s(4.2), 1000, 1000, false, 1);
            rec.finish_series(5);
        }
        let sent: Vec<u64> = out.iter().map(|b| b.messages_sent).collect();
        assert_eq!(sent, [2, 20, 300, 0, 1000]);
        let visible: Vec<u64> = out.iter().map(|b| b.visible).collect();
        assert_eq!(visible, [5, 6, 0, 0, 0]);
    }

    /// Buckets and CloudWatch periods handed on, for the tests.
    #[derive(Default)]
    struct Both {
        buckets: Vec<Bucket>,
        periods: Vec<CloudwatchPeriod>,
    }

    impl BucketSink for Both {
        fn bucket(&mut self, b: &Bucket) {
            self.buckets.push(b.clone());
        }
        fn period(&mut self, p: &CloudwatchPeriod) {
            self.periods.push(p.clone());
        }
    }

    /// The hot calls through the quiet window, across bucket ends (1 s),
    /// period ends (2 s), the warm-up's end (2.5 s) and the tail's start
    /// (3.5 s), each hit exactly and a microsecond before; a receive
    /// request (which does not count in CloudWatch) first at a period's
    /// end; ticks writing the bucket before the current one. Counts by hand.
    fn record_across_boundaries(rec: &mut Recorder) {
        let s = |secs: f64| SimTime((secs * 1e6).round() as u64);
        let visible = |v| Levels {
            visible: v,
            ..Levels::default()
        };
        rec.watch_tail(s(3.5));
        rec.sent(s(0.5), 1, 10, false, 1);
        rec.receive_request(s(1.0), false);
        rec.sent(s(1.999_999), 2, 20, false, 1);
        rec.receive_request(s(2.0), false);
        rec.sent(s(2.0), 4, 40, false, 1);
        rec.cloudwatch_sample(s(2.0), Sample::default(), false);
        rec.sent(s(2.499_999), 8, 80, false, 1);
        rec.sent(s(2.5), 16, 160, false, 1);
        rec.receive_response(s(2.6), 1, 0, Some(3), false, 0);
        rec.latency(s(3.0), s(2.0));
        rec.delete_request(s(3.0), false, 1, 0);
        rec.levels(s(2.0), visible(9));
        rec.sent(s(3.2), 32, 320, false, 1);
        rec.sent(s(3.499_999), 0, 0, true, 1);
        rec.sent(s(3.5), 64, 640, false, 1);
        rec.latency(s(3.6), s(3.0));
        rec.cloudwatch_sample(s(4.0), Sample::default(), false);
        rec.sent(s(4.0), 128, 1280, false, 1);
        rec.levels(s(3.0), visible(5));
        rec.cloudwatch_sample(s(4.5), Sample::default(), true);
        rec.finish_series(5);
    }

    #[test]
    fn quiet_window_counts_at_every_boundary() {
        let s = |secs: u64| SimTime::from_secs(secs);
        let warmup = SimTime(2_500_000);
        let mut out = Both::default();
        let counters = {
            let mut rec = Recorder::new(warmup, s(1), Some(&mut out)).with_cloudwatch(s(2));
            record_across_boundaries(&mut rec);
            rec.finish().counters
        };
        let col = |f: fn(&Bucket) -> u64| out.buckets.iter().map(f).collect::<Vec<_>>();
        assert_eq!(col(|b| b.messages_sent), [1, 2, 28, 96, 128]);
        assert_eq!(col(|b| b.receive_requests), [0, 1, 1, 0, 0]);
        assert_eq!(col(|b| b.messages_received), [0, 0, 1, 0, 0]);
        assert_eq!(col(|b| b.messages_deleted), [0, 0, 0, 1, 0]);
        assert_eq!(col(|b| b.visible), [0, 0, 9, 5, 0]);
        let per = |f: fn(&CloudwatchPeriod) -> u64| out.periods.iter().map(f).collect::<Vec<_>>();
        assert_eq!(per(|p| p.start.micros()), [0, 2_000_000, 4_000_000]);
        assert_eq!(per(|p| p.sent), [3, 124, 128]);
        assert_eq!(per(|p| p.sent_bytes), [30, 1240, 1280]);
        assert_eq!(per(|p| p.received), [0, 1, 0]);
        assert_eq!(per(|p| p.deleted), [0, 1, 0]);
        let want = Counters {
            messages_sent: 16 + 32 + 64 + 128,
            send_message_requests: 4,
            send_batch_requests: 1,
            billable_requests: 6,
            tail_messages_sent: 64 + 128,
            messages_received: 1,
            short_poll_requests: 0,
            messages_deleted: 1,
            delete_message_requests: 1,
            tail_first_receives: 1,
            ..Counters::default()
        };
        assert_eq!(counters, want);
        // Without a time series (one bucket, one period, never handed on)
        // the counters are the same.
        let mut rec = Recorder::new(warmup, s(1), None).with_cloudwatch(s(2));
        record_across_boundaries(&mut rec);
        assert_eq!(rec.finish().counters, want);
    }

    /// The exact sample quantile the histogram approximates: the smallest
    /// sample with at least a fraction `q` of the samples at or below it.
    fn exact_quantile(sorted: &[u64], q: f64) -> u64 {
        let k = ((q * sorted.len() as f64).ceil() as usize).max(1);
        sorted[k - 1]
    }

    /// Percentiles are within 0.1% of the exact sample quantile and never
    /// outside `[min, max]`, over latencies from microseconds to hours.
    #[test]
    fn percentiles_are_within_a_tenth_of_a_percent_of_the_sample_quantile() {
        let mut rng = crate::engine::StreamSeed::new(3).stream(&[]);
        for (n, scale) in [(1usize, 7e3), (7, 1e4), (1000, 2e4), (20_000, 3e9)] {
            let mut rec = Recorder::new(SimTime::ZERO, SimTime::from_secs(1), None);
            let mut xs = Vec::new();
            for _ in 0..n {
                let u = crate::model::sampling::unit(&mut rng);
                let us = (scale * (1.0 + 9.0 * u * u)) as u64;
                xs.push(us);
                rec.latency(SimTime(us + 5), SimTime(5));
            }
            xs.sort_unstable();
            let st = rec.latency_stats(&rec.latency.histogram());
            for (q, got) in [(0.5, st.p50_s), (0.9, st.p90_s), (0.99, st.p99_s)] {
                let want = exact_quantile(&xs, q) as f64 / 1e6;
                assert!(
                    (got - want).abs() <= 1e-3 * want,
                    "n {n}, q {q}: {got} vs exact {want}"
                );
                assert!(
                    got >= st.min_s && got <= st.max_s,
                    "n {n}, q {q}: {got} outside [min, max]"
                );
            }
        }
    }

    /// The audit's case: a constant 10 ms latency reported p50 = 10.007 ms,
    /// above its own maximum (the top of the histogram bucket).
    #[test]
    fn constant_latency_percentiles_equal_the_latency() {
        let mut rec = Recorder::new(SimTime::ZERO, SimTime::from_secs(1), None);
        for i in 0..100 {
            rec.latency(SimTime(i * 1_000_000 + 10_000), SimTime(i * 1_000_000));
        }
        let st = rec.latency_stats(&rec.latency.histogram());
        assert_eq!(
            (st.p50_s, st.p90_s, st.p99_s, st.max_s),
            (0.01, 0.01, 0.01, 0.01)
        );
    }

    /// The counts rebuild exactly the histogram that recording each value
    /// into HdrHistogram gives (slots, total, min and max): edges of every
    /// power of two, both ends, values past the last slot, and random values
    /// over all magnitudes.
    #[test]
    fn latency_counts_rebuild_the_directly_recorded_histogram() {
        let mut direct =
            Histogram::<u64>::new_with_bounds(1, LatencyCounts::HIGHEST, 3).expect("bounds");
        let mut counts = LatencyCounts::new();
        let mut rng = crate::engine::StreamSeed::new(5).stream(&[]);
        let edges = (0..64).flat_map(|k| {
            let p = 1u64 << k;
            [p - 1, p, p + 1, p.saturating_mul(3) / 2]
        });
        let random = (0..200_000).map(|i| rand::Rng::next_u64(&mut rng) >> (i % 64));
        for us in (0..5000).chain(edges).chain([u64::MAX]).chain(random) {
            direct.saturating_record(us);
            counts.record(us);
            assert_eq!(
                LatencyCounts::lowest(LatencyCounts::slot(us).min(LatencyCounts::SLOTS - 1)),
                direct.lowest_equivalent(us.min(LatencyCounts::HIGHEST * 2 - 1)),
                "{us}"
            );
        }
        let rebuilt = counts.histogram();
        assert!(rebuilt == direct);
        assert_eq!(rebuilt.len(), direct.len());
        assert_eq!(rebuilt.max(), direct.max());
        assert_eq!(rebuilt.min_nz(), direct.min_nz());
    }

    /// A histogram of a few values: the minimum and maximum it reports are
    /// those of the values' slots, as when they are recorded one by one.
    #[test]
    fn latency_counts_keep_min_and_max() {
        let mut counts = LatencyCounts::new();
        let mut direct =
            Histogram::<u64>::new_with_bounds(1, LatencyCounts::HIGHEST, 3).expect("bounds");
        for us in [0, 12_345, 9_999_999, 1 << 50] {
            counts.record(us);
            direct.saturating_record(us);
        }
        let rebuilt = counts.histogram();
        assert_eq!(rebuilt.min_nz(), 12_344);
        assert_eq!(rebuilt.max(), direct.max());
        assert!(rebuilt == direct);
    }
}
