//! What `run` and `sweep` share: the output flags, mapped to a
//! [`study::Output`], and what is printed once the study has run.

use super::format_flag::ChartArgs;
use super::stdout::{self, outln};
use crate::error::Result;
use crate::report::shard::Shard;
use crate::report::warnings::Code;
use crate::study::{self, Study};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub(crate) struct OutputArgs {
    // Not a doc comment: rustdoc would read `<name>` as an HTML tag.
    #[arg(
        long,
        help = "Output folder [default: results/<name>; a sweep with --param: results/<name>-sweep]"
    )]
    pub(crate) out: Option<PathBuf>,
    /// Worker threads (0 = all cores); results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub(crate) jobs: usize,
    /// No progress bar, no run statistics.
    #[arg(long)]
    pub(crate) quiet: bool,
    #[command(flatten)]
    pub(crate) charts: ChartArgs,
    /// Run only slice I of N of the runs (1 ≤ I ≤ N) and write a shard folder;
    /// `sqs-sim merge` joins the N folders into the full results.
    #[arg(long, value_name = "I/N")]
    pub(crate) shard: Option<Shard>,
}

impl OutputArgs {
    /// Runs `study` as these flags say and prints the outcome: the run
    /// statistics (stderr), then the heading and summary table, or where
    /// the shard went.
    pub(crate) fn run(&self, study: &Study) -> Result<()> {
        let o = study::Output {
            out: self.out.clone(),
            jobs: self.jobs,
            quiet: self.quiet,
            formats: self.charts.formats(),
            shard: self.shard,
            command: super::command_line::results_command(),
        };
        for n in study.notes() {
            eprintln!("note: {}", stdout::terminal_safe(&n, false));
        }
        let done = study::run(study, &o)?;
        if !self.quiet {
            eprintln!("{}", done.stats);
        }
        let Some(table) = done.table() else {
            return outln!("shard written to {}", done.out.display());
        };
        outln!(
            "{} — {} × {} replication(s), seed {}",
            study.name,
            study.what(),
            study.replications,
            study.seed
        )?;
        if !study.description.is_empty() {
            outln!("{}", study.description)?;
        }
        outln!()?;
        stdout::print(&table)?;
        outln!("latency: from the SendMessage call to the consumer holding the message (first receive); USD / M delivered: per million messages delivered")?;
        if let Some(advice) = &done.advice {
            outln!()?;
            stdout::print(&advice.to_text())?;
        }
        // Overrides were noted before the runs.
        for w in done.warnings.iter().filter(|w| w.code != Code::Overridden) {
            eprintln!("warning: {}", stdout::terminal_safe(&w.to_string(), false));
        }
        outln!()?;
        outln!("results written to {}", done.out.display())
    }
}
