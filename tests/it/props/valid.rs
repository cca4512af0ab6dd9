//! The rules *between* keys, which the schema keeps as code (each table's
//! `check`), restated here so that every generated scenario is valid: a
//! generated document is repaired by [`fix`], deterministically, so that
//! proptest still shrinks it. Then the variants: random changes to a copy
//! of the document, repaired the same way, and the difference written as
//! each variant's `set`.
//!
//! The zero-time loops (`consumers::ZERO_TIME_LOOPS`) are left alone on
//! purpose: the tool refuses them, and the test counts those refusals.

use super::gen::{self, after, at_or_after, before, time_of, time_value, Wild, MIB};
use proptest::prelude::*;
use proptest::strategy::Union;
use sqs_sim::testing::spec::{self, DefaultSpec, SectionSpec};
use sqs_sim::testing::Shape;
use std::collections::HashSet;
use toml::{Table, Value};

/// One generated case: the scenario file and the trace files it may name.
#[derive(Clone, Debug)]
pub struct Case {
    pub doc: Table,
    /// `trace0.csv`, `trace1.csv`, …
    pub traces: Vec<String>,
    /// Each run's variant name (`base` without variants) and whether its
    /// warmup is 0, so the reported counts are whole-run totals.
    pub variants: Vec<(String, bool)>,
    pub replications: u64,
    /// Whether its times may lie anywhere in their range ([`Wild`]).
    pub wild: bool,
}

impl Case {
    pub fn text(&self) -> String {
        toml::to_string(&self.doc).expect("a TOML document")
    }
}

/// A random change of one key of one entry (`entry` picks it among those
/// there are), for a variant.
#[derive(Clone, Debug)]
struct Change {
    section: &'static str,
    shape: Shape,
    key: &'static str,
    entry: usize,
    value: Value,
}

/// Random valid scenarios, variants included.
pub fn case() -> BoxedStrategy<Case> {
    any::<bool>().prop_flat_map(|w| of(Wild(w))).boxed()
}

/// Random valid scenarios whose times are [`Wild`] or not.
fn of(wild: Wild) -> BoxedStrategy<Case> {
    let variant = (gen::name(), proptest::collection::vec(change(wild), 1..=3));
    let variants = prop_oneof![Just(Vec::new()), proptest::collection::vec(variant, 1..=3)];
    (
        gen::document(wild),
        proptest::collection::vec(gen::trace(wild), 2),
        variants,
        any::<bool>(),
    )
        .prop_map(move |(mut doc, traces, variants, no_warmup)| {
            // Half the cases without warmup, where summary.csv's counts
            // are whole-run totals and the identity can be checked.
            if no_warmup {
                doc.remove("warmup");
            }
            fix(&mut doc);
            let variants = add_variants(&mut doc, variants);
            let replications = doc
                .get("replications")
                .and_then(Value::as_integer)
                .unwrap_or(1) as u64;
            Case {
                doc,
                traces,
                variants,
                replications,
                wild: wild.0,
            }
        })
        .boxed()
}

/// Sections a variant may change: not the run's own (`fixed`).
fn changeable() -> Vec<SectionSpec> {
    spec::sections()
        .into_iter()
        .filter(|s| gen::generated(s) && !s.fixed)
        .collect()
}

/// A change of any key a variant may set, except names (paths use them).
/// Keys of a table's `kind`s are changed with their kind: a section with
/// kinds would need a `kind` slot; none has one yet.
fn change(wild: Wild) -> BoxedStrategy<Change> {
    let mut slots = Vec::new();
    for s in changeable() {
        // A section with kinds (consumers: loop or lambda): a variant
        // changes only the keys every kind has; a kind's own keys are
        // generated with their kind in the base scenario.
        for k in s.table.common.iter().filter(|k| k.name != "name") {
            let (section, shape, key) = (s.name, s.shape, k.name);
            let value = gen::key_value(k, section, wild);
            slots.push(
                (any::<usize>(), value)
                    .prop_map(move |(entry, value)| Change {
                        section,
                        shape,
                        key,
                        entry,
                        value,
                    })
                    .boxed(),
            );
        }
    }
    Union::new(slots).boxed()
}

/// Applies each variant's changes to a copy of `doc`, repairs it, and
/// writes the difference as the variant's `set`. Returns every run's
/// variant name and whether its warmup is 0.
fn add_variants(doc: &mut Table, variants: Vec<(String, Vec<Change>)>) -> Vec<(String, bool)> {
    let zero_warmup = |d: &Table| d.get("warmup").and_then(time_of).unwrap_or(0) == 0;
    if variants.is_empty() {
        return vec![("base".into(), zero_warmup(doc))];
    }
    let mut out = Vec::new();
    let mut entries = Vec::new();
    for (name, changes) in variants {
        let name = unique(&name, &out.iter().map(|(n, _)| n).collect::<Vec<_>>());
        let mut v = doc.clone();
        for c in changes {
            apply(&mut v, c);
        }
        fix(&mut v);
        let mut e = Table::new();
        e.insert("name".into(), Value::String(name.clone()));
        e.insert("set".into(), Value::Table(diff(doc, &v)));
        entries.push(Value::Table(e));
        out.push((name, zero_warmup(&v)));
    }
    doc.insert("variants".into(), Value::Array(entries));
    out
}

fn unique(name: &str, taken: &[&String]) -> String {
    let mut n = name.to_string();
    let mut i = 0;
    while taken.iter().any(|t| **t == n) {
        i += 1;
        n = format!("{name}-{i}");
    }
    n
}

fn apply(doc: &mut Table, c: Change) {
    let t = match c.shape {
        Shape::Root => doc,
        Shape::Table => match doc
            .entry(c.section)
            .or_insert_with(|| Value::Table(Table::new()))
        {
            Value::Table(t) => t,
            _ => return,
        },
        Shape::Array => match doc.get_mut(c.section) {
            Some(Value::Array(a)) if !a.is_empty() => {
                let n = a.len();
                match &mut a[c.entry % n] {
                    Value::Table(t) => t,
                    _ => return,
                }
            }
            _ => return,
        },
    };
    t.insert(c.key.into(), c.value);
}

/// Every key path whose value differs in `v`, with that value.
fn diff(base: &Table, v: &Table) -> Table {
    let mut set = Table::new();
    let mut leaf = |path: String, a: Option<&Value>, b: Option<&Value>| {
        assert!(
            b.is_some() || a.is_none(),
            "{path}: a variant cannot remove a key"
        );
        if a != b {
            set.insert(path, b.unwrap().clone());
        }
    };
    for s in changeable() {
        let keys = |t: Option<&Value>| t.and_then(Value::as_table).cloned().unwrap_or_default();
        match s.shape {
            Shape::Root => {
                for k in &s.table.common {
                    leaf(k.name.into(), base.get(k.name), v.get(k.name));
                }
            }
            Shape::Table => {
                let (a, b) = (keys(base.get(s.name)), keys(v.get(s.name)));
                for (k, x) in &b {
                    leaf(format!("{}.{k}", s.name), a.get(k), Some(x));
                }
            }
            Shape::Array => {
                let list = |d: &Table| {
                    d.get(s.name)
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default()
                };
                for (i, (a, b)) in list(base).iter().zip(&list(v)).enumerate() {
                    let (a, b) = (keys(Some(a)), keys(Some(b)));
                    // By name where an entry has one, as a user would write it.
                    let sel = b
                        .get("name")
                        .and_then(Value::as_str)
                        .map_or(i.to_string(), String::from);
                    for (k, x) in &b {
                        leaf(format!("{}.{sel}.{k}", s.name), a.get(k), Some(x));
                    }
                }
            }
        }
    }
    set
}

/// Repairs `doc` so that every rule between keys holds.
pub fn fix(doc: &mut Table) {
    fix_warmup(doc);
    fix_report_and_pricing(doc);
    let nodes = fix_queue(doc);
    let fifo = fix_fifo(doc);
    for list in ["producers", "consumers"] {
        let Some(Value::Array(a)) = doc.get_mut(list) else {
            continue;
        };
        let mut seen = HashSet::new();
        for e in a.iter_mut().filter_map(Value::as_table_mut) {
            fix_name(e, &mut seen);
            fix_window(e);
            if list == "producers" {
                fix_producer(e);
                if !fifo {
                    fix_standard_producer(e);
                }
            } else {
                fix_consumer(e);
                fix_lambda(e, fifo);
            }
        }
    }
    fix_outages(doc, nodes);
}

fn int(t: &Table, k: &str) -> Option<u64> {
    t.get(k).and_then(Value::as_integer).map(|x| x as u64)
}

/// A key's default from the schema, as an integer.
fn default_int(section: &str, key: &str) -> u64 {
    let s = spec::sections()
        .into_iter()
        .find(|s| s.name == section)
        .unwrap();
    let k = s.table.common.iter().find(|k| k.name == key).unwrap();
    match k.default {
        DefaultSpec::Is(text) => text.parse().unwrap(),
        ref other => panic!("{section}.{key}: default {other:?}"),
    }
}

/// A CloudWatch period is whole minutes (`top::REPORT`'s check); the first
/// price tier is `per_million` (`tiers::check`).
fn fix_report_and_pricing(doc: &mut Table) {
    const MINUTE_US: u64 = 60_000_000;
    if let Some(Value::Table(r)) = doc.get_mut("report") {
        if let Some(p) = r.get("cloudwatch_period").and_then(time_of) {
            let whole = (p / MINUTE_US).max(1) * MINUTE_US;
            r.insert("cloudwatch_period".into(), time_value(whole));
        }
    }
    if let Some(Value::Table(p)) = doc.get_mut("pricing") {
        let first = p
            .get("tiers")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(|t| t.get("per_million"))
            .cloned();
        if let Some(first) = first {
            p.insert("per_million".into(), first);
        }
    }
}

/// `warmup < duration` (`top::MODEL`'s check).
fn fix_warmup(doc: &mut Table) {
    let duration = doc
        .get("duration")
        .and_then(time_of)
        .expect("duration is required");
    if let Some(w) = doc.get("warmup").and_then(time_of) {
        if w >= duration {
            doc.insert("warmup".into(), time_value(w % duration));
        }
    }
}

/// `sample_nodes ≤ nodes`, one weight per node (`queue::check`,
/// `read_weights`); returns the number of nodes.
fn fix_queue(doc: &mut Table) -> u64 {
    let Some(Value::Table(q)) = doc.get_mut("queue") else {
        return default_int("queue", "nodes");
    };
    let nodes = int(q, "nodes").unwrap_or_else(|| default_int("queue", "nodes"));
    if let Some(s) = int(q, "sample_nodes").filter(|&s| s > nodes) {
        q.insert(
            "sample_nodes".into(),
            Value::Integer((1 + (s - 1) % nodes) as i64),
        );
    }
    if let Some(Value::Array(w)) = q.get_mut("node_weights") {
        let cycled: Vec<Value> = w.iter().cycle().take(nodes as usize).cloned().collect();
        *w = cycled;
    }
    nodes
}

/// The FIFO rules of the queue (`queue::check`): high-throughput mode only
/// on a FIFO queue, and there at most `MAX_GROUPS` initial messages (each
/// is a message group). Returns whether the queue is FIFO. Keys go back to
/// their defaults rather than away: a variant cannot remove a key.
fn fix_fifo(doc: &mut Table) -> bool {
    let Some(Value::Table(q)) = doc.get_mut("queue") else {
        return false;
    };
    let fifo = q.get("kind").and_then(Value::as_str) == Some("fifo");
    if !fifo && q.contains_key("high_throughput") {
        q.insert("high_throughput".into(), Value::Boolean(false));
    }
    const MAX_GROUPS: u64 = 100_000;
    if let Some(n) = int(q, "initial_messages").filter(|&n| fifo && n > MAX_GROUPS) {
        q.insert(
            "initial_messages".into(),
            Value::Integer((n % (MAX_GROUPS + 1)) as i64),
        );
    }
    fifo
}

/// Message groups exist only on FIFO queues (`producers::check_groups`):
/// on a standard queue, one group drawn uniformly (the defaults).
fn fix_standard_producer(p: &mut Table) {
    if p.contains_key("groups") {
        p.insert("groups".into(), Value::Integer(1));
    }
    if p.contains_key("group_dist") {
        p.insert("group_dist".into(), Value::String("uniform".into()));
    }
}

/// Names unique within their list (`groups::check_unique`).
fn fix_name(e: &mut Table, seen: &mut HashSet<String>) {
    if let Some(Value::String(n)) = e.get_mut("name") {
        let taken: Vec<&String> = seen.iter().collect();
        *n = unique(n, &taken);
        seen.insert(n.clone());
    }
}

/// The framework rules (`consumers::check_framework`): a heartbeat beats
/// within the visibility timeout; an autoscaled group has `min ≤ max`,
/// starts within them and runs the whole time.
fn fix_consumer(e: &mut Table) {
    if let Some(Value::Table(h)) = e.get("heartbeat") {
        // The beat comes before the extension runs out (interval < extend)
        // and before the first timeout (interval < visibility timeout,
        // both at most 12 h): keep it at least a second short of both.
        let extend = h
            .get("extend")
            .and_then(time_of)
            .unwrap_or(0)
            .max(2_000_000);
        let interval = h.get("interval").and_then(time_of).unwrap_or(1_000_000);
        let interval = interval
            .min(extend - 1_000_000)
            .min(12 * 3_600_000_000 - 1_000_000);
        let mut h = h.clone();
        h.insert("extend".into(), time_value(extend));
        h.insert("interval".into(), time_value(interval));
        e.insert("heartbeat".into(), Value::Table(h));
        let vt = e.get("visibility_timeout").and_then(time_of).unwrap_or(0);
        if vt <= interval {
            e.insert(
                "visibility_timeout".into(),
                time_value(interval + 1_000_000),
            );
        }
    }
    if let Some(Value::Table(a)) = e.get_mut("autoscale") {
        let (lo, hi) = (int(a, "min").unwrap_or(0), int(a, "max").unwrap_or(0));
        let (lo, hi) = (lo.min(hi), lo.max(hi));
        a.insert("min".into(), Value::Integer(lo as i64));
        a.insert("max".into(), Value::Integer(hi as i64));
        // The range starts at 0; the rule says more than 0.
        if a.get("target").and_then(Value::as_float) == Some(0.0) {
            a.insert("target".into(), Value::Float(1.0));
        }
        let count = int(e, "count").unwrap_or(1).clamp(lo, hi);
        e.insert("count".into(), Value::Integer(count as i64));
        // Back to their defaults rather than away: a variant that adds
        // `autoscale` cannot remove the base's `start`/`stop`.
        if e.contains_key("start") {
            e.insert("start".into(), time_value(0));
        }
        if e.contains_key("stop") {
            e.insert("stop".into(), Value::String("never".into()));
        }
    }
}

/// A Lambda group's batching (`lambda::check`): the window in whole
/// seconds, at least 1 s for batches above 10; on a FIFO queue batches of
/// at most 10 and no window.
fn fix_lambda(e: &mut Table, fifo: bool) {
    if e.get("kind").and_then(Value::as_str) != Some("lambda") {
        return;
    }
    let mut batch = int(e, "batch_size").unwrap_or(10);
    let mut window = e.get("batch_window").and_then(time_of).unwrap_or(0) / 1_000_000 * 1_000_000;
    if fifo {
        batch = batch.min(10);
        window = 0;
    } else if batch > 10 {
        window = window.max(1_000_000);
    }
    e.insert("batch_size".into(), Value::Integer(batch as i64));
    e.insert("batch_window".into(), time_value(window));
}

/// `stop > start` (`groups::check_group`).
fn fix_window(e: &mut Table) {
    let start = e.get("start").and_then(time_of).unwrap_or(0);
    let Some(stop) = e.get("stop").and_then(time_of) else {
        // Absent or "never": `u64::MAX`, which a start cannot reach.
        if start == u64::MAX {
            e.insert("start".into(), time_value(before(start)));
        }
        return;
    };
    let (mut start, mut stop) = (start.min(stop), start.max(stop));
    if start == stop {
        if stop < u64::MAX {
            stop = after(stop);
        } else {
            start = before(start);
        }
    }
    e.insert("start".into(), time_value(start));
    e.insert("stop".into(), time_value(stop));
}

/// `producers::check` and `check_size`.
fn fix_producer(p: &mut Table) {
    let kind = p
        .get("arrival")
        .and_then(|a| a.get("kind"))
        .and_then(Value::as_str)
        .unwrap_or("none")
        .to_string();
    if let Some(Value::Array(phases)) = p.get_mut("schedule") {
        if !matches!(kind.as_str(), "poisson" | "constant") {
            phases.clear();
        }
        // Phases in strictly increasing order of `at`.
        phases.sort_by_key(|ph| ph.get("at").and_then(time_of));
        phases.dedup_by_key(|ph| ph.get("at").and_then(time_of));
    }
    let no_bursts = p
        .get("bursts")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty);
    if kind == "none" && no_bursts {
        let mut b = Table::new();
        b.insert("at".into(), time_value(0));
        b.insert("count".into(), Value::Integer(1));
        p.insert("bursts".into(), Value::Array(vec![Value::Table(b)]));
    }
    let size = p
        .get("size")
        .map_or(default_int("producers", "size"), size_max);
    let batch = int(p, "batch").unwrap_or(1);
    if batch * size > MIB {
        p.insert("batch".into(), Value::Integer((MIB / size).max(1) as i64));
    }
}

/// The largest message a `size` (as `gen::message_size` writes it) gives.
fn size_max(v: &Value) -> u64 {
    let n = |k: &str| v.get(k).and_then(Value::as_integer);
    let x = match v {
        Value::Integer(x) => Some(*x),
        _ => n("value").or(n("max")).or(n("mean")),
    };
    x.expect("a bounded size") as u64
}

/// Nodes that exist, no two outages of one node overlapping
/// (`outages::check_all`): a later one starts when the earlier ends.
fn fix_outages(doc: &mut Table, nodes: u64) {
    let Some(Value::Array(a)) = doc.get_mut("outages") else {
        return;
    };
    let mut all: Vec<&mut Table> = a.iter_mut().filter_map(Value::as_table_mut).collect();
    let get = |t: &Table, k: &str| {
        t.get(k)
            .and_then(time_of)
            .expect("outage times are required")
    };
    for o in all.iter_mut() {
        let node = int(o, "node").expect("node is required") % nodes;
        o.insert("node".into(), Value::Integer(node as i64));
    }
    all.sort_by_key(|o| (int(o, "node"), get(o, "at")));
    let mut last: Option<(u64, u64)> = None;
    for o in all {
        let (node, mut at) = (int(o, "node").unwrap(), get(o, "at"));
        if let Some((n, until)) = last.filter(|(n, _)| *n == node) {
            if at < until {
                at = at_or_after(until);
                o.insert("at".into(), time_value(at));
            }
            last = Some((n, until.max(at.saturating_add(get(o, "duration")))));
        } else {
            last = Some((node, at.saturating_add(get(o, "duration"))));
        }
    }
}
