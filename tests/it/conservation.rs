//! Conservation of messages: sent = deleted + visible + in flight +
//! delayed + dead-lettered + expired + unreachable. Every run checks it on
//! whole-run totals (a violation panics); these tests also check it on the
//! reported figures, for runs that exercise every way a message can move.

use crate::common::{config, configs, root, run};
use sqs_sim::model::RunResult;
use sqs_sim::scenario::{Overrides, Scenario};

fn assert_conserved(what: &str, r: &RunResult) {
    let c = &r.counters;
    let rhs = c.messages_deleted
        + r.visible_at_end
        + r.in_flight_at_end
        + r.delayed_at_end
        + c.dead_lettered
        + c.expired
        + r.unreachable_at_end;
    assert_eq!(c.messages_sent, rhs, "{what}: {c:?} {r:?}");
    let t = &r.diagnostics().totals;
    assert_eq!(
        (t.sent, t.deleted, t.dead_lettered, t.expired),
        (
            c.messages_sent,
            c.messages_deleted,
            c.dead_lettered,
            c.expired
        ),
        "{what}: with warmup 0 the reported counts are the whole-run totals"
    );
    assert_eq!(
        r.diagnostics().live_messages,
        r.visible_at_end + r.in_flight_at_end + r.delayed_at_end + r.unreachable_at_end
    );
}

#[test]
fn example_scenarios_conserve_messages() {
    for name in [
        "short-vs-long",
        "bursty-traffic",
        "poison-messages",
        "node-outage",
        "reference-load",
    ] {
        let path = root().join("scenarios").join(format!("{name}.toml"));
        let ov = Overrides {
            sets: vec!["warmup=0".into(), "duration=\"4m\"".into()],
            ..Overrides::default()
        };
        let sc = Scenario::load(&path, &ov).unwrap_or_else(|e| panic!("{e}"));
        for v in sc.resolve().unwrap() {
            let r = run(&v.config, 3);
            assert!(r.counters.messages_sent > 0);
            assert_conserved(&format!("{name}/{}", v.variant), &r);
        }
    }
}

#[test]
fn redelivery_dlq_expiry_delay_and_outages_conserve_messages() {
    let cfg = config(
        r#"
duration = "15m"
network = { kind = "uniform", min = "1ms", max = "9ms" }
[queue]
nodes = 6
sample_nodes = 2
visibility_timeout = "5s"
delay = "3s"
retention = "60s"
max_receive_count = 2
initial_messages = 500
[[producers]]
name = "p"
arrival = { kind = "poisson", rate = 40.0 }
bursts = [ { at = "2m", count = 3000 } ]
batch = 4
[[consumers]]
name = "slow"
count = 2
max_messages = 10
processing = { kind = "exponential", mean = "30ms" }
fail_rate = 0.3
idle_wait = "200ms"
delete = "batch"
start = "30s"
[[consumers]]
name = "long"
wait_time = "10s"
max_messages = 3
visibility_timeout = "2s"
processing = "10ms"
fail_rate = 0.5
stop = "10m"
[[outages]]
node = 1
at = "1m"
duration = "3m"
[[outages]]
node = 4
at = "14m"
duration = "5m"
"#,
    );
    let r = run(&cfg, 11);
    let c = &r.counters;
    assert!(c.redeliveries > 0, "{c:?}");
    assert!(c.dead_lettered > 0, "{c:?}");
    assert!(c.expired > 0, "{c:?}");
    assert!(r.unreachable_at_end > 0 || r.delayed_at_end > 0, "{r:?}");
    assert_conserved("mixed", &r);
}

#[test]
fn late_and_stale_deletes_conserve_messages() {
    // Processing (2 s) outlasts the visibility timeout (1 s). One worker:
    // each delete still carries the message's most recent receipt and
    // deletes it. Two workers: the other one takes the message in between,
    // so deletes are stale and messages end in the dead-letter queue.
    let text = |count: u32| {
        format!(
            r#"
duration = "60s"
network = "1ms"
[queue]
visibility_timeout = "1s"
max_receive_count = 3
initial_messages = 5
[[consumers]]
name = "c"
count = {count}
max_messages = 1
processing = "2s"
wait_time = "20s"
"#
        )
    };
    let one = run(&config(&text(1)), 1);
    assert_eq!(
        (one.counters.messages_deleted, one.counters.stale_deletes),
        (5, 0)
    );
    assert_conserved("late", &one);
    let two = run(&config(&text(2)), 1);
    assert!(two.counters.stale_deletes > 0, "{:?}", two.counters);
    assert!(two.counters.dead_lettered > 0, "{:?}", two.counters);
    assert_conserved("stale", &two);
}

#[test]
fn in_flight_limit_gives_overlimit_errors() {
    let cfgs = configs(
        r#"
duration = "2m"
network = "1ms"
[queue]
visibility_timeout = "12h"
[[producers]]
name = "p"
bursts = [ { at = "0s", count = 125000 } ]
batch = 10
[[consumers]]
name = "c"
count = 20
max_messages = 10
processing = "1ms"
fail_rate = 1.0
idle_wait = "100ms"
[[variants]]
name = "short"
[[variants]]
name = "long"
set = { "consumers.c.wait_time" = "1s" }
"#,
    );
    for (name, cfg) in &cfgs {
        let r = run(cfg, 2);
        assert_eq!(r.in_flight_at_end, 120_000, "{name}");
        assert_eq!(r.visible_at_end, 5_000, "{name}");
        if name == "short" {
            assert!(r.counters.overlimit_responses > 0);
        }
        assert_conserved(name, &r);
    }
}

/// Retention at the run's edge, by hand: 5 messages in the queue at t = 0
/// and nobody to take them, for 2 minutes. With a retention of 2 minutes
/// they expire at 120 s, the first instant after the run (the queue then
/// keeps no retention clock at all); with 1 minute, at 60 s, inside it.
#[test]
fn retention_ending_with_the_run_expires_nothing() {
    for (retention, expired) in [("2m", 0), ("1m", 5)] {
        let r = run(
            &config(&format!(
                "duration = \"2m\"\n[queue]\ninitial_messages = 5\nretention = \"{retention}\"\n"
            )),
            1,
        );
        assert_eq!(r.counters.expired, expired, "retention {retention}");
        assert_eq!(r.visible_at_end, 5 - expired, "retention {retention}");
        assert_conserved(retention, &r);
    }
}
