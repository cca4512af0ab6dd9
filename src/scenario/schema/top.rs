//! The root of a scenario: the run's own keys (`name`, `seed`, …, which
//! variants cannot change), the model's root keys (`duration`, `warmup`,
//! `network`), and the small `[report]` and `[pricing]` tables.

use super::groups::{check_name, NameRule};
use super::read::{join, show_t, Reader};
use super::{Dflt, Key, Keys, Quantity, Section, Shape, Ty};
use crate::engine::SimTime;
use crate::model::cloudwatch::MINUTE;
use crate::model::config::{Arrival, Pricing, QueueKind};
use crate::model::{Dist, ModelConfig};
use toml::Value;

/// Replications per variant at most.
pub const MAX_REPLICATIONS: u64 = 100_000;
/// The longest run (a leap year and a day).
pub const MAX_DURATION: SimTime = SimTime::from_secs(366 * 86400);
/// Time-series rows one run may make.
const MAX_BUCKETS: u64 = 10_000_000;
/// Producers and consumers together: each owns state and random streams.
pub const MAX_ENTITIES: u64 = 1_000_000;

/// The keys that describe the run rather than the model.
#[derive(Clone, Debug)]
pub struct Run {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub replications: u32,
}

/// Before reading: `name` defaults to the file's name (without `.toml`).
pub fn blank_run(file_stem: &str) -> Run {
    Run {
        name: file_stem.to_string(),
        description: String::new(),
        seed: 1,
        replications: 1,
    }
}

pub static RUN: Section<Run> = Section {
    name: "",
    shape: Shape::Root,
    fixed: true,
    help: "the run",
    keys: Keys {
        what: "scenario",
        example: "",
        common: &[
            Key {
                name: "name",
                help:
                    "the results folder's name (`results/<name>/`): letters, digits, `-`, `_`, `.`",
                default: Dflt::From {
                    doc: "file name",
                    value: |_, run| Value::String(run.name.clone()),
                },
                off: None,
                ty: Ty::Text {
                    get: |r| &r.name,
                    set: |r, s| r.name = s,
                },
            },
            Key {
                name: "description",
                help: "printed with the results",
                default: Dflt::Is("\"\""),
                off: None,
                ty: Ty::Text {
                    get: |r| &r.description,
                    set: |r, s| r.description = s,
                },
            },
            Key {
                name: "seed",
                help: "base seed; replication *r* uses seed + *r*",
                default: Dflt::Is("1"),
                off: None,
                ty: Ty::Int {
                    lo: 0,
                    hi: i64::MAX as u64,
                    get: |r| r.seed,
                    set: |r, x| r.seed = x,
                },
            },
            Key {
                name: "replications",
                help: "independent runs per variant; summaries give the mean and 95% CI",
                default: Dflt::Is("1"),
                off: None,
                ty: Ty::Int {
                    lo: 1,
                    hi: MAX_REPLICATIONS,
                    get: |r| r.replications as u64,
                    set: |r, x| r.replications = x as u32,
                },
            },
        ],
        kinds: &[],
        default_kind: None,
        check: |r, _, run, _| {
            if let Err(e) = check_name(&run.name, NameRule::Folder) {
                r.err("name", e);
            }
        },
    },
};

pub static MODEL: Section<ModelConfig> = Section {
    name: "",
    shape: Shape::Root,
    fixed: false,
    help: "the model",
    keys: Keys {
        what: "scenario",
        example: "",
        common: &[
            Key {
                name: "duration",
                help: "simulated time: the run covers `[0, duration)`",
                default: Dflt::FromOr {
                    doc: "the span of a `cloudwatch` arrival's export (the longest); otherwise required",
                    value: |_, m| {
                        let span = m
                            .producers
                            .iter()
                            .filter_map(|p| match &p.arrival {
                                Arrival::Cloudwatch { replay, .. } => Some(replay.span()),
                                _ => None,
                            })
                            .max()?;
                        Some(super::write::time(span.min(MAX_DURATION)))
                    },
                    why: "how long to simulate, e.g. duration = \"10m\"",
                },
                off: None,
                ty: Ty::Time {
                    lo: SimTime(1),
                    hi: MAX_DURATION,
                    get: |m| m.duration,
                    set: |m, t| m.duration = t,
                },
            },
            Key {
                name: "warmup",
                help: "counts, latencies and costs ignore what happens before it; less than `duration`",
                default: Dflt::Is("\"0s\""),
                off: None,
                ty: Ty::Time {
                    lo: SimTime::ZERO,
                    hi: SimTime::MAX,
                    get: |m| m.warmup,
                    set: |m, t| m.warmup = t,
                },
            },
            Key {
                name: "network",
                help: "one-way delay of every API call, each direction",
                default: Dflt::Is("\"0s\""),
                off: None,
                ty: Ty::Dist {
                    of: Quantity::Time,
                    get: |m| &m.network,
                    set: |m, d| m.network = d,
                },
            },
        ],
        kinds: &[],
        default_kind: None,
        check: |r, _, m, _| {
            if m.warmup >= m.duration {
                r.err(
                    "warmup",
                    format!(
                        "found {}, must be less than the duration ({})",
                        show_t(m.warmup),
                        show_t(m.duration)
                    ),
                );
            }
        },
    },
};

pub static REPORT: Section<ModelConfig> = Section {
    name: "report",
    shape: Shape::Table,
    fixed: false,
    help: "what the results record",
    keys: Keys {
        what: "report",
        example: "{ bucket = \"1s\" }",
        common: &[
            Key {
                name: "bucket",
                help: "width of a `timeseries.csv` row",
                default: Dflt::Is("\"1s\""),
                off: None,
                ty: Ty::Time {
                    lo: SimTime::from_millis(1),
                    hi: SimTime::MAX,
                    get: |m| m.bucket,
                    set: |m, t| m.bucket = t,
                },
            },
            Key {
                name: "cloudwatch_period",
                help: "width of a `cloudwatch.csv` row: a whole number of minutes, like a CloudWatch period",
                default: Dflt::Is("\"60s\""),
                off: None,
                ty: Ty::Time {
                    lo: MINUTE,
                    hi: MAX_DURATION,
                    get: |m| m.cloudwatch_period,
                    set: |m, t| m.cloudwatch_period = t,
                },
            },
        ],
        kinds: &[],
        default_kind: None,
        check: |r, ctx, m, path| {
            if m.cloudwatch_period.micros() % MINUTE.micros() != 0 {
                r.err(
                    &join(path, "cloudwatch_period"),
                    format!(
                        "found {}, must be a whole number of minutes (SQS publishes its CloudWatch metrics once a minute)",
                        show_t(m.cloudwatch_period)
                    ),
                );
            }
            if ctx.duration.micros() / m.bucket.micros().max(1) > MAX_BUCKETS {
                r.err(
                    &join(path, "bucket"),
                    format!(
                        "{} buckets over {} make more than 10 million time-series rows; use a wider bucket",
                        show_t(m.bucket),
                        show_t(ctx.duration)
                    ),
                );
            }
        },
    },
};

pub static PRICING: Section<Pricing> = Section {
    name: "pricing",
    shape: Shape::Table,
    fixed: false,
    help: "what requests cost",
    keys: Keys {
        what: "pricing",
        example: "{ per_million = 0.40 }",
        common: &[
            Key {
                name: "per_million",
                help: "USD per million billable requests",
                default: Dflt::From {
                    doc: "0.40; 0.50 for FIFO",
                    value: |m, _| {
                        Value::Float(if m.queue.kind == QueueKind::Fifo {
                            0.50
                        } else {
                            0.40
                        })
                    },
                },
                off: None,
                ty: Ty::Float {
                    lo: 0.0,
                    hi: 1e6,
                    get: |p| p.per_million,
                    set: |p, x| p.per_million = x,
                },
            },
            Key {
                name: "free_tier_requests",
                help: "billable requests that are free: taken off the window's count for `cost_usd`, and off each 30 days for `cost_usd_per_30d` (AWS gives 1 million a month)",
                default: Dflt::Is("0"),
                off: None,
                ty: Ty::Int {
                    lo: 0,
                    hi: u64::MAX / 2,
                    get: |p| p.free_tier_requests,
                    set: |p, x| p.free_tier_requests = x,
                },
            },
            Key {
                name: "tiers",
                help: "USD per million requests by volume, for `cost_usd_per_30d`: `up_to` counts requests per 30 days (the free tier's included); the last tier has no `up_to`",
                default: Dflt::From {
                    doc: "`per_million` up to 100 billion, then 0.30 up to 200 billion, then 0.24 (FIFO: 0.40, 0.35)",
                    value: super::tiers::default_value,
                },
                off: None,
                ty: Ty::Custom {
                    doc: "`[{ up_to, per_million }, …, { per_million }]`",
                    read: super::tiers::read,
                    write: |p| super::tiers::write(&p.tiers),
                },
            },
            Key {
                name: "lambda_per_million",
                help: "Lambda consumers: USD per million invocations",
                default: Dflt::Is("0.20"),
                off: None,
                ty: Ty::Float {
                    lo: 0.0,
                    hi: 1e6,
                    get: |p| p.lambda_per_million,
                    set: |p, x| p.lambda_per_million = x,
                },
            },
            Key {
                name: "lambda_gb_second",
                help: "Lambda consumers: USD per GB-second of billed duration (rounded up to 1 ms per invocation)",
                default: Dflt::Is("0.0000166667"),
                off: None,
                ty: Ty::Float {
                    lo: 0.0,
                    hi: 1e3,
                    get: |p| p.lambda_gb_second,
                    set: |p, x| p.lambda_gb_second = x,
                },
            },
        ],
        kinds: &[],
        default_kind: None,
        check: |r, _, p, path| super::tiers::check(r, p, path),
    },
};

/// A model before any key is read; every field is then set from its key or
/// its default.
pub fn blank() -> ModelConfig {
    ModelConfig {
        duration: SimTime::from_secs(1),
        warmup: SimTime::ZERO,
        network: Dist::Constant(0.0),
        bucket: SimTime::from_secs(1),
        cloudwatch_period: MINUTE,
        pricing: Pricing {
            per_million: 0.40,
            free_tier_requests: 0,
            tiers: Vec::new(),
            lambda_per_million: 0.20,
            lambda_gb_second: 0.0000166667,
        },
        queue: super::queue::blank(),
        producers: Vec::new(),
        consumers: Vec::new(),
        outages: Vec::new(),
    }
}

/// Rules over the whole model.
pub fn check_all(r: &mut Reader, m: &ModelConfig) {
    let entities: u64 = m.producers.iter().map(|p| p.count as u64).sum::<u64>()
        + m.consumers.iter().map(|c| c.count as u64).sum::<u64>();
    if entities > MAX_ENTITIES {
        r.err(
            "",
            format!(
                "{entities} producers and consumers in all; at most {MAX_ENTITIES} are allowed"
            ),
        );
    }
}
