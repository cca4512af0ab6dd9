//! Memory follows live state: once messages are deleted, expire or are
//! dead-lettered, nothing of them stays in the queue's stores or in the
//! lazily-cleaned indexes (timer lanes, retention order, node stores,
//! waiters), and what the indexes hold mid-run is bounded by recent traffic,
//! not by the run's length.

use crate::common::{config, run};

/// Sends for `send_for`, then lets the consumers (if any) drain for the rest
/// of a 10-minute run.
fn drained(queue: &str, consumers: &str, send_for: &str) -> sqs_sim::model::RunResult {
    let toml = format!(
        r#"
        name = "drain"
        seed = 5
        duration = "10m"
        network = "5ms"
        [queue]
        nodes = 10
        {queue}
        [[producers]]
        name = "p"
        arrival = {{ kind = "poisson", rate = 100.0 }}
        stop = "{send_for}"
        {consumers}
        "#
    );
    let r = run(&config(&toml), 5);
    assert!(
        r.diagnostics().totals.sent > 1000,
        "the producer sent: {:?}",
        r.diagnostics().totals
    );
    r
}

/// No live message, and no index entry but one per parked long poll.
fn nothing_left(r: &sqs_sim::model::RunResult, parked: usize) {
    assert_eq!(r.diagnostics().live_messages, 0);
    assert!(
        r.diagnostics().index_entries <= parked,
        "index entries left: {} (parked long polls: {parked})",
        r.diagnostics().index_entries
    );
}

const LONG_POLLERS: &str = r#"
    [[consumers]]
    name = "c"
    count = 4
    wait_time = "20s"
    max_messages = 10
    processing = { kind = "exponential", mean = "5ms" }
"#;

#[test]
fn deleted_messages_leave_nothing_behind() {
    let r = drained("delay = \"2s\"", LONG_POLLERS, "2m");
    assert_eq!(r.diagnostics().totals.deleted, r.diagnostics().totals.sent);
    nothing_left(&r, 4);
}

#[test]
fn expired_messages_leave_nothing_behind() {
    let r = drained("retention = \"60s\"", "", "2m");
    assert_eq!(r.diagnostics().totals.expired, r.diagnostics().totals.sent);
    nothing_left(&r, 0);
}

#[test]
fn dead_lettered_messages_leave_nothing_behind() {
    let consumers = r#"
        [[consumers]]
        name = "c"
        count = 4
        wait_time = "20s"
        max_messages = 10
        processing = { kind = "constant", value = "1ms" }
        fail_rate = 1.0
    "#;
    let r = drained(
        "visibility_timeout = \"5s\"\nmax_receive_count = 2",
        consumers,
        "1m",
    );
    assert_eq!(
        r.diagnostics().totals.dead_lettered,
        r.diagnostics().totals.sent
    );
    assert_eq!(
        r.diagnostics().totals.redeliveries,
        r.diagnostics().totals.sent
    );
    nothing_left(&r, 4);
}

#[test]
fn indexes_are_bounded_by_recent_traffic_not_run_length() {
    // 200 msg/s for 20 minutes (240,000 messages), short polling.
    let toml = r#"
        name = "steady"
        seed = 9
        duration = "20m"
        network = "5ms"
        [queue]
        nodes = 10
        sample_nodes = 3
        [[producers]]
        name = "p"
        arrival = { kind = "poisson", rate = 200.0 }
        [[consumers]]
        name = "c"
        count = 8
        max_messages = 10
        idle_wait = "100ms"
        processing = { kind = "exponential", mean = "20ms" }
    "#;
    let r = run(&config(toml), 9);
    assert!(r.diagnostics().totals.sent > 200_000);
    // Deleted messages' timer entries wait at most one visibility timeout
    // (30 s, ~6,000 receives) before the timer drops them.
    let recent = 200 * 40;
    assert!(
        r.diagnostics().index_entries as u64 <= 2 * r.diagnostics().live_messages + 1024 + recent,
        "index entries {} for {} live messages",
        r.diagnostics().index_entries,
        r.diagnostics().live_messages
    );
}

/// Issue 17: with a 12 h visibility timeout no timer runs out during the run,
/// so the lanes never drop a deleted message's entry at their front; 20
/// minutes at 200 msg/s would leave ~240,000 of them. Lanes compact past
/// twice the messages in flight (plus 1,024), retention's order past twice
/// the live messages (plus 1,024): what stays is bounded by live state.
#[test]
fn a_long_visibility_timeout_leaves_no_dead_timers() {
    let toml = r#"
        name = "long-vt"
        seed = 4
        duration = "20m"
        network = "5ms"
        [queue]
        nodes = 10
        visibility_timeout = "12h"
        [[producers]]
        name = "p"
        arrival = { kind = "poisson", rate = 200.0 }
        [[consumers]]
        name = "c"
        count = 8
        max_messages = 10
        wait_time = "20s"
        processing = { kind = "exponential", mean = "20ms" }
    "#;
    let r = run(&config(toml), 4);
    let d = r.diagnostics();
    assert!(d.totals.sent > 200_000, "{:?}", d.totals);
    // Timers + retention order + node stores (each at most live or twice
    // live plus 1,024) + one waiter per consumer.
    let bound = 5 * d.live_messages + 2 * 1024 + 8;
    assert!(
        d.index_entries as u64 <= bound,
        "index entries {} for {} live messages (bound {bound})",
        d.index_entries,
        d.live_messages
    );
}

/// Peak resident memory, in KiB, of `sqs-sim run` on a one-variant scenario
/// of 1 s runs with `replications` replications (`wait4` reports it for that
/// one child, whatever else the test binary runs meanwhile).
#[cfg(target_os = "linux")]
fn peak_rss_kib(replications: u32) -> i64 {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("many.toml");
    std::fs::write(
        &scenario,
        r#"
        name = "many"
        seed = 3
        duration = "1s"
        network = "5ms"
        [queue]
        nodes = 4
        sample_nodes = 2
        [[producers]]
        name = "p"
        arrival = { kind = "poisson", rate = 5.0 }
        [[consumers]]
        name = "c"
        wait_time = "20s"
        "#,
    )
    .unwrap();
    // Reaped by `wait4` below, which reports the child's own peak.
    #[allow(clippy::zombie_processes)]
    let child = std::process::Command::new(crate::common::exe())
        .arg("run")
        .arg(&scenario)
        .args(["--replications", &replications.to_string()])
        .args(["--jobs", "2", "--quiet", "--no-charts", "--out"])
        .arg(dir.path().join("out"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (mut status, mut usage) = (0, unsafe { std::mem::zeroed::<libc::rusage>() });
    // SAFETY: waits for our own child, which nothing else waits for.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "status {status}"
    );
    let summary = std::fs::read_to_string(dir.path().join("out/summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), replications as usize + 1);
    usage.ru_maxrss
}

/// Issue 11, finding 7: a study's memory does not grow with its number of
/// runs. Rows are streamed to disk and aggregates computed from the file, so
/// 20,000 more runs may cost only noise; holding each run (its result, its
/// summary row, its CSV bytes: about 2.5 KiB) would cost some 50 MiB.
#[cfg(target_os = "linux")]
#[test]
fn a_study_does_not_hold_its_runs() {
    let few = peak_rss_kib(500);
    let many = peak_rss_kib(20_500);
    assert!(
        many - few < 8 * 1024,
        "peak RSS {few} KiB for 500 runs, {many} KiB for 20,500"
    );
}
