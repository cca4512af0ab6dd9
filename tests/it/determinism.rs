//! Reproducibility: the same scenario and seed give byte-identical files;
//! another seed gives other numbers; and a variant that changes only the
//! consumers leaves the producers' send times untouched (common random
//! numbers).

use crate::common::{bin, configs, root};
use sqs_sim::model::{self, RunOptions};
use std::fs;
use std::path::Path;

fn run_into(dir: &Path, seed: &str) {
    bin()
        .args([
            "run",
            "--quiet",
            "--seed",
            seed,
            "--set",
            "duration=\"90s\"",
            "--out",
        ])
        .arg(dir)
        .arg(root().join("scenarios/short-vs-long.toml"))
        .assert()
        .success();
}

#[test]
fn same_seed_same_bytes_other_seed_other_numbers() {
    let t = tempfile::tempdir().unwrap();
    let (a, b, c) = (t.path().join("a"), t.path().join("b"), t.path().join("c"));
    run_into(&a, "5");
    run_into(&b, "5");
    run_into(&c, "6");
    for f in ["summary.csv", "aggregate.csv", "timeseries.csv"] {
        let fa = fs::read(a.join(f)).unwrap();
        assert!(!fa.is_empty());
        assert_eq!(
            fa,
            fs::read(b.join(f)).unwrap(),
            "{f} differs between identical runs"
        );
        assert_ne!(
            fa,
            fs::read(c.join(f)).unwrap(),
            "{f} is the same for another seed"
        );
    }
}

#[test]
fn same_results_for_any_number_of_threads() {
    let t = tempfile::tempdir().unwrap();
    for jobs in ["1", "2", "3"] {
        bin()
            .args([
                "run",
                "--quiet",
                "--jobs",
                jobs,
                "--set",
                "duration=\"60s\"",
                "--out",
            ])
            .arg(t.path().join(jobs))
            .arg(root().join("scenarios/short-vs-long.toml"))
            .assert()
            .success();
    }
    for f in ["summary.csv", "aggregate.csv", "timeseries.csv"] {
        let one = fs::read(t.path().join("1").join(f)).unwrap();
        assert_eq!(one, fs::read(t.path().join("2").join(f)).unwrap(), "{f}");
        assert_eq!(one, fs::read(t.path().join("3").join(f)).unwrap(), "{f}");
    }
}

/// Charts are drawn on `--jobs` threads: every chart file (PNG and SVG, the
/// sweep's too) is the same bytes for 1, 2 and 5 threads, and none is
/// missing.
#[test]
fn charts_are_the_same_bytes_for_any_number_of_threads() {
    let t = tempfile::tempdir().unwrap();
    let sweep = root().join("scenarios/wait-time-sweep.toml");
    for jobs in ["1", "2", "5"] {
        bin()
            .args(["sweep", "--quiet", "--format", "both", "--jobs", jobs])
            .args(["--replications", "1", "--set", "duration=\"40s\"", "--out"])
            .arg(t.path().join(jobs))
            .arg(&sweep)
            .assert()
            .success();
    }
    let files = |jobs: &str| {
        let mut v: Vec<_> = fs::read_dir(t.path().join(jobs).join("charts"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    };
    let one = files("1");
    assert!(one.len() >= 12, "PNG and SVG of each chart: {one:?}");
    for jobs in ["2", "5"] {
        let other = files(jobs);
        assert_eq!(one.len(), other.len(), "--jobs {jobs}");
        for (a, b) in one.iter().zip(&other) {
            assert_eq!(a.file_name(), b.file_name());
            assert!(
                fs::read(a).unwrap() == fs::read(b).unwrap(),
                "{} differs with --jobs {jobs}",
                b.display()
            );
        }
    }
}

#[test]
fn consumer_variants_see_the_same_arrivals() {
    let cfgs = configs(
        r#"
duration = "5m"
network = { kind = "exponential", mean = "4ms" }
report = { bucket = "1ms" }
[[producers]]
name = "orders"
arrival = { kind = "poisson", rate = 30.0 }
size = { kind = "uniform", min = "100B", max = "200KiB" }
[[producers]]
name = "batch"
arrival = { kind = "constant", interval = "250ms" }
batch = 3
[[consumers]]
name = "workers"
count = 2
max_messages = 10
processing = { kind = "exponential", mean = "20ms" }
idle_wait = "100ms"
[[variants]]
name = "short"
[[variants]]
name = "long-more"
set = { "consumers.workers.wait_time" = "20s", "consumers.workers.count" = 7, "consumers.workers.max_messages" = 1 }
"#,
    );
    let opts = RunOptions {
        timeseries: true,
        ..RunOptions::default()
    };
    let a = model::run(&cfgs[0].1, 9, opts);
    let b = model::run(&cfgs[1].1, 9, opts);
    let sent = |r: &model::RunResult| -> Vec<u64> {
        r.timeseries
            .as_ref()
            .unwrap()
            .iter()
            .map(|x| x.messages_sent)
            .collect()
    };
    assert_eq!(a.counters.messages_sent, b.counters.messages_sent);
    assert_eq!(
        sent(&a),
        sent(&b),
        "send times (1 ms buckets) differ between consumer variants"
    );
    // Sizes (and so billing of sends) are the producers' too.
    assert_ne!(a.counters.receive_requests, b.counters.receive_requests);
}
