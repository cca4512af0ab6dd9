//! The generic reader: walks a table's [`Keys`], refuses unknown keys (with
//! the nearest valid name), reads each present value by its [`Ty`] — or its
//! default when absent — and runs the table's rules between keys. Every
//! problem is collected, not just the first; a value at fault is replaced by
//! its default so the rest can still be checked.

use super::groups::{check_name, NameRule};
use super::{consumers, dist, outages, producers, queue, top, Dflt, Key, Keys, Section, Ty};
use crate::engine::SimTime;
use crate::model::ModelConfig;
use crate::scenario::error::{did_you_mean, Issue};
use crate::scenario::units::{describe, duration_us, format_duration_us};
use std::path::Path;
use toml::{Table, Value};

/// Collects problems while reading; `dir` resolves files a key names.
pub struct Reader<'a> {
    pub issues: Vec<Issue>,
    pub dir: &'a Path,
}

/// `prefix.key`, or `key` at the root.
pub fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Builds the model configuration, section by section, in the order their
/// defaults depend on each other (consumers default to the queue's times).
pub fn build(doc: &Table, dir: &Path) -> Result<ModelConfig, Vec<Issue>> {
    let mut r = Reader {
        issues: Vec::new(),
        dir,
    };
    r.unknown(doc, "", &super::top_keys());
    let mut m = top::blank();
    // The root's own keys depend on nothing but the producers (a CloudWatch
    // replay gives `duration` its default), which depend on nothing.
    let nothing = top::blank();
    m.producers = r.array(&producers::PRODUCERS, doc, &nothing, producers::blank);
    let unread_replay = !r.issues.is_empty() && producers::asks_for_replay(doc);
    r.keys(&top::MODEL.keys, doc, "", &nothing, &mut m);
    if unread_replay && !doc.contains_key("duration") {
        // The export's own error is the root cause of a missing duration.
        r.issues.retain(|i| i.path != "duration");
    }
    m.queue = r.table(&queue::QUEUE, doc, &m, queue::blank());
    let report = r.table(&top::REPORT, doc, &m, m.clone());
    (m.bucket, m.cloudwatch_period) = (report.bucket, report.cloudwatch_period);
    m.pricing = r.table(&top::PRICING, doc, &m, m.pricing.clone());
    m.consumers = r.array(&consumers::CONSUMERS, doc, &m, consumers::blank);
    m.outages = r.array(&outages::OUTAGES, doc, &m, outages::blank);
    producers::check_all(&mut r, &m);
    consumers::check_all(&mut r, &m);
    outages::check_all(&mut r, &m);
    top::check_all(&mut r, &m);
    if r.issues.is_empty() {
        Ok(m)
    } else {
        Err(r.issues)
    }
}

impl Reader<'_> {
    pub fn err(&mut self, path: &str, message: impl Into<String>) {
        self.issues.push(Issue {
            path: path.to_string(),
            message: message.into(),
            at: None,
            origin: None,
        });
    }

    /// Refuses keys of `t` not in `allowed`, with the nearest valid one.
    pub fn unknown(&mut self, t: &Table, prefix: &str, allowed: &[&str]) {
        for k in t.keys() {
            if !allowed.contains(&k.as_str()) {
                let hint = match did_you_mean(k, allowed) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("allowed keys here: {}", allowed.join(", ")),
                };
                self.err(&join(prefix, k), format!("unknown key; {hint}"));
            }
        }
    }

    /// Reads the `[section]` table of the document into `c` (an absent
    /// table has every key at its default).
    pub fn table<C>(
        &mut self,
        section: &Section<C>,
        doc: &Table,
        ctx: &ModelConfig,
        mut c: C,
    ) -> C {
        let empty = Table::new();
        let t = match doc.get(section.name) {
            None => &empty,
            Some(Value::Table(t)) => t,
            Some(other) => {
                let e = format!("found {}, expected a table", describe(other));
                self.err(section.name, e);
                &empty
            }
        };
        self.keys(&section.keys, t, section.name, ctx, &mut c);
        c
    }

    /// Reads every entry of the `[[section]]` array of the document.
    pub fn array<C>(
        &mut self,
        section: &Section<C>,
        doc: &Table,
        ctx: &ModelConfig,
        blank: impl Fn() -> C,
    ) -> Vec<C> {
        self.entries(doc, section.name)
            .into_iter()
            .map(|(path, t)| {
                let mut c = blank();
                self.keys(&section.keys, t, &path, ctx, &mut c);
                c
            })
            .collect()
    }

    /// `[[name]]` entries with their display paths (by name when they have one).
    pub fn entries<'t>(&mut self, doc: &'t Table, name: &str) -> Vec<(String, &'t Table)> {
        let mut out = Vec::new();
        match doc.get(name) {
            None => {}
            Some(Value::Array(a)) => {
                for (i, e) in a.iter().enumerate() {
                    match e {
                        Value::Table(t) => {
                            // By name when a path could use it, else by index.
                            let label = match t.get("name") {
                                Some(Value::String(n)) if check_name(n, NameRule::Path).is_ok() => {
                                    format!("{name}.{n}")
                                }
                                _ => format!("{name}.{i}"),
                            };
                            out.push((label, t));
                        }
                        other => self.err(
                            &format!("{name}.{i}"),
                            format!("found {}, expected a table", describe(other)),
                        ),
                    }
                }
            }
            Some(other) => self.err(
                name,
                format!(
                    "found {}, expected an array of tables ([[{name}]])",
                    describe(other)
                ),
            ),
        }
        out
    }

    /// Reads table `t` (at `path`) into `c`: its kind, unknown keys, every
    /// key, then the rules between them.
    pub fn keys<C>(&mut self, keys: &Keys<C>, t: &Table, path: &str, ctx: &ModelConfig, c: &mut C) {
        let kind = match self.kind(keys, t, path) {
            Ok(k) => k,
            Err(()) => return,
        };
        let own: &[Key<C>] = kind.map_or(&[], |k| k.keys);
        if !path.is_empty() {
            let mut allowed: Vec<&str> = Vec::new();
            if !keys.kinds.is_empty() {
                allowed.push("kind");
            }
            allowed.extend(keys.common.iter().chain(own).map(|k| k.name));
            self.unknown(t, path, &allowed);
        }
        if let Some(k) = kind {
            (k.select)(c);
        }
        let before = self.issues.len();
        for key in keys.common.iter().chain(own) {
            self.key(key, t.get(key.name), path, ctx, c);
        }
        // Rules between keys only make sense once each key is valid.
        if self.issues.len() == before {
            (keys.check)(self, ctx, c, path);
        }
    }

    /// The table's kind: `Ok(None)` for tables without kinds, `Err` (reported)
    /// when it is missing or unknown.
    fn kind<'k, C>(
        &mut self,
        keys: &'k Keys<C>,
        t: &Table,
        path: &str,
    ) -> Result<Option<&'k super::Kind<C>>, ()> {
        if keys.kinds.is_empty() {
            return Ok(None);
        }
        let names: Vec<&str> = keys.kinds.iter().map(|k| k.name).collect();
        let at = join(path, "kind");
        let name = match (t.get("kind"), keys.default_kind) {
            (Some(Value::String(k)), _) => k.as_str(),
            (None, Some(d)) => d,
            (found, _) => {
                let what = found.map_or("missing".into(), |v| format!("found {}", describe(v)));
                self.err(&at, format!("{what}; allowed: {}", names.join(", ")));
                return Err(());
            }
        };
        match keys.kinds.iter().find(|k| k.name == name) {
            Some(k) => Ok(Some(k)),
            None => {
                let hint = did_you_mean(name, &names)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                self.err(
                    &at,
                    format!(
                        "unknown {} kind \"{name}\"{hint}; allowed: {}",
                        keys.what,
                        names.join(", ")
                    ),
                );
                Err(())
            }
        }
    }

    /// Reads the key `name` of `keys` from `v` (an override from a flag).
    pub fn one<C>(
        &mut self,
        keys: &Keys<C>,
        name: &str,
        v: &Value,
        prefix: &str,
        ctx: &ModelConfig,
        c: &mut C,
    ) {
        if let Some(key) = keys.common.iter().find(|k| k.name == name) {
            self.value(key, v, &join(prefix, name), ctx, c);
        }
    }

    /// Reads one key: its value, or its default when absent (or at fault).
    fn key<C>(
        &mut self,
        key: &Key<C>,
        v: Option<&Value>,
        prefix: &str,
        ctx: &ModelConfig,
        c: &mut C,
    ) {
        let path = join(prefix, key.name);
        if let Some(v) = v {
            let before = self.issues.len();
            self.value(key, v, &path, ctx, c);
            if self.issues.len() == before {
                return;
            }
        }
        let default = match &key.default {
            Dflt::Is(text) => text
                .parse::<Value>()
                .expect("schema defaults are TOML values"),
            Dflt::From { value, .. } => value(ctx, c),
            Dflt::Required(why) => {
                if v.is_none() {
                    self.err(&path, format!("missing: {why}"));
                }
                return;
            }
            Dflt::FromOr { value, why, .. } => match value(ctx, c) {
                Some(v) => v,
                None => {
                    if v.is_none() {
                        self.err(&path, format!("missing: {why}"));
                    }
                    return;
                }
            },
        };
        // A default is valid by construction (a unit test reads them all).
        self.value(key, &default, &path, ctx, c);
    }

    /// Reads a present value of `key` into `c`, or reports why not.
    fn value<C>(&mut self, key: &Key<C>, v: &Value, path: &str, ctx: &ModelConfig, c: &mut C) {
        if let (Some(off), Value::String(s)) = (&key.off, v) {
            if s == off.word {
                (off.set)(c);
                return;
            }
        }
        let done = match &key.ty {
            Ty::Int { lo, hi, set, .. } => int(v, *lo, *hi).map(|x| set(c, x)),
            Ty::Float { lo, hi, set, .. } => float(v, *lo, *hi).map(|x| set(c, x)),
            Ty::Time { lo, hi, set, .. } => time(v, *lo, *hi).map(|x| set(c, x)),
            Ty::Bool { set, .. } => match v {
                Value::Boolean(b) => {
                    set(c, *b);
                    Ok(())
                }
                other => Err(format!("found {}, expected true or false", describe(other))),
            },
            Ty::Choice { allowed, set, .. } => choice(v, allowed).map(|x| set(c, x)),
            Ty::Text { set, .. } => text(v).map(|x| set(c, x)),
            Ty::Dist { of, set, .. } => {
                if let Some(d) = dist::read(self, v, path, *of) {
                    set(c, d);
                }
                Ok(())
            }
            Ty::Table(keys) => match v {
                Value::Table(t) => {
                    self.keys(keys, t, path, ctx, c);
                    Ok(())
                }
                other => Err(format!(
                    "found {}, expected a table such as {}",
                    describe(other),
                    keys.example
                )),
            },
            Ty::Custom { read, .. } => {
                read(self, v, path, c);
                Ok(())
            }
        };
        if let Err(e) = done {
            let e = match &key.off {
                Some(off) => format!("{e} (or \"{}\")", off.word),
                None => e,
            };
            self.err(path, e);
        }
    }
}

/// An integer in `[lo, hi]`.
pub fn int(v: &Value, lo: u64, hi: u64) -> Result<u64, String> {
    match v {
        Value::Integer(i) if *i >= 0 && (*i as u64) >= lo && (*i as u64) <= hi => Ok(*i as u64),
        Value::Integer(i) => Err(format!("found {i}, allowed range is {lo} to {hi}")),
        other => Err(format!(
            "found {}, expected an integer from {lo} to {hi}",
            describe(other)
        )),
    }
}

/// A number in `[lo, hi]` (integers are numbers too).
pub fn float(v: &Value, lo: f64, hi: f64) -> Result<f64, String> {
    let x = match v {
        Value::Integer(i) => *i as f64,
        Value::Float(f) => *f,
        other => {
            return Err(format!(
                "found {}, expected a number from {lo} to {hi}",
                describe(other)
            ))
        }
    };
    if x >= lo && x <= hi {
        Ok(x)
    } else {
        Err(format!("found {x}, allowed range is {lo} to {hi}"))
    }
}

/// A duration in `[lo, hi]`; out of range, the message gives the range in
/// the user's units whatever the value (`1e308` seconds included).
pub fn time(v: &Value, lo: SimTime, hi: SimTime) -> Result<SimTime, String> {
    let us = duration_us(v)?;
    if us >= lo.micros() as f64 && us <= hi.micros() as f64 {
        return Ok(SimTime::from_micros_f64(us));
    }
    let found = match v {
        _ if us < 1e18 => format_duration_us(us),
        Value::Integer(i) => format!("{i}s"),
        Value::Float(f) => format!("{f:e}s"),
        other => describe(other),
    };
    Err(format!(
        "found {found}, allowed range is {}",
        time_range(lo, hi)
    ))
}

/// `0s to 20s`, or `at least 1ms` when there is no upper bound.
pub fn time_range(lo: SimTime, hi: SimTime) -> String {
    if hi == SimTime::MAX {
        format!("at least {}", show_t(lo))
    } else {
        format!("{} to {}", show_t(lo), show_t(hi))
    }
}

/// One of `allowed`.
pub fn choice<'v>(v: &'v Value, allowed: &[&str]) -> Result<&'v str, String> {
    match v {
        Value::String(s) if allowed.contains(&s.as_str()) => Ok(s),
        Value::String(s) => Err(format!("found \"{s}\", allowed: {}", allowed.join(", "))),
        other => Err(format!(
            "found {}, expected one of: {}",
            describe(other),
            allowed.join(", ")
        )),
    }
}

pub fn text(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        other => Err(format!("found {}, expected a string", describe(other))),
    }
}

/// A time as the user would write it (`15m`, `250ms`).
pub fn show_t(t: SimTime) -> String {
    format_duration_us(t.micros() as f64)
}
