//! The folds (a producer's creations into its sends' arrivals,
//! `model/sim/producers.rs`, `create_batch`; a consumer's end of processing
//! and delete response into its other steps, `model/sim/consumers.rs`,
//! `process_folded`) against the same runs with every step its own event
//! (`RunOptions::every_step`): the same draws, the same requests at the same
//! instants, the same processing level at every tick, so everything
//! measured is the same; only the count of events falls.
//!
//! A fold schedules a request's event earlier than the step it replaces
//! would, so a request that shares its microsecond with another event can
//! run on the other side of it, and the runs part from there. The scenarios
//! below have no such tie at these seeds, so any difference is a fold's own.

use crate::common::{config, configs};
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

/// The processing level, worked by hand. Messages are created at 0.1 s,
/// 1.1 s, 2.1 s, 3.1 s; in batches of 2, so a send leaves at 1.1 s and at
/// 3.1 s and reaches the queue 5 ms later, where the consumer's long poll
/// waits; the response is back at 1.110 s. The first message is processed
/// over [1.110, 1.410), its delete arrives at 1.415 and its answer at
/// 1.420; the second is processed over [1.420, 1.720). The tick at the end
/// of each 100 ms bucket sees 1 at 1.2 s to 1.7 s (buckets 11 to 16) and 0
/// elsewhere; the same 2 s later.
#[test]
fn the_processing_level_is_the_hand_count() {
    let cfg = &config(
        r#"
duration = "4s"
network = "5ms"
report = { bucket = "100ms" }
[[producers]]
name = "pairs"
arrival = { kind = "constant", interval = "1s" }
batch = 2
start = "100ms"
[[consumers]]
name = "one"
wait_time = "20s"
max_messages = 10
processing = "300ms"
"#,
    );
    let want: Vec<u64> = (0..40)
        .map(|i| u64::from(matches!(i % 20, 11..=16)))
        .collect();
    let (folded, every) = both(cfg, 1);
    for (name, r) in [("folded", &folded), ("every step", &every)] {
        let busy: Vec<u64> = r
            .timeseries
            .as_ref()
            .unwrap()
            .iter()
            .map(|b| b.busy)
            .collect();
        assert_eq!(busy, want, "{name}");
    }
    // Folded: the four creations, the four ends of processing, the four
    // delete responses and the two receive responses. What is left: the
    // first poll, three receives reaching the queue (each parks; the sends
    // serve the first two), two sends and four deletes.
    assert_eq!(every.events - folded.events, 4 + 4 + 4 + 2);
    assert_eq!(folded.events, 1 + 3 + 2 + 4);
}

/// Long polls that mostly time out, and some that a message serves: the
/// shared wait timer (`consumers::park`) ends each unserved wait when a
/// timer of its own would.
#[test]
fn waits_end_on_time_with_one_timer() {
    check(
        r#"
duration = "3m"
network = "4ms"
[[producers]]
name = "sparse"
arrival = { kind = "poisson", rate = 2.0 }
[[consumers]]
name = "waiters"
count = 5
wait_time = "1500ms"
processing = { kind = "exponential", mean = "300ms" }
"#,
        8,
    );
}

/// Worked by hand: no messages, one consumer waiting 5 s, 5 ms each way.
/// Its k-th receive reaches the queue at 0.005 s + 5.010 (k − 1) s and
/// times out 5 s later, so 5 waits end inside 30 s and a 6th is parked at
/// the end; two more consumers do the same in step.
#[test]
fn empty_waits_are_counted_by_hand() {
    let cfg = &config(
        r#"
duration = "30s"
network = "5ms"
[[consumers]]
name = "idle"
count = 3
wait_time = "5s"
"#,
    );
    let (folded, every) = both(cfg, 1);
    for r in [&folded, &every] {
        assert_eq!(r.counters.receive_requests, 3 * 6);
        assert_eq!(r.counters.empty_responses, 3 * 5);
    }
    // Each consumer: its first poll and six receives reaching the queue;
    // unfolded, five responses and the five timeouts of its own.
    assert_eq!(folded.events, 3 * 7 + 5 * 3);
    assert_eq!(every.events, 3 * (7 + 5 + 5));
}
