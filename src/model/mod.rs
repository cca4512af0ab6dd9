//! The SQS model: a fleet of storage nodes holding messages, producers that
//! send, consumers that poll. It knows nothing of files or the command line:
//! it takes a validated [`ModelConfig`] and hands back a [`RunResult`].
//!
//! | module | concept |
//! |---|---|
//! | [`config`] | the validated configuration a run takes (public) |
//! | `dist` | distributions of durations and sizes ([`Dist`]) |
//! | `ids` | typed indices of producers, consumers and nodes |
//! | `messages`, `fleet`, `queue` | message records, the nodes that hold the visible ones, the queue and its clocks |
//! | `sampling` | which nodes a short poll asks; where a message is stored |
//! | `producer`, `consumer` | each entity's state between events |
//! | `sim` | one run: the event loop, by actor (producers, consumers, clocks) |
//! | `billing` | what the requests cost |
//! | `recorder` | what a run measured: counters, latencies, the time series |
//! | `cloudwatch` | the run as CloudWatch sees it: per-period Sums and minute levels |
//! | `observer` | hooks for teaching mode |
//! | `theory` | the closed-form false-empty probability |
//!
//! Only what a library user needs is public; the rest is `pub(crate)`, and
//! what the integration tests and benchmarks reach into is re-exported,
//! hidden, by `crate::testing`.

pub(crate) mod billing;
pub(crate) mod cloudwatch;
pub mod config;
mod consumer;
mod dist;
mod fleet;
pub(crate) mod groups;
pub(crate) mod ids;
pub(crate) mod messages;
pub(crate) mod observer;
mod producer;
pub(crate) mod queue;
pub(crate) mod recorder;
pub(crate) mod sampling;
pub(crate) mod sim;
pub(crate) mod theory;
pub(crate) mod throttle;

pub use cloudwatch::CloudwatchPeriod;
pub use config::ModelConfig;
pub use dist::Dist;
pub use recorder::{Bucket, BucketSink, Counters, LatencyStats};
pub(crate) use sim::run_observed;
/// Pollers a Lambda event source mapping starts with and scales back to.
pub use sim::LAMBDA_FLOOR_POLLERS;
pub use sim::{run, run_into, RunOptions, RunResult, Stall, STALL_EVENTS};
