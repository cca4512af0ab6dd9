//! The summary table printed on the terminal after a run: one line per
//! variant, means over replications (± 95% CI when there are several). A
//! figure that does not exist (latency or cost per message when nothing was
//! delivered) reads `n/a`. Runs with a Lambda consumer add its
//! invocations, peak concurrency, its bill and the total (SQS + Lambda).

use super::aggregate::Aggregate;
use super::summary::Metric;
use std::fmt::Write;

/// A column after the variant: its heading, its figure and how to print it.
/// `report.html`'s summary table uses the same columns, so the page and the
/// terminal print the same numbers.
pub(crate) struct Column {
    pub(crate) heading: &'static str,
    pub(crate) metric: Metric,
    pub(crate) format: fn(f64) -> String,
}

impl Column {
    /// The figure of `a`: its mean, `± CI` with several replications, `n/a`
    /// when it does not exist.
    pub(crate) fn cell(&self, a: &Aggregate) -> String {
        match a.get(self.metric) {
            None => "n/a".to_string(),
            Some(e) if a.replications > 1 => {
                format!("{} ±{}", (self.format)(e.mean), (self.format)(e.ci95))
            }
            Some(e) => (self.format)(e.mean),
        }
    }
}

/// The columns for these aggregates: the Lambda ones only when a variant
/// has a Lambda consumer.
pub(crate) fn columns(aggs: &[Aggregate]) -> Vec<&'static Column> {
    let lambda = aggs.iter().any(|a| {
        a.get(Metric::LambdaPollersMax)
            .is_some_and(|e| e.mean > 0.0)
    });
    COLUMNS
        .iter()
        .chain(LAMBDA_COLUMNS.iter().filter(|_| lambda))
        .collect()
}

const fn column(heading: &'static str, metric: Metric, format: fn(f64) -> String) -> Column {
    Column {
        heading,
        metric,
        format,
    }
}

const COLUMNS: [Column; 8] = [
    column("requests", Metric::TotalRequests, |x| format!("{x:.0}")),
    column("empty %", Metric::EmptyPct, |x| format!("{x:.1}")),
    column("false empty %", Metric::FalseEmptyPct, |x| {
        format!("{x:.2}")
    }),
    column("cost USD", Metric::CostUsd, |x| format!("{x:.4}")),
    column("USD / 30 d", Metric::CostUsdPer30d, |x| format!("{x:.2}")),
    column(
        "USD / M delivered",
        Metric::CostPerMillionDeliveredUsd,
        |x| format!("{x:.3}"),
    ),
    column("send→receive p50", Metric::LatencyP50S, secs),
    column("send→receive p99", Metric::LatencyP99S, secs),
];

/// Columns added when a variant has a Lambda consumer.
const LAMBDA_COLUMNS: [Column; 4] = [
    column("invocations", Metric::LambdaInvocations, |x| {
        format!("{x:.0}")
    }),
    column("concurrency max", Metric::LambdaConcurrencyMax, |x| {
        format!("{x:.0}")
    }),
    column("Lambda USD", Metric::LambdaCostUsd, |x| format!("{x:.4}")),
    column("total USD", Metric::TotalCostUsd, |x| format!("{x:.4}")),
];

pub(crate) fn render(aggs: &[Aggregate]) -> String {
    let columns = columns(aggs);
    let head: Vec<&str> = std::iter::once("variant")
        .chain(columns.iter().map(|c| c.heading))
        .collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for a in aggs {
        let key = a
            .keys
            .iter()
            // A sweep's parameter names are in the heading, not on every row.
            .filter(|k| !k.0.starts_with("param"))
            .map(|k| k.1.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let cell = |c: &&Column| c.cell(a);
        rows.push(
            std::iter::once(key)
                .chain(columns.iter().map(cell))
                .collect(),
        );
    }
    let mut widths: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: &[String]| {
        for (i, c) in cells.iter().enumerate() {
            let pad = widths[i] - c.chars().count();
            if i == 0 {
                let _ = write!(out, "{c}{}", " ".repeat(pad));
            } else {
                let _ = write!(out, "  {}{c}", " ".repeat(pad));
            }
        }
        out.push('\n');
    };
    line(
        &mut out,
        &head.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    );
    let total: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
    out.push_str(&"-".repeat(total));
    out.push('\n');
    for r in &rows {
        line(&mut out, r);
    }
    out
}

/// Seconds in a readable unit.
pub(crate) fn secs(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x < 1e-3 {
        format!("{:.0}us", x * 1e6)
    } else if x < 1.0 {
        format!("{:.1}ms", x * 1e3)
    } else {
        format!("{x:.2}s")
    }
}
