//! Golden results: every example scenario, at its own fixed seed (shortened
//! where a full run would slow the suite), must produce exactly the CSVs
//! committed under `tests/golden/<scenario>/`. Optimisations of the engine
//! must leave these bytes unchanged; a change that legitimately alters results
//! regenerates them deliberately with `UPDATE_GOLDEN=1 cargo test --release
//! golden` and says why in its commit.

use crate::common::{bin, root};
use std::path::Path;

const FILES: [&str; 4] = [
    "summary.csv",
    "aggregate.csv",
    "timeseries.csv",
    "false_empty_by_depth.csv",
];

fn check(scenario: &str, extra: &[&str]) {
    let out = tempfile::tempdir().unwrap();
    let mut cmd = bin();
    cmd.arg("run")
        .arg(root().join("scenarios").join(format!("{scenario}.toml")))
        .args(extra)
        .arg("--quiet")
        .arg("--out")
        .arg(out.path());
    cmd.assert().success();
    let golden = root().join("tests/golden").join(scenario);
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for f in FILES {
        let got = std::fs::read(out.path().join(f)).unwrap();
        let want_path = golden.join(f);
        if update {
            std::fs::create_dir_all(&golden).unwrap();
            std::fs::write(&want_path, &got).unwrap();
            continue;
        }
        let want = read(&want_path);
        if got != want {
            panic!(
                "{scenario}/{f} differs from its golden copy {}\n--- got ---\n{}",
                want_path.display(),
                String::from_utf8_lossy(&got)
            );
        }
    }
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (create it with UPDATE_GOLDEN=1 cargo test --release golden)",
            p.display()
        )
    })
}

/// One test per example scenario: `golden!(test_name, "scenario", extra args)`.
macro_rules! golden {
    ($name:ident, $scenario:literal $(, $arg:literal)*) => {
        #[test]
        fn $name() {
            check($scenario, &[$($arg),*]);
        }
    };
}

golden!(
    golden_reference_load,
    "reference-load",
    "--set",
    "duration=5m"
);
golden!(golden_short_vs_long, "short-vs-long");
golden!(golden_bursty_traffic, "bursty-traffic");
golden!(golden_node_outage, "node-outage");
golden!(
    golden_poison_messages,
    "poison-messages",
    "--replications",
    "2"
);
golden!(golden_false_empty_demo, "false-empty-demo");
golden!(golden_fewer_than_1000, "fewer-than-1000");
golden!(
    golden_idle_queue_monthly_bill,
    "idle-queue-monthly-bill",
    "--set",
    "duration=1d"
);
golden!(golden_pickup_latency, "pickup-latency");
golden!(
    golden_when_long_polling_costs_more,
    "when-long-polling-costs-more"
);
golden!(
    golden_wait_time_sweep,
    "wait-time-sweep",
    "--replications",
    "1",
    "--set",
    "duration=2m"
);

/// Every scenario in `scenarios/` has a golden test above.
#[test]
fn every_example_scenario_has_a_golden_copy() {
    for e in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let name = p.file_stem().unwrap().to_string_lossy().to_string();
            assert!(
                root().join("tests/golden").join(&name).is_dir(),
                "scenarios/{name}.toml has no golden results in tests/golden/{name}/"
            );
        }
    }
}
