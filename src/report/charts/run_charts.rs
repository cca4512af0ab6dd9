//! The charts of a `run`: cost and empty rates per variant (bars), the
//! latency CDF, queue depth and in-flight messages over time (one panel per
//! variant), receive requests per second over time, and the false-empty rate
//! of short polls by queue depth against theory (when there were short polls).

use super::bars::{BarSeries, Bars};
use super::false_empty_depth::DepthChart;
use super::lines::{Lines, Point, Series, Stack};
use super::style::{wants_log, Axis, Unit};
use super::{groups, Chart, Inputs};
use crate::report::depth::DepthRow;
use crate::report::keyed::Table;
use anyhow::Result;

/// Time series longer than this are averaged over windows of several buckets.
const MAX_POINTS: usize = 240;

pub fn charts(inp: &Inputs) -> Result<Vec<(&'static str, Chart)>> {
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
    let color_of = |name: &str| variants.iter().position(|v| v == name).unwrap_or(0);
    let mut out = vec![
        (
            "cost",
            Chart::Bars(Bars {
                title: format!("Cost per variant{ci_note}"),
                y_label: "cost of the measured window (USD)".into(),
                unit: Unit::Usd,
                groups: variants.clone(),
                series: vec![bar_series(a, "cost", "cost_usd")?],
            }),
        ),
        (
            "empty_rate",
            Chart::Bars(Bars {
                title: format!("Empty and false empty responses{ci_note}"),
                y_label: "share of receive requests (%)".into(),
                unit: Unit::Percent,
                groups: variants.clone(),
                series: vec![
                    bar_series(a, "empty responses", "empty_pct")?,
                    bar_series(a, "false empty responses", "false_empty_pct")?,
                ],
            }),
        ),
    ];

    let cdf = &inp.latency_cdf;
    let mut cdf_series = Vec::new();
    if !cdf.rows.is_empty() {
        let (x, y) = (cdf.col("latency_s")?, cdf.col("cumulative_fraction")?);
        for (key, rows) in groups(cdf)? {
            let name = key.last().cloned().unwrap_or_default();
            let mut points: Vec<Point> = rows
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
            Axis::new("latency (log scale)", Unit::Seconds).log(true),
            Axis::new("messages received within that time (%)", Unit::Percent),
            cdf_series,
        )),
    ));

    let ts = &inp.timeseries;
    let mut panels = Vec::new();
    let mut rate = Vec::new();
    let mut window_s = 0.0;
    if !ts.rows.is_empty() {
        let (t, vis, infl, req) = (
            ts.col("time_s")?,
            ts.col("visible")?,
            ts.col("in_flight")?,
            ts.col("receive_requests")?,
        );
        for (key, rows) in groups(ts)? {
            let name = key.last().cloned().unwrap_or_default();
            let c = color_of(&name);
            let times: Vec<f64> = rows.iter().map(|&i| ts.num(i, t)).collect::<Result<_>>()?;
            let width = match times.as_slice() {
                [a, b, ..] if b > a => b - a,
                _ => 1.0,
            };
            let per = rows.len().div_ceil(MAX_POINTS).max(1);
            window_s = width * per as f64;
            // Mean of each window of `per` buckets, at the window's start.
            let column = |col: usize, scale: f64| -> Result<Vec<Point>> {
                let vals: Vec<f64> = rows
                    .iter()
                    .map(|&i| ts.num(i, col))
                    .collect::<Result<_>>()?;
                Ok(vals
                    .chunks(per)
                    .zip(times.chunks(per))
                    .map(|(v, t)| Point::new(t[0], v.iter().sum::<f64>() / v.len() as f64 * scale))
                    .collect())
            };
            let mut levels = vec![
                Series {
                    name: "visible".into(),
                    color: c,
                    dashed: false,
                    points: column(vis, 1.0)?,
                },
                Series {
                    name: "in flight".into(),
                    color: c,
                    dashed: true,
                    points: column(infl, 1.0)?,
                },
            ];
            // Messages stranded on a node that is down, when there are any.
            if let Ok(u) = ts.col("unreachable") {
                let points = column(u, 1.0)?;
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
                points: column(req, 1.0 / width)?,
            });
        }
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
    if let Some(chart) = DepthChart::new(
        "False empty rate of short polls by queue depth: measured vs theory",
        &inp.depth
            .records::<DepthRow>()?
            .into_iter()
            .map(|(_, r)| r)
            .collect::<Vec<_>>(),
    ) {
        out.push(("false_empty_by_depth", Chart::Depth(chart)));
    }
    Ok(out)
}

/// One bar per aggregate row: `metric`'s mean and CI half-width.
fn bar_series(a: &Table, name: &str, metric: &str) -> Result<BarSeries> {
    let (m, c) = (
        a.col(&format!("{metric}_mean"))?,
        a.col(&format!("{metric}_ci95"))?,
    );
    let values = (0..a.rows.len())
        .map(|i| Ok((a.num(i, m)?, a.num(i, c)?)))
        .collect::<Result<_>>()?;
    Ok(BarSeries {
        name: name.into(),
        values,
    })
}
