//! Sweeps: one configuration per grid point × variant, each labelled by its
//! point's `param,value` (`param2,value2`, …) key columns.

use super::Study;
use crate::error::{Error, Result};
use crate::report::Keys;
use crate::scenario::guard::Limits;
use crate::scenario::overrides::value_text;
use crate::scenario::schema::fixed_keys;
use crate::scenario::Scenario;
use toml::Value;

/// One parameter of a sweep and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// A `--set` path, e.g. `consumers.workers.wait_time`.
    pub param: String,
    pub values: Vec<Value>,
}

/// The scenario's own `[sweep]` table, if it has one.
pub fn scenario_axes(sc: &Scenario) -> Option<Vec<Axis>> {
    let s = sc.sweep.as_ref()?;
    Some(vec![Axis {
        param: s.param.clone(),
        values: s.values.clone(),
    }])
}

impl Study {
    /// `sc` at every point of the grid of `axes` (the first varying
    /// slowest), × every variant; `name` names the study and its folder.
    pub fn sweep(sc: &Scenario, axes: &[Axis], name: String, limits: Limits) -> Result<Study> {
        check_axes(axes)?;
        let mut configs = Vec::new();
        let mut points = Vec::new();
        let grid = grid(axes);
        for point in &grid {
            let keys = point_keys(point);
            for r in sc.resolve_with(point)? {
                configs.push(r);
                points.push(keys.clone());
            }
        }
        // The runaway guard counts every run of the sweep together.
        sc.check_limits(&configs, limits)?;
        Ok(Study {
            points,
            sweep_points: Some(grid.len()),
            slo: sc.slo.clone(),
            ..Study::of(sc, name, limits, configs)
        })
    }
}

/// A point's key columns: `param,value`, then `param2,value2`, ….
fn point_keys(point: &[(String, Value)]) -> Keys {
    point
        .iter()
        .enumerate()
        .flat_map(|(i, (p, v))| {
            let n = if i == 0 {
                String::new()
            } else {
                (i + 1).to_string()
            };
            [
                (format!("param{n}"), p.clone()),
                (format!("value{n}"), value_text(v)),
            ]
        })
        .collect()
}

/// Refuses a parameter that names the run itself (every point would be the
/// same run under another label, as a variant cannot set them either) and
/// the same parameter twice (the later one would silently win).
fn check_axes(axes: &[Axis]) -> Result<()> {
    for (i, Axis { param: p, .. }) in axes.iter().enumerate() {
        let first = p.split('.').next().unwrap_or("").trim();
        if fixed_keys().contains(&first) {
            let flag = match first {
                "seed" => " (use --seed; replications already get seeds seed, seed + 1, …)",
                "replications" => " (use --replications)",
                _ => "",
            };
            return Err(Error::Usage(format!(
                "--param {p}: `{first}` describes the whole run and cannot be swept{flag}"
            )));
        }
        if axes[..i].iter().any(|q| q.param.trim() == p.trim()) {
            return Err(Error::Usage(format!(
                "--param {p} is given twice; give each parameter once, with all its values"
            )));
        }
    }
    Ok(())
}

/// Every combination, the first axis varying slowest.
fn grid(axes: &[Axis]) -> Vec<Vec<(String, Value)>> {
    axes.iter().fold(vec![Vec::new()], |acc, axis| {
        acc.iter()
            .flat_map(|prefix| {
                axis.values.iter().map(move |v| {
                    let mut point = prefix.clone();
                    point.push((axis.param.clone(), v.clone()));
                    point
                })
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(p: &str, values: &[i64]) -> Axis {
        Axis {
            param: p.to_string(),
            values: values.iter().map(|&v| Value::Integer(v)).collect(),
        }
    }

    #[test]
    fn the_run_itself_and_repeated_parameters_are_not_swept() {
        for p in ["seed", "replications", "name"] {
            let e = check_axes(&[axis(p, &[1])]).unwrap_err().to_string();
            assert!(e.contains("cannot be swept"), "{e}");
        }
        let e = check_axes(&[axis("queue.nodes", &[1]), axis("queue.nodes", &[1])]).unwrap_err();
        assert!(e.to_string().contains("given twice"), "{e}");
        assert!(check_axes(&[axis("queue.nodes", &[1]), axis("queue.sample_nodes", &[1])]).is_ok());
    }

    #[test]
    fn grid_varies_the_first_axis_slowest() {
        let g = grid(&[axis("a", &[1, 2]), axis("b", &[3, 4])]);
        assert_eq!(g.len(), 4);
        assert_eq!(
            g[1],
            vec![
                ("a".into(), Value::Integer(1)),
                ("b".into(), Value::Integer(4))
            ]
        );
        let keys = point_keys(&g[1]);
        let names: Vec<&str> = keys.iter().map(|k| k.0.as_str()).collect();
        assert_eq!(names, ["param", "value", "param2", "value2"]);
        assert_eq!(keys[3].1, "4");
    }
}
