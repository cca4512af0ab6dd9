//! Answers, not just numbers (issue 16): the SLO advice of a sweep, the
//! warnings of a run, the override notes, and errors blamed on their root
//! cause once.

use crate::common::{bin, write_file, TINY};
use std::path::Path;

/// Short polls that sleep 2 s after an empty response (p99 ≈ 2 s) against
/// long polls of 5 s (p99 of a few ms): only the long poll meets p99 < 1 s.
const SWEEP: &str = r#"
name = "slo"
seed = 3
duration = "60s"
replications = 2
network = "5ms"

[queue]
nodes = 4
sample_nodes = 2

[[producers]]
name = "p"
arrival = { kind = "poisson", rate = 5.0 }

[[consumers]]
name = "c"
count = 2
max_messages = 10
idle_wait = "2s"
processing = "10ms"

[sweep]
param = "consumers.c.wait_time"
values = ["0s", "5s"]
"#;

fn stderr(a: &crate::common::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

fn stdout(a: &crate::common::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

fn cmd(args: &[&str], sc: &Path, out: &Path) -> crate::common::Assert {
    bin()
        .args(args)
        .arg(sc)
        .args(["--quiet", "--no-charts", "--out"])
        .arg(out)
        .assert()
}

/// The `warnings` cells of a results folder's summary.csv (its last column).
fn warnings_column(out: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(r.headers().unwrap().iter().next_back(), Some("warnings"));
    r.records()
        .map(|x| x.unwrap().iter().next_back().unwrap().to_string())
        .collect()
}

#[test]
fn the_sweep_names_the_cheapest_point_meeting_the_slo() {
    let d = tempfile::tempdir().unwrap();
    let sc = write_file(d.path(), "s.toml", SWEEP);
    let out = d.path().join("out");
    let a = cmd(&["sweep", "--slo", "p99<1s"], &sc, &out).success();
    let text = stdout(&a);
    assert!(text.contains("SLO: p99 ≤ 1s, unreceived ≤ 1%"), "{text}");
    assert!(
        text.contains("upper end of each figure's 95% confidence interval"),
        "{text}"
    );
    assert!(
        text.contains("answer: wait_time = 5s, variant \"base\": USD "),
        "{text}"
    );
    assert!(
        text.contains("fail (1):\n  wait_time = 0s, variant \"base\": latency p99 "),
        "{text}"
    );
    // The objective is kept, so plot redraws the same advice on the chart.
    let kept = std::fs::read_to_string(out.join("slo.toml")).unwrap();
    assert!(kept.contains("latency_p99 = \"1s\""), "{kept}");
    bin()
        .arg("plot")
        .arg(&out)
        .args(["--format", "svg"])
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.join("charts/tradeoff.svg")).unwrap();
    assert!(svg.contains("SLO p99 ≤ 1.00s") && svg.contains("answer: 5s base"));
    // report.html names the same answer (`plot` just rewrote it from the
    // folder's slo.toml), with the failing point and how it was judged.
    let page = section(&out, "advice");
    assert!(
        page.contains("The answer") && page.contains("wait_time = 5s, variant \"base\": USD "),
        "{page}"
    );
    assert!(
        page.contains("wait_time = 0s, variant \"base\": latency p99 "),
        "{page}"
    );
    assert!(page.contains("95% confidence interval"), "{page}");
}

/// The text of `report.html`'s section `id` in the results folder `out`
/// (empty when the page has no such section).
fn section(out: &Path, id: &str) -> String {
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    crate::html::Html::parse(&html)
        .select(&format!("section#{id}"))
        .map(|e| e.text())
        .collect()
}

#[test]
fn with_no_point_meeting_it_the_closest_is_named() {
    let d = tempfile::tempdir().unwrap();
    let sc = write_file(d.path(), "s.toml", SWEEP);
    let a = cmd(&["sweep", "--slo", "p99<1us"], &sc, &d.path().join("o")).success();
    let text = stdout(&a);
    assert!(
        text.contains(
            "answer: none of the 2 configurations meets the SLO; the closest is wait_time = 5s"
        ),
        "{text}"
    );
}

#[test]
fn bad_objectives_exit_2_naming_the_flag_or_the_key() {
    let d = tempfile::tempdir().unwrap();
    let sc = write_file(d.path(), "s.toml", SWEEP);
    let out = d.path().join("o");
    for (slo, says) in [
        (
            "p95<1s",
            "--slo 'p95<1s': `p95<1s`: unknown bound `p95`; allowed: p50, p90, p99, unreceived",
        ),
        (
            "p99<soon",
            "`slo.latency_p99` (set by --slo): cannot read \"soon\" as a duration",
        ),
        (
            "unreceived<150%",
            "`slo.max_unreceived_share` (set by --slo): found 1.5, allowed range is 0 to 1",
        ),
    ] {
        let a = cmd(&["sweep", "--slo", slo], &sc, &out).code(2);
        assert!(stderr(&a).contains(says), "{slo}: {}", stderr(&a));
    }
    let file = write_file(
        d.path(),
        "f.toml",
        &format!("{SWEEP}\n[slo]\nlatency_p95 = \"1s\"\nlatency_p99 = \"0s\"\n"),
    );
    for command in ["validate", "run"] {
        let a = bin().arg(command).arg(&file).assert().code(2);
        let e = stderr(&a);
        assert!(
            e.contains("`slo.latency_p95`: unknown key; did you mean `latency_p90`?"),
            "{e}"
        );
        assert!(
            e.contains("`slo.latency_p99`: found 0s, allowed range is 1us to 366d (or \"none\")"),
            "{e}"
        );
    }
    assert!(!out.exists());
}

/// 50 msg/s into one consumer that takes one message at a time for 100 ms
/// (10 msg/s): 80% of the messages are never received.
#[test]
fn a_queue_that_cannot_keep_up_warns_and_one_that_can_does_not() {
    let d = tempfile::tempdir().unwrap();
    let slow = TINY
        .replace("rate = 20.0", "rate = 50.0")
        .replace(
            "count = 2\nmax_messages = 10",
            "count = 1\nmax_messages = 1",
        )
        .replace("mean = \"10ms\"", "mean = \"100ms\"");
    let sc = write_file(d.path(), "slow.toml", &slow);
    let a = cmd(&["run"], &sc, &d.path().join("slow")).success();
    let e = stderr(&a);
    assert!(e.contains("warning: variant \"long\" [not-kept-up]: the queue did not keep up (in 2 of 2 replications): "), "{e}");
    assert!(warnings_column(&d.path().join("slow"))
        .iter()
        .all(|w| w == "not-kept-up"));
    // The page says it too, in the terminal's words.
    let page = section(&d.path().join("slow"), "warnings");
    assert!(
        page.contains("variant \"long\" [not-kept-up]: the queue did not keep up"),
        "{page}"
    );
    let ok = write_file(d.path(), "ok.toml", TINY);
    let a = cmd(&["run"], &ok, &d.path().join("ok")).success();
    assert!(!stderr(&a).contains("warning"), "{}", stderr(&a));
    assert!(warnings_column(&d.path().join("ok"))
        .iter()
        .all(String::is_empty));
    assert_eq!(section(&d.path().join("ok"), "warnings"), "");
}

/// With no network delay a long poll waiting when a message is sent gets it
/// in the same instant: latency exactly 0, said, not shown silently.
#[test]
fn zero_latency_from_a_zero_network_warns() {
    let d = tempfile::tempdir().unwrap();
    let sc = write_file(d.path(), "z.toml", TINY);
    let a = cmd(
        &["run", "--set", "network=0", "--variant", "long"],
        &sc,
        &d.path().join("z"),
    )
    .success();
    let e = stderr(&a);
    assert!(e.contains("warning: variant \"long\" [zero-latency]: latency is exactly 0 for at least half the messages (in 2 of 2 replications) because `network` is 0"), "{e}");
    assert_eq!(
        warnings_column(&d.path().join("z")),
        ["zero-latency", "zero-latency"]
    );
    let a = cmd(&["run", "--variant", "long"], &sc, &d.path().join("n")).success();
    assert!(!stderr(&a).contains("zero-latency"));
}

/// `--set` over a key a variant sets: run (no longer refused), with a note
/// naming the key, the variant and both values, also in the warnings column.
#[test]
fn set_over_a_variants_setting_is_noted() {
    let d = tempfile::tempdir().unwrap();
    let sc = write_file(d.path(), "t.toml", TINY);
    let a = cmd(
        &["run", "--set", "consumers.c.wait_time=2s"],
        &sc,
        &d.path().join("o"),
    )
    .success();
    let e = stderr(&a);
    assert!(
        e.contains(
            "note: --set sets `consumers.c.wait_time` = 2s, overriding variant \"short\"'s 0s\n"
        ),
        "{e}"
    );
    assert!(
        e.contains(
            "note: --set sets `consumers.c.wait_time` = 2s, overriding variant \"long\"'s 5s\n"
        ),
        "{e}"
    );
    assert_eq!(
        warnings_column(&d.path().join("o"))[0],
        "overridden:consumers.c.wait_time"
    );
    let a = bin()
        .arg("validate")
        .arg(&sc)
        .args(["--set", "consumers.c.wait_time=2s"])
        .assert()
        .success();
    assert!(stderr(&a).contains("note: --set sets `consumers.c.wait_time`"));
    let a = cmd(&["run"], &sc, &d.path().join("p")).success();
    assert!(!stderr(&a).contains("note:"));
}

/// A sweep value valid for the key but not with the variant's other
/// settings is blamed on the sweep (its key and value), once for every
/// variant it breaks — not on the variants or the file.
#[test]
fn a_sweep_value_that_breaks_a_variant_is_blamed_on_the_sweep() {
    let d = tempfile::tempdir().unwrap();
    let sc = write_file(d.path(), "t.toml", TINY);
    let a = cmd(
        &["sweep", "--param", "queue.nodes", "--values", "4,1"],
        &sc,
        &d.path().join("o"),
    )
    .code(2);
    let e = stderr(&a).replace(&format!("{}/", d.path().display()), "");
    assert_eq!(
        e.trim_end(),
        "error: t.toml: `queue.nodes` (set by the sweep): the sweep value 1 makes variants \"short\", \"long\" \
         (`queue.sample_nodes`: found 2, must be between 1 and queue.nodes (1)) invalid, though valid without it; \
         change the sweep's values"
    );
}

/// One root cause, one error: `--set` of an out-of-range wait time on a key
/// the variants set used to add "names …, which this variant already sets by
/// another path" as a second error.
#[test]
fn an_out_of_range_set_over_a_variants_key_is_one_error() {
    let d = tempfile::tempdir().unwrap();
    let sc = write_file(d.path(), "t.toml", TINY);
    let a = cmd(
        &["run", "--set", "consumers.c.wait_time=30s"],
        &sc,
        &d.path().join("o"),
    )
    .code(2);
    let e = stderr(&a).replace(&format!("{}/", d.path().display()), "");
    assert_eq!(
        e.trim_end(),
        "error: t.toml: `consumers.c.wait_time` (set by --set): found 30s, allowed range is 0s to 20s"
    );
}
