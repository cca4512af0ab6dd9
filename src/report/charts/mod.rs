//! Charts (PNG/SVG). `plotters` is used only under this folder.
//!
//! Charts are drawn from a results folder's CSVs ([`Inputs`]), never from
//! the runs in memory, so `sqs-sim plot DIR` redraws exactly the files that
//! `run`, `sweep` and `merge` wrote. [`bars`] and [`lines`] are the two kinds
//! of drawing; [`run_charts`] and [`sweep_charts`] decide what to draw.

pub(crate) mod bars;
pub(crate) mod canvas;
pub(crate) mod compare;
pub(crate) mod false_empty_depth;
pub(crate) mod labels;
pub(crate) mod lines;
mod png_data;
pub(crate) mod run_charts;
pub(crate) mod style;
pub(crate) mod sweep_charts;
pub(crate) mod teaching;

pub(crate) use canvas::{render, Drawing, ImageFormat};

use crate::report::atomic::Content;
use crate::report::keyed::Table;
use crate::scenario::slo::Slo;
use anyhow::{Context, Result};
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};
use std::path::Path;

/// The CSVs charts are drawn from.
#[derive(Clone, Debug, Default)]
pub(crate) struct Inputs {
    pub(crate) aggregate: Table,
    /// Read as a stream (a day of 1 s buckets is long); empty for a folder without one.
    pub(crate) timeseries: Content,
    pub(crate) latency_cdf: Table,
    pub(crate) depth: Table,
    /// The study's objective (`slo.toml`), for the trade-off chart's SLO
    /// line and answer.
    pub(crate) slo: Option<Slo>,
}

impl Inputs {
    pub(crate) fn parse(
        aggregate: &[u8],
        timeseries: &Content,
        latency_cdf: &[u8],
        depth: &[u8],
    ) -> Result<Inputs> {
        Ok(Inputs {
            aggregate: Table::parse(aggregate, "aggregate.csv")?,
            timeseries: timeseries.clone(),
            latency_cdf: Table::parse(latency_cdf, "latency_cdf.csv")?,
            depth: Table::parse(depth, "false_empty_by_depth.csv")?,
            slo: None,
        })
    }

    /// Reads a results folder; `aggregate.csv` must exist, the others may
    /// not. Every header must be one sqs-sim writes: a damaged one is
    /// refused rather than drawn from.
    pub(crate) fn read(dir: &Path) -> Result<Inputs> {
        let get = |name: &str, required: bool| -> Result<Vec<u8>> {
            let p = dir.join(name);
            match std::fs::read(&p) {
                Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
                r => r.with_context(|| format!("cannot read {}", p.display())),
            }
        };
        let ts = dir.join("timeseries.csv");
        let timeseries = if ts.exists() {
            Content::File(ts)
        } else {
            Content::default()
        };
        let mut inputs = Inputs::parse(
            &get("aggregate.csv", true)?,
            &timeseries,
            &get("latency_cdf.csv", false)?,
            &get("false_empty_by_depth.csv", false)?,
        )?;
        inputs.slo = read_slo(dir)?;
        inputs.check_headers()?;
        Ok(inputs)
    }

    /// Each file's header: the sweep keys (`param,value`, `param2,value2`…
    /// or none), then exactly the columns sqs-sim writes there.
    fn check_headers(&self) -> Result<()> {
        use crate::report::{depth::DepthRow, keyed::header_of, timeseries};
        let mut agg = vec!["variant".to_string(), "replications".to_string()];
        for &m in crate::report::summary::Metric::ALL {
            agg.extend([m.mean_column(), m.ci95_column()]);
        }
        let cdf: Vec<String> = ["variant", "latency_s", "cumulative_fraction"]
            .map(String::from)
            .into();
        let ts_head = match &self.timeseries {
            Content::Bytes(b) if b.is_empty() => None,
            c => {
                let mut r = csv::Reader::from_reader(c.reader()?);
                Some(
                    r.headers()
                        .context("cannot read timeseries.csv")?
                        .iter()
                        .map(str::to_string)
                        .collect::<Vec<_>>(),
                )
            }
        };
        let files = [
            ("aggregate.csv", Some(self.aggregate.header.clone()), agg),
            (
                "latency_cdf.csv",
                Some(self.latency_cdf.header.clone()),
                cdf,
            ),
            (
                "false_empty_by_depth.csv",
                Some(self.depth.header.clone()),
                header_of(&DepthRow::default())?,
            ),
            ("timeseries.csv", ts_head, timeseries::columns()?),
        ];
        for (name, head, want) in files {
            let Some(head) = head.filter(|h| !h.is_empty()) else {
                continue;
            };
            let keys = head.len().saturating_sub(want.len());
            let keys_ok = keys % 2 == 0
                && (0..keys / 2).all(|i| {
                    let n = if i == 0 {
                        String::new()
                    } else {
                        (i + 1).to_string()
                    };
                    head[2 * i] == format!("param{n}") && head[2 * i + 1] == format!("value{n}")
                });
            if !keys_ok || head[keys..] != want[..] {
                anyhow::bail!(
                    "{name}: the header is not one sqs-sim writes (damaged?): `{}`",
                    head.join(",")
                );
            }
        }
        Ok(())
    }

    /// A sweep's aggregate starts with `param,value`.
    pub(crate) fn is_sweep(&self) -> bool {
        self.aggregate.header.first().map(String::as_str) == Some("param")
    }
}

/// The objective a results folder keeps in `slo.toml`, if it has one.
pub(crate) fn read_slo(dir: &Path) -> Result<Option<Slo>> {
    let p = dir.join(crate::scenario::slo::FILE);
    match std::fs::read_to_string(&p) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", p.display())),
        Ok(text) => Slo::from_toml(&text)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("{}: {e}", p.display())),
    }
}

/// Any chart.
#[derive(Clone, Debug)]
pub(crate) enum Chart {
    Bars(bars::Bars),
    BarStack(bars::BarStack),
    Lines(lines::Lines),
    Stack(lines::Stack),
    Depth(false_empty_depth::DepthChart),
}

impl Drawing for Chart {
    fn size(&self) -> (u32, u32) {
        match self {
            Chart::Bars(c) => c.size(),
            Chart::BarStack(c) => c.size(),
            Chart::Lines(c) => c.size(),
            Chart::Stack(c) => c.size(),
            Chart::Depth(c) => c.size(),
        }
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        match self {
            Chart::Bars(c) => c.draw(area),
            Chart::BarStack(c) => c.draw(area),
            Chart::Lines(c) => c.draw(area),
            Chart::Stack(c) => c.draw(area),
            Chart::Depth(c) => c.draw(area),
        }
    }
}

/// The charts of a results folder, by file stem.
fn charts_of_folder(inputs: &Inputs) -> Result<Vec<(&'static str, Chart)>> {
    if inputs.is_sweep() {
        sweep_charts::charts_of_sweep(inputs)
    } else {
        run_charts::charts_of_run(inputs)
    }
}

/// Every chart of a folder, drawn (none: the default).
#[derive(Default)]
pub(crate) struct Rendered {
    /// Every chart in every format asked for: `(file name, bytes)`.
    pub(crate) files: Vec<(String, Vec<u8>)>,
    /// Every chart as SVG text, for `report.html`: `(file stem, SVG)`.
    pub(crate) inline: Vec<(String, String)>,
}

/// Every chart in every format, and each as SVG for the page (drawn once
/// when SVG files are asked for too), on up to `jobs` threads (0 = all
/// cores). Each picture is drawn and encoded on its own and the lists keep
/// the serial order, so the files are the same for any `jobs`. No formats:
/// nothing is drawn.
pub(crate) fn render_all(
    inputs: &Inputs,
    formats: &[ImageFormat],
    jobs: usize,
) -> Result<Rendered> {
    let mut out = Rendered {
        files: Vec::new(),
        inline: Vec::new(),
    };
    if formats.is_empty() {
        return Ok(out);
    }
    let charts = charts_of_folder(inputs)?;
    // Every chart's SVG (the page needs it), and its PNG when asked for.
    let png = formats.contains(&ImageFormat::Png);
    let mut work = Vec::new();
    for (stem, chart) in &charts {
        work.push((*stem, chart, ImageFormat::Svg));
        if png {
            work.push((*stem, chart, ImageFormat::Png));
        }
    }
    let bytes = in_parallel(work.len(), jobs, |i| {
        let (stem, chart, f) = &work[i];
        render(*chart, *f).with_context(|| format!("chart {stem}.{}", f.extension()))
    });
    let mut drawn = work.iter().zip(bytes);
    for (stem, _) in &charts {
        let (_, svg) = drawn.next().expect("an SVG per chart");
        let svg = svg?;
        let png = if png {
            Some(drawn.next().expect("a PNG per chart").1?)
        } else {
            None
        };
        for &f in formats {
            let bytes = match f {
                ImageFormat::Svg => svg.clone(),
                ImageFormat::Png => png.clone().expect("drawn above"),
            };
            out.files.push((format!("{stem}.{}", f.extension()), bytes));
        }
        out.inline.push((
            stem.to_string(),
            String::from_utf8(svg).context("SVG text")?,
        ));
    }
    Ok(out)
}

/// `f(0..n)` on up to `jobs` threads (0 = all cores), results in index
/// order. Threads take the next index as they finish, so a slow chart does
/// not hold up a fixed share of the others.
fn in_parallel<T: Send>(n: usize, jobs: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = match jobs {
        0 => std::thread::available_parallelism().map_or(1, |p| p.get()),
        j => j,
    }
    .min(n);
    if threads <= 1 {
        return (0..n).map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= n {
                            return mine;
                        }
                        mine.push((i, f(i)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            // A panic while drawing is a bug: let it surface as it would have.
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    done.sort_by_key(|&(i, _)| i);
    done.into_iter().map(|(_, t)| t).collect()
}

/// Rows of a table with the same key columns (`0..=variant`).
pub(crate) struct Group {
    /// The key cells, the variant last.
    pub(crate) key: Vec<String>,
    /// Row indices, in file order.
    pub(crate) rows: Vec<usize>,
}

/// Rows of `t` grouped by their key columns, in order of first appearance.
pub(crate) fn groups(t: &Table) -> Result<Vec<Group>> {
    let mut out: Vec<Group> = Vec::new();
    if t.rows.is_empty() {
        return Ok(out);
    }
    let v = t.col("variant")?;
    for (i, r) in t.rows.iter().enumerate() {
        let key: Vec<String> = r.iter().take(v + 1).map(str::to_string).collect();
        match out.iter_mut().find(|g| g.key == key) {
            Some(g) => g.rows.push(i),
            None => out.push(Group { key, rows: vec![i] }),
        }
    }
    Ok(out)
}
