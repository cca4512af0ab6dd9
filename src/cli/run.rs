//! `sqs-sim run`: scenario → runs → results folder and summary table.

use super::ScenarioArgs;
use crate::error::Result;
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
}

pub fn run(a: RunArgs) -> Result<()> {
    let sc = a.scenario.load()?;
    let configs = sc.resolve()?;
    let out_dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&sc.name));
    let jobs = runner::jobs(configs.len(), sc.replications, sc.seed);
    let settings = Settings {
        jobs: a.jobs,
        quiet: a.quiet,
        max_events: 0,
    };
    let (outcomes, wall) = runner::run_jobs(&configs, &jobs, &settings)?;
    let results = report::Results::new(&configs, &outcomes);
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
