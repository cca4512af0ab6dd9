//! `report.html`: one self-contained page per results folder — what was
//! run (the scenario text and the command), the warnings, the conclusions
//! in words, the summary table with 95% CIs, every chart as inline SVG, and
//! every run's row of `summary.csv`. No external URL and no script: it reads
//! the same offline and without JavaScript.
//!
//! The page is a minijinja template ([`TEMPLATE`], `page.html` beside this
//! file) with auto-escaping, so nothing from the scenario can become markup;
//! the only unescaped values are the charts' SVGs, which plotters escapes
//! itself. It is drawn from the folder's files alone — the CSVs plus
//! `scenario.toml` and `command.txt` ([`About`]) — so `run`, `sweep`,
//! `merge` and `plot` write the same page.

use super::aggregate::Aggregate;
use super::atomic::OutputSet;
use super::{conclusions, keyed, table};
use anyhow::{Context, Result};
use minijinja::value::{Serde, Value};
use serde::Serialize;
use std::path::Path;

/// The page's template: HTML and CSS in one file.
const TEMPLATE: &str = include_str!("page.html");

pub(crate) const NAME: &str = "report.html";
/// A copy of the scenario file the results came from.
pub(crate) const SCENARIO: &str = "scenario.toml";
/// The command that made the results (one line).
pub(crate) const COMMAND: &str = "command.txt";

/// More runs than this: the page lists no run, only points at `summary.csv`.
const MAX_RUN_ROWS: usize = 1000;

/// Where a folder's results came from: kept in the folder so `merge` and
/// `plot` can write the page again.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct About {
    /// The scenario file's text, as read.
    pub(crate) scenario: String,
    /// The command that made the results, without the flags that do not
    /// change them (`--out`, `--jobs`, `--quiet`, `--format`, `--no-charts`,
    /// `--shard`), so a sharded and merged study has the page of the
    /// unsharded one.
    pub(crate) command: String,
}

impl About {
    pub(crate) fn add_to(&self, set: &mut OutputSet) {
        set.add(SCENARIO, self.scenario.clone().into_bytes());
        set.add(COMMAND, format!("{}\n", self.command).into_bytes());
    }

    /// What `dir` says; a folder written before these files existed gives
    /// empty strings (the page says they were not recorded).
    pub(crate) fn read(dir: &Path) -> About {
        let get = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        About {
            scenario: get(SCENARIO),
            command: get(COMMAND).trim_end().to_string(),
        }
    }

    /// The scenario's `name` and `description`, read from its text.
    fn name_and_description(&self) -> (String, String) {
        let doc: toml::Table = self.scenario.parse().unwrap_or_default();
        let get = |k: &str| {
            doc.get(k)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        (get("name"), get("description"))
    }
}

/// What other modules add to the page. Both are filled by the SLO advice
/// and warnings module (`sweep --slo`, not keeping up, zero network,
/// overridden settings), which decides what they say; left empty, their
/// sections are not shown.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ReportInputs {
    /// One sentence each, shown near the top of the page.
    pub(crate) warnings: Vec<String>,
    /// A sweep's SLO answer; `None`: no SLO was given.
    pub(crate) advice: Option<Advice>,
}

impl ReportInputs {
    /// The page's view of the run's `warnings` and of the SLO's `advice`,
    /// line for line what the terminal prints.
    pub(crate) fn new(
        warnings: &[crate::report::warnings::Warning],
        advice: Option<&crate::report::advice::Advice>,
    ) -> ReportInputs {
        use crate::report::advice::Line;
        let advice = advice.map(|a| {
            let mut page = Advice::default();
            for line in a.lines() {
                match line {
                    Line::Answer(text) => page.answer = text,
                    Line::Other { text, .. } => page.details.push(text),
                }
            }
            page
        });
        ReportInputs {
            warnings: warnings.iter().map(ToString::to_string).collect(),
            advice,
        }
    }
}

/// `summary.csv` as the page lists its runs: the header, every row while
/// there are at most [`MAX_RUN_ROWS`] (none past that), and how many there
/// are. Read as a stream, so a large sweep's file is never held whole.
pub(crate) struct Runs {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<csv::StringRecord>,
    pub(crate) count: usize,
}

impl Runs {
    /// (Rewound first: the caller's reader may serve other passes too.)
    pub(crate) fn read(summary: &mut keyed::Records) -> Result<Runs> {
        summary.rewind()?;
        let header = summary.header().to_vec();
        let (mut rows, mut count) = (Vec::new(), 0);
        let mut rec = csv::StringRecord::new();
        while summary.read(&mut rec)? {
            count += 1;
            if count <= MAX_RUN_ROWS {
                rows.push(rec.clone());
            } else if count == MAX_RUN_ROWS + 1 {
                rows = Vec::new();
            }
        }
        Ok(Runs {
            header,
            rows,
            count,
        })
    }
}

/// The SLO answer as the page shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub(crate) struct Advice {
    /// E.g. "p99 < 1s: the cheapest configuration that meets it is wait_time = 20s …".
    pub(crate) answer: String,
    /// The runner-up, each failing point and why, how "meets" was judged.
    pub(crate) details: Vec<String>,
}

/// One chart on the page.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct PageChart {
    pub(crate) stem: String,
    /// The SVG element (plotters escapes its text).
    pub(crate) svg: String,
}

/// The charts `render_all` drew, for the page.
pub(crate) fn charts_of(inline: Vec<(String, String)>) -> Vec<PageChart> {
    inline
        .into_iter()
        .map(|(stem, svg)| PageChart { stem, svg })
        .collect()
}

/// The summary table: headings and rows of cells.
#[derive(Serialize)]
struct Grid {
    /// How many leading columns are keys (variant, swept values).
    keys: usize,
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// Everything the page is drawn from.
pub(crate) struct Page<'a> {
    pub(crate) about: &'a About,
    pub(crate) aggregates: &'a [Aggregate],
    /// `summary.csv`'s runs.
    pub(crate) summary: &'a Runs,
    /// `None`: charts were not drawn (`--no-charts`).
    pub(crate) charts: Option<Vec<PageChart>>,
    pub(crate) inputs: &'a ReportInputs,
}

impl Page<'_> {
    /// The page's bytes.
    pub(crate) fn render(&self) -> Result<Vec<u8>> {
        let mut env = minijinja::Environment::new();
        // The name's extension turns on HTML auto-escaping.
        env.add_template("report.html", TEMPLATE)
            .context("the report template")?;
        let (name, description) = self.about.name_and_description();
        let runs = self.summary.count;
        let run_rows = (runs <= MAX_RUN_ROWS).then(|| Grid {
            keys: 0,
            head: self.summary.header.clone(),
            rows: self
                .summary
                .rows
                .iter()
                .map(|r| r.iter().map(str::to_string).collect())
                .collect(),
        });
        let charts = self.charts.as_ref().map(|cs| {
            cs.iter()
                .map(|c| {
                    minijinja::context! {
                        stem => &c.stem,
                        about => chart_note(&c.stem),
                        svg => Value::from_safe_string(inline_svg(&c.svg)),
                    }
                })
                .collect::<Vec<_>>()
        });
        let ctx = minijinja::context! {
            name => if name.is_empty() { "sqs-sim results".to_string() } else { name },
            description => description,
            what => self.what(),
            command => &self.about.command,
            scenario => &self.about.scenario,
            warnings => &self.inputs.warnings,
            advice => self.inputs.advice.as_ref().map(|a| Value::from(Serde(a))),
            conclusions => conclusions::of(self.aggregates),
            table => Value::from(Serde(self.table())),
            charts => charts,
            runs => runs,
            run_rows => run_rows.map(|g| Value::from(Serde(g))),
            max_run_rows => MAX_RUN_ROWS,
        };
        let page = env
            .get_template("report.html")
            .and_then(|t| t.render(ctx))
            .context("rendering report.html")?;
        Ok(page.into_bytes())
    }

    /// "3 variant(s) × 5 replication(s)", for the heading.
    fn what(&self) -> String {
        let reps = self.aggregates.first().map_or(0, |a| a.replications);
        let sweep = self
            .aggregates
            .first()
            .is_some_and(|a| a.keys.iter().any(|k| k.0 == "param"));
        let n = self.aggregates.len();
        if sweep {
            format!("{n} sweep point(s) × variant(s), {reps} replication(s) each")
        } else {
            format!("{n} variant(s), {reps} replication(s) each")
        }
    }

    /// The terminal's summary table: the key columns, then its figures.
    fn table(&self) -> Grid {
        let cols = table::columns(self.aggregates);
        let keys: Vec<String> = self.aggregates.first().map_or(Vec::new(), |a| {
            a.keys
                .iter()
                .enumerate()
                .filter(|(_, k)| k.0 != "param" && !k.0.starts_with("param"))
                .map(|(i, k)| {
                    // A value column is headed by its parameter's name.
                    if k.0.starts_with("value") {
                        let p = &a.keys[i - 1].1;
                        p.rsplit('.').next().unwrap_or(p).to_string()
                    } else {
                        k.0.clone()
                    }
                })
                .collect()
        });
        let n_keys = keys.len();
        let head = keys
            .into_iter()
            .chain(cols.iter().map(|c| heading(c.heading)))
            .collect();
        let rows = self
            .aggregates
            .iter()
            .map(|a| {
                a.keys
                    .iter()
                    .filter(|k| !k.0.starts_with("param"))
                    .map(|k| k.1.clone())
                    .chain(cols.iter().map(|c| c.cell(a)))
                    .collect()
            })
            .collect();
        Grid {
            keys: n_keys,
            head,
            rows,
        }
    }
}

/// The terminal's short headings, said in full.
fn heading(h: &str) -> String {
    match h {
        "requests" => "requests (all kinds)".into(),
        "empty %" => "empty responses (% of receives)".into(),
        "false empty %" => "false empty responses (% of receives)".into(),
        "cost USD" => "cost of the measured window (USD, SQS requests)".into(),
        "USD / M msgs" => "USD per million delivered messages".into(),
        "latency p50" => "latency p50 (send → first receive)".into(),
        "latency p99" => "latency p99 (send → first receive)".into(),
        h => h.to_string(),
    }
}

/// What a chart shows, in a sentence under it.
fn chart_note(stem: &str) -> &'static str {
    match stem {
        "cost" => "What the SQS requests cost, per million delivered messages (and per 30 days when known); bars are means, whiskers 95% confidence intervals.",
        "empty_rate" => "Receive requests that came back empty, and those that were false empties (a visible message was on a node the poll did not sample).",
        "latency_cdf" => "The share of messages received within a given time of being sent (replication 0); further left is faster.",
        "queue_depth" => "Visible and in-flight messages over time, one panel per variant on one scale.",
        "consumers_backlog" => "Consumers running against the backlog over time (autoscaling).",
        "receive_rate" => "Receive requests per second over time: what the bill counts.",
        "lambda_concurrency" => "Lambda invocations and pollers against the backlog over time.",
        "false_empty_by_depth" => "The false empty rate of short polls by the number of visible messages, measured against the closed form.",
        "tradeoff" => "Cost against p99 latency, one point per swept value.",
        s if s.starts_with("sweep_") => "The figure against the swept value, one line per variant; whiskers are 95% confidence intervals.",
        _ => "",
    }
}

/// A chart's SVG as an element of the page: its XML namespace dropped (an
/// HTML parser gives inline `<svg>` the SVG namespace itself).
fn inline_svg(svg: &str) -> String {
    svg.replacen(r#" xmlns="http://www.w3.org/2000/svg""#, "", 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::atomic::Content;

    fn summary(rows: usize) -> Content {
        let mut text = String::from("variant,replication\n");
        for r in 0..rows {
            text += &format!("a,{r}\n");
        }
        Content::Bytes(text.into_bytes())
    }

    /// Up to the limit every run is listed; one more and none is, but the
    /// count stays exact.
    #[test]
    fn runs_are_listed_up_to_the_limit_and_always_counted() {
        let r =
            Runs::read(&mut keyed::Records::open(&summary(MAX_RUN_ROWS), "s").unwrap()).unwrap();
        assert_eq!((r.count, r.rows.len()), (MAX_RUN_ROWS, MAX_RUN_ROWS));
        assert_eq!(r.header, ["variant", "replication"]);
        assert_eq!(&r.rows[7][1], "7");
        let r = Runs::read(&mut keyed::Records::open(&summary(MAX_RUN_ROWS + 5), "s").unwrap())
            .unwrap();
        assert_eq!((r.count, r.rows.len()), (MAX_RUN_ROWS + 5, 0));
    }
}
