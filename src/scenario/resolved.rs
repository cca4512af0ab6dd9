//! The resolved scenario as TOML: every default filled in, every variant's
//! differences spelled out as full key paths. `sqs-sim validate` prints it so
//! a user sees exactly what will be simulated; feeding it back to `run` gives
//! the same configurations, hence byte-identical results.
//!
//! The first variant's configuration is printed as the base; each variant's
//! `set` lists what differs from it. Optional values have explicit spellings
//! (`stop = "never"`, `max_receive_count = "none"`, `node_weights = "equal"`,
//! `arrival = { kind = "none" }`) so that no variant ever needs to remove a key.

use super::schema::{slo, top, write};
use super::{Resolved, Scenario};
use std::fmt::Write as _;
use toml::{Table, Value};

/// Renders the resolved scenario.
pub(crate) fn to_toml(sc: &Scenario, resolved: &[Resolved]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Resolved scenario from {}: every default filled in.\n\
         # `sqs-sim run` on this file simulates exactly the same runs.",
        sc.file
    );
    let top = |out: &mut String, k: &str, v: Value| {
        let _ = writeln!(out, "{} = {v}", key(k));
    };
    // The run's own keys first, in the order the schema lists them.
    let run = top::Run {
        name: sc.name.clone(),
        description: sc.description.clone(),
        seed: sc.seed,
        replications: sc.replications,
    };
    for k in top::RUN.keys.common {
        top(&mut out, k.name, write::key(k, &run));
    }
    let Some(first) = resolved.first() else {
        return out;
    };
    let base = write::model(&first.config);
    // Scalars first, then tables, then arrays of tables (TOML's order rules).
    for (k, v) in &base {
        if !SECTIONS.contains(&k.as_str()) && !is_table_array(v) {
            top(&mut out, k, v.clone());
        }
    }
    for k in SECTIONS {
        if let Some(Value::Table(t)) = base.get(*k) {
            let _ = writeln!(out, "\n[{k}]");
            entry(&mut out, t);
        }
    }
    for (k, v) in &base {
        if let (true, Value::Array(a)) = (is_table_array(v), v) {
            for e in a.iter().filter_map(Value::as_table) {
                let _ = writeln!(out, "\n[[{k}]]");
                entry(&mut out, e);
            }
        }
    }
    if !sc.variants.is_empty() {
        for r in resolved {
            let _ = writeln!(
                out,
                "\n[[variants]]\nname = {}",
                Value::String(r.variant.clone())
            );
            let mut set = Vec::new();
            diff(&base, &write::model(&r.config), &mut set);
            if !set.is_empty() {
                let _ = writeln!(out, "[variants.set]");
                for (p, v) in set {
                    let _ = writeln!(out, "{} = {v}", key(&p));
                }
            }
        }
    }
    if let Some(sw) = &sc.sweep {
        let _ = writeln!(
            out,
            "\n# Applied on top of each variant above, one run per value.\n[sweep]\nparam = {}\nvalues = {}",
            Value::String(sw.param.clone()),
            Value::Array(sw.values.clone())
        );
    }
    if let Some(objective) = &sc.slo {
        // With `--slo` already over the file's bounds.
        let _ = writeln!(out, "\n[slo]");
        entry(&mut out, &write::table(&slo::SLO.keys, objective));
    }
    out
}

/// Printed as `[section]` tables (any other table value is inline).
const SECTIONS: &[&str] = &["report", "pricing", "queue"];

/// The keys of one table, `name` first.
fn entry(out: &mut String, t: &Table) {
    let named = t.get("name").into_iter().map(|v| ("name", v));
    let rest = t
        .iter()
        .filter(|(k, _)| *k != "name")
        .map(|(k, v)| (k.as_str(), v));
    for (k, v) in named.chain(rest) {
        let _ = writeln!(out, "{} = {v}", key(k));
    }
}

fn is_table_array(v: &Value) -> bool {
    matches!(v, Value::Array(a) if !a.is_empty() && a.iter().all(Value::is_table))
}

/// A key as TOML wants it: bare when it can be, quoted otherwise.
fn key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        Value::String(k.to_string()).to_string()
    }
}

/// The paths (and values) at which `var` differs from `base`, as `set` paths.
/// Both come from [`config_table`], so they have the same keys.
fn diff(base: &Table, var: &Table, out: &mut Vec<(String, Value)>) {
    for (k, v) in var {
        let b = base.get(k);
        if b == Some(v) {
            continue;
        }
        match (b, v) {
            (Some(Value::Table(bt)), Value::Table(vt)) => {
                for (sk, sv) in vt {
                    if bt.get(sk) != Some(sv) {
                        out.push((format!("{k}.{sk}"), sv.clone()));
                    }
                }
            }
            (Some(Value::Array(ba)), Value::Array(va))
                if k != "outages" && ba.len() == va.len() && same_names(ba, va) =>
            {
                for (be, ve) in ba.iter().zip(va) {
                    let (Value::Table(bt), Value::Table(vt)) = (be, ve) else {
                        continue;
                    };
                    let name = vt.get("name").and_then(Value::as_str).unwrap_or_default();
                    for (sk, sv) in vt {
                        if bt.get(sk) != Some(sv) {
                            out.push((format!("{k}.{name}.{sk}"), sv.clone()));
                        }
                    }
                }
            }
            _ => out.push((k.clone(), v.clone())),
        }
    }
}

fn same_names(a: &[Value], b: &[Value]) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| x.get("name").is_some() && x.get("name") == y.get("name"))
}
