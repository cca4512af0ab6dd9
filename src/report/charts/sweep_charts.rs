//! The charts of a `sweep`: each key figure against the swept value, one line
//! per variant with 95% CI error bars, and the cost-vs-latency trade-off with
//! one labelled point per value. With a grid, the x axis is the first
//! parameter and each combination of the others is a line of its own. A
//! line takes its variant's colour, as in the run charts.

use super::lines::{Lines, Point, Series};
use super::style::{wants_log, Axis, Palette, Unit};
use super::{Chart, Inputs};
use crate::engine::duration_text::parse_duration_us;
use crate::report::Metric;
use anyhow::Result;

/// `(file stem, title, metric, y label, unit)`.
const FIGURES: [(&str, &str, Metric, &str, Unit); 5] = [
    (
        "sweep_cost_per_million",
        "Cost per million messages",
        Metric::CostPerMillionDeliveredUsd,
        "USD per million messages delivered",
        Unit::Usd,
    ),
    (
        "sweep_empty_pct",
        "Empty responses",
        Metric::EmptyPct,
        "empty responses (% of receives)",
        Unit::Percent,
    ),
    (
        "sweep_false_empty_pct",
        "False empty responses",
        Metric::FalseEmptyPct,
        "false empty responses (% of receives)",
        Unit::Percent,
    ),
    (
        "sweep_latency_p50",
        "Median latency",
        Metric::LatencyP50S,
        "latency p50",
        Unit::Seconds,
    ),
    (
        "sweep_latency_p99",
        "99th percentile latency",
        Metric::LatencyP99S,
        "latency p99",
        Unit::Seconds,
    ),
];

/// The aggregate rows as points of lines.
struct Layout {
    param: String,
    /// x of each row.
    xs: Vec<f64>,
    /// The value as written, per row.
    values: Vec<String>,
    /// Line name and index of each row's line.
    line_names: Vec<String>,
    line_of: Vec<usize>,
    /// Each line's colour index: its variant's when each variant is one
    /// line, the line's own in a grid (where a variant has several).
    line_colors: Vec<usize>,
    x_axis: Axis,
}

fn layout(inp: &Inputs) -> Result<Layout> {
    let a = &inp.aggregate;
    let v = a.col("variant")?;
    let param = a.rows.first().map_or(String::new(), |r| r[0].to_string());
    let values: Vec<String> = a.rows.iter().map(|r| r[1].to_string()).collect();
    let (xs, x_axis) = if let Some(xs) = values
        .iter()
        .map(|s| s.parse::<f64>().ok())
        .collect::<Option<Vec<f64>>>()
    {
        (xs, Axis::new(param.clone(), Unit::Plain))
    } else if let Some(xs) = values
        .iter()
        .map(|s| parse_duration_us(s).ok().map(|u| u / 1e6))
        .collect::<Option<Vec<f64>>>()
    {
        (xs, Axis::new(param.clone(), Unit::Seconds))
    } else {
        let mut names: Vec<String> = Vec::new();
        let xs = values
            .iter()
            .map(|s| {
                let i = names.iter().position(|n| n == s).unwrap_or_else(|| {
                    names.push(s.clone());
                    names.len() - 1
                });
                i as f64
            })
            .collect();
        let mut axis = Axis::new(param.clone(), Unit::Plain);
        axis.names = Some(names);
        (xs, axis)
    };
    let mut line_names: Vec<String> = Vec::new();
    let mut line_variants: Vec<String> = Vec::new();
    let mut line_of = Vec::new();
    for r in &a.rows {
        // Other grid parameters (param2, value2, …) then the variant.
        let mut name = r[v].to_string();
        for k in (2..v).step_by(2) {
            name.push_str(&format!(
                ", {}={}",
                r[k].rsplit('.').next().unwrap_or(""),
                &r[k + 1]
            ));
        }
        let i = line_names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| {
                line_names.push(name.clone());
                line_variants.push(r[v].to_string());
                line_names.len() - 1
            });
        line_of.push(i);
    }
    let palette = Palette::of_aggregate(a);
    let line_colors = if line_names.len() == palette.len() {
        line_variants.iter().map(|v| palette.index(v)).collect()
    } else {
        (0..line_names.len()).collect()
    };
    Ok(Layout {
        param,
        xs,
        values,
        line_names,
        line_of,
        line_colors,
        x_axis,
    })
}

impl Layout {
    /// One series per line, points sorted by x; `point(row)` makes each
    /// point (`None`: the figure does not exist there, e.g. a latency when
    /// nothing was delivered, and the line skips it).
    fn series(&self, point: impl Fn(usize) -> Result<Option<Point>>) -> Result<Vec<Series>> {
        let mut out: Vec<Series> = self
            .line_names
            .iter()
            .enumerate()
            .map(|(i, n)| Series {
                name: n.clone(),
                color: self.line_colors[i],
                dashed: false,
                points: Vec::new(),
            })
            .collect();
        let mut rows: Vec<usize> = (0..self.xs.len()).collect();
        rows.sort_by(|&a, &b| self.xs[a].total_cmp(&self.xs[b]));
        for r in rows {
            if let Some(p) = point(r)? {
                out[self.line_of[r]].points.push(p);
            }
        }
        Ok(out)
    }

    fn short_param(&self) -> &str {
        self.param.rsplit('.').next().unwrap_or(&self.param)
    }
}

pub(crate) fn charts_of_sweep(inp: &Inputs) -> Result<Vec<(&'static str, Chart)>> {
    let a = &inp.aggregate;
    let l = layout(inp)?;
    let stat = |m: Metric| -> Result<(usize, usize)> {
        Ok((a.col(&m.mean_column())?, a.col(&m.ci95_column())?))
    };
    let mut out = Vec::new();
    for (stem, title, metric, y_label, unit) in FIGURES {
        let (m, c) = stat(metric)?;
        let series = l.series(|r| {
            let (Some(y), Some(ci)) = (a.opt_num(r, m)?, a.opt_num(r, c)?) else {
                return Ok(None);
            };
            Ok(Some(Point {
                ci,
                ..Point::new(l.xs[r], y)
            }))
        })?;
        // Latencies span decades across a sweep: always a log axis (with a
        // marked floor for values of 0); the others when they span over 30×.
        let y = Axis::new(y_label, unit).scaled(
            series.iter().flat_map(|s| s.points.iter().map(|p| p.y)),
            unit == Unit::Seconds,
        );
        out.push((
            stem,
            Chart::Lines(Lines {
                markers: true,
                ..Lines::new(
                    format!("{title} vs {} (mean ± 95% CI)", l.short_param()),
                    l.x_axis.clone(),
                    y,
                    series,
                )
            }),
        ));
    }
    let lat = a.col(&Metric::LatencyP99S.mean_column())?;
    let cost = a.col(&Metric::CostPerMillionDeliveredUsd.mean_column())?;
    let series = l.series(|r| {
        let (Some(x), Some(y)) = (a.opt_num(r, lat)?, a.opt_num(r, cost)?) else {
            return Ok(None);
        };
        Ok(Some(Point {
            label: Some(l.values[r].clone()),
            ..Point::new(x, y)
        }))
    })?;
    let log_x = wants_log(series.iter().flat_map(|s| s.points.iter().map(|p| p.x)));
    let log_y = wants_log(series.iter().flat_map(|s| s.points.iter().map(|p| p.y)));
    let scale = |log: bool| if log { " (log scale)" } else { "" };
    out.push((
        "tradeoff",
        Chart::Lines(Lines {
            markers: true,
            ..Lines::new(
                format!("Cost vs latency, points labelled by {}", l.short_param()),
                Axis::new(format!("latency p99{}", scale(log_x)), Unit::Seconds).log(log_x),
                Axis::new(
                    format!("USD per million messages delivered{}", scale(log_y)),
                    Unit::Usd,
                )
                .log(log_y),
                series,
            )
        }),
    ));
    Ok(out)
}
