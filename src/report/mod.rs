//! Results leave the program here: CSV files and the terminal table.
//! Nothing in the model writes files; [`Results`] gathers what the runs
//! produced and [`Results::files`] renders the whole output folder.

pub mod aggregate;
pub mod atomic;
pub mod charts;
pub mod depth;
pub mod summary;
pub mod table;
pub mod timeseries;

pub use summary::SummaryRow;

use crate::model::recorder::Bucket;
use crate::runner::RunOutcome;
use crate::scenario::Resolved;
use aggregate::Aggregate;
use atomic::OutputSet;

/// Everything a `run` produced, in output order.
pub struct Results {
    pub rows: Vec<SummaryRow>,
    pub aggregates: Vec<Aggregate>,
    /// Replication 0's time series, per variant.
    pub series: Vec<(String, Vec<Bucket>)>,
    /// `false_empty_by_depth.csv`, per variant over all replications.
    pub depth: Vec<depth::DepthRow>,
    /// Title of the charts.
    pub name: String,
}

impl Results {
    pub fn new(configs: &[Resolved], outcomes: &[RunOutcome]) -> Results {
        let mut rows = Vec::new();
        let mut keys = Vec::new();
        let mut series = Vec::new();
        for o in outcomes {
            let name = &configs[o.job.config].variant;
            rows.push(SummaryRow::new(
                name,
                o.job.replication,
                o.job.seed,
                &o.result,
            ));
            keys.push(vec![("variant".to_string(), name.clone())]);
            if let Some(ts) = &o.result.timeseries {
                series.push((name.clone(), ts.clone()));
            }
        }
        let aggregates = aggregate::aggregate(&rows, &keys);
        let mut depth = Vec::new();
        for (i, r) in configs.iter().enumerate() {
            let tables = outcomes
                .iter()
                .filter(|o| o.job.config == i)
                .map(|o| &o.result.by_depth);
            depth.extend(depth::rows(&r.variant, &r.config, tables));
        }
        Results {
            rows,
            aggregates,
            series,
            depth,
            name: String::new(),
        }
    }

    /// The files of the results folder.
    pub fn files(&self) -> anyhow::Result<OutputSet> {
        let mut set = OutputSet::new();
        set.add("summary.csv", summary::to_csv(&self.rows, None)?);
        set.add("aggregate.csv", aggregate::to_csv(&self.aggregates)?);
        set.add("timeseries.csv", timeseries::to_csv(&self.series)?);
        set.add("false_empty_by_depth.csv", depth::to_csv(&self.depth)?);
        let title = format!("{}: false empties vs theory", self.name);
        if let Some(chart) = charts::false_empty_depth::DepthChart::new(&title, &self.depth) {
            let png = charts::render(&chart, charts::Format::Png)?;
            set.add("charts/false_empty_by_depth.png", png);
        }
        Ok(set)
    }
}
