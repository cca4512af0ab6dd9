//! The command line: clap definitions (doc comments are the help text) and
//! one file per subcommand, each reading as the pipeline it runs.

mod command_line;
mod compare;
mod explain;
mod format_flag;
mod merge;
mod output;
mod plot;
mod run;
mod stdout;
mod sweep;
mod validate;

use crate::error::Result;
/// For the interrupt handler in `main`.
pub use crate::report::folder::{interrupted, interrupting};
use crate::scenario::{Overrides, Scenario};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "sqs-sim",
    version,
    about = "Deterministic discrete-event simulator of Amazon SQS short and long polling"
)]
pub struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Run every variant × replication of a scenario; print a summary table and write results.
    Run(run::RunArgs),
    /// Check a scenario (and --set overrides) without running it.
    Validate(ScenarioArgs),
    /// Teaching mode: the story of the first receive requests, and a picture of a false empty.
    Explain(explain::ExplainArgs),
    /// Run a scenario once per value of a parameter (or grid); chart each figure against it.
    Sweep(sweep::SweepArgs),
    /// Redraw every chart of a results folder from its CSV files.
    Plot(plot::PlotArgs),
    /// Join the folders of `--shard 1/N … N/N` into one results folder.
    Merge(merge::MergeArgs),
    /// Set a results folder's cloudwatch.csv beside real CloudWatch exports: a table and a chart per metric.
    Compare(compare::CompareArgs),
}

/// What every command that reads a scenario accepts.
#[derive(Args, Debug, Clone)]
pub(crate) struct ScenarioArgs {
    /// The scenario file (TOML).
    pub(crate) scenario: PathBuf,
    /// Override a value: PATH=VALUE, e.g. queue.nodes=20 or consumers.workers.wait_time=20s (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub(crate) set: Vec<String>,
    /// Base seed (replication r uses seed + r).
    #[arg(long, value_parser = clap::value_parser!(u64).range(..=i64::MAX as u64))]
    pub(crate) seed: Option<u64>,
    /// Number of independent replications per variant.
    #[arg(long)]
    pub(crate) replications: Option<u32>,
    /// Refuse scenarios estimated to need more simulated events than this, in all runs together (0 = no limit).
    #[arg(long, value_name = "N", default_value_t = crate::scenario::guard::DEFAULT_MAX_EVENTS)]
    pub(crate) max_events: u64,
    /// Refuse scenarios estimated to hold more live messages than fit in SIZE of memory in one run, e.g. 16G (0 = no limit).
    #[arg(long, value_name = "SIZE", default_value = "4G", value_parser = crate::scenario::guard::parse_size)]
    pub(crate) max_memory: u64,
}

impl ScenarioArgs {
    pub(crate) fn load(&self) -> Result<Scenario> {
        self.load_with_slo(None)
    }

    /// As [`ScenarioArgs::load`], with `--slo` over the file's `[slo]`.
    pub(crate) fn load_with_slo(&self, slo: Option<&str>) -> Result<Scenario> {
        let ov = Overrides {
            sets: self.set.clone(),
            seed: self.seed,
            replications: self.replications,
            slo: slo.map(str::to_string),
        };
        Ok(Scenario::load(&self.scenario, &ov)?)
    }

    /// `--max-events` and `--max-memory`.
    pub(crate) fn limits(&self) -> crate::scenario::guard::Limits {
        crate::scenario::guard::Limits {
            max_events: self.max_events,
            max_memory: self.max_memory,
        }
    }

    /// Loads, resolves every variant and applies the runaway guard: all the
    /// checks `run` and `validate` share, so both refuse the same inputs.
    pub(crate) fn resolve(&self) -> Result<(Scenario, Vec<crate::scenario::Resolved>)> {
        let sc = self.load()?;
        let resolved = crate::study::resolve(&sc, self.limits())?;
        for w in crate::scenario::cloudwatch::warnings(&resolved) {
            eprintln!("warning: {w}");
        }
        for n in crate::scenario::overrides::notes(&resolved) {
            eprintln!("note: {}", terminal_safe(&n));
        }
        Ok((sc, resolved))
    }
}

pub fn main_with(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(a) => run::run(a),
        Command::Validate(a) => validate::validate(a),
        Command::Explain(a) => explain::explain(a),
        Command::Sweep(a) => sweep::sweep(a),
        Command::Plot(a) => plot::plot(a),
        Command::Merge(a) => merge::merge(a),
        Command::Compare(a) => compare::compare(a),
    }
}

/// Parses the command line; clap's own usage errors exit with code 2.
pub fn parse() -> Cli {
    Cli::parse()
}

/// `text` (an error message, which may quote a scenario's names) with its
/// control characters escaped, for the terminal.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    stdout::terminal_safe(text, false)
}
