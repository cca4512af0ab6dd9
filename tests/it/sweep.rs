//! Sweeps: `param,value` columns, identical bytes for any `--jobs`, and
//! shards that merge into exactly the unsharded results.

use crate::common::Assert;
use crate::common::{bin, decode_png, dir_files, write_file, TINY};
use std::path::{Path, PathBuf};

const SWEEP: [&str; 4] = ["--param", "queue.sample_nodes", "--values", "1,2,4"];

/// `sqs-sim CMD INPUTS… EXTRA… --out OUT`.
fn cli(cmd: &str, inputs: &[&Path], extra: &[&str], out: &Path) -> Assert {
    bin()
        .arg(cmd)
        .args(inputs)
        .args(extra)
        .arg("--out")
        .arg(out)
        .assert()
}

fn sweep(sc: &Path, out: &Path, extra: &[&str]) {
    let args: Vec<&str> = SWEEP
        .iter()
        .chain(&["--quiet"])
        .chain(extra)
        .copied()
        .collect();
    cli("sweep", &[sc], &args, out).success();
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let sc = write_file(d.path(), "tiny.toml", TINY);
    (d, sc)
}

#[test]
fn sweep_writes_param_value_columns_and_its_charts() {
    let (d, sc) = setup();
    let out = d.path().join("s");
    sweep(&sc, &out, &[]);
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(summary.starts_with("param,value,variant,replication,seed,"));
    // 3 values × 2 variants × 2 replications.
    assert_eq!(summary.lines().count(), 1 + 12);
    assert!(summary.contains("\nqueue.sample_nodes,4,long,1,8,"));
    let aggregate = std::fs::read_to_string(out.join("aggregate.csv")).unwrap();
    assert!(aggregate.starts_with("param,value,variant,replications,"));
    assert_eq!(aggregate.lines().count(), 1 + 6);
    let charts: Vec<String> = dir_files(&out.join("charts")).into_keys().collect();
    assert_eq!(
        charts,
        [
            "sweep_cost_per_million.png",
            "sweep_empty_pct.png",
            "sweep_false_empty_pct.png",
            "sweep_latency_p50.png",
            "sweep_latency_p99.png",
            "tradeoff.png"
        ]
    );
    for (name, bytes) in dir_files(&out.join("charts")) {
        assert_eq!(decode_png(&bytes).0, 960, "{name}");
    }
}

#[test]
fn sweep_outputs_do_not_depend_on_jobs() {
    let (d, sc) = setup();
    let (one, two) = (d.path().join("j1"), d.path().join("j2"));
    sweep(&sc, &one, &["--jobs", "1", "--format", "svg"]);
    sweep(&sc, &two, &["--jobs", "2", "--format", "svg"]);
    let a = dir_files(&one);
    assert!(a.contains_key("summary.csv") && a.contains_key("charts/tradeoff.svg"));
    assert_eq!(a, dir_files(&two));
}

#[test]
fn merged_shards_equal_the_unsharded_sweep() {
    let (d, sc) = setup();
    let whole = d.path().join("whole");
    sweep(&sc, &whole, &[]);
    let mut shards = Vec::new();
    for i in 1..=3 {
        let dir = d.path().join(format!("shard{i}"));
        sweep(&sc, &dir, &["--shard", &format!("{i}/3")]);
        assert!(dir.join("shard.txt").exists());
        assert!(!dir.join("aggregate.csv").exists());
        shards.push(dir);
    }
    let merged = d.path().join("merged");
    // Any order of the shard folders.
    let order = [&shards[2], &shards[0], &shards[1]].map(|p| p.as_path());
    cli("merge", &order, &[], &merged).success();
    assert_eq!(dir_files(&merged), dir_files(&whole));

    // Plotting the merged folder redraws the same charts.
    let charts = dir_files(&merged.join("charts"));
    std::fs::remove_dir_all(merged.join("charts")).unwrap();
    bin().arg("plot").arg(&merged).assert().success();
    assert_eq!(dir_files(&merged.join("charts")), charts);
}

#[test]
fn merge_refuses_an_incomplete_set_of_shards() {
    let (d, sc) = setup();
    let one = d.path().join("one");
    sweep(&sc, &one, &["--shard", "1/2", "--no-charts"]);
    let out = d.path().join("merged");
    cli("merge", &[&one], &[], &out)
        .code(2)
        .stderr_has("missing shard(s) 2/2");
    assert!(!out.exists(), "nothing written on bad input");
    cli("merge", &[&sc], &[], &out)
        .code(2)
        .stderr_has("not a shard folder");
}

#[test]
fn run_shards_merge_too() {
    let (d, sc) = setup();
    let whole = d.path().join("whole");
    cli("run", &[&sc], &["--quiet"], &whole).success();
    let shards: Vec<PathBuf> = (1..=3).map(|i| d.path().join(format!("s{i}"))).collect();
    for (i, dir) in shards.iter().enumerate() {
        let shard = format!("{}/3", i + 1);
        cli("run", &[&sc], &["--quiet", "--shard", &shard], dir).success();
    }
    let merged = d.path().join("merged");
    let dirs: Vec<&Path> = shards.iter().map(PathBuf::as_path).collect();
    cli("merge", &dirs, &[], &merged).success();
    assert_eq!(dir_files(&merged), dir_files(&whole));
}

#[test]
fn a_grid_sweep_has_a_column_pair_per_parameter() {
    let (d, sc) = setup();
    let out = d.path().join("grid");
    let grid: &[&[&str]] = &[
        &["--param", "queue.sample_nodes", "--values", "1,4"],
        &["--param", "consumers.c.count", "--values", "1,3"],
        &["--replications", "1", "--quiet", "--format", "svg"],
    ];
    cli("sweep", &[&sc], &grid.concat(), &out).success();
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(summary.starts_with("param,value,param2,value2,variant,"));
    assert_eq!(summary.lines().count(), 1 + 2 * 2 * 2);
    let svg = std::fs::read_to_string(out.join("charts/sweep_empty_pct.svg")).unwrap();
    assert!(
        svg.contains("short, count=3"),
        "one line per variant × other value"
    );
}

#[test]
fn sweep_flags_are_checked() {
    let (_d, sc) = setup();
    bin()
        .arg("sweep")
        .arg(&sc)
        .assert()
        .code(2)
        .stderr_has("nothing to sweep");
    bin()
        .arg("sweep")
        .arg(&sc)
        .args(["--param", "queue.sample_nodes"])
        .assert()
        .code(2)
        .stderr_has("come in pairs");
    bin()
        .arg("sweep")
        .arg(&sc)
        .args(["--param", "queue.nope", "--values", "1"])
        .assert()
        .code(2);
    bin()
        .arg("run")
        .arg(&sc)
        .args(["--shard", "4/3"])
        .assert()
        .code(2);
}

#[test]
fn sweeps_refuse_the_run_itself_and_a_repeated_param() {
    let (_d, sc) = setup();
    for p in ["seed", "replications", "name"] {
        bin()
            .arg("sweep")
            .arg(&sc)
            .args(["--param", p, "--values", "1,2"])
            .assert()
            .code(2)
            .stderr_has("cannot be swept");
    }
    bin()
        .arg("sweep")
        .arg(&sc)
        .args(["--param", "queue.nodes", "--values", "4,5"])
        .args(["--param", "queue.nodes", "--values", "6"])
        .assert()
        .code(2)
        .stderr_has("given twice");
}

/// Two shards of the sweep, and a way to break one of them.
fn broken_merge(break_it: impl Fn(&Path, &Path), says: &str) {
    let (d, sc) = setup();
    let (one, two) = (d.path().join("one"), d.path().join("two"));
    sweep(&sc, &one, &["--shard", "1/2", "--no-charts"]);
    sweep(&sc, &two, &["--shard", "2/2", "--no-charts"]);
    break_it(&one, &two);
    let out = d.path().join("merged");
    cli("merge", &[&one, &two], &["--no-charts"], &out)
        .code(2)
        .stderr_has("shard 2/2")
        .stderr_has(says);
    assert!(!out.exists(), "nothing written");
}

#[test]
fn merge_refuses_a_summary_cut_to_its_header() {
    broken_merge(
        |_, two| {
            let s = std::fs::read_to_string(two.join("summary.csv")).unwrap();
            let head = s.lines().next().unwrap();
            std::fs::write(two.join("summary.csv"), format!("{head}\n")).unwrap();
        },
        "summary.csv has 0 run(s) but the shard ran 6",
    );
}

#[test]
fn merge_refuses_a_truncated_latency_cdf() {
    broken_merge(
        |_, two| {
            let s = std::fs::read_to_string(two.join("latency_cdf.csv")).unwrap();
            let cut: Vec<&str> = s.lines().collect();
            let cut = cut[..cut.len() / 2].join("\n") + "\n";
            std::fs::write(two.join("latency_cdf.csv"), cut).unwrap();
        },
        "latency_cdf.csv is not the file the shard wrote",
    );
}

#[test]
fn merge_refuses_another_shards_rows() {
    broken_merge(
        |one, two| {
            std::fs::copy(one.join("summary.csv"), two.join("summary.csv")).unwrap();
        },
        "summary.csv is not the file the shard wrote",
    );
}

#[test]
fn a_sweep_of_1100_points_needs_no_file_per_point() {
    // With at most 64 files open, one open file per point (as before) fails
    // at the 50-odd-th; closing each part file after its run does not.
    let (d, sc) = setup();
    let values: Vec<String> = (1..=1100).map(|i| i.to_string()).collect();
    let out = d.path().join("wide");
    let script = format!(
        "ulimit -n 64 && exec \"$0\" sweep \"$1\" --replications 1 --param queue.initial_messages --values {} --quiet --no-charts --jobs 2 --out \"$2\"",
        values.join(",")
    );
    let status = std::process::Command::new("sh")
        .args(["-c", &script])
        .arg(crate::common::exe())
        .arg(&sc)
        .arg(&out)
        .env("RUST_BACKTRACE", "0")
        .status()
        .unwrap();
    assert!(status.success());
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 1 + 1100 * 2);
}
