//! The validated configuration the simulation runs on. The scenario module
//! builds it from TOML and guarantees every invariant documented here; the
//! model trusts it and never re-checks user input.

use super::dist::Dist;
use crate::engine::SimTime;
use std::sync::Arc;

/// SQS's hard limit on in-flight messages of a standard queue (past it a
/// short poll gets an OverLimit error).
pub const IN_FLIGHT_LIMIT_STANDARD: u64 = 120_000;
/// ... and of a FIFO queue (raised from 20,000 by AWS; past it receives come
/// back empty, without an error).
pub const IN_FLIGHT_LIMIT_FIFO: u64 = 120_000;

#[derive(Clone, Debug)]
pub struct ModelConfig {
    pub duration: SimTime,
    pub warmup: SimTime,
    /// One-way delay of every API call, each direction.
    pub network: Dist,
    /// Width of a `timeseries.csv` bucket.
    pub bucket: SimTime,
    /// Width of a `cloudwatch.csv` period: a whole number of minutes.
    pub cloudwatch_period: SimTime,
    pub pricing: Pricing,
    pub queue: QueueConfig,
    pub producers: Vec<ProducerConfig>,
    pub consumers: Vec<ConsumerConfig>,
    pub outages: Vec<Outage>,
}

#[derive(Clone, Debug)]
pub struct Pricing {
    /// USD per million billable requests over the window (`cost_usd`).
    pub per_million: f64,
    pub free_tier_requests: u64,
    /// Volume tiers of the 30-day projection, in increasing `up_to`; the
    /// first one's price is `per_million`, the last has no `up_to`.
    pub tiers: Vec<Tier>,
    /// Lambda: USD per million invocations.
    pub lambda_per_million: f64,
    /// Lambda: USD per GB-second of billed duration.
    pub lambda_gb_second: f64,
}

/// One volume tier: its price for the requests of a 30-day month below
/// `up_to` (and above the tier before's); `None`: no upper end.
#[derive(Clone, Debug, PartialEq)]
pub struct Tier {
    pub up_to: Option<u64>,
    pub per_million: f64,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum QueueKind {
    Standard,
    Fifo,
}

impl QueueKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QueueKind::Standard => "standard",
            QueueKind::Fifo => "fifo",
        }
    }
}

#[derive(Clone, Debug)]
pub struct QueueConfig {
    pub kind: QueueKind,
    /// ≥ 1.
    pub nodes: u32,
    /// `nodes` entries, all > 0 and finite.
    pub node_weights: Vec<f64>,
    /// 1 ≤ sample_nodes ≤ nodes.
    pub sample_nodes: u32,
    pub visibility_timeout: SimTime,
    pub receive_wait_time: SimTime,
    pub delay: SimTime,
    pub retention: SimTime,
    /// `Some(r)`: a message received r times goes to the DLQ instead of
    /// becoming visible again.
    pub max_receive_count: Option<u32>,
    pub initial_messages: u64,
    pub in_flight_limit: u64,
    /// API calls accepted per second for each action (`None`: no quota, a
    /// standard queue's default); the rest are throttled.
    pub throughput_limit: Option<u32>,
    /// FIFO high-throughput mode (sets the default quota to 70,000).
    pub high_throughput: bool,
}

/// FIFO queues' default quota: API calls per second, per action.
pub const FIFO_THROUGHPUT_LIMIT: u32 = 300;
/// ... in high-throughput mode.
pub const FIFO_HIGH_THROUGHPUT_LIMIT: u32 = 70_000;

#[derive(Clone, Debug)]
pub struct ProducerConfig {
    pub name: String,
    pub count: u32,
    pub arrival: Arrival,
    /// Sorted by `at`; the rate from `at` on (Poisson and constant arrivals).
    pub schedule: Vec<Phase>,
    /// Sorted by `at`; `count` messages sent by the group at `at`.
    pub bursts: Vec<Burst>,
    /// Messages per send request, 1–10.
    pub batch: u32,
    /// Message size in bytes.
    pub size: Dist,
    pub start: SimTime,
    pub stop: SimTime,
    /// FIFO message groups this group's messages are spread over, ≥ 1.
    pub groups: u32,
    /// How a message's group is drawn.
    pub group_dist: GroupDist,
    /// Share of send requests the producer retries (the same messages sent
    /// again), in [0, 1].
    pub duplicate_rate: f64,
}

/// How a producer draws the message group of each message.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum GroupDist {
    /// Every group equally likely.
    Uniform,
    /// Group `i` (from 1) with probability ∝ `1 / i^s`.
    Zipf { s: f64 },
}

#[derive(Clone, Debug)]
pub enum Arrival {
    /// Messages per second, per producer.
    Poisson { rate: f64 },
    /// Time between messages, per producer.
    Constant { interval: SimTime },
    /// Send times (sorted), replayed by each producer of the group.
    Trace {
        file: String,
        times: Arc<Vec<SimTime>>,
    },
    /// A CloudWatch export of the metric replayed: within each period a
    /// Poisson process of rate Sum / period × `scale`, shared by the group.
    Cloudwatch {
        /// The export files (absolute paths), pages of one export.
        files: Vec<String>,
        metric: String,
        scale: f64,
        replay: Arc<Replay>,
    },
    /// No steady arrivals (only bursts).
    None,
}

/// A regular series read from a CloudWatch export: time 0 is its earliest
/// datapoint.
#[derive(Clone, Debug, Default)]
pub struct Replay {
    /// > 0 once read.
    pub period: SimTime,
    /// The metric's Sum in each period from time 0 (a missing datapoint is 0).
    pub sums: Vec<f64>,
    /// What the user should know about the export (CloudWatch's PartialData).
    pub warning: Option<String>,
}

impl Replay {
    /// From time 0 to the end of the last period.
    pub fn span(&self) -> SimTime {
        SimTime(self.period.micros().saturating_mul(self.sums.len() as u64))
    }

    /// The group's rate (messages per second, unscaled) in force at `t`,
    /// and when it ends; 0 until forever after the last period.
    pub fn rate_at(&self, t: SimTime) -> (f64, SimTime) {
        let p = self.period.micros().max(1);
        let i = t.micros() / p;
        match self.sums.get(i as usize) {
            Some(&sum) => (sum / self.period.as_secs_f64(), SimTime((i + 1) * p)),
            None => (0.0, SimTime::MAX),
        }
    }
}

#[derive(Copy, Clone, Debug)]
pub struct Phase {
    pub at: SimTime,
    /// Messages per second per producer from `at` on.
    pub rate: f64,
}

#[derive(Copy, Clone, Debug)]
pub struct Burst {
    pub at: SimTime,
    pub count: u64,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DeleteMode {
    /// One DeleteMessage after each processed message.
    Each,
    /// One DeleteMessageBatch after the whole response is processed.
    Batch,
}

impl DeleteMode {
    pub fn as_str(self) -> &'static str {
        match self {
            DeleteMode::Each => "each",
            DeleteMode::Batch => "batch",
        }
    }
}

#[derive(Clone, Debug)]
pub struct ConsumerConfig {
    pub name: String,
    pub count: u32,
    /// 0 = short poll; otherwise a long poll of this length (≤ 20 s).
    pub wait_time: SimTime,
    /// 1–10.
    pub max_messages: u32,
    pub visibility_timeout: SimTime,
    pub processing: Dist,
    pub idle_wait: SimTime,
    /// Probability in [0, 1] that a processed message is not deleted.
    pub fail_rate: f64,
    pub delete: DeleteMode,
    pub start: SimTime,
    pub stop: SimTime,
    /// Messages processed at once, 1–1000. 1 is the plain loop (a response's
    /// messages one after another); more keeps one receive in flight while
    /// slots are free (`sim::concurrency`).
    pub concurrency: u32,
    /// ChangeMessageVisibility while a message is still processing.
    pub heartbeat: Option<Heartbeat>,
    /// The group's size follows the backlog (`count` is the starting size).
    pub autoscale: Option<Autoscale>,
    /// `Some`: a Lambda event source mapping (`kind = "lambda"`), whose
    /// pollers replace `count`, `wait_time`, `max_messages`, `processing`,
    /// `idle_wait` and `delete`.
    pub lambda: Option<LambdaConfig>,
}

/// `heartbeat = { interval, extend }`: 1 s ≤ interval < extend ≤ 12 h, and
/// interval < the group's visibility timeout.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Heartbeat {
    pub interval: SimTime,
    pub extend: SimTime,
}

/// What the scaler reads.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ScaleMetric {
    /// ApproximateNumberOfMessagesVisible.
    Visible,
    /// … plus ApproximateNumberOfMessagesNotVisible (KEDA's default).
    VisibleAndInFlight,
}

impl ScaleMetric {
    pub fn as_str(self) -> &'static str {
        match self {
            ScaleMetric::Visible => "visible",
            ScaleMetric::VisibleAndInFlight => "visible_and_in_flight",
        }
    }
}

/// Where the scaler reads it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ScaleSource {
    /// GetQueueAttributes: exact, one billed request per reading.
    Api,
    /// The last complete 1-minute CloudWatch datapoint, published late.
    Cloudwatch,
}

impl ScaleSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ScaleSource::Api => "api",
            ScaleSource::Cloudwatch => "cloudwatch",
        }
    }
}

/// `autoscale = { … }`: min ≤ count ≤ max, target > 0.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Autoscale {
    pub metric: ScaleMetric,
    /// Messages per consumer: desired = ceil(metric / target).
    pub target: f64,
    pub min: u32,
    pub max: u32,
    pub interval: SimTime,
    pub source: ScaleSource,
    /// From the decision to the new consumer's first poll.
    pub startup: SimTime,
    pub scale_in_cooldown: SimTime,
    pub scale_out_cooldown: SimTime,
    /// How long after a minute ends its CloudWatch datapoint can be read.
    pub cloudwatch_delay: SimTime,
}

impl Default for Autoscale {
    /// The defaults of the optional keys; the required ones are read over it.
    fn default() -> Autoscale {
        Autoscale {
            metric: ScaleMetric::VisibleAndInFlight,
            target: 1.0,
            min: 1,
            max: 1,
            interval: SimTime::from_secs(30),
            source: ScaleSource::Api,
            startup: SimTime::ZERO,
            scale_in_cooldown: SimTime::from_secs(300),
            scale_out_cooldown: SimTime::from_secs(60),
            cloudwatch_delay: SimTime::from_secs(120),
        }
    }
}

/// A Lambda event source mapping's settings (`kind = "lambda"`).
#[derive(Clone, Debug)]
pub struct LambdaConfig {
    /// Messages per invocation, 1–10,000 (> 10 only with `batch_window` ≥ 1 s).
    pub batch_size: u32,
    /// How long a poller gathers a batch, 0–300 s.
    pub batch_window: SimTime,
    /// Concurrent invocations allowed, 2–1,000.
    pub maximum_concurrency: u32,
    /// Concurrent invocations the scaling may add in a minute, ≥ 1.
    pub scale_up_per_minute: u32,
    /// How long one invocation runs.
    pub duration: Dist,
    /// 128–10,240 MB.
    pub memory_mb: u32,
    /// Probability in [0, 1] that an invocation fails as a whole.
    pub error_rate: f64,
    /// `ReportBatchItemFailures`: a failed message fails alone.
    pub report_batch_item_failures: bool,
}

#[derive(Copy, Clone, Debug)]
pub struct Outage {
    /// < nodes.
    pub node: u32,
    pub at: SimTime,
    pub duration: SimTime,
}
