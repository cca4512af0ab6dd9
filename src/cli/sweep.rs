//! `sqs-sim sweep`: one run per value (or grid point) × variant ×
//! replication, with `param,value` columns and charts against the value.

use super::output::OutputArgs;
use super::ScenarioArgs;
use crate::error::{Error, Result};
use crate::scenario::paths::parse_value;
use crate::study::{scenario_axes, Axis, Study};
use clap::Args;

#[derive(Args, Debug)]
pub(crate) struct SweepArgs {
    #[command(flatten)]
    pub(crate) scenario: ScenarioArgs,
    /// Path of the parameter to sweep, e.g. consumers.workers.wait_time.
    /// Repeat --param/--values for a grid; the first is the charts' x axis.
    /// Without it, the scenario's [sweep] table.
    #[arg(long = "param", value_name = "PATH")]
    pub(crate) params: Vec<String>,
    /// Comma-separated values of the matching --param, e.g. 0s,1s,5s,20s.
    #[arg(long = "values", value_name = "V1,V2,…")]
    pub(crate) values: Vec<String>,
    /// The objective the advice judges each point by, e.g. 'p99<1s' or
    /// 'p99<1s,p50<200ms,unreceived<1%' (over the scenario's [slo]): the
    /// cheapest point that meets it is named.
    #[arg(long, value_name = "BOUNDS")]
    pub(crate) slo: Option<String>,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

pub(crate) fn sweep(a: SweepArgs) -> Result<()> {
    let sc = a.scenario.load_with_slo(a.slo.as_deref())?;
    let (axes, name) = if !a.params.is_empty() || !a.values.is_empty() {
        (axes_from_flags(&a)?, format!("{}-sweep", sc.name))
    } else if let Some(axes) = scenario_axes(&sc) {
        (axes, sc.name.clone())
    } else {
        return Err(Error::Usage(format!(
            "nothing to sweep: give --param PATH --values V1,V2,… or a [sweep] table in {}",
            sc.file
        )));
    };
    let study = Study::sweep(&sc, &axes, name, a.scenario.limits())?;
    a.output.run(&study)
}

fn axes_from_flags(a: &SweepArgs) -> Result<Vec<Axis>> {
    if a.params.len() != a.values.len() {
        return Err(Error::Usage(format!(
            "--param and --values come in pairs: found {} --param and {} --values",
            a.params.len(),
            a.values.len()
        )));
    }
    a.params
        .iter()
        .zip(&a.values)
        .map(|(p, list)| {
            let values = split_values(list)
                .into_iter()
                .map(|v| parse_value(v).map_err(|e| Error::Usage(format!("--values for {p}: {e}"))))
                .collect::<Result<Vec<_>>>()?;
            if values.is_empty() {
                return Err(Error::Usage(format!("--values for {p} is empty")));
            }
            Ok(Axis {
                param: p.clone(),
                values,
            })
        })
        .collect()
}

/// Splits at commas outside quotes, braces and brackets, so a value may be
/// a TOML table: `1s,{kind="exponential",mean="5ms"}`.
fn split_values(list: &str) -> Vec<&str> {
    let (mut out, mut depth, mut quote, mut start) = (Vec::new(), 0i32, None, 0);
    for (i, c) in list.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(list[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(list[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_split_outside_tables() {
        assert_eq!(split_values("0s, 1s,20s"), ["0s", "1s", "20s"]);
        assert_eq!(
            split_values(r#"1,{kind="uniform",min="1ms",max="2ms"},"a,b""#),
            ["1", r#"{kind="uniform",min="1ms",max="2ms"}"#, r#""a,b""#]
        );
    }
}
