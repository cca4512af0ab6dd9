//! The output files agree with each other and with the command line: the
//! time series partitions the run, a replication can be reproduced alone,
//! figures that do not exist are empty, the progress bar stays off a pipe.

use crate::common::{bin, col, read_csv, root, write_file, TINY};
use std::collections::BTreeMap;
use std::path::Path;

/// Runs `sqs-sim run SCENARIO ARGS… --out OUT` quietly, without charts.
fn run_into(scenario: &Path, args: &[&str], out: &Path) -> std::process::Output {
    let res = bin()
        .arg("run")
        .arg(scenario)
        .args(args)
        .args(["--quiet", "--no-charts", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    res
}

/// The counts both files have: a bucket's are those of `[k·b, (k+1)·b)`.
const COUNTS: [&str; 8] = [
    "lambda_invocations",
    "throttled_requests",
    "messages_sent",
    "receive_requests",
    "empty_responses",
    "false_empty_responses",
    "messages_received",
    "messages_deleted",
];

/// Levels: the last bucket's (at the end of the run) are the run's end state.
const LEVELS: [(&str, &str); 4] = [
    ("visible", "visible_at_end"),
    ("in_flight", "in_flight_at_end"),
    ("delayed", "delayed_at_end"),
    ("unreachable", "unreachable_at_end"),
];

/// Checks that the buckets of `timeseries.csv` partition each variant's run:
/// every count summed over the buckets equals `summary.csv`'s (warm-up 0).
fn assert_partition(what: &str, out: &Path) {
    let (sh, srows) = read_csv(&out.join("summary.csv"));
    let (th, trows) = read_csv(&out.join("timeseries.csv"));
    let tv = col(&th, "variant");
    for s in &srows {
        let variant = &s[col(&sh, "variant")];
        let mine: Vec<&Vec<String>> = trows.iter().filter(|r| &r[tv] == variant).collect();
        assert!(!mine.is_empty(), "{what}/{variant}: no time series");
        for name in COUNTS {
            let sum: u64 = mine
                .iter()
                .map(|r| r[col(&th, name)].parse::<u64>().unwrap())
                .sum();
            let total: u64 = s[col(&sh, name)].parse().unwrap();
            assert_eq!(
                sum, total,
                "{what}/{variant}: {name} summed over the buckets"
            );
        }
        let last = mine.last().unwrap();
        for (level, end) in LEVELS {
            assert_eq!(
                last[col(&th, level)],
                s[col(&sh, end)],
                "{what}/{variant}: {level} of the last bucket"
            );
        }
    }
}

/// `(scenario, --set overrides that keep the suite quick)`.
const EXAMPLES: [(&str, &[&str]); 21] = [
    ("autoscale-burst", &["--set", "duration=40m"]),
    ("bursty-traffic", &[]),
    ("concurrency", &["--set", "duration=2m"]),
    ("false-empty-demo", &[]),
    ("fewer-than-1000", &[]),
    ("fifo-groups", &["--set", "duration=2m"]),
    ("fifo-throttling", &["--set", "duration=1m"]),
    ("fifo-vs-standard", &["--set", "duration=2m"]),
    ("heartbeat", &["--set", "duration=1h"]),
    ("idle-queue-monthly-bill", &["--set", "duration=2d"]),
    ("lambda-burst", &[]),
    ("lambda-idle", &["--set", "duration=2d"]),
    ("lambda-scaling", &["--set", "duration=5m"]),
    ("node-outage", &[]),
    ("pickup-latency", &["--set", "duration=1h"]),
    ("poison-messages", &["--set", "duration=30m"]),
    ("reference-load", &["--set", "duration=5m"]),
    ("replay-cloudwatch", &["--set", "duration=2h"]),
    ("short-vs-long", &[]),
    ("wait-time-sweep", &["--set", "duration=2m"]),
    ("when-long-polling-costs-more", &[]),
];

/// `timeseries.csv` buckets `[k·b, (k+1)·b)` partition the run exactly, for
/// every example scenario (each lasts a whole number of buckets, the case
/// where the old closed window lost the last instant), and for a run that
/// ends inside a bucket.
#[test]
fn timeseries_buckets_sum_to_the_summary_for_every_example_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let mut listed = Vec::new();
    for e in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            listed.push(p.file_stem().unwrap().to_string_lossy().to_string());
        }
    }
    listed.sort();
    let names: Vec<&str> = EXAMPLES.iter().map(|e| e.0).collect();
    assert_eq!(listed, names, "every example scenario is checked here");
    for (name, extra) in EXAMPLES {
        let out = dir.path().join(name);
        let sc = root().join("scenarios").join(format!("{name}.toml"));
        let mut args = vec!["--replications", "1", "--set", "warmup=0s"];
        args.extend_from_slice(extra);
        run_into(&sc, &args, &out);
        assert_partition(name, &out);
    }
    let out = dir.path().join("partial");
    let sc = root().join("scenarios/false-empty-demo.toml");
    run_into(&sc, &["--set", "duration=59.5s"], &out);
    assert_partition("false-empty-demo, 59.5 s", &out);
}

/// `--seed S+r --replications 1` reproduces replication r of a run with seed
/// S in every column but `replication`, `events` included (replication 0
/// keeps a time series; its ticks are not model events).
#[test]
fn seed_plus_r_reproduces_replication_r_in_every_column() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write_file(dir.path(), "tiny.toml", TINY);
    run_into(
        &sc,
        &["--seed", "7", "--replications", "3"],
        &dir.path().join("all"),
    );
    run_into(
        &sc,
        &["--seed", "9", "--replications", "1"],
        &dir.path().join("one"),
    );
    let (head, all) = read_csv(&dir.path().join("all/summary.csv"));
    let (_, one) = read_csv(&dir.path().join("one/summary.csv"));
    let rep = col(&head, "replication");
    let without = |r: &Vec<String>| {
        let mut r = r.clone();
        r.remove(rep);
        r
    };
    let third: Vec<Vec<String>> = all.iter().filter(|r| r[rep] == "2").map(without).collect();
    let alone: Vec<Vec<String>> = one.iter().map(without).collect();
    assert_eq!(third, alone);
}

/// With no message delivered, latencies and the cost per message do not
/// exist: empty cells in `summary.csv` and `aggregate.csv`, `n/a` in the
/// table (not 0), and the charts are still drawn.
#[test]
fn figures_that_do_not_exist_are_empty_cells_and_n_a() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write_file(
        dir.path(),
        "idle.toml",
        "duration = \"1m\"\nreplications = 2\n[[consumers]]\nname = \"c\"\nwait_time = \"20s\"\n",
    );
    let out = dir.path().join("out");
    let res = bin()
        .arg("run")
        .arg(&sc)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(res.status.success());
    let table = String::from_utf8_lossy(&res.stdout);
    let row = table.lines().find(|l| l.starts_with("base")).unwrap();
    assert_eq!(row.matches("n/a").count(), 3, "{table}");
    let (head, rows) = read_csv(&out.join("summary.csv"));
    let (ahead, arows) = read_csv(&out.join("aggregate.csv"));
    for name in [
        "latency_mean_s",
        "latency_p50_s",
        "latency_p99_s",
        "latency_max_s",
        "cost_per_million_delivered_usd",
    ] {
        assert!(
            rows.iter().all(|r| r[col(&head, name)].is_empty()),
            "{name}"
        );
        for stat in ["mean", "ci95"] {
            assert_eq!(
                arows[0][col(&ahead, &format!("{name}_{stat}"))],
                "",
                "{name}"
            );
        }
    }
    // Figures that exist stay numbers, 0 included.
    assert_eq!(rows[0][col(&head, "messages_sent")], "0");
    assert!(out.join("charts/cost.png").exists());
}

/// Lists the files `files` of a folder that exist.
fn existing(dir: &Path, files: &[&str]) -> BTreeMap<String, bool> {
    files
        .iter()
        .map(|f| (f.to_string(), dir.join(f).exists()))
        .collect()
}

/// The progress bar is drawn only on a terminal: a run that lasts more than
/// a second with stderr on a pipe prints only its statistics line there.
#[test]
fn progress_bar_is_hidden_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let res = bin()
        .arg("run")
        .arg(root().join("scenarios/reference-load.toml"))
        .args([
            "--set",
            "duration=4h",
            "--no-charts",
            "--jobs",
            "1",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(res.status.success());
    let err = String::from_utf8_lossy(&res.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "only the statistics line:\n{err}");
    assert!(lines[0].starts_with("2 runs: "), "{err}");
    assert!(!err.contains('\r') && !err.contains("ETA") && !err.contains('\u{1b}'));
    let files = existing(&out, &["summary.csv", "aggregate.csv"]);
    assert!(files.values().all(|&e| e), "{files:?}");
}

/// 64 KiB billing end to end, through `summary.csv`: 100 KiB messages, one a
/// second for 10 s. Each send is 2 billed requests; each receive 1 when it
/// arrives plus 1 for its response's second chunk; each delete 1; the long
/// poll still waiting at the end 1: 20 + 11 + 10 + 10 = 51 of 31 requests.
#[test]
fn payloads_over_64_kib_are_billed_per_chunk_in_summary_csv() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write_file(
        dir.path(),
        "big.toml",
        r#"
duration = "10s"
network = "1ms"
[[producers]]
name = "p"
arrival = { kind = "constant", interval = "1s" }
size = "100KiB"
[[consumers]]
name = "c"
wait_time = "20s"
"#,
    );
    let out = dir.path().join("out");
    run_into(&sc, &[], &out);
    let (head, rows) = read_csv(&out.join("summary.csv"));
    let get = |name: &str| rows[0][col(&head, name)].clone();
    assert_eq!(get("messages_sent"), "10");
    assert_eq!(get("messages_received"), "10");
    assert_eq!(get("receive_requests"), "11");
    assert_eq!(get("total_requests"), "31");
    assert_eq!(get("billable_requests"), "51");
    assert_eq!(get("cost_usd").parse::<f64>().unwrap(), 51.0 * 0.40 / 1e6);
}
