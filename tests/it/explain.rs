//! `sqs-sim explain`: the story at a fixed scenario and seed (snapshot), its
//! false-empty verdicts against what `run` records for the same seed, and
//! the picture.

use crate::common;
use std::collections::BTreeMap;
use std::path::Path;

fn explain(args: &[&str]) -> String {
    let out = common::bin()
        .arg("explain")
        .args(args)
        .args(["--color", "never"])
        .output()
        .expect("explain runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn demo() -> String {
    common::root()
        .join("scenarios/false-empty-demo.toml")
        .display()
        .to_string()
}

/// Compares with `tests/it/snapshots/NAME` (`UPDATE_GOLDEN=1` rewrites it).
fn assert_snapshot(name: &str, got: &str) {
    common::assert_golden(&format!("tests/it/snapshots/{name}"), got.as_bytes());
}

#[test]
fn story_matches_snapshot() {
    assert_snapshot(
        "explain_false_empty_demo.txt",
        &explain(&[&demo(), "--requests", "14"]),
    );
    assert_snapshot(
        "explain_false_empty_demo_long.txt",
        &explain(&[&demo(), "--requests", "4", "--variant", "long"]),
    );
}

/// Delays, redeliveries, dead letters, an outage and long-poll wake-ups are
/// told where they happen.
#[test]
fn queue_events_appear_in_the_story() {
    let sc = common::root().join("tests/it/snapshots/explain-events.toml");
    let story = explain(&[sc.to_str().unwrap(), "--requests", "26"]);
    for what in [
        "delay ended → now visible: A on node 1, B on node 3, C on node 1",
        "node 1 goes down: C unreachable",
        "node 1 is back up: C reachable again",
        "visibility timeout of B ran out",
        "B (redelivered)",
        "moved to the dead-letter queue",
        "returns at once with A",
        "waited 5.000 s with nothing → empty (a true empty)",
        "are on nodes that are down (a true empty: unreachable)",
    ] {
        assert!(story.contains(what), "story tells {what:?}:\n{story}");
    }
    assert_snapshot("explain_events.txt", &story);
}

/// The instants (µs) of the false empties a story tells, per 1 s bucket.
fn story_false_empties(story: &str) -> BTreeMap<u64, u64> {
    let mut out = BTreeMap::new();
    let mut head_t = None;
    for line in story.lines() {
        let t_of = |l: &str| -> Option<f64> {
            let i = l.find("t=")?;
            let rest = &l[i + 2..];
            rest[..rest.find(' ')?].parse().ok()
        };
        if line.starts_with('#') {
            head_t = t_of(line);
        }
        if line.contains("FALSE EMPTY") {
            let t = if line.starts_with("t=") {
                t_of(line)
            } else {
                head_t
            };
            let t = t.expect("a false empty has a time");
            *out.entry(t.floor() as u64).or_insert(0) += 1;
        }
    }
    out
}

/// Per 1 s bucket, the false empties `run` recorded in timeseries.csv, and
/// the summary's total.
fn run_false_empties(
    scenario: &str,
    variant: &str,
    dir: &Path,
    extra: &[&str],
) -> (BTreeMap<u64, u64>, u64) {
    common::bin()
        .args(["run", scenario, "--replications", "1", "--quiet", "--out"])
        .arg(dir)
        .args(extra)
        .assert()
        .success();
    let mut buckets = BTreeMap::new();
    let mut r = csv::Reader::from_path(dir.join("timeseries.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (v, t, fe) = (col("variant"), col("time_s"), col("false_empty_responses"));
    for rec in r.records() {
        let rec = rec.unwrap();
        let n: u64 = rec[fe].parse().unwrap();
        if &rec[v] == variant && n > 0 {
            buckets.insert(rec[t].parse::<f64>().unwrap() as u64, n);
        }
    }
    let mut r = csv::Reader::from_path(dir.join("summary.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let (v, fe) = (
        h.iter().position(|c| c == "variant").unwrap(),
        h.iter().position(|c| c == "false_empty_responses").unwrap(),
    );
    let total = r
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[v] == variant)
        .map(|r| r[fe].parse().unwrap())
        .unwrap();
    (buckets, total)
}

/// Every request the story calls a false empty is one in `run`'s results for
/// the same seed, and vice versa (per second of simulated time, and in total).
#[test]
fn story_false_empties_are_the_runs() {
    let dir = tempfile::tempdir().unwrap();
    let sc = common::root()
        .join("scenarios/short-vs-long.toml")
        .display()
        .to_string();
    for (scenario, variant, extra) in [
        (demo(), "short", vec![]),
        (
            sc,
            "short-idle",
            vec!["--set", "duration=90s", "--set", "warmup=0s"],
        ),
    ] {
        let mut args = vec![
            scenario.as_str(),
            "--requests",
            "100000",
            "--variant",
            variant,
        ];
        args.extend(&extra);
        let story = explain(&args);
        let told = story_false_empties(&story);
        let (recorded, total) = run_false_empties(&scenario, variant, dir.path(), &extra);
        assert!(total > 0, "{variant}: the run has false empties to compare");
        assert_eq!(told.values().sum::<u64>(), total, "{variant}: totals");
        assert_eq!(told, recorded, "{variant}: false empties per second");
    }
}

/// The text of every `<text>` element of an SVG.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect()
}

#[test]
fn picture_is_valid_svg_and_png_with_nodes_and_letters() {
    let dir = tempfile::tempdir().unwrap();
    let svg_path = dir.path().join("p.svg");
    let png_path = dir.path().join("p.png");
    for p in [&svg_path, &png_path] {
        common::bin()
            .args(["explain", &demo(), "--requests", "0", "--picture"])
            .arg(p)
            .assert()
            .success();
    }
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    let texts = svg_texts(&svg);
    for i in 0..8 {
        assert!(texts.contains(&format!("node {i}")), "node {i} labelled");
    }
    // The first false empty of the demo: A and B on node 4, missed.
    for letter in ["A", "B"] {
        assert!(texts.iter().any(|t| t == letter), "message {letter} drawn");
    }
    assert!(texts.iter().any(|t| t.starts_with("FALSE EMPTY")));
    assert!(texts.contains(&"sampled".to_string()));

    let png = std::fs::read(&png_path).unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert!(info.width >= 800 && info.height >= 200);
    assert!(buf.iter().any(|&b| b < 100), "something was drawn");
}

#[test]
fn bad_flags_are_usage_errors_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let gif = dir.path().join("p.gif");
    common::bin()
        .args(["explain", &demo(), "--picture"])
        .arg(&gif)
        .assert()
        .code(2)
        .stderr_has(".svg or .png");
    assert!(!gif.exists());
    common::bin()
        .args(["explain", &demo(), "--variant", "nope"])
        .assert()
        .code(2)
        .stderr_has("short, long");
}

#[test]
fn a_picture_of_100000_nodes_draws_the_ones_that_matter() {
    // Before: 1000 × 1,060,166 px and 3.2 GB. Now at most 50 boxes and a
    // line counting the rest.
    let d = tempfile::tempdir().unwrap();
    let sc = common::write_file(
        d.path(),
        "wide.toml",
        "name = \"wide\"\nseed = 2\nduration = \"5s\"\nnetwork = \"5ms\"\n[queue]\nnodes = 100000\nsample_nodes = 80000\n\
         [[producers]]\nname = \"p\"\narrival = { kind = \"poisson\", rate = 20.0 }\n\
         [[consumers]]\nname = \"c\"\nidle_wait = \"200ms\"\n",
    );
    let png = d.path().join("p.png");
    let svg = d.path().join("p.svg");
    for file in [&png, &svg] {
        common::bin()
            .arg("explain")
            .arg(&sc)
            .args(["--requests", "0", "--picture-request", "1", "--picture"])
            .arg(file)
            .assert()
            .success();
    }
    let (w, h, _) = common::decode_png(&std::fs::read(&png).unwrap());
    assert_eq!(w, 1000);
    assert!(h < 2000, "{h} px tall");
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(
        svg.contains("more nodes not drawn (100000 in all)"),
        "no summary line"
    );
    assert!(svg.matches("node 9").count() <= 50);
}
