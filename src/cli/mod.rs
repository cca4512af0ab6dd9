//! The command line: clap definitions (doc comments are the help text) and
//! one file per subcommand, each reading as the pipeline it runs.

mod run;
mod validate;

use crate::error::Result;
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
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run every variant × replication of a scenario; print a summary table and write results.
    Run(run::RunArgs),
    /// Check a scenario (and --set overrides) without running it.
    Validate(ScenarioArgs),
}

/// What every command that reads a scenario accepts.
#[derive(Args, Debug, Clone)]
pub struct ScenarioArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Override a value: PATH=VALUE, e.g. queue.nodes=20 or consumers.workers.wait_time=20s (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Base seed (replication r uses seed + r).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Number of independent replications per variant.
    #[arg(long)]
    pub replications: Option<u32>,
}

impl ScenarioArgs {
    pub fn load(&self) -> Result<Scenario> {
        let ov = Overrides {
            sets: self.set.clone(),
            seed: self.seed,
            replications: self.replications,
        };
        Ok(Scenario::load(&self.scenario, &ov)?)
    }
}

pub fn main_with(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(a) => run::run(a),
        Command::Validate(a) => validate::validate(a),
    }
}

/// Parses the command line; clap's own usage errors exit with code 2.
pub fn parse() -> Cli {
    Cli::parse()
}
