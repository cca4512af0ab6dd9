//! `sqs-sim run`: scenario → runs → results folder and summary table.

use super::ScenarioArgs;
use crate::error::{Error, Result};
use crate::report;
use crate::runner::{self, Settings};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Output folder [default: results/<name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (0 = all cores); results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    /// No progress bar, no run statistics.
    #[arg(long)]
    pub quiet: bool,
    /// Run only this variant (repeatable), e.g. to time one variant alone.
    #[arg(long, value_name = "NAME")]
    pub variant: Vec<String>,
}

pub fn run(a: RunArgs) -> Result<()> {
    let (sc, mut configs) = a.scenario.resolve()?;
    if !a.variant.is_empty() {
        if let Some(bad) = a
            .variant
            .iter()
            .find(|v| !configs.iter().any(|c| &c.variant == *v))
        {
            let known: Vec<&str> = configs.iter().map(|c| c.variant.as_str()).collect();
            return Err(Error::Usage(format!(
                "--variant {bad}: no such variant; the scenario has: {}",
                known.join(", ")
            )));
        }
        configs.retain(|c| a.variant.contains(&c.variant));
    }
    let out_dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&sc.name));
    check_out_dir(&out_dir)?;
    if a.jobs > MAX_JOBS {
        return Err(Error::Usage(format!(
            "--jobs {}: at most {MAX_JOBS} worker threads (0 = all cores)",
            a.jobs
        )));
    }
    let jobs = runner::jobs(configs.len(), sc.replications, sc.seed);
    let settings = Settings {
        jobs: a.jobs,
        quiet: a.quiet,
        max_events: a.scenario.max_events,
    };
    let (outcomes, wall) = runner::run_jobs(&configs, &jobs, &settings)?;
    runner::check_cut_short(&configs, &outcomes, settings.max_events)?;
    let mut results = report::Results::new(&configs, &outcomes);
    results.name = sc.name.clone();
    results.files()?.commit(&out_dir)?;

    println!(
        "{} — {} variant(s) × {} replication(s), seed {}",
        sc.name,
        configs.len(),
        sc.replications,
        sc.seed
    );
    if !sc.description.is_empty() {
        println!("{}", sc.description);
    }
    println!();
    print!("{}", report::table::render(&results.aggregates));
    println!();
    println!("results written to {}", out_dir.display());
    if !a.quiet {
        let events: u64 = outcomes.iter().map(|o| o.result.events).sum();
        let msgs: u64 = outcomes.iter().map(|o| o.result.totals.sent).sum();
        eprintln!(
            "{} events, {} simulated messages in {:.2} s wall ({:.2} M events/s, {:.2} M msgs/s)",
            events,
            msgs,
            wall,
            events as f64 / wall.max(1e-9) / 1e6,
            msgs as f64 / wall.max(1e-9) / 1e6
        );
    }
    Ok(())
}

const MAX_JOBS: usize = 1024;

/// Refuses an output path that cannot become a results folder, before any
/// work is done.
fn check_out_dir(dir: &std::path::Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "--out {}: exists and is not a folder; results go into a folder",
            dir.display()
        )));
    }
    Ok(())
}
