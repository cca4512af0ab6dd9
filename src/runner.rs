//! Runs every variant × replication, in parallel, with results in a fixed
//! order: each run owns its seed (scenario seed + replication), so the output
//! is the same for any number of threads.

use crate::model::{self, RunOptions, RunResult};
use crate::scenario::Resolved;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::time::Instant;

/// One run to do.
#[derive(Clone, Debug)]
pub struct Job {
    /// Index into the resolved configurations.
    pub config: usize,
    pub replication: u32,
    pub seed: u64,
    pub timeseries: bool,
}

/// The seed of replication `r`: `--seed S --replications 1` with S equal to
/// this reproduces that replication alone.
pub fn replication_seed(seed: u64, r: u32) -> u64 {
    seed.wrapping_add(r as u64)
}

/// The jobs of `configs` × `replications`, variant-major.
pub fn jobs(configs: usize, replications: u32, seed: u64) -> Vec<Job> {
    let mut out = Vec::new();
    for c in 0..configs {
        for r in 0..replications {
            out.push(Job {
                config: c,
                replication: r,
                seed: replication_seed(seed, r),
                timeseries: r == 0,
            });
        }
    }
    out
}

pub struct RunOutcome {
    pub job: Job,
    pub result: RunResult,
}

#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Worker threads; 0 = all cores.
    pub jobs: usize,
    pub quiet: bool,
    pub max_events: u64,
}

/// Runs `jobs` over `configs`; returns outcomes in job order.
pub fn run_jobs(
    configs: &[Resolved],
    jobs: &[Job],
    settings: &Settings,
) -> anyhow::Result<(Vec<RunOutcome>, f64)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs)
        .build()?;
    let bar = progress_bar(jobs.len() as u64, settings.quiet);
    let start = Instant::now();
    let results: Vec<RunOutcome> = pool.install(|| {
        jobs.par_iter()
            .map(|job| {
                let cfg = &configs[job.config].config;
                let opts = RunOptions {
                    timeseries: job.timeseries,
                    max_events: settings.max_events,
                };
                let result = model::run(cfg, job.seed, opts);
                bar.inc(1);
                RunOutcome {
                    job: job.clone(),
                    result,
                }
            })
            .collect()
    });
    bar.finish_and_clear();
    Ok((results, start.elapsed().as_secs_f64()))
}

fn progress_bar(len: u64, quiet: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(len),
        if quiet {
            ProgressDrawTarget::hidden()
        } else {
            // indicatif draws nothing when stderr is not a terminal.
            ProgressDrawTarget::stderr()
        },
    );
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} runs  ETA {eta}",
        )
        .expect("valid template"),
    );
    // Only show up for work longer than about a second.
    bar.enable_steady_tick(std::time::Duration::from_millis(250));
    bar
}

/// A run stopped by the `--max-events` cap did not simulate the scenario;
/// its results must not be written. (The up-front estimate should catch such
/// scenarios; this is the safety net for ones it underestimates.)
pub fn check_cut_short(
    configs: &[Resolved],
    outcomes: &[RunOutcome],
    max_events: u64,
) -> crate::error::Result<()> {
    if max_events == 0 {
        return Ok(());
    }
    match outcomes.iter().find(|o| o.result.events >= max_events) {
        Some(o) => Err(crate::error::Error::Usage(format!(
            "variant \"{}\" replication {} was stopped after {} events, the --max-events limit, before the end of the scenario; nothing was written. Raise --max-events (0 = no limit)",
            configs[o.job.config].variant, o.job.replication, o.result.events
        ))),
        None => Ok(()),
    }
}
