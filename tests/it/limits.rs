//! Runaway scenarios are refused before they run (issue 11): ones that
//! would need tens of gigabytes for their live messages (`--max-memory`)
//! or hours of node sampling (`--max-events`), with the estimate and the
//! keys that drive it; the flags raise the limits. Input files that are
//! not regular files, or are too large, are refused without reading them.

use crate::common::bin;
use std::fs;

const HEAD: &str = "name = \"big\"\nseed = 1\nnetwork = \"5ms\"\n";

fn validate(toml: &str, flags: &[&str]) -> crate::common::Assert {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("big.toml");
    fs::write(&p, toml).unwrap();
    bin().arg("validate").arg(&p).args(flags).assert()
}

fn refused(toml: &str, says: &[&str]) {
    let o = validate(toml, &[]).code(2);
    let err = String::from_utf8_lossy(&o.get_output().stderr).into_owned();
    for s in says {
        assert!(err.contains(s), "missing `{s}` in: {err}");
    }
}

fn firehose() -> String {
    format!(
        "{HEAD}duration = \"10s\"\n[queue]\nnodes = 10\n[[producers]]\nname = \"firehose\"\narrival = {{ kind = \"poisson\", rate = 1e7 }}\n[[consumers]]\nname = \"c\"\ncount = 10\n"
    )
}

#[test]
fn ten_million_messages_a_second_is_refused_for_memory() {
    refused(
        &firehose(),
        &[
            "`producers.firehose`",
            "1.0e8 messages at once",
            "14.9 GB",
            "--max-memory",
        ],
    );
    // The flag raises the limit: then only the event estimate applies.
    validate(&firehose(), &["--max-memory", "32G"]).success();
    validate(&firehose(), &["--max-memory", "0"]).success();
}

#[test]
fn an_hour_without_consumers_is_refused_for_memory() {
    refused(
        &format!("{HEAD}duration = \"1h\"\n[queue]\nnodes = 10\n[[producers]]\nname = \"p\"\narrival = {{ kind = \"poisson\", rate = 2e4 }}\n"),
        &["`producers.p`", "7.2e7 messages at once", "can delete about 0"],
    );
}

#[test]
fn failing_every_message_with_a_12h_visibility_timeout_is_refused() {
    refused(
        &format!("{HEAD}duration = \"1h\"\n[queue]\nnodes = 10\nvisibility_timeout = \"12h\"\n[[producers]]\nname = \"p\"\narrival = {{ kind = \"poisson\", rate = 2e4 }}\n[[consumers]]\nname = \"c\"\ncount = 50\nfail_rate = 1.0\n"),
        &["7.2e7 messages at once", "fail_rate"],
    );
}

#[test]
fn sampling_80000_of_100000_nodes_for_14_days_is_refused_for_time() {
    let wide = format!("{HEAD}duration = \"14d\"\n[queue]\nnodes = 100000\nsample_nodes = 80000\n[[producers]]\nname = \"p\"\narrival = {{ kind = \"poisson\", rate = 1.0 }}\n[[consumers]]\nname = \"c\"\ncount = 1\n");
    refused(
        &wide,
        &[
            "`consumers.c`",
            "2.9e11",
            "visit 80000 of 100000 nodes",
            "--max-events",
        ],
    );
    validate(&wide, &["--max-events", "0"]).success();
}

#[test]
fn devices_and_pipes_are_refused_as_scenario_and_trace_files() {
    let o = bin().args(["validate", "/dev/zero"]).assert().code(2);
    assert!(String::from_utf8_lossy(&o.get_output().stderr).contains("not a regular file"));
    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    // Opening a FIFO with no writer would wait forever: refused unopened.
    bin()
        .arg("validate")
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(10))
        .assert()
        .code(2);
    let trace = format!("{HEAD}duration = \"10s\"\n[[producers]]\nname = \"p\"\narrival = {{ kind = \"trace\", file = \"/dev/zero\" }}\n");
    refused(&trace, &["not a regular file"]);
}
