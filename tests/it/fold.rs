//! The fold of producers' creations into their sends' arrivals
//! (`model/sim/producers.rs`, `create_batch`) against the same runs with
//! every creation its own event (`RunOptions::every_step`): the same draws
//! and the same sends, so everything measured is the same; only the count
//! of events falls, by one per creation.
//!
//! The fold schedules a send's event earlier than a creation event would,
//! so a send that shares its microsecond with another event can run on the
//! other side of it, and the runs part from there. The scenarios below have
//! no such tie at these seeds, so any difference is the fold's own.

use crate::common::configs;
use sqs_sim::model::{self, ModelConfig, RunOptions, RunResult};

/// The run, folded and not: (folded, every step).
fn both(cfg: &ModelConfig, seed: u64) -> (RunResult, RunResult) {
    let opts = RunOptions {
        timeseries: true,
        ..RunOptions::default()
    };
    let folded = model::run(cfg, seed, opts);
    let every = RunOptions {
        every_step: true,
        ..opts
    };
    (folded, model::run(cfg, seed, every))
}

/// Everything a run measures except its event count.
fn measured(r: &RunResult) -> String {
    let mut r = r.clone();
    r.events = 0;
    format!("{r:?}")
}

fn check(toml: &str, seed: u64) {
    for (variant, cfg) in configs(toml) {
        let (folded, every) = both(&cfg, seed);
        assert!(
            folded.counters.messages_sent > 100,
            "{variant}: too few sends"
        );
        assert_eq!(measured(&folded), measured(&every), "{variant}");
        // At least one creation per send was folded away.
        let sends = every.counters.send_requests();
        assert!(
            every.events >= folded.events + sends,
            "{variant}: {} events folded, {sends} sends",
            every.events - folded.events
        );
    }
}

/// Poisson arrivals, one message per send; short and long polling.
#[test]
fn poisson_sends_are_the_same_folded() {
    check(
        r#"
duration = "2m"
warmup = "10s"
network = "5ms"
[queue]
nodes = 10
sample_nodes = 3
[[producers]]
name = "load"
count = 2
arrival = { kind = "poisson", rate = 40.0 }
size = { kind = "uniform", min = "1KiB", max = "300KiB" }
[[consumers]]
name = "workers"
count = 3
max_messages = 10
processing = { kind = "exponential", mean = "20ms" }
[[variants]]
name = "short"
set = { "consumers.workers.idle_wait" = "100ms" }
[[variants]]
name = "long"
set = { "consumers.workers.wait_time" = "20s" }
"#,
        3,
    );
}

/// Batches that fill over several creations, a schedule of rates, and a
/// producer that stops inside the run with a partial batch to flush.
#[test]
fn batches_schedules_and_flushes_are_the_same_folded() {
    check(
        r#"
duration = "3m"
network = "3ms"
[[producers]]
name = "batched"
arrival = { kind = "poisson", rate = 30.0 }
schedule = [{ at = "1m", rate = 90.0 }, { at = "2m", rate = 0.0 }]
batch = 7
[[producers]]
name = "ticks"
arrival = { kind = "constant", interval = "130ms" }
batch = 4
stop = "2m30s"
[[consumers]]
name = "workers"
count = 2
max_messages = 10
wait_time = "20s"
processing = { kind = "exponential", mean = "10ms" }
"#,
        5,
    );
}
