//! `sqs-sim run`: scenario → runs → results folder, charts and summary table.

use super::output::{self, OutputArgs, Study};
use super::ScenarioArgs;
use crate::error::Result;
use clap::Args;

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(a: RunArgs) -> Result<()> {
    let (sc, configs) = a.scenario.resolve()?;
    let study = Study {
        name: sc.name.clone(),
        seed: sc.seed,
        replications: sc.replications,
        max_events: a.scenario.max_events,
        points: vec![Vec::new(); configs.len()],
        configs,
    };
    match output::execute(&study, &a.output)? {
        (Some(results), out) => {
            let what = format!("{} variant(s)", study.configs.len());
            output::print_table(&study, &what, &sc.description, &results, &out)
        }
        (None, out) => println!("shard written to {}", out.display()),
    }
    Ok(())
}
