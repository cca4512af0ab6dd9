//! # sqs-sim
//!
//! A deterministic discrete-event simulator of Amazon SQS polling: producers,
//! consumers and a fleet of storage nodes, measuring what short and long
//! polling cost in requests, empty and *false* empty responses, dollars and
//! latency.
//!
//! ## Layout
//!
//! Data flows one way:
//!
//! ```text
//! scenario ──► model ──► events ──► recorder ──► report ──► study ──► cli
//! TOML, --set   ModelConfig  the loop   counters,    CSV rows,   runs ×       flags,
//! → validated   per variant  (engine)   latencies,   aggregates, replications, printing
//!                                       time series  charts      → a folder
//! ```
//!
//! | module | role |
//! |---|---|
//! | [`scenario`] | TOML files, `--set`/variant paths, the key schema (`scenario/schema/`), validation, the runaway guard → [`ModelConfig`] per variant |
//! | [`engine`] | simulated time, the `(time, seq)` event queue, seeded streams; knows nothing of SQS |
//! | [`model`] | the SQS model: fleet and sampling, the queue's message states, producers, consumers, the event loop (`model/sim/`, one file per actor), billing and the recorder; never does I/O |
//! | `runner` (private) | runs jobs on worker threads and hands them on in job order through a bounded reorder buffer; the progress bar; the one check that a run reached its end |
//! | `report` (private) | every output file: `summary.csv` (one [`Metric`] per column), `aggregate.csv`, `timeseries.csv`, `cloudwatch.csv`, `latency_cdf.csv`, `false_empty_by_depth.csv`, the terminal table, shard manifests, atomic folder commits; `report/charts/` draws every chart from those CSVs (the only user of plotters) |
//! | [`study`] | the pipeline: a scenario → a [`Study`] (variants or a sweep grid) → [`study::run`] (or one shard of it) → a results folder; [`merge`], [`plot`] |
//! | `explain` (private) | teaching mode: the story of a run's first requests, the scene of its picture (drawn in `report/charts/teaching.rs`), the lesson page, false empties vs theory |
//! | `cli` (hidden) | the command line: maps flags to [`study`] and prints; [`error`] maps failures to exit codes |
//!
//! The public API is what this page lists: load a [`Scenario`] (with
//! [`Overrides`]), then either [`run`] one [`ModelConfig`] and read its
//! [`RunResult`], or build a [`Study`] and [`study::run`] it into a folder.
//! `docs/architecture.md` says what may depend on what, and where a new
//! scenario key, consumer kind or output file goes.
//!
//! ## Guarantees
//!
//! - Time is integer microseconds; events at the same instant run in the
//!   order they were scheduled. A run simulates `[0, duration)`; a run in
//!   which simulated time stands still for [`model::STALL_EVENTS`] events
//!   is stopped and reported, never left to loop.
//! - Same scenario + seed ⇒ byte-identical outputs, for any `--jobs`.
//! - Every entity draws from its own stream keyed by its group's name, so
//!   variants that change consumers see the same arrivals (common random numbers).
//! - Message conservation is checked at the end of every run.

#[doc(hidden)]
pub mod cli;
pub mod engine;
pub mod error;
pub(crate) mod explain;
pub mod model;
pub(crate) mod report;
pub(crate) mod runner;
pub mod scenario;
pub mod study;
#[doc(hidden)]
pub mod testing;

pub use error::{Error, Result};
pub use model::{run, ModelConfig, RunOptions, RunResult};
pub use report::advice::{Advice, Candidate, Reason};
pub use report::aggregate::{Aggregate, Estimate};
pub use report::charts::canvas::ImageFormat;
pub use report::shard::Shard;
pub use report::summary::Metric;
pub use report::warnings::{Code, Warning};
pub use scenario::guard::Limits;
pub use scenario::{Overrides, Resolved, Scenario, ScenarioError};
pub use study::{merge, plot, Axis, Finished, Output, RunStats, Study};
