//! The charts of a `sweep`: each key figure against the swept value, one line
//! per variant with 95% CI error bars, and the cost-vs-latency trade-off with
//! one labelled point per value. With a grid, the x axis is the first
//! parameter and each combination of the others is a line of its own. A
//! line takes its variant's colour, as in the run charts.

use super::lines::{Lines, Point, Series};
use super::style::{wants_log, Axis, Palette, Unit};
use super::{Chart, Inputs};
use crate::engine::duration_text::parse_duration_us;
use crate::report::table::secs;
use crate::report::{advice, aggregate, Metric};
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
        let series = merge_identical(series);
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
    out.push(("tradeoff", tradeoff(inp, &l)?));
    Ok(out)
}

/// The cost-vs-latency trade-off: one labelled point per value; with an
/// objective, its latency bound as a dashed line and the advised point
/// ringed. The x axis is the percentile the objective bounds (p99 unless it
/// bounds only p90 or p50).
fn tradeoff(inp: &Inputs, l: &Layout) -> Result<Chart> {
    let a = &inp.aggregate;
    let slo = inp.slo.as_ref();
    let (name, metric, bound) = match slo {
        Some(s) if s.latency_p99.is_none() && s.latency_p90.is_some() => {
            ("p90", Metric::LatencyP90S, s.latency_p90)
        }
        Some(s) if s.latency_p99.is_none() && s.latency_p50.is_some() => {
            ("p50", Metric::LatencyP50S, s.latency_p50)
        }
        s => ("p99", Metric::LatencyP99S, s.and_then(|s| s.latency_p99)),
    };
    let lat = a.col(&metric.mean_column())?;
    let cost = a.col(&Metric::CostPerMillionDeliveredUsd.mean_column())?;
    let series = merge_identical(l.series(|r| {
        let (Some(x), Some(y)) = (a.opt_num(r, lat)?, a.opt_num(r, cost)?) else {
            return Ok(None);
        };
        Ok(Some(Point {
            label: Some(l.values[r].clone()),
            ..Point::new(x, y)
        }))
    })?);
    let log_x = wants_log(series.iter().flat_map(|s| s.points.iter().map(|p| p.x)));
    let log_y = wants_log(series.iter().flat_map(|s| s.points.iter().map(|p| p.y)));
    let scale = |log: bool| if log { " (log scale)" } else { "" };
    let mut chart = Lines {
        markers: true,
        ..Lines::new(
            format!("Cost vs latency, points labelled by {}", l.short_param()),
            Axis::new(
                format!("latency {name}, send → receive{}", scale(log_x)),
                Unit::Seconds,
            )
            .log(log_x),
            Axis::new(
                format!("USD per million messages delivered{}", scale(log_y)),
                Unit::Usd,
            )
            .log(log_y),
            series,
        )
    };
    if let Some(slo) = slo {
        if let Some(b) = bound {
            let b = b.as_secs_f64();
            chart.vlines.push((b, format!("SLO {name} ≤ {}", secs(b))));
        }
        let advice = advice::judge(&aggregate::from_table(a)?, slo);
        if let Some(c) = &advice.answer {
            if let (Some(x), Some(y)) = (a.opt_num(c.row, lat)?, a.opt_num(c.row, cost)?) {
                let variant = a.rows[c.row].get(a.col("variant")?).unwrap_or("");
                chart.highlight = Some((x, y, format!("answer: {} {variant}", l.values[c.row])));
            }
        }
    }
    Ok(Chart::Lines(chart))
}

/// Lines with exactly the same points are drawn once, under one name
/// ("a = b"): otherwise the last drawn hides the others, and their labels
/// pile up on the same spots.
fn merge_identical(series: Vec<Series>) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    let key = |s: &Series| -> Vec<(u64, u64, u64)> {
        s.points
            .iter()
            .map(|p| (p.x.to_bits(), p.y.to_bits(), p.ci.to_bits()))
            .collect()
    };
    for s in series {
        match out
            .iter_mut()
            .find(|o| !s.points.is_empty() && key(o) == key(&s))
        {
            Some(o) => o.name = format!("{} = {}", o.name, s.name),
            None => out.push(s),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(name: &str, color: usize, ys: &[f64]) -> Series {
        Series {
            name: name.into(),
            color,
            dashed: false,
            points: ys
                .iter()
                .enumerate()
                .map(|(i, &y)| Point::new(i as f64, y))
                .collect(),
        }
    }

    /// Three variants made identical (a `--set` over what they set) become
    /// one line named for all three, keeping the first one's colour.
    #[test]
    fn identical_lines_are_merged_under_one_name() {
        let merged = merge_identical(vec![
            line("a", 0, &[1.0, 2.0]),
            line("b", 1, &[1.0, 3.0]),
            line("c", 2, &[1.0, 2.0]),
            line("d", 3, &[1.0, 2.0]),
        ]);
        let names: Vec<(&str, usize)> = merged.iter().map(|s| (s.name.as_str(), s.color)).collect();
        assert_eq!(names, [("a = c = d", 0), ("b", 1)]);
    }
}
