//! `report.html` in every results folder, parsed as a browser would
//! (`html`: a WHATWG tokenizer and a tree builder that refuses what a
//! browser would repair): present after `run`, `sweep`, `merge` and
//! `plot`; every chart of `charts/` inline as `<svg>`; no external URL, no
//! script, no stylesheet link; the runs table equal to `summary.csv` cell by
//! cell and the summary table one row per row of `aggregate.csv`; the
//! scenario's text escaped; `--no-charts` says there are none.

use crate::common::{bin, dir_files, write_file, TINY};
use crate::html::Html;
use std::path::{Path, PathBuf};

fn page(dir: &Path) -> Html {
    let text = std::fs::read_to_string(dir.join("report.html")).expect("report.html written");
    Html::parse(&text)
}

fn texts(p: &Html, css: &str) -> Vec<String> {
    p.select(css).map(|e| e.text().trim().to_string()).collect()
}

/// `sqs-sim COMMAND SCENARIO --out DIR --quiet EXTRA…`.
fn cli(command: &str, sc: &Path, out: &Path, extra: &[&str]) {
    bin()
        .arg(command)
        .arg(sc)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(extra)
        .assert()
        .success();
}

fn tiny(d: &Path) -> PathBuf {
    write_file(d, "tiny.toml", TINY)
}

/// A TINY sweep over the number of consumers.
fn tiny_sweep(d: &Path) -> PathBuf {
    let text = format!("{TINY}\n[sweep]\nparam = \"consumers.c.count\"\nvalues = [1, 2, 4]\n");
    write_file(d, "tiny-sweep.toml", &text)
}

/// What every page must be: self-contained, every chart inline, its tables
/// equal to the CSVs.
fn check_page(dir: &Path) {
    let p = page(dir);
    // Every chart file has its inline SVG, drawn at a size.
    let charts: Vec<String> = dir_files(&dir.join("charts"))
        .into_keys()
        .filter_map(|n| n.strip_suffix(".png").map(str::to_string))
        .collect();
    assert!(!charts.is_empty(), "charts were drawn");
    for stem in &charts {
        let svg = p
            .select(&format!("figure#chart-{stem} svg"))
            .next()
            .unwrap_or_else(|| panic!("chart {stem} is inline"));
        let w: f64 = svg.attr("width").unwrap().parse().unwrap();
        assert!(w > 0.0, "{stem} has a width");
        assert!(svg.select("text").count() > 3, "{stem} has its text");
    }
    assert_eq!(p.select("figure svg").count(), charts.len());
    // Nothing from outside.
    for e in p.select("[src], [href]") {
        for a in ["src", "href"] {
            let v = e.attr(a).unwrap_or("");
            assert!(
                !(v.starts_with("http:") || v.starts_with("https:") || v.starts_with("//")),
                "external URL {v}"
            );
        }
    }
    assert_eq!(p.select("script").count(), 0, "no script");
    assert_eq!(p.select("link").count(), 0, "no linked stylesheet");
    assert!(!p.html().contains("http://") && !p.html().contains("https://"));
    // The runs table is summary.csv, cell by cell.
    let mut csv = csv::Reader::from_path(dir.join("summary.csv")).unwrap();
    let head: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(texts(&p, "table.runs thead th"), head);
    let rows: Vec<Vec<String>> = csv
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let got: Vec<Vec<String>> = p
        .select("table.runs tbody tr")
        .map(|tr| tr.select("td").map(|td| td.text()).collect())
        .collect();
    assert_eq!(got, rows, "the runs table is summary.csv");
    // The summary table: a row per row of aggregate.csv, with CIs.
    let agg = std::fs::read_to_string(dir.join("aggregate.csv")).unwrap();
    assert_eq!(
        p.select("table.summary tbody tr").count(),
        agg.lines().count() - 1
    );
    assert!(!texts(&p, "ul.conclusions li").is_empty(), "conclusions");
    // What was run.
    let scenario = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
    assert_eq!(texts(&p, "pre.scenario")[0], scenario.trim());
}

#[test]
fn report_after_run_is_self_contained_with_every_chart_and_the_summary() {
    let d = tempfile::tempdir().unwrap();
    let sc = tiny(d.path());
    let out = d.path().join("out");
    cli("run", &sc, &out, &["--jobs", "2"]);
    check_page(&out);
    let p = page(&out);
    // The command without the output flags, as command.txt keeps it.
    let command = std::fs::read_to_string(out.join("command.txt")).unwrap();
    assert_eq!(command, format!("sqs-sim run {}\n", sc.display()));
    assert!(texts(&p, "pre code").contains(&command.trim().to_string()));
    // One summary row per variant, named, with a CI (two replications).
    let first: Vec<String> = texts(&p, "table.summary tbody tr td:first-child");
    assert_eq!(first, ["short", "long"]);
    assert!(texts(&p, "table.summary tbody td")
        .iter()
        .any(|c| c.contains('±')));
    // No warnings and no SLO answer given: their sections are left out.
    assert_eq!(p.select("#warnings, #advice").count(), 0);
}

#[test]
fn report_after_sweep_merge_and_plot() {
    let d = tempfile::tempdir().unwrap();
    let sc = tiny_sweep(d.path());
    let whole = d.path().join("whole");
    cli("sweep", &sc, &whole, &[]);
    check_page(&whole);
    let p = page(&whole);
    assert_eq!(
        texts(&p, "table.summary thead th")[..2],
        ["count", "variant"]
    );
    let lines = texts(&p, "ul.conclusions li");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("cheapest per delivered message at count = ")),
        "{lines:?}"
    );

    // Merged shards: the same page, byte for byte.
    let mut shards = Vec::new();
    for i in 1..=2 {
        let dir = d.path().join(format!("s{i}"));
        cli("sweep", &sc, &dir, &["--shard", &format!("{i}/2")]);
        assert!(!dir.join("report.html").exists(), "a shard has no page");
        shards.push(dir);
    }
    let merged = d.path().join("merged");
    bin()
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    let read = |d: &Path| std::fs::read(d.join("report.html")).unwrap();
    assert_eq!(read(&merged), read(&whole));

    // `plot` writes it again, the same.
    std::fs::remove_file(merged.join("report.html")).unwrap();
    bin().arg("plot").arg(&merged).assert().success();
    assert_eq!(read(&merged), read(&whole));
}

#[test]
fn no_charts_says_so_and_plot_draws_them_into_the_page() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    cli("run", &tiny(d.path()), &out, &["--no-charts"]);
    let p = page(&out);
    assert_eq!(p.select("svg").count(), 0);
    let note = texts(&p, "#no-charts");
    assert!(note[0].contains("--no-charts"), "{note:?}");
    bin()
        .arg("plot")
        .arg(&out)
        .args(["--format", "svg"])
        .assert()
        .success();
    let p = page(&out);
    assert_eq!(p.select("#no-charts").count(), 0);
    assert_eq!(p.select("figure svg").count(), 6);
}

#[test]
fn scenario_text_cannot_inject_markup() {
    let d = tempfile::tempdir().unwrap();
    let evil = TINY.replace(
        "name = \"tiny\"",
        "# <img src=\"http://example.com/x.png\" onerror=\"alert(1)\">\nname = \"tiny\"\ndescription = \"</code></pre><script>alert(1)</script> & more\"",
    );
    let sc = write_file(d.path(), "evil.toml", &evil);
    let out = d.path().join("out");
    cli("run", &sc, &out, &["--no-charts"]);
    let p = page(&out);
    assert_eq!(p.select("script, img").count(), 0, "nothing injected");
    assert_eq!(
        texts(&p, "p.description"),
        ["</code></pre><script>alert(1)</script> & more"]
    );
    assert!(texts(&p, "pre.scenario")[0].contains("<img src=\"http://example.com/x.png\""));
}
