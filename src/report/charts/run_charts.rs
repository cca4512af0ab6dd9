//! The charts of a `run`: cost per delivered message (and per 30 days) and
//! empty rates per variant (bars), the latency CDF, queue depth and
//! in-flight messages over time (one panel per variant), receive requests
//! per second over time, the false-empty rate of short polls by queue depth
//! against theory (when there were short polls), consumers against the
//! backlog over time (when a group's size changed: autoscaling), and Lambda
//! concurrency and backlog over time (when a Lambda consumer ran). A variant
//! has one colour in all of them ([`Palette`]).

use super::bars::{BarSeries, BarStack, Bars};
use super::false_empty_depth::DepthChart;
use super::lines::{Lines, Point, Series, Stack};
use super::style::{wants_log, Axis, Palette, Unit};
use super::{groups, Chart, Inputs};
use crate::report::aggregate::Estimate;
use crate::report::atomic::Content;
use crate::report::depth::DepthRow;
use crate::report::keyed::Table;
use crate::report::Metric;
use anyhow::{Context, Result};

/// Time series longer than this are averaged over windows of several buckets.
const MAX_POINTS: usize = 240;

pub(crate) fn charts_of_run(inp: &Inputs) -> Result<Vec<(&'static str, Chart)>> {
    let a = &inp.aggregate;
    let variants: Vec<String> = match a.col("variant") {
        Ok(v) => a.rows.iter().map(|r| r[v].to_string()).collect(),
        Err(_) => Vec::new(),
    };
    let reps = match (a.col("replications"), a.rows.is_empty()) {
        (Ok(c), false) => a.num(0, c)?,
        _ => 0.0,
    };
    let ci_note = if reps > 1.0 {
        format!(" (mean ± 95% CI, {reps} runs)")
    } else {
        String::new()
    };
    let palette = Palette::of_aggregate(a);
    let color_of = |name: &str| palette.index(name);
    let colors: Vec<usize> = variants.iter().map(|v| color_of(v)).collect();
    let bars = |title: String, y_label: &str, unit, series| Bars {
        title,
        y_label: y_label.into(),
        unit,
        groups: variants.clone(),
        colors: colors.clone(),
        series,
    };
    let cost = vec![
        bars(
            "per million delivered messages".into(),
            "USD per million delivered",
            Unit::Usd,
            vec![bar_series(a, "cost", Metric::CostPerMillionDeliveredUsd)?],
        ),
        bars(
            "per 30 days at this rate (free tier and volume tiers applied)".into(),
            "USD per 30 days",
            Unit::Usd,
            vec![bar_series(a, "cost", Metric::CostUsdPer30d)?],
        ),
    ];
    let mut out = vec![
        (
            "cost",
            Chart::BarStack(BarStack {
                title: format!("Cost of the SQS requests{ci_note}"),
                panels: cost,
            }),
        ),
        (
            "empty_rate",
            Chart::Bars(bars(
                format!("Empty and false empty responses{ci_note}"),
                "share of receive requests (%)",
                Unit::Percent,
                vec![
                    bar_series(a, "empty responses", Metric::EmptyPct)?,
                    bar_series(a, "false empty responses", Metric::FalseEmptyPct)?,
                ],
            )),
        ),
    ];

    let cdf = &inp.latency_cdf;
    let mut cdf_series = Vec::new();
    if !cdf.rows.is_empty() {
        let (x, y) = (cdf.col("latency_s")?, cdf.col("cumulative_fraction")?);
        for group in groups(cdf)? {
            let name = group.key.last().cloned().unwrap_or_default();
            let mut points: Vec<Point> = group
                .rows
                .iter()
                .map(|&i| Ok(Point::new(cdf.num(i, x)?, 100.0 * cdf.num(i, y)?)))
                .collect::<Result<_>>()?;
            // The curve starts at the last 0% step and ends at the first 100%.
            let first = points.iter().rposition(|p| p.y <= 0.0).unwrap_or(0);
            let last = points
                .iter()
                .position(|p| p.y >= 100.0)
                .unwrap_or(points.len().saturating_sub(1));
            points = points
                .drain(first..=last.max(first).min(points.len() - 1))
                .collect();
            cdf_series.push(Series {
                color: color_of(&name),
                name,
                dashed: false,
                points,
            });
        }
    }
    out.push((
        "latency_cdf",
        Chart::Lines(Lines::new(
            "Latency distribution (send → receive, replication 0)",
            Axis::new("latency", Unit::Seconds).scaled(
                cdf_series.iter().flat_map(|s| s.points.iter().map(|p| p.x)),
                true,
            ),
            Axis::new("messages received within that time (%)", Unit::Percent),
            cdf_series,
        )),
    ));

    let mut panels = Vec::new();
    let mut rate = Vec::new();
    let mut window_s = 0.0;
    let ws = windows(&inp.timeseries)?;
    let scaling = consumers_and_backlog(&ws, &color_of);
    // Drawn after the others, from the same windows.
    let mut lambda = None;
    if let Some(w) = ws.first() {
        let averaged = format!(
            "replication 0, means over {} s",
            super::style::sig(w.seconds)
        );
        lambda = lambda_chart(&ws, &averaged, color_of);
    }
    for w in ws {
        let name = w.key.last().cloned().unwrap_or_default();
        let c = color_of(&name);
        window_s = w.seconds;
        let mut levels = vec![
            Series {
                name: "visible".into(),
                color: c,
                dashed: false,
                points: w.visible,
            },
            Series {
                name: "in flight".into(),
                color: c,
                dashed: true,
                points: w.in_flight,
            },
        ];
        // Messages stranded on a node that is down, when there are any.
        if let Some(points) = w.unreachable {
            if points.iter().any(|p| p.y > 0.0) {
                levels.push(Series {
                    name: "unreachable (node down)".into(),
                    color: 7,
                    dashed: true,
                    points,
                });
            }
        }
        panels.push(Lines::new(
            name.clone(),
            Axis::new("simulated time (s)", Unit::Plain),
            Axis::new("messages", Unit::Plain),
            levels,
        ));
        rate.push(Series {
            name,
            color: c,
            dashed: false,
            points: w.receive_rate,
        });
    }
    // Panels share one scale so variants compare at a glance.
    let shared = panels
        .iter()
        .map(Lines::data_y_range)
        .fold((0.0, 1.0f64), |acc, r| (acc.0, acc.1.max(r.1)));
    for p in &mut panels {
        p.y_range = Some(shared);
    }
    let averaged = if window_s > 0.0 {
        format!(
            "replication 0, means over {} s",
            super::style::sig(window_s)
        )
    } else {
        "replication 0".to_string()
    };
    out.push((
        "queue_depth",
        Chart::Stack(Stack {
            title: format!("Queue depth and messages in flight ({averaged})"),
            panels,
        }),
    ));
    if let Some(panels) = scaling {
        out.push((
            "consumers_backlog",
            Chart::Stack(Stack {
                title: format!("Consumers and backlog over time ({averaged})"),
                panels,
            }),
        ));
    }
    let log = wants_log(rate.iter().flat_map(|s| s.points.iter().map(|p| p.y)));
    out.push((
        "receive_rate",
        Chart::Lines(Lines::new(
            format!("Receive requests per second ({averaged})"),
            Axis::new("simulated time (s)", Unit::Plain),
            Axis::new(
                if log {
                    "receive requests per second (log scale)"
                } else {
                    "receive requests per second"
                },
                Unit::Plain,
            )
            .log(log),
            rate,
        )),
    ));
    if let Some(chart) = lambda {
        out.push(("lambda_concurrency", Chart::Stack(chart)));
    }
    if let Some(chart) = DepthChart::new(
        "False empty rate of short polls by queue depth: measured vs theory",
        &inp.depth
            .records::<DepthRow>()?
            .into_iter()
            .map(|(_, r)| r)
            .collect::<Vec<_>>(),
        &palette,
    ) {
        out.push(("false_empty_by_depth", Chart::Depth(chart)));
    }
    Ok(out)
}

/// Two panels per variant — consumers running, visible messages — when some
/// variant's number of consumers changed over time (autoscaling); `None`
/// otherwise.
fn consumers_and_backlog(all: &[Windows], color_of: &dyn Fn(&str) -> usize) -> Option<Vec<Lines>> {
    let varies = |p: &[Point]| p.iter().any(|q| q.y != p[0].y);
    if !all
        .iter()
        .any(|w| w.consumers.as_deref().is_some_and(varies))
    {
        return None;
    }
    let mut panels = Vec::new();
    for w in all {
        let name = w.key.last().cloned().unwrap_or_default();
        let c = color_of(&name);
        let time = || Axis::new("simulated time (s)", Unit::Plain);
        let one = |label: &str, points: Vec<Point>| Series {
            name: label.into(),
            color: c,
            dashed: false,
            points,
        };
        panels.push(Lines::new(
            format!("{name}: consumers"),
            time(),
            Axis::new("consumers", Unit::Plain),
            vec![one("consumers", w.consumers.clone().unwrap_or_default())],
        ));
        panels.push(Lines::new(
            format!("{name}: backlog"),
            time(),
            Axis::new("visible messages", Unit::Plain),
            vec![one("visible", w.visible.clone())],
        ));
    }
    Some(panels)
}

/// One variant's time series, averaged over windows of `per` buckets: each
/// point is a window's mean, at the window's start.
struct Windows {
    key: Vec<String>,
    /// Window length in seconds.
    seconds: f64,
    visible: Vec<Point>,
    in_flight: Vec<Point>,
    /// `None` when the file has no `unreachable` column.
    unreachable: Option<Vec<Point>>,
    /// `None` when the file has no `consumers` column.
    consumers: Option<Vec<Point>>,
    /// Receive requests per second.
    receive_rate: Vec<Point>,
    /// Lambda invocations running (bucket peaks) and pollers; `None` when
    /// the file has no Lambda columns.
    lambda: Option<(Vec<Point>, Vec<Point>)>,
}

/// "Concurrency and backlog over time": per variant with a Lambda consumer,
/// a panel of invocations running and pollers, and one of the backlog
/// (visible messages) — two scales, since a backlog can be a million.
fn lambda_chart(
    windows: &[Windows],
    averaged: &str,
    color_of: impl Fn(&str) -> usize,
) -> Option<Stack> {
    let mut panels = Vec::new();
    for w in windows {
        let Some((running, pollers)) = &w.lambda else {
            continue;
        };
        if pollers.iter().all(|p| p.y == 0.0) {
            continue;
        }
        let name = w.key.last().cloned().unwrap_or_default();
        let c = color_of(&name);
        let series = |label: &str, dashed, points: &Vec<Point>| Series {
            name: label.into(),
            color: c,
            dashed,
            points: points.clone(),
        };
        panels.push(Lines::new(
            format!("{name}: Lambda"),
            Axis::new("simulated time (s)", Unit::Plain),
            Axis::new("invocations / pollers", Unit::Plain),
            vec![
                series("concurrent invocations (peak)", false, running),
                series("pollers", true, pollers),
            ],
        ));
        panels.push(Lines::new(
            format!("{name}: backlog"),
            Axis::new("simulated time (s)", Unit::Plain),
            Axis::new("visible messages", Unit::Plain),
            vec![series("backlog (visible)", false, &w.visible)],
        ));
    }
    (!panels.is_empty()).then(|| Stack {
        title: format!("Lambda concurrency and backlog over time ({averaged})"),
        panels,
    })
}

/// Window means of one column, as sums until the scale is applied.
#[derive(Default)]
struct Mean {
    windows: Vec<Window>,
}

/// The rows of one window so far.
struct Window {
    start: f64,
    sum: f64,
    rows: usize,
}

impl Mean {
    fn add(&mut self, t: f64, v: f64, per: usize) {
        match self.windows.last_mut() {
            Some(w) if w.rows < per => {
                w.sum += v;
                w.rows += 1;
            }
            _ => self.windows.push(Window {
                start: t,
                sum: v,
                rows: 1,
            }),
        }
    }

    fn finish(self, scale: f64) -> Vec<Point> {
        self.windows
            .into_iter()
            .map(|w| Point::new(w.start, w.sum / w.rows as f64 * scale))
            .collect()
    }
}

/// The windows of every variant of `timeseries.csv`, in order of first
/// appearance, in two streaming passes (count rows, then average) so the
/// file is never held whole: a day of 1 s buckets is 86,400 rows a variant.
fn windows(ts: &Content) -> Result<Vec<Windows>> {
    struct Group {
        key: Vec<String>,
        rows: usize,
        /// The first two bucket starts, for the bucket width.
        times: Vec<f64>,
        per: usize,
        width: f64,
        /// visible, in flight, receive requests, unreachable, consumers,
        /// Lambda concurrency, Lambda pollers.
        means: [Mean; 7],
    }
    let read_err = || "cannot read timeseries.csv";
    let mut r = csv::Reader::from_reader(ts.reader()?);
    let header: Vec<String> = r
        .headers()
        .with_context(read_err)?
        .iter()
        .map(str::to_string)
        .collect();
    let table = Table {
        header,
        rows: Vec::new(),
        name: "timeseries.csv".into(),
    };
    let col = |name: &str| table.col(name);
    let mut rec = csv::StringRecord::new();
    // The group of `rec`: rows of one variant are usually together.
    let find = |groups: &[Group], rec: &csv::StringRecord, v: usize| {
        groups
            .iter()
            .rposition(|g| rec.iter().take(v + 1).eq(g.key.iter().map(String::as_str)))
    };
    let num = |rec: &csv::StringRecord, c: usize| -> Result<f64> {
        let cell = rec.get(c).unwrap_or("");
        cell.parse().map_err(|_| {
            anyhow::anyhow!("`{cell}` in column `{}` is not a number", table.header[c])
        })
    };

    // Pass 1: rows and bucket width per variant.
    let mut groups: Vec<Group> = Vec::new();
    let mut cols = None;
    while r.read_record(&mut rec).with_context(read_err)? {
        let (v, t) = match cols {
            Some(c) => c,
            None => *cols.insert((col("variant")?, col("time_s")?)),
        };
        let g = match find(&groups, &rec, v) {
            Some(g) => g,
            None => {
                groups.push(Group {
                    key: rec.iter().take(v + 1).map(str::to_string).collect(),
                    rows: 0,
                    times: Vec::new(),
                    per: 1,
                    width: 1.0,
                    means: Default::default(),
                });
                groups.len() - 1
            }
        };
        let g = &mut groups[g];
        g.rows += 1;
        if g.times.len() < 2 {
            g.times.push(num(&rec, t)?);
        }
    }
    let Some((v, t)) = cols else {
        return Ok(Vec::new());
    };
    let (vis, infl, req) = (col("visible")?, col("in_flight")?, col("receive_requests")?);
    let unr = col("unreachable").ok();
    let cons = col("consumers").ok();
    let lam = col("lambda_concurrency")
        .ok()
        .zip(col("lambda_pollers").ok());
    for g in &mut groups {
        g.width = match g.times.as_slice() {
            [a, b, ..] if b > a => b - a,
            _ => 1.0,
        };
        g.per = g.rows.div_ceil(MAX_POINTS).max(1);
    }

    // Pass 2: window means.
    let mut r = csv::Reader::from_reader(ts.reader()?);
    while r.read_record(&mut rec).with_context(read_err)? {
        let g = find(&groups, &rec, v).expect("pass 1 saw every variant");
        let g = &mut groups[g];
        let time = num(&rec, t)?;
        g.means[0].add(time, num(&rec, vis)?, g.per);
        g.means[1].add(time, num(&rec, infl)?, g.per);
        g.means[2].add(time, num(&rec, req)?, g.per);
        if let Some(u) = unr {
            g.means[3].add(time, num(&rec, u)?, g.per);
        }
        if let Some(k) = cons {
            g.means[4].add(time, num(&rec, k)?, g.per);
        }
        if let Some((lc, lp)) = lam {
            g.means[5].add(time, num(&rec, lc)?, g.per);
            g.means[6].add(time, num(&rec, lp)?, g.per);
        }
    }
    Ok(groups
        .into_iter()
        .map(|g| {
            let [vis, infl, req, unr_mean, cons_mean, running, pollers] = g.means;
            Windows {
                key: g.key,
                seconds: g.width * g.per as f64,
                visible: vis.finish(1.0),
                in_flight: infl.finish(1.0),
                unreachable: unr.map(|_| unr_mean.finish(1.0)),
                consumers: cons.map(|_| cons_mean.finish(1.0)),
                receive_rate: req.finish(1.0 / g.width),
                lambda: lam.map(|_| (running.finish(1.0), pollers.finish(1.0))),
            }
        })
        .collect())
}

/// One bar per aggregate row: `metric`'s mean and CI half-width.
fn bar_series(a: &Table, name: &str, metric: Metric) -> Result<BarSeries> {
    let (m, c) = (a.col(&metric.mean_column())?, a.col(&metric.ci95_column())?);
    let values = (0..a.rows.len())
        .map(|i| {
            Ok(match (a.opt_num(i, m)?, a.opt_num(i, c)?) {
                (Some(mean), Some(ci95)) => Some(Estimate { mean, ci95 }),
                _ => None,
            })
        })
        .collect::<Result<_>>()?;
    Ok(BarSeries {
        name: name.into(),
        values,
    })
}
