//! The resolved scenario as TOML: every default filled in, every variant's
//! differences spelled out as full key paths. `sqs-sim validate` prints it so
//! a user sees exactly what will be simulated; feeding it back to `run` gives
//! the same configurations, hence byte-identical results.
//!
//! The first variant's configuration is printed as the base; each variant's
//! `set` lists what differs from it. Optional values have explicit spellings
//! (`stop = "never"`, `max_receive_count = "none"`, `node_weights = "equal"`,
//! `arrival = { kind = "none" }`) so that no variant ever needs to remove a key.

use super::units::format_duration_us;
use super::{Resolved, Scenario};
use crate::engine::SimTime;
use crate::model::config::*;
use crate::model::Dist;
use std::fmt::Write as _;
use std::path::Path;
use toml::{Table, Value};

/// Renders the resolved scenario.
pub fn to_toml(sc: &Scenario, resolved: &[Resolved]) -> String {
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
    top(&mut out, "name", Value::String(sc.name.clone()));
    top(
        &mut out,
        "description",
        Value::String(sc.description.clone()),
    );
    top(&mut out, "seed", Value::Integer(sc.seed as i64));
    top(
        &mut out,
        "replications",
        Value::Integer(sc.replications as i64),
    );
    let Some(first) = resolved.first() else {
        return out;
    };
    let base = config_table(&first.config, &sc.base_dir);
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
            diff(&base, &config_table(&r.config, &sc.base_dir), &mut set);
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

fn time(t: SimTime) -> Value {
    Value::String(format_duration_us(t.micros() as f64))
}

fn stop(t: SimTime) -> Value {
    if t == SimTime::MAX {
        Value::String("never".into())
    } else {
        time(t)
    }
}

fn int(x: u64) -> Value {
    Value::Integer(x as i64)
}

fn bytes(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        Value::Integer(x as i64)
    } else {
        Value::Float(x)
    }
}

/// A distribution in the scenario's own notation.
fn dist(d: &Dist, is_time: bool) -> Value {
    let scalar = |x: f64| {
        if is_time {
            Value::String(format_duration_us(x))
        } else {
            bytes(x)
        }
    };
    let (kind, params) = d.describe();
    if kind == "constant" {
        return scalar(params[0].1);
    }
    let mut t = Table::new();
    t.insert("kind".into(), Value::String(kind.into()));
    for (name, x) in params {
        let v = if name == "shape" {
            Value::Float(x)
        } else {
            scalar(x)
        };
        t.insert(name.into(), v);
    }
    Value::Table(t)
}

fn phases<T>(items: &[T], f: impl Fn(&T) -> (&'static str, Value)) -> Value
where
    T: HasAt,
{
    Value::Array(
        items
            .iter()
            .map(|p| {
                let mut t = Table::new();
                t.insert("at".into(), time(p.at()));
                let (k, v) = f(p);
                t.insert(k.into(), v);
                Value::Table(t)
            })
            .collect(),
    )
}

trait HasAt {
    fn at(&self) -> SimTime;
}
impl HasAt for Phase {
    fn at(&self) -> SimTime {
        self.at
    }
}
impl HasAt for Burst {
    fn at(&self) -> SimTime {
        self.at
    }
}

fn arrival(a: &Arrival, base_dir: &Path) -> Value {
    let mut t = Table::new();
    let kind = match a {
        Arrival::Poisson { rate } => {
            t.insert("rate".into(), Value::Float(*rate));
            "poisson"
        }
        Arrival::Constant { interval } => {
            t.insert("interval".into(), time(*interval));
            "constant"
        }
        Arrival::Trace { file, .. } => {
            // Absolute, so the printed file works from any folder.
            let p = base_dir.join(file);
            let p = std::fs::canonicalize(&p).unwrap_or(p);
            t.insert("file".into(), Value::String(p.display().to_string()));
            "trace"
        }
        Arrival::None => "none",
    };
    t.insert("kind".into(), Value::String(kind.into()));
    Value::Table(t)
}

/// Every key of a configuration, defaults included, in scenario notation.
pub fn config_table(c: &ModelConfig, base_dir: &Path) -> Table {
    let mut doc = Table::new();
    let put = |t: &mut Table, k: &str, v: Value| {
        t.insert(k.to_string(), v);
    };
    put(&mut doc, "duration", time(c.duration));
    put(&mut doc, "warmup", time(c.warmup));
    put(&mut doc, "network", dist(&c.network, true));

    let mut report = Table::new();
    put(&mut report, "bucket", time(c.bucket));
    doc.insert("report".into(), Value::Table(report));

    let mut pricing = Table::new();
    put(
        &mut pricing,
        "per_million",
        Value::Float(c.pricing.per_million),
    );
    put(
        &mut pricing,
        "free_tier_requests",
        int(c.pricing.free_tier_requests),
    );
    doc.insert("pricing".into(), Value::Table(pricing));

    let q = &c.queue;
    let mut qt = Table::new();
    put(&mut qt, "kind", Value::String(q.kind.as_str().into()));
    put(&mut qt, "nodes", int(q.nodes as u64));
    let equal = q.node_weights.windows(2).all(|w| w[0] == w[1]);
    let weights = if equal {
        Value::String("equal".into())
    } else {
        Value::Array(q.node_weights.iter().map(|w| Value::Float(*w)).collect())
    };
    put(&mut qt, "node_weights", weights);
    put(&mut qt, "sample_nodes", int(q.sample_nodes as u64));
    put(&mut qt, "visibility_timeout", time(q.visibility_timeout));
    put(&mut qt, "receive_wait_time", time(q.receive_wait_time));
    put(&mut qt, "delay", time(q.delay));
    put(&mut qt, "retention", time(q.retention));
    put(
        &mut qt,
        "max_receive_count",
        q.max_receive_count
            .map_or(Value::String("none".into()), |r| int(r as u64)),
    );
    put(&mut qt, "initial_messages", int(q.initial_messages));
    doc.insert("queue".into(), Value::Table(qt));

    let producers = c
        .producers
        .iter()
        .map(|p| {
            let mut t = Table::new();
            put(&mut t, "name", Value::String(p.name.clone()));
            put(&mut t, "count", int(p.count as u64));
            put(&mut t, "arrival", arrival(&p.arrival, base_dir));
            put(
                &mut t,
                "schedule",
                phases(&p.schedule, |ph| ("rate", Value::Float(ph.rate))),
            );
            put(
                &mut t,
                "bursts",
                phases(&p.bursts, |b| ("count", int(b.count))),
            );
            put(&mut t, "batch", int(p.batch as u64));
            put(&mut t, "size", dist(&p.size, false));
            put(&mut t, "start", time(p.start));
            put(&mut t, "stop", stop(p.stop));
            Value::Table(t)
        })
        .collect();
    doc.insert("producers".into(), Value::Array(producers));

    let consumers = c
        .consumers
        .iter()
        .map(|cc| {
            let mut t = Table::new();
            put(&mut t, "name", Value::String(cc.name.clone()));
            put(&mut t, "count", int(cc.count as u64));
            put(&mut t, "wait_time", time(cc.wait_time));
            put(&mut t, "max_messages", int(cc.max_messages as u64));
            put(&mut t, "visibility_timeout", time(cc.visibility_timeout));
            put(&mut t, "processing", dist(&cc.processing, true));
            put(&mut t, "idle_wait", time(cc.idle_wait));
            put(&mut t, "fail_rate", Value::Float(cc.fail_rate));
            put(&mut t, "delete", Value::String(cc.delete.as_str().into()));
            put(&mut t, "start", time(cc.start));
            put(&mut t, "stop", stop(cc.stop));
            Value::Table(t)
        })
        .collect();
    doc.insert("consumers".into(), Value::Array(consumers));

    let outages = c
        .outages
        .iter()
        .map(|o| {
            let mut t = Table::new();
            put(&mut t, "node", int(o.node as u64));
            put(&mut t, "at", time(o.at));
            put(&mut t, "duration", time(o.duration));
            Value::Table(t)
        })
        .collect();
    doc.insert("outages".into(), Value::Array(outages));
    doc
}
