//! `cloudwatch.csv` (issue 15, the output half): its Sums add up to
//! `summary.csv`'s totals, its `ApproximateAgeOfOldestMessage` is exact on
//! a hand-worked run, `compare` of a run against its own metrics (both JSON
//! shapes of the AWS CLI) finds ratio 1 and error 0, and bad values of the
//! new keys (`report.cloudwatch_period`, `pricing.tiers`) exit 2 naming
//! the key.

use crate::common::{bin, col, read_csv, root, write_file};
use std::collections::BTreeMap;
use std::path::Path;

/// Runs `scenario` (a path) into `out` with `args`.
fn run(scenario: &Path, out: &Path, args: &[&str]) {
    bin()
        .arg("run")
        .arg(scenario)
        .args(args)
        .args(["--quiet", "--no-charts", "--replications", "1", "--out"])
        .arg(out)
        .assert()
        .success();
}

/// With `warmup = 0` the counts of `summary.csv` cover the whole run, and so
/// does `cloudwatch.csv` (every period of replication 0): each Sum metric's
/// column, summed per variant, equals its summary column exactly — for a
/// standard queue, a FIFO queue, Lambda consumers, poison messages and an
/// outage. Periods are whole minutes from 0, the last cut by the run's end;
/// the FIFO groups metric is filled for FIFO queues only.
#[test]
fn cloudwatch_sums_equal_summary_totals() {
    let cases: &[(&str, &str)] = &[
        ("short-vs-long", "150s"),
        ("fifo-vs-standard", "150s"),
        ("lambda-burst", "2m"),
        ("poison-messages", "3m"),
        ("node-outage", "150s"),
    ];
    let pairs = [
        ("NumberOfMessagesSent", "messages_sent"),
        ("NumberOfMessagesReceived", "messages_received"),
        ("NumberOfMessagesDeleted", "messages_deleted"),
        ("NumberOfEmptyReceives", "empty_responses"),
    ];
    for (name, duration) in cases {
        let d = tempfile::tempdir().unwrap();
        let scenario = root().join(format!("scenarios/{name}.toml"));
        let set_d = format!("duration={duration}");
        run(
            &scenario,
            d.path(),
            &["--set", "warmup=0s", "--set", &set_d],
        );
        let (sh, srows) = read_csv(&d.path().join("summary.csv"));
        let (ch, crows) = read_csv(&d.path().join("cloudwatch.csv"));
        let secs: f64 = duration
            .trim_end_matches(['s', 'm'])
            .parse::<f64>()
            .unwrap()
            * if duration.ends_with('m') { 60.0 } else { 1.0 };
        let periods = (secs / 60.0).ceil() as usize;
        for s in &srows {
            let variant = &s[col(&sh, "variant")];
            let mine: Vec<&Vec<String>> = crows.iter().filter(|r| &r[0] == variant).collect();
            let starts: Vec<String> = mine.iter().map(|r| r[1].clone()).collect();
            let want: Vec<String> = (0..periods)
                .map(|k| format!("{:.1}", 60.0 * k as f64))
                .collect();
            assert_eq!(starts, want, "{name} {variant}: one row per minute");
            for (metric, column) in pairs {
                let c = col(&ch, metric);
                let sum: u64 = mine.iter().map(|r| r[c].parse::<u64>().unwrap()).sum();
                let total: u64 = s[col(&sh, column)].parse().unwrap();
                assert_eq!(sum, total, "{name} {variant}: {metric} vs {column}");
            }
            let groups = col(&ch, "ApproximateNumberOfGroupsWithInflightMessages");
            let fifo = *name == "fifo-vs-standard" && variant == "fifo";
            assert!(
                mine.iter().all(|r| r[groups].is_empty() != fifo),
                "{name} {variant}: the groups metric is for FIFO queues only"
            );
        }
    }
}

/// The hand-worked case. One producer sends a 100-byte message every second
/// from t = 0 (SendMessage at k s reaches the queue at k + 0.005 s: the
/// network is 5 ms each way); the only consumer starts at 150 s and long
/// polls (20 s, 10 messages a receive, no processing time).
///
/// - Minute 60: the messages stored at 0.005, 1.005, …, 59.005 s wait, so
///   60 are visible and the oldest is 60 − 0.005 = 59.995 s old.
/// - Minute 120: 120 visible, the oldest 119.995 s old.
/// - From 150 s the consumer drains the backlog (150 messages in 15 receives
///   of 10, each followed by 10 deletes of 10 ms: under 2 s); then it waits in
///   a long poll, which takes each message the instant it is stored. At
///   180, 240 and the end (300 s) the next message is still on its way, so
///   nothing is visible: age 0.
/// - Each minute stores 60 messages (those sent at 60k … 60k + 59 s);
///   SentMessageSize is 100 bytes.
///
/// With 1-minute periods the rows read 59.995, 119.995, 0, 0, 0; with
/// 2-minute periods the Maximum of each pair of minutes: 119.995 (the
/// minutes 60 and 120), 0 (180, 240), and 0 for the last period, cut at
/// 300 s and read at the end.
#[test]
fn age_of_oldest_message_by_hand() {
    let d = tempfile::tempdir().unwrap();
    let scenario = write_file(
        d.path(),
        "age.toml",
        r#"
name = "age"
duration = "300s"
network = "5ms"
[[producers]]
name = "p"
size = 100
arrival = { kind = "constant", interval = "1s" }
[[consumers]]
name = "c"
start = "150s"
wait_time = "20s"
max_messages = 10
"#,
    );
    let ages = |period: &str| -> Vec<(String, String, String, String)> {
        let out = d.path().join(format!("out-{period}"));
        let set = format!("report.cloudwatch_period={period}");
        run(&scenario, &out, &["--set", &set]);
        let (h, rows) = read_csv(&out.join("cloudwatch.csv"));
        let pick = |r: &Vec<String>, m: &str| r[col(&h, m)].clone();
        rows.iter()
            .map(|r| {
                (
                    pick(r, "ApproximateAgeOfOldestMessage"),
                    pick(r, "ApproximateNumberOfMessagesVisible"),
                    pick(r, "NumberOfMessagesSent"),
                    pick(r, "SentMessageSize"),
                )
            })
            .collect()
    };
    let row = |age: &str, visible: &str, sent: &str| {
        (
            age.to_string(),
            visible.to_string(),
            sent.to_string(),
            "100.0".to_string(),
        )
    };
    assert_eq!(
        ages("60s"),
        [
            row("59.995", "60", "60"),
            row("119.995", "120", "60"),
            row("0.0", "0", "60"),
            row("0.0", "0", "60"),
            row("0.0", "0", "60"),
        ]
    );
    assert_eq!(
        ages("2m"),
        [
            row("119.995", "120", "120"),
            row("0.0", "0", "120"),
            row("0.0", "0", "60"),
        ]
    );
}

/// The run's own metrics as an export, in either shape the AWS CLI prints:
/// `get-metric-data` (newest first, `+00:00` stamps) or
/// `get-metric-statistics` (datapoints in no order, `Z` stamps, the
/// statistic under its own name).
fn export(metric: &str, statistic: &str, values: &[f64], statistics_shape: bool) -> String {
    let stamp = |i: usize, z: bool| {
        let s = 60 * i;
        let (h, m) = (10 + s / 3600, (s % 3600) / 60);
        format!(
            "2026-11-02T{h:02}:{m:02}:00{}",
            if z { "Z" } else { "+00:00" }
        )
    };
    if statistics_shape {
        // Odd indices first, then even ones: "in no particular order".
        let order = (0..values.len())
            .filter(|i| i % 2 == 1)
            .chain((0..values.len()).filter(|i| i % 2 == 0));
        let points: Vec<String> = order
            .map(|i| {
                format!(
                    "        {{\n            \"Timestamp\": \"{}\",\n            \"{statistic}\": {:?},\n            \"Unit\": \"Count\"\n        }}",
                    stamp(i, true),
                    values[i]
                )
            })
            .collect();
        format!(
            "{{\n    \"Label\": \"{metric}\",\n    \"Datapoints\": [\n{}\n    ]\n}}\n",
            points.join(",\n")
        )
    } else {
        let idx: Vec<usize> = (0..values.len()).rev().collect();
        let stamps: Vec<String> = idx
            .iter()
            .map(|&i| format!("\"{}\"", stamp(i, false)))
            .collect();
        let vals: Vec<String> = idx.iter().map(|&i| format!("{:?}", values[i])).collect();
        format!(
            "{{\n    \"MetricDataResults\": [\n        {{\n            \"Id\": \"m1\",\n            \"Label\": \"{metric}\",\n            \"Timestamps\": [{}],\n            \"Values\": [{}],\n            \"StatusCode\": \"Complete\"\n        }}\n    ],\n    \"Messages\": []\n}}\n",
            stamps.join(", "),
            vals.join(", ")
        )
    }
}

/// A FIFO run (so every metric, the groups one included, has values)
/// compared with its own `cloudwatch.csv` turned into exports: every metric
/// in both shapes gives ratio 1 and mean absolute error 0 in `compare.csv`.
#[test]
fn compare_against_its_own_metrics_gives_ratio_1_and_error_0() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("results");
    run(
        &root().join("scenarios/fifo-vs-standard.toml"),
        &out,
        &["--set", "duration=5m"],
    );
    let (h, rows) = read_csv(&out.join("cloudwatch.csv"));
    let mine: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "fifo").collect();
    assert_eq!(mine.len(), 5);
    let statistic = |m: &str| match m {
        "SentMessageSize" => "Average",
        m if m.starts_with("Approximate") => "Maximum",
        _ => "Sum",
    };
    let metrics: Vec<&String> = h[2..].iter().collect();
    assert_eq!(metrics.len(), 10);
    for shape in [false, true] {
        let mut files = Vec::new();
        for m in &metrics {
            let c = col(&h, m);
            let values: Vec<f64> = mine.iter().map(|r| r[c].parse().unwrap()).collect();
            let f = write_file(
                d.path(),
                &format!("{m}-{shape}.json"),
                &export(m, statistic(m), &values, shape),
            );
            files.push(f.to_str().unwrap().to_string());
        }
        let res = bin()
            .arg("compare")
            .arg(&out)
            .args(&files)
            .args(["--variant", "fifo"])
            .output()
            .unwrap();
        assert!(
            res.status.success(),
            "{}",
            String::from_utf8_lossy(&res.stderr)
        );
        let (ch, crows) = read_csv(&out.join("compare/compare.csv"));
        assert_eq!(crows.len(), 10, "one row per metric");
        let by_metric: BTreeMap<&str, &Vec<String>> = crows
            .iter()
            .map(|r| (r[col(&ch, "metric")].as_str(), r))
            .collect();
        for m in &metrics {
            let r = by_metric[m.as_str()];
            assert_eq!(r[col(&ch, "ratio")], "1", "{m} (statistics shape: {shape})");
            assert_eq!(
                r[col(&ch, "mean_abs_error")],
                "0",
                "{m} (statistics shape: {shape})"
            );
        }
    }
}

/// Bad values of the new keys exit 2, naming the key, through `run` and
/// `validate`, and leave nothing behind.
#[test]
fn bad_new_keys_exit_2_naming_the_key() {
    let d = tempfile::tempdir().unwrap();
    let base = "name = \"bad\"\nduration = \"10m\"\n[[producers]]\nname = \"p\"\narrival = { kind = \"poisson\", rate = 1.0 }\n";
    let cases = [
        ("[report]\ncloudwatch_period = \"90s\"\n", "report.cloudwatch_period", "whole number of minutes"),
        ("[report]\ncloudwatch_period = \"30s\"\n", "report.cloudwatch_period", "allowed range"),
        ("[pricing]\ntiers = []\n", "pricing.tiers", "expected an array"),
        ("[pricing]\ntiers = [{ per_million = 0.4 }, { per_million = 0.3 }]\n", "pricing.tiers.0", "missing `up_to`"),
        ("[pricing]\ntiers = [{ up_to = 100, per_million = 0.4 }]\n", "pricing.tiers.0.up_to", "the last tier has no `up_to`"),
        (
            "[pricing]\ntiers = [{ up_to = 100, per_million = 0.4 }, { up_to = 50, per_million = 0.3 }, { per_million = 0.2 }]\n",
            "pricing.tiers.1.up_to",
            "must be more than",
        ),
        ("[pricing]\ntiers = [{ up_to = 100, per_million = -1 }, { per_million = 0.3 }]\n", "pricing.tiers.0.per_million", "allowed range"),
        ("[pricing]\ntiers = [{ up_to = 100, price = 0.4 }, { per_million = 0.3 }]\n", "pricing.tiers.0.price", "unknown"),
        ("[pricing]\ntiers = [{ up_to = 100, per_million = 0.5 }, { per_million = 0.3 }]\n", "pricing.tiers.0.per_million", "must equal pricing.per_million"),
    ];
    for (i, (extra, key, why)) in cases.iter().enumerate() {
        let f = write_file(d.path(), &format!("bad{i}.toml"), &format!("{base}{extra}"));
        for command in ["run", "validate"] {
            let out = d.path().join(format!("out{i}"));
            let res = bin()
                .env("RUST_BACKTRACE", "0")
                .arg(command)
                .arg(&f)
                .args(if command == "run" {
                    vec!["--quiet", "--out", out.to_str().unwrap()]
                } else {
                    vec![]
                })
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&res.stderr);
            assert_eq!(res.status.code(), Some(2), "{command} {key}: {err}");
            assert!(
                err.contains(key) && err.contains(why),
                "{command} {key}: {err}"
            );
            assert!(!out.exists(), "{command} {key}: nothing written");
        }
    }
}
