//! Running a study: the runs (or one shard of them) on worker threads, each
//! finished run streamed — in job order — into the staged CSVs, then the
//! results folder committed as a whole.
//!
//! Memory is bounded per configuration, not per run: a run's summary row is
//! written to the staged `summary.csv` as soon as the runs before it are done
//! and then dropped; `aggregate.csv` is computed from that file by streaming
//! it; what stays in memory is one latency CDF (replication 0), one summed
//! depth table and one time-series and one CloudWatch part file name per
//! configuration.

use super::{check_out, claim, shard, Study};
use crate::error::{Error, Result};
use crate::model::config::QueueKind;
use crate::model::Dist;
use crate::report::advice::Advice;
use crate::report::aggregate::Aggregate;
use crate::report::atomic::OutputSet;
use crate::report::charts::ImageFormat;
use crate::report::cloudwatch::CloudwatchRow;
use crate::report::folder::{self, Claim};
use crate::report::keyed::{self, Labelled, RowWriter};
use crate::report::latency_cdf::{self, CdfPoint};
use crate::report::page::About;
use crate::report::shard::Shard;
use crate::report::timeseries::{self, PartWriter, Parts};
use crate::report::warnings::{self, Warning};
use crate::report::{depth, table, RunCsvs, SummaryRow};
use crate::runner::{self, Job, Settings};
use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

/// Where and how a study's results are written.
#[derive(Clone, Debug, Default)]
pub struct Output {
    /// The results folder; `None`: [`Study::default_out`].
    pub out: Option<PathBuf>,
    /// Worker threads (0 = all cores); results do not depend on it.
    pub jobs: usize,
    /// No progress bar.
    pub quiet: bool,
    /// The formats each chart is written in (none: no charts).
    pub formats: Vec<ImageFormat>,
    /// Run only this slice of the runs and write a shard folder.
    pub shard: Option<Shard>,
    /// The command that made the results, as `report.html` shows it
    /// (written to `command.txt`): without the flags that do not change the
    /// numbers (`--out`, `--jobs`, `--shard`…), so every shard of a study
    /// records the same command and the merged folder equals the unsharded one.
    pub command: String,
}

/// What [`run`] did.
#[derive(Debug)]
pub struct Finished {
    /// The folder written.
    pub out: PathBuf,
    /// One per sweep point and variant, as in `aggregate.csv`; `None` for a
    /// shard (its folder holds only the per-run CSVs).
    pub aggregates: Option<Vec<Aggregate>>,
    pub stats: RunStats,
    /// What the reader should know before trusting the figures (empty for
    /// a shard), one per configuration and kind, as `summary.csv` records them.
    pub warnings: Vec<Warning>,
    /// With an objective (`[slo]`, `--slo`): the cheapest configuration
    /// that meets it, and why the others do not (`None` for a shard).
    pub advice: Option<Advice>,
}

impl Finished {
    /// The summary table for the terminal (none for a shard).
    pub fn table(&self) -> Option<String> {
        self.aggregates.as_deref().map(table::render)
    }
}

/// How much was simulated, and how fast.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunStats {
    pub runs: u64,
    pub events: u64,
    pub messages: u64,
    /// Wall time of the runs, in seconds.
    pub wall: f64,
}

impl fmt::Display for RunStats {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let per_s = |n: u64| n as f64 / self.wall.max(1e-9) / 1e6;
        write!(
            f,
            "{} runs: {} events, {} simulated messages in {:.2} s wall ({:.2} M events/s, {:.2} M msgs/s)",
            self.runs,
            self.events,
            self.messages,
            self.wall,
            per_s(self.events),
            per_s(self.messages)
        )
    }
}

/// At most this many worker threads.
const MAX_JOBS: usize = 1024;

/// Runs `study` (or the shard of it `o` names) and writes its results
/// folder: nothing is written unless every run reached its end.
pub fn run(study: &Study, o: &Output) -> Result<Finished> {
    let out = check_out(&o.out.clone().unwrap_or_else(|| study.default_out()))?;
    if o.jobs > MAX_JOBS {
        return Err(Error::Usage(format!(
            "--jobs {}: at most {MAX_JOBS} worker threads (0 = all cores)",
            o.jobs
        )));
    }
    let total = study.plan().total();
    let slice = o.shard.map_or(0..total, |s| s.range(total));
    // Taken before the runs, so a second writer is refused at once; the
    // runs stream their CSVs into its staging folder.
    let staging = claim(&out)?;
    let (csvs, stats) = run_slice(study, slice.clone(), o, &staging)?;
    let about = About {
        scenario: study.scenario_text.clone(),
        command: o.command.clone(),
    };
    let overridden: Vec<_> = study
        .configs
        .iter()
        .flat_map(|c| c.overridden.clone())
        .collect();
    let (set, aggregates, warnings, advice) = match o.shard {
        None => {
            let slo = study.slo.as_ref();
            let done = csvs.complete(&o.formats, o.jobs, &about, slo, &overridden)?;
            (done.set, Some(done.aggregates), done.warnings, done.advice)
        }
        Some(s) => {
            let mut set = OutputSet::new();
            csvs.add_to(&mut set);
            // For `merge`, which writes the page.
            about.add_to(&mut set);
            if let Some(slo) = &study.slo {
                slo.add_to(&mut set);
            }
            shard::add_manifest(&mut set, study, s, slice, total, &csvs)?;
            (set, None, Vec::new(), None)
        }
    };
    set.commit(&staging, &|n| folder::OWNED.contains(&n))?;
    Ok(Finished {
        out,
        aggregates,
        stats,
        warnings,
        advice,
    })
}

/// Runs jobs `slice` and returns the per-run CSVs, staged in `staging`.
fn run_slice(
    study: &Study,
    slice: Range<usize>,
    o: &Output,
    staging: &Claim,
) -> Result<(RunCsvs, RunStats)> {
    let settings = Settings {
        jobs: o.jobs,
        quiet: o.quiet,
        max_events: study.max_events,
    };
    let open = |job: &Job| {
        let c = job.config;
        let config = &study.configs[c];
        PartWriter::create(
            [
                staging.path(&format!("timeseries-{c}.part")),
                staging.path(&format!("cloudwatch-{c}.part")),
            ],
            study.points[c].clone(),
            &config.variant,
            config.config.queue.kind == QueueKind::Fifo,
        )
    };
    let mut streams = Streams::new(study, staging)?;
    let ran = runner::run_jobs(
        &study.configs,
        study.plan(),
        slice,
        &settings,
        open,
        PartWriter::finish,
        |run| streams.take(run),
    );
    let wall = ran.map_err(|e| match e.downcast::<Error>() {
        // A run that did not reach its end: the user's to fix.
        Ok(e) => e,
        Err(e) => Error::Other(e),
    })?;
    streams.stats.wall = wall;
    Ok(streams.finish(staging)?)
}

/// What the finished runs are streamed into, in job order.
struct Streams<'a> {
    study: &'a Study,
    summary: RowWriter<SummaryRow>,
    /// Per configuration that kept one: its time-series and CloudWatch part files.
    parts: Vec<Parts>,
    /// Per configuration: replication 0's latency CDF.
    cdfs: Vec<Labelled<Vec<CdfPoint>>>,
    /// Per configuration: the depth tables of its runs, summed.
    by_depth: Vec<Vec<[u64; 2]>>,
    stats: RunStats,
}

impl<'a> Streams<'a> {
    fn new(study: &'a Study, staging: &Claim) -> anyhow::Result<Streams<'a>> {
        Ok(Streams {
            study,
            summary: RowWriter::create(&staging.path(RunCsvs::NAMES[0]))?,
            parts: Vec::new(),
            cdfs: Vec::new(),
            by_depth: vec![Vec::new(); study.configs.len()],
            stats: RunStats::default(),
        })
    }

    /// Takes one finished run; a run that did not reach its end stops the study.
    fn take(&mut self, run: runner::Finished<Parts>) -> anyhow::Result<()> {
        let runner::Finished { job, result, part } = run;
        let (config, point) = (
            &self.study.configs[job.config],
            &self.study.points[job.config],
        );
        let what = format!(
            "variant \"{}\" replication {}",
            config.variant, job.replication
        );
        runner::check_finished(&what, &result, self.study.max_events)?;
        let mut row = SummaryRow::new(&config.variant, job.replication, job.seed, &result);
        let network_zero = matches!(config.config.network, Dist::Constant(d) if d == 0.0);
        row.warnings = warnings::run_codes(&row, network_zero, &config.overridden);
        self.summary.write(point, &row)?;
        self.parts.extend(part);
        if job.timeseries {
            self.cdfs.push(Labelled {
                keys: point.clone(),
                variant: config.variant.clone(),
                data: result.latency_cdf.iter().map(|&p| p.into()).collect(),
            });
        }
        add_depth(&mut self.by_depth[job.config], &result.by_depth);
        self.stats.runs += 1;
        self.stats.events += result.events;
        self.stats.messages += result.messages_simulated;
        Ok(())
    }

    /// Ends the staged files; the small ones are built in memory.
    fn finish(self, staging: &Claim) -> anyhow::Result<(RunCsvs, RunStats)> {
        let staged = staging.path(RunCsvs::NAMES[1]);
        timeseries::assemble(
            &self.parts.iter().map(|p| &p.timeseries).collect::<Vec<_>>(),
            &staged,
        )?;
        let cloudwatch = staging.path(RunCsvs::NAMES[4]);
        timeseries::assemble_as(
            &self.parts.iter().map(|p| &p.cloudwatch).collect::<Vec<_>>(),
            &cloudwatch,
            keyed::header_of(&CloudwatchRow::default())?,
        )?;
        let mut depth_rows = Vec::new();
        for (i, r) in self.study.configs.iter().enumerate() {
            for row in depth::rows(&r.variant, &r.config, Some(&self.by_depth[i])) {
                depth_rows.push((&self.study.points[i], row));
            }
        }
        let depth_refs: Vec<_> = depth_rows.iter().map(|(k, r)| (*k, r)).collect();
        let csvs = RunCsvs {
            summary: self.summary.finish()?,
            timeseries: crate::report::atomic::Content::File(staged),
            latency_cdf: latency_cdf::to_csv(&self.cdfs)?,
            depth: keyed::write(&depth_refs)?,
            cloudwatch: crate::report::atomic::Content::File(cloudwatch),
        };
        Ok((csvs, self.stats))
    }
}

/// Adds one run's depth table to its configuration's sum (integer sums:
/// their order does not matter).
fn add_depth(sum: &mut Vec<[u64; 2]>, table: &[[u64; 2]]) {
    if sum.len() < table.len() {
        sum.resize(table.len(), [0, 0]);
    }
    for (s, x) in sum.iter_mut().zip(table) {
        s[0] += x[0];
        s[1] += x[1];
    }
}
