//! `sqs-sim validate`: every check `run` makes, without running.

use super::ScenarioArgs;
use crate::error::Result;

pub fn validate(a: ScenarioArgs) -> Result<()> {
    let sc = a.load()?;
    let resolved = sc.resolve()?;
    println!(
        "{}: ok: scenario \"{}\", {} variant(s) ({}), {} replication(s), seed {}",
        sc.file,
        sc.name,
        resolved.len(),
        resolved
            .iter()
            .map(|r| r.variant.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        sc.replications,
        sc.seed
    );
    Ok(())
}
