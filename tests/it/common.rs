//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub use crate::process::{exe, Assert, Cmd};
use sqs_sim::model::{self, ModelConfig, RunOptions, RunResult};
use sqs_sim::scenario::{Overrides, Scenario};
use std::path::{Path, PathBuf};

/// Parses a scenario from text and resolves its variants.
pub fn configs(toml: &str) -> Vec<(String, ModelConfig)> {
    let sc = Scenario::parse(
        "test.toml",
        toml.to_string(),
        PathBuf::from("."),
        "test",
        &Overrides::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    sc.resolve()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|r| (r.variant, r.config))
        .collect()
}

/// The single configuration of a scenario without variants.
pub fn config(toml: &str) -> ModelConfig {
    configs(toml).remove(0).1
}

/// Runs one replication (the run checks conservation itself).
pub fn run(cfg: &ModelConfig, seed: u64) -> RunResult {
    model::run(cfg, seed, RunOptions::default())
}

/// The repository root (for example scenarios).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The sqs-sim binary, with backtraces off so stderr is what users see.
pub fn bin() -> Cmd {
    let mut c = Cmd::new(exe());
    c.env("RUST_BACKTRACE", "0");
    c
}

/// A small, fast scenario with two variants and two replications.
pub const TINY: &str = r#"
name = "tiny"
seed = 7
duration = "20s"
replications = 2
network = "5ms"

[queue]
nodes = 4
sample_nodes = 2

[[producers]]
name = "p"
arrival = { kind = "poisson", rate = 20.0 }

[[consumers]]
name = "c"
count = 2
max_messages = 10
idle_wait = "100ms"
processing = { kind = "exponential", mean = "10ms" }

[[variants]]
name = "short"
set = { "consumers.c.wait_time" = "0s" }

[[variants]]
name = "long"
set = { "consumers.c.wait_time" = "5s" }
"#;

/// Writes `text` to `dir/name` and returns the path.
pub fn write_file(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write test file");
    p
}

/// Every file under `dir`, by path relative to it.
pub fn dir_files(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(
        root: &std::path::Path,
        d: &std::path::Path,
        out: &mut std::collections::BTreeMap<String, Vec<u8>>,
    ) {
        for e in std::fs::read_dir(d).expect("read dir") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Decodes a PNG: width, height and 8-bit RGB pixels.
pub fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let dec = png::Decoder::new(std::io::Cursor::new(bytes.to_vec()));
    let mut reader = dec.read_info().expect("a valid PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("a PNG frame");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// The `width` and `height` attributes of an SVG's root element.
pub fn svg_size(svg: &str) -> (u32, u32) {
    let attr = |name: &str| -> u32 {
        let head = &svg[..svg.find('>').expect("an svg element")];
        let at = head.find(&format!(" {name}=\"")).expect("size attribute") + name.len() + 3;
        head[at..]
            .split('"')
            .next()
            .unwrap()
            .parse()
            .expect("a number")
    };
    (attr("width"), attr("height"))
}

/// The one snapshot mechanism of the tests (golden CSVs and explain stories):
/// compares `got` with the committed file at `rel` (relative to the
/// repository root), or rewrites that file when `UPDATE_GOLDEN=1` is set. A
/// change that legitimately alters results regenerates them deliberately and
/// says why in its commit.
pub fn assert_golden(rel: &str, got: &[u8]) {
    let path = root().join(rel);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("a parent folder")).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (create it with UPDATE_GOLDEN=1 cargo test --release)",
            path.display()
        )
    });
    if got != want {
        panic!(
            "{rel} differs from its golden copy (UPDATE_GOLDEN=1 rewrites it if the change is meant)\n--- got ---\n{}",
            String::from_utf8_lossy(got)
        );
    }
}

/// Erlang C: the probability that an arrival waits in M/M/n, offered load
/// a = λ/μ (< n). The mean wait is `erlang_c(n, a) / (nμ − λ)`.
pub fn erlang_c(n: u32, a: f64) -> f64 {
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 1..n {
        term *= a / k as f64;
        sum += term;
    }
    let last = term * a / n as f64 * (n as f64 / (n as f64 - a));
    last / (sum + last)
}

/// The mean of independent replications' figures and its standard error
/// (sample standard deviation, n − 1, over √n): what the statistical tests'
/// tolerances are made of.
pub fn mean_and_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    (mean, sd / n.sqrt())
}

/// A CSV file as its header and rows of strings.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let head = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (head, rows)
}

/// The index of column `name` in `head`.
pub fn col(head: &[String], name: &str) -> usize {
    head.iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}
