//! Results leave the program here: CSV files, charts and the terminal table.
//! Nothing in the model writes files; the study streams what the runs
//! produce into the per-run CSVs, [`RunCsvs`] (all a shard writes), and
//! [`RunCsvs::complete`] derives the rest of the folder — `aggregate.csv` and
//! every chart — from those CSVs alone, so `run`, `merge` and `plot` produce
//! the same bytes.

pub(crate) mod advice;
pub(crate) mod aggregate;
pub(crate) mod atomic;
pub(crate) mod charts;
pub(crate) mod cloudwatch;
pub(crate) mod compare;
pub(crate) mod conclusions;
pub(crate) mod depth;
pub(crate) mod folder;
pub(crate) mod keyed;
pub(crate) mod latency_cdf;
pub(crate) mod page;
pub(crate) mod shard;
pub(crate) mod summary;
pub(crate) mod table;
pub(crate) mod timeseries;
pub(crate) mod warnings;

pub(crate) use keyed::Keys;
pub(crate) use summary::{Metric, SummaryRow};

use crate::scenario::slo::Slo;
use crate::scenario::Overridden;
use aggregate::Aggregate;
use anyhow::Context;
use atomic::{Content, OutputSet};
use charts::ImageFormat;
use std::path::Path;

/// A results folder made whole by [`RunCsvs::complete`], and what the
/// terminal prints of it.
pub(crate) struct Completed {
    pub(crate) set: OutputSet,
    pub(crate) aggregates: Vec<Aggregate>,
    pub(crate) advice: Option<advice::Advice>,
    pub(crate) warnings: Vec<warnings::Warning>,
}

/// The CSVs with one or more rows per run: what a shard writes, what `merge`
/// concatenates.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RunCsvs {
    /// One row per run: a file, as [`keyed::RowWriter`] streamed it (or as
    /// [`RunCsvs::read`] gives it).
    pub(crate) summary: Content,
    /// Too long for memory: a file. Staged (moved into place when the set is
    /// committed), except as [`RunCsvs::read`] gives it (only read).
    pub(crate) timeseries: Content,
    pub(crate) latency_cdf: Vec<u8>,
    /// `false_empty_by_depth.csv` (merged by summing, not concatenating).
    pub(crate) depth: Vec<u8>,
    /// `cloudwatch.csv`: a file, staged like `timeseries.csv`.
    pub(crate) cloudwatch: Content,
}

impl RunCsvs {
    pub(crate) const NAMES: [&'static str; 5] = [
        "summary.csv",
        "timeseries.csv",
        "latency_cdf.csv",
        "false_empty_by_depth.csv",
        cloudwatch::FILE,
    ];

    /// Adds these files to `set` (a staged `timeseries.csv` is moved when it is committed).
    pub(crate) fn add_to(&self, set: &mut OutputSet) {
        set.add_content(Self::NAMES[0], self.summary.clone());
        set.add_content(Self::NAMES[1], self.timeseries.clone());
        set.add(Self::NAMES[2], self.latency_cdf.clone());
        set.add(Self::NAMES[3], self.depth.clone());
        set.add_content(Self::NAMES[4], self.cloudwatch.clone());
    }

    pub(crate) fn read(dir: &Path) -> anyhow::Result<RunCsvs> {
        let get = |name: &str| {
            let p = dir.join(name);
            std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))
        };
        // The long ones are read as streams, when needed.
        let file = |name: &str| -> anyhow::Result<Content> {
            let p = dir.join(name);
            std::fs::metadata(&p).with_context(|| format!("cannot read {}", p.display()))?;
            Ok(Content::File(p))
        };
        Ok(RunCsvs {
            summary: file(Self::NAMES[0])?,
            timeseries: file(Self::NAMES[1])?,
            latency_cdf: get(Self::NAMES[2])?,
            depth: get(Self::NAMES[3])?,
            cloudwatch: file(Self::NAMES[4])?,
        })
    }

    /// The whole results folder: these CSVs, `aggregate.csv` computed from
    /// `summary.csv`, the charts in each of `formats` (none: no charts),
    /// `slo.toml` when an SLO was given, `report.html` (with the warnings,
    /// from `summary.csv` and the `overridden` keys, and the SLO's advice)
    /// with `about`'s files; and what the terminal prints. Charts are drawn
    /// on up to `jobs` threads (0 = all cores); the files do not depend on it.
    pub(crate) fn complete(
        &self,
        formats: &[ImageFormat],
        jobs: usize,
        about: &page::About,
        slo: Option<&Slo>,
        overridden: &[Overridden],
    ) -> anyhow::Result<Completed> {
        let mut set = OutputSet::new();
        self.add_to(&mut set);
        // One csv reader for every pass over `summary.csv` (the warnings',
        // the aggregates' two, the page's): each reader built costs about
        // 270,000 instructions, a fixed cost of every run.
        let mut summary = keyed::Records::open(&self.summary, "summary.csv")?;
        let warnings = warnings::from_summary(&mut summary, overridden)?;
        let aggregates = aggregate::from_summary(&mut summary)?;
        let aggregate = aggregate::to_csv(&aggregates)?;
        // No formats, no charts: the CSVs are not parsed for them either
        // (four readers and their rows, a fixed cost of every `--no-charts` run).
        let drawn = match formats {
            [] => charts::Rendered::default(),
            _ => {
                let mut inputs = charts::Inputs::parse(
                    &aggregate,
                    &self.timeseries,
                    &self.latency_cdf,
                    &self.depth,
                )?;
                inputs.slo = slo.cloned();
                charts::render_all(&inputs, formats, jobs)?
            }
        };
        if let Some(slo) = slo {
            slo.add_to(&mut set);
        }
        set.add("aggregate.csv", aggregate);
        let advice = slo.map(|slo| advice::judge(&aggregates, slo));
        let page = page::Page {
            about,
            aggregates: &aggregates,
            summary: &page::Runs::read(&mut summary)?,
            charts: (!formats.is_empty()).then(|| page::charts_of(drawn.inline)),
            inputs: &page::ReportInputs::new(&warnings, advice.as_ref()),
        };
        set.add(page::NAME, page.render()?);
        about.add_to(&mut set);
        for (name, bytes) in drawn.files {
            set.add(Path::new("charts").join(name), bytes);
        }
        Ok(Completed {
            set,
            aggregates,
            advice,
            warnings,
        })
    }
}
