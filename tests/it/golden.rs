//! Golden results: every example scenario, at its own fixed seed (shortened
//! where a full run would slow the suite), must produce exactly the CSVs
//! committed under `tests/golden/<scenario>/`, through the command a user
//! would run it with (`sweep` for a scenario with a `[sweep]` table).
//! Optimisations of the engine must leave these bytes unchanged; a change
//! that legitimately alters results regenerates them deliberately with
//! `UPDATE_GOLDEN=1 cargo test --release` and says why in its commit.

use crate::common::{assert_golden, bin, root};

const FILES: [&str; 6] = [
    "summary.csv",
    "aggregate.csv",
    "timeseries.csv",
    "latency_cdf.csv",
    "false_empty_by_depth.csv",
    "cloudwatch.csv",
];

fn check(command: &str, scenario: &str, extra: &[&str]) {
    let out = tempfile::tempdir().unwrap();
    bin()
        .arg(command)
        .arg(root().join("scenarios").join(format!("{scenario}.toml")))
        .args(extra)
        .args(["--quiet", "--no-charts", "--out"])
        .arg(out.path())
        .assert()
        .success();
    for f in FILES {
        let got = std::fs::read(out.path().join(f)).unwrap();
        assert_golden(&format!("tests/golden/{scenario}/{f}"), &got);
    }
}

/// One test per example scenario, `name: "command" "scenario" [extra args];`,
/// and the list of the scenarios they cover.
macro_rules! golden {
    ($($name:ident: $command:literal $scenario:literal [$($arg:literal),*];)*) => {
        $(
            #[test]
            fn $name() {
                check($command, $scenario, &[$($arg),*]);
            }
        )*
        /// `(command, scenario)` of every golden test above.
        const COVERED: &[(&str, &str)] = &[$(($command, $scenario)),*];
    };
}

golden! {
    golden_reference_load: "run" "reference-load" ["--set", "duration=5m"];
    golden_short_vs_long: "run" "short-vs-long" [];
    golden_bursty_traffic: "run" "bursty-traffic" [];
    golden_node_outage: "run" "node-outage" [];
    golden_poison_messages: "run" "poison-messages" ["--replications", "2"];
    golden_false_empty_demo: "run" "false-empty-demo" [];
    golden_fewer_than_1000: "run" "fewer-than-1000" [];
    golden_idle_queue_monthly_bill: "run" "idle-queue-monthly-bill" ["--set", "duration=1d"];
    golden_pickup_latency: "run" "pickup-latency" [];
    golden_when_long_polling_costs_more: "run" "when-long-polling-costs-more" [];
    golden_replay_cloudwatch: "run" "replay-cloudwatch" ["--set", "duration=10h"];
    golden_wait_time_sweep: "sweep" "wait-time-sweep" ["--replications", "1", "--set", "duration=2m"];
    golden_concurrency: "run" "concurrency" ["--replications", "1", "--set", "duration=2m"];
    golden_heartbeat: "run" "heartbeat" ["--replications", "1", "--set", "duration=1h"];
    golden_autoscale_burst: "run" "autoscale-burst" ["--replications", "1", "--set", "duration=40m"];
    golden_lambda_idle: "run" "lambda-idle" ["--set", "duration=1d"];
    golden_lambda_burst: "run" "lambda-burst" ["--replications", "2"];
    golden_lambda_scaling: "run" "lambda-scaling" ["--set", "duration=3m"];
    golden_fifo_groups: "sweep" "fifo-groups" ["--replications", "1", "--set", "duration=2m"];
    golden_fifo_vs_standard: "run" "fifo-vs-standard" ["--replications", "2", "--set", "duration=2m"];
    golden_fifo_throttling: "run" "fifo-throttling" ["--replications", "1", "--set", "duration=1m"];
}

/// Every scenario in `scenarios/` has a golden test above, through `sweep`
/// when it has a `[sweep]` table (`run` ignores that table), and every
/// golden test names a scenario that exists.
#[test]
fn every_example_scenario_has_a_golden_test() {
    let mut found = Vec::new();
    for e in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let name = p.file_stem().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&p).unwrap();
            let want = if text.lines().any(|l| l.trim() == "[sweep]") {
                "sweep"
            } else {
                "run"
            };
            assert!(
                COVERED.contains(&(want, name.as_str())),
                "scenarios/{name}.toml has no golden test through `{want}` in tests/it/golden.rs"
            );
            found.push(name);
        }
    }
    for (_, name) in COVERED {
        assert!(
            found.iter().any(|f| f == name),
            "golden test for {name}, which is not in scenarios/"
        );
    }
}
