//! Charts after `run` and `plot`: valid files of the right size, with text.

use crate::common::{bin, decode_png, dir_files, svg_size, write_file, TINY};

/// `(file stem, a phrase of the title, an axis label)` of every run chart.
const RUN_CHARTS: [(&str, &str, &str); 6] = [
    (
        "cost",
        "Cost of the SQS requests",
        "USD per million delivered",
    ),
    (
        "empty_rate",
        "Empty and false empty responses",
        "share of receive requests (%)",
    ),
    ("latency_cdf", "Latency distribution", "latency (log scale)"),
    (
        "queue_depth",
        "Queue depth and messages in flight",
        "simulated time (s)",
    ),
    (
        "receive_rate",
        "Receive requests per second",
        "simulated time (s)",
    ),
    (
        "false_empty_by_depth",
        "False empty rate of short polls by queue depth",
        "visible messages when the short poll was served",
    ),
];

fn run_tiny(dir: &std::path::Path, extra: &[&str]) -> std::path::PathBuf {
    let sc = write_file(dir, "tiny.toml", TINY);
    let out = dir.join("out");
    bin()
        .arg("run")
        .arg(&sc)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .args(extra)
        .assert()
        .success();
    out
}

#[test]
fn every_run_chart_is_a_valid_png_and_svg_with_its_text() {
    let d = tempfile::tempdir().unwrap();
    let out = run_tiny(d.path(), &["--format", "both"]);
    for (stem, title, axis) in RUN_CHARTS {
        let png = std::fs::read(out.join(format!("charts/{stem}.png"))).unwrap();
        let (w, h, rgb) = decode_png(&png);
        // The depth chart keeps its author's size; the cost chart stacks two
        // panels (per million delivered, per 30 days), 340 px each.
        let size = match stem {
            "false_empty_by_depth" => (900, 560),
            "cost" => (960, 740),
            _ => (960, 600),
        };
        assert_eq!((w, h), size, "{stem}.png size");
        // The title band (top 45 px) holds dark text pixels, not a blank canvas.
        let dark = rgb[..(w * 45 * 3) as usize]
            .chunks(3)
            .filter(|p| p.iter().all(|&c| c < 100))
            .count();
        assert!(
            dark > 300,
            "{stem}.png: title text was drawn ({dark} dark pixels)"
        );
        let svg = std::fs::read_to_string(out.join(format!("charts/{stem}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"), "{stem}.svg is an SVG");
        assert_eq!(svg_size(&svg), size, "{stem}.svg size");
        assert!(svg.contains(title), "{stem}.svg has its title");
        assert!(svg.contains(axis), "{stem}.svg has its axis label");
        // Only the short-polling variant has false empties by depth.
        let variants: &[&str] = match stem {
            "false_empty_by_depth" => &["short"],
            _ => &["short", "long"],
        };
        for variant in variants {
            assert!(svg.contains(variant), "{stem}.svg names variant {variant}");
        }
    }
}

#[test]
fn plot_redraws_the_run_charts_byte_for_byte() {
    let d = tempfile::tempdir().unwrap();
    let out = run_tiny(d.path(), &["--format", "both"]);
    let before = dir_files(&out.join("charts"));
    assert_eq!(before.len(), 12);
    std::fs::remove_dir_all(out.join("charts")).unwrap();
    bin()
        .arg("plot")
        .arg(&out)
        .args(["--format", "both"])
        .assert()
        .success();
    assert_eq!(dir_files(&out.join("charts")), before);
}

#[test]
fn no_charts_writes_only_csv_and_png_is_the_default() {
    let d = tempfile::tempdir().unwrap();
    let out = run_tiny(d.path(), &["--no-charts"]);
    assert!(!out.join("charts").exists());
    let names: Vec<String> = dir_files(&out).into_keys().collect();
    assert_eq!(
        names,
        [
            "aggregate.csv",
            "cloudwatch.csv",
            "command.txt",
            "false_empty_by_depth.csv",
            "latency_cdf.csv",
            "report.html",
            "scenario.toml",
            "summary.csv",
            "timeseries.csv"
        ]
    );
    bin().arg("plot").arg(&out).assert().success();
    let charts: Vec<String> = dir_files(&out.join("charts")).into_keys().collect();
    assert_eq!(charts.len(), 6);
    assert!(charts.iter().all(|c| c.ends_with(".png")));
}

#[test]
fn plot_of_a_folder_without_results_fails_cleanly() {
    let d = tempfile::tempdir().unwrap();
    bin()
        .arg("plot")
        .arg(d.path())
        .assert()
        .code(2)
        .stderr_has("not a results folder (no aggregate.csv)");
}

/// A results folder of the tiny scenario, without charts.
fn tiny_results() -> (tempfile::TempDir, std::path::PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let sc = write_file(d.path(), "tiny.toml", TINY);
    let out = d.path().join("r");
    bin()
        .arg("run")
        .arg(&sc)
        .args(["--quiet", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    (d, out)
}

#[test]
fn plot_refuses_a_damaged_header() {
    let (_d, out) = tiny_results();
    let agg = std::fs::read_to_string(out.join("aggregate.csv")).unwrap();
    std::fs::write(
        out.join("aggregate.csv"),
        agg.replacen("events_mean", "evnts_mean", 1),
    )
    .unwrap();
    bin()
        .arg("plot")
        .arg(&out)
        .assert()
        .code(2)
        .stderr_has("aggregate.csv: the header is not one sqs-sim writes");
    assert!(!out.join("charts").exists(), "nothing drawn");
}

#[test]
fn a_bad_number_is_reported_with_its_file_and_line() {
    let (_d, out) = tiny_results();
    let cdf = std::fs::read_to_string(out.join("latency_cdf.csv")).unwrap();
    let mut lines: Vec<String> = cdf.lines().map(String::from).collect();
    let cells: Vec<&str> = lines[3].split(',').collect();
    lines[3] = format!("{},{},", cells[0], cells[1]);
    std::fs::write(out.join("latency_cdf.csv"), lines.join("\n") + "\n").unwrap();
    bin()
        .arg("plot")
        .arg(&out)
        .assert()
        .failure()
        .stderr_has("latency_cdf.csv:4: `` in column `cumulative_fraction` is not a number");
}

#[test]
fn control_characters_in_names_are_escaped_on_the_terminal() {
    let d = tempfile::tempdir().unwrap();
    let toml = TINY.replace(
        "name = \"tiny\"",
        "name = \"tiny\"\ndescription = \"clear\\u001b[2J\\u0007 screen\"",
    );
    let sc = write_file(d.path(), "t.toml", &toml);
    let o = bin()
        .arg("run")
        .arg(&sc)
        .args(["--quiet", "--no-charts", "--out"])
        .arg(d.path().join("r"))
        .assert()
        .success();
    let out = String::from_utf8_lossy(&o.get_output().stdout).into_owned();
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(out.contains("clear\\u{1b}[2J\\u{7} screen"), "{out}");
}
