//! The pipeline, in the library: a scenario (plus its overrides) becomes a
//! [`Study`] — every configuration × replication to run — and a study
//! becomes a results folder. The command line only maps flags to these
//! calls and prints what they hand back.
//!
//! ```text
//! Scenario ─► Study::variants / Study::sweep ─► run ─► results folder (or a shard of it)
//!                                   shard folders ─► merge ─► results folder
//!                                  results folder ─► plot ─► its charts, redrawn
//! ```
//!
//! | file | step |
//! |---|---|
//! | `mod.rs` | [`Study`], the checks every command shares ([`resolve`]), claiming a results folder |
//! | `sweep.rs` | sweep [`Axis`]es → the grid of configurations |
//! | `run.rs` | [`run`]: the runs, streamed in job order into the staged CSVs, then the folder |
//! | `shard.rs` | a shard's manifest: which runs, of which study |
//! | `merge.rs` | [`merge`] shard folders; [`plot`] a results folder again |

mod compare;
mod merge;
mod run;
mod shard;
mod sweep;

pub use compare::{compare, Compared};
pub use merge::{merge, plot};
pub use run::{run, Finished, Output, RunStats};
pub use sweep::{scenario_axes, Axis};

use crate::error::{Error, Result};
use crate::report::folder::{self, Claim};
use crate::report::Keys;
use crate::runner::Plan;
use crate::scenario::guard::Limits;
use crate::scenario::slo::Slo;
use crate::scenario::{Resolved, Scenario};
use std::path::{Path, PathBuf};

/// A set of runs to make: every configuration × replication.
pub struct Study {
    pub name: String,
    pub description: String,
    /// The scenario file's text, kept in the results folder (`scenario.toml`)
    /// and shown on `report.html`.
    pub scenario_text: String,
    pub seed: u64,
    pub replications: u32,
    /// `--max-events`: a run that reaches it is refused (0 = no limit).
    pub max_events: u64,
    pub configs: Vec<Resolved>,
    /// The sweep point keys of each configuration (empty for a run).
    pub points: Vec<Keys>,
    /// How many sweep points (`None`: not a sweep).
    sweep_points: Option<usize>,
    /// A sweep's objective (`[slo]`, `--slo`): the advice judges the points by it.
    pub slo: Option<Slo>,
}

impl Study {
    /// Every variant of `sc`, or only those named in `only` (an unknown name
    /// is refused, naming the ones there are).
    pub fn variants(sc: &Scenario, only: &[String], limits: Limits) -> Result<Study> {
        let mut configs = resolve(sc, limits)?;
        if let Some(bad) = only
            .iter()
            .find(|v| !configs.iter().any(|c| &c.variant == *v))
        {
            let known: Vec<&str> = configs.iter().map(|c| c.variant.as_str()).collect();
            return Err(Error::Usage(format!(
                "--variant {bad}: no such variant; the scenario has: {}",
                known.join(", ")
            )));
        }
        if !only.is_empty() {
            configs.retain(|c| only.contains(&c.variant));
        }
        Ok(Study {
            points: vec![Vec::new(); configs.len()],
            sweep_points: None,
            ..Study::of(sc, sc.name.clone(), limits, configs)
        })
    }

    fn of(sc: &Scenario, name: String, limits: Limits, configs: Vec<Resolved>) -> Study {
        Study {
            name,
            description: sc.description.clone(),
            scenario_text: sc.source.clone(),
            seed: sc.seed,
            replications: sc.replications,
            max_events: limits.max_events,
            configs,
            points: Vec::new(),
            sweep_points: None,
            slo: None,
        }
    }

    /// The one-line notes of the overrides among this study's configurations
    /// (a sweep value or `--set` over a variant's own setting).
    pub fn notes(&self) -> Vec<String> {
        crate::scenario::overrides::notes(&self.configs)
    }

    /// What is run, for a heading: "3 variant(s)", or "4 point(s) × 3 variant(s)".
    pub fn what(&self) -> String {
        match self.sweep_points {
            None => format!("{} variant(s)", self.configs.len()),
            Some(n) => format!(
                "{n} point(s) × {} variant(s)",
                self.configs.len() / n.max(1)
            ),
        }
    }

    /// The folder results go to unless told otherwise: `results/<name>`.
    pub fn default_out(&self) -> PathBuf {
        PathBuf::from("results").join(&self.name)
    }

    fn plan(&self) -> Plan {
        Plan {
            configs: self.configs.len(),
            replications: self.replications,
            seed: self.seed,
        }
    }
}

/// Resolves every variant of `sc` and applies the runaway guard: all the
/// checks `run` and `validate` share, so both refuse the same inputs.
pub fn resolve(sc: &Scenario, limits: Limits) -> Result<Vec<Resolved>> {
    let resolved = sc.resolve()?;
    sc.check_limits(&resolved, limits)?;
    // A sweep's values are applied on top of every variant: check each point.
    if let Some(sw) = &sc.sweep {
        for v in &sw.values {
            let point = sc.resolve_with(&[(sw.param.clone(), v.clone())])?;
            sc.check_limits(&point, limits)?;
        }
    }
    Ok(resolved)
}

/// Refuses an output path that cannot become a results folder, before any
/// work is done; returns the folder to write.
fn check_out(dir: &Path) -> Result<PathBuf> {
    folder::check_out(dir).map_err(Error::Usage)
}

/// Locks the results folder for this process (refused, exit 2, while
/// another process writes it) and opens its staging folder.
fn claim(dir: &Path) -> Result<Claim> {
    Claim::take(dir).map_err(|e| match e.downcast::<folder::Held>() {
        Ok(held) => Error::Usage(held.0),
        Err(e) => Error::Other(e),
    })
}
