//! Strategies that generate scenario documents from the schema
//! ([`sqs_sim::testing::spec`]): every section, every key of every
//! `kind`, each value within the range validation enforces. Only the keys
//! in [`narrowed`] and the list lengths in [`entries`] are narrowed, to keep
//! the *workload* small; a key added to the schema is generated as it is.

use proptest::prelude::*;
use proptest::strategy::Union;
use sqs_sim::engine::SimTime;
use sqs_sim::testing::spec::{self, DefaultSpec, KeySpec, SectionSpec, TableSpec, TySpec};
use sqs_sim::testing::{Quantity, Shape};
use toml::{Table, Value};

/// SQS's largest message, which bounds `producers.size`.
pub const MIB: u64 = 1024 * 1024;

/// The workload: keys whose range the test narrows (intersected with the
/// schema's) so that one case runs in milliseconds — short runs, few nodes,
/// entities and replications, modest rates. Every other key, times and
/// distributions included, gets the whole range the schema allows.
pub fn narrowed(path: &str) -> Option<TySpec> {
    let time = |lo: SimTime, hi: SimTime| TySpec::Time { lo, hi };
    Some(match path {
        "duration" => time(SimTime(1), SimTime::from_secs(30)),
        "replications" => TySpec::Int { lo: 1, hi: 3 },
        "queue.nodes" => TySpec::Int { lo: 1, hi: 12 },
        "queue.initial_messages" => TySpec::Int { lo: 0, hi: 1000 },
        "producers.count" => TySpec::Int { lo: 1, hi: 3 },
        "consumers.count" => TySpec::Int { lo: 1, hi: 4 },
        "producers.arrival.rate" => TySpec::Float { lo: 0.0, hi: 200.0 },
        "producers.arrival.interval" => time(SimTime::from_millis(1), SimTime::from_secs(60)),
        _ => return None,
    })
}

/// Every path [`narrowed`] knows (a test checks each still names a key).
pub const NARROWED: &[&str] = &[
    "duration",
    "replications",
    "queue.nodes",
    "queue.initial_messages",
    "producers.count",
    "consumers.count",
    "producers.arrival.rate",
    "producers.arrival.interval",
];

/// How many entries an array section gets: up to 3 (4 outages), rarely
/// none (a scenario without producers or consumers is a corner, not the
/// rule).
fn entries<T: std::fmt::Debug + Clone + 'static>(
    section: &str,
    entry: BoxedStrategy<T>,
) -> BoxedStrategy<Vec<T>> {
    let most = if section == "outages" { 4 } else { 3 };
    Union::new_weighted(vec![
        (1, Just(Vec::new()).boxed()),
        (7, proptest::collection::vec(entry, 1..=most).boxed()),
    ])
    .boxed()
}

/// Messages in one burst, and the rate of a schedule phase.
const BURST_MAX: u64 = 1000;
const PHASE_RATE_MAX: f64 = 200.0;

/// A time value in scenario notation: the largest unit that states it
/// exactly (`"90s"`, `"250ms"`), else microseconds.
pub fn time_value(us: u64) -> Value {
    let units = [
        (86_400_000_000, "d"),
        (3_600_000_000, "h"),
        (60_000_000, "m"),
        (1_000_000, "s"),
        (1_000, "ms"),
    ];
    // Past 2⁵³ a count of large units would be rounded when read back.
    let exact = us > 0 && us < 1 << 53;
    let (n, unit) = units
        .iter()
        .find(|(u, _)| exact && us.is_multiple_of(*u))
        .map_or((us, "us"), |(u, name)| (us / u, *name));
    Value::String(format!("{n}{unit}"))
}

/// The microseconds of a value written by [`time_value`].
pub fn time_of(v: &Value) -> Option<u64> {
    let s = v.as_str()?;
    let at = s.find(|c: char| !c.is_ascii_digit())?;
    let n: u64 = s[..at].parse().ok()?;
    let scale = match &s[at..] {
        "d" => 86_400_000_000,
        "h" => 3_600_000_000,
        "m" => 60_000_000,
        "s" => 1_000_000,
        "ms" => 1_000,
        "us" => 1,
        _ => return None,
    };
    Some(n * scale)
}

/// The nearest time the tool reads exactly: it reads times as `f64`, so
/// past 2⁵³ µs only some values survive, and rules such as `stop > start`
/// must hold between the values it reads.
pub fn exact(us: u64) -> u64 {
    us as f64 as u64
}

/// The smallest exact time after `us` (an exact time below `u64::MAX`).
pub fn after(us: u64) -> u64 {
    if us < 1 << 53 {
        return us + 1;
    }
    f64::from_bits((us as f64).to_bits() + 1) as u64
}

/// The largest exact time before `us` (an exact time above 0).
pub fn before(us: u64) -> u64 {
    if us <= 1 << 53 {
        return us - 1;
    }
    f64::from_bits((us as f64).to_bits() - 1) as u64
}

/// The smallest exact time at or after `us`.
pub fn at_or_after(us: u64) -> u64 {
    let e = exact(us);
    if e >= us {
        e
    } else {
        after(e)
    }
}

/// Anywhere in `[lo, hi]`: its ends, every order of magnitude (shrinks
/// towards `lo`), and uniformly.
fn spread_u64(lo: u64, hi: u64) -> BoxedStrategy<u64> {
    Union::new_weighted(vec![
        (1, Just(lo).boxed()),
        (1, Just(hi).boxed()),
        (6, log_u64(lo, hi)),
        (2, (lo..=hi).boxed()),
    ])
    .boxed()
}

/// Every order of magnitude of `[lo, hi]` equally likely (of `x + 1`,
/// so that 0 may be drawn too).
fn log_u64(lo: u64, hi: u64) -> BoxedStrategy<u64> {
    assert!(lo <= hi);
    let (a, b) = ((lo as f64 + 1.0).ln(), (hi as f64 + 1.0).ln());
    (0.0f64..=1.0)
        .prop_map(move |u| ((a + u * (b - a)).exp() - 1.0).clamp(lo as f64, hi as f64) as u64)
        .boxed()
}

fn spread_f64(lo: f64, hi: f64) -> BoxedStrategy<f64> {
    let mut parts = vec![
        (1, Just(lo).boxed()),
        (1, Just(hi).boxed()),
        (4, (lo..=hi).boxed()),
    ];
    if hi > 0.0 {
        let bottom = lo.max(hi * 1e-12);
        let log = (bottom.ln()..=hi.ln()).prop_map(move |l| l.exp().clamp(bottom, hi));
        parts.push((4, log.boxed()));
    }
    Union::new_weighted(parts).boxed()
}

/// Whether a case's times may lie anywhere in their range (`true`) or only
/// at the scale of a run. Wild cases reach every corner, but one extreme
/// time (a run of 1 µs, a network delay of years) often stops anything
/// from happening; tame cases make sure messages flow too.
#[derive(Copy, Clone, Debug)]
pub struct Wild(pub bool);

/// Where most times fall: the scale of a run (1 ms to 30 s), so that
/// starts, stops, outages and delays mostly happen while it lasts.
const TYPICAL_US: (u64, u64) = (1_000, 30_000_000);
/// Most runs last seconds, so that something happens in them.
const TYPICAL_DURATION_US: (u64, u64) = (1_000_000, 30_000_000);

/// Most delays and processing times are below a second, so that
/// messages move while a run lasts.
const TYPICAL_PARAM_US: (u64, u64) = (1, 1_000_000);

/// A time in `[lo, hi]` µs, mostly within `typical`, yet anywhere in the
/// range (up to `u64::MAX` µs for unbounded keys).
fn time_us(lo: u64, hi: u64, typical: (u64, u64), wild: Wild) -> BoxedStrategy<u64> {
    let (a, b) = (lo.max(typical.0), hi.min(typical.1));
    if a > b {
        return spread_u64(lo, hi);
    }
    let mut parts = vec![(7, log_u64(a, b))];
    if wild.0 {
        parts.push((3, spread_u64(lo, hi)));
    }
    Union::new_weighted(parts).boxed()
}

fn time(lo: SimTime, hi: SimTime, typical: (u64, u64), wild: Wild) -> BoxedStrategy<Value> {
    let (lo, hi) = (lo.micros(), hi.micros());
    time_us(lo, hi, typical, wild)
        .prop_map(move |us| {
            // The tool reads times as f64: keep to the ones it reads exactly.
            let mut t = at_or_after(us);
            if t > hi {
                t = before(t);
            }
            time_value(t.max(lo))
        })
        .boxed()
}

/// The value of one key of type `ty` at `path` (`producers.arrival.rate`).
fn value(ty: &TySpec, path: &str, wild: Wild) -> BoxedStrategy<Value> {
    let ty = match narrowed(path) {
        Some(n) => intersect(ty, &n, path),
        None => ty.clone(),
    };
    match ty {
        TySpec::Int { lo, hi } => {
            assert!(hi <= i64::MAX as u64, "{path}: range beyond TOML integers");
            spread_u64(lo, hi)
                .prop_map(|x| Value::Integer(x as i64))
                .boxed()
        }
        TySpec::Float { lo, hi } => spread_f64(lo, hi).prop_map(Value::Float).boxed(),
        TySpec::Time { lo, hi } if path == "duration" => time(lo, hi, TYPICAL_DURATION_US, wild),
        TySpec::Time { lo, hi } => time(lo, hi, TYPICAL_US, wild),
        TySpec::Dist(_) if path == "producers.size" => message_size(),
        TySpec::Dist(of) => dist(of, wild),
        TySpec::Bool => any::<bool>().prop_map(Value::Boolean).boxed(),
        TySpec::Choice(allowed) => proptest::sample::select(allowed)
            .prop_map(|s| Value::String(s.into()))
            .boxed(),
        TySpec::Text if path.ends_with("name") => name().prop_map(Value::String).boxed(),
        TySpec::Text => "[ -~\t\néµ\"\\\\,]{0,16}".prop_map(Value::String).boxed(),
        TySpec::Table(t) => table(&t, path, wild).prop_map(Value::Table).boxed(),
        TySpec::Custom => custom(path, wild),
    }
}

/// `ty`'s range narrowed to `n`'s.
fn intersect(ty: &TySpec, n: &TySpec, path: &str) -> TySpec {
    match (ty, n) {
        (TySpec::Int { lo, hi }, TySpec::Int { lo: a, hi: b }) => TySpec::Int {
            lo: *lo.max(a),
            hi: *hi.min(b),
        },
        (TySpec::Float { lo, hi }, TySpec::Float { lo: a, hi: b }) => TySpec::Float {
            lo: lo.max(*a),
            hi: hi.min(*b),
        },
        (TySpec::Time { lo, hi }, TySpec::Time { lo: a, hi: b }) => TySpec::Time {
            lo: *lo.max(a),
            hi: *hi.min(b),
        },
        _ => panic!("{path}: the schema's type {ty:?} is not the narrowed {n:?}"),
    }
}

/// A name any path can use: a letter, then letters, digits, `-`, `_`.
pub fn name() -> BoxedStrategy<String> {
    "[a-zA-Z][a-zA-Z0-9_-]{0,6}".boxed()
}

/// A distribution of any kind, each parameter over its whole range; the
/// rules between parameters hold (uniform `min ≤ max`, a lognormal with
/// `sd > 0` has `mean > 0`, a pareto scale is > 0).
fn dist(of: Quantity, wild: Wild) -> BoxedStrategy<Value> {
    let kinds: Vec<BoxedStrategy<Value>> = spec::dists()
        .into_iter()
        .map(|d| {
            let params: Vec<BoxedStrategy<f64>> =
                d.params.iter().map(|p| param(of, p, wild)).collect();
            (params, any::<bool>())
                .prop_map(move |(mut xs, plain)| {
                    match d.name {
                        "uniform" => xs.sort_by(f64::total_cmp),
                        "lognormal" if xs[0] == 0.0 && xs[1] > 0.0 => xs[0] = 1.0,
                        "pareto" if xs[0] == 0.0 => xs[0] = 1.0,
                        _ => {}
                    }
                    dist_value(of, d.name, d.params, &xs, plain)
                })
                .boxed()
        })
        .collect();
    Union::new(kinds).boxed()
}

/// One parameter: a time in µs, a size in bytes, or a pareto shape.
fn param(of: Quantity, p: &str, wild: Wild) -> BoxedStrategy<f64> {
    let max = spec::param_max(of, p);
    if p == "shape" {
        // Below 1 a pareto has no mean: draws of years are the rule.
        let lo = if wild.0 { max * 1e-12 } else { 1.5 };
        return spread_f64(lo, max);
    }
    let max = max as u64;
    match of {
        Quantity::Time => time_us(0, max, TYPICAL_PARAM_US, wild),
        Quantity::Bytes => spread_u64(0, max),
    }
    .prop_map(|x| exact(x) as f64)
    .boxed()
}

/// A distribution in scenario notation; a constant sometimes as a plain
/// value.
fn dist_value(of: Quantity, kind: &str, params: &[&str], xs: &[f64], plain: bool) -> Value {
    let scalar = |p: &str, x: f64| match (p, of) {
        ("shape", _) => Value::Float(x),
        (_, Quantity::Time) => time_value(x as u64),
        (_, Quantity::Bytes) => Value::Integer(x as i64),
    };
    if kind == "constant" && plain {
        return scalar("value", xs[0]);
    }
    let mut t = Table::new();
    t.insert("kind".into(), Value::String(kind.into()));
    for (p, x) in params.iter().zip(xs) {
        t.insert((*p).into(), scalar(p, *x));
    }
    Value::Table(t)
}

/// `producers.size`: a message is 1 B to 1 MiB, so only bounded
/// distributions (a constant, a uniform, a normal or lognormal with sd 0).
fn message_size() -> BoxedStrategy<Value> {
    let bytes = || spread_u64(1, MIB).prop_map(|x| x as f64);
    let plain = |kind: &'static str| {
        (bytes(), any::<bool>())
            .prop_map(move |(x, p)| {
                let params: &[&str] = if kind == "constant" {
                    &["value"]
                } else {
                    &["mean", "sd"]
                };
                let xs = [x, 0.0];
                dist_value(Quantity::Bytes, kind, params, &xs[..params.len()], p)
            })
            .boxed()
    };
    let uniform = (bytes(), bytes()).prop_map(|(a, b)| {
        let xs = [a.min(b), a.max(b)];
        dist_value(Quantity::Bytes, "uniform", &["min", "max"], &xs, false)
    });
    Union::new(vec![
        plain("constant"),
        plain("normal"),
        plain("lognormal"),
        uniform.boxed(),
    ])
    .boxed()
}

/// Keys with a shape of their own: each needs a generator here (a new one
/// fails loudly until it has one).
fn custom(path: &str, wild: Wild) -> BoxedStrategy<Value> {
    match path {
        "queue.node_weights" => node_weights(),
        "producers.schedule" => timed(
            wild,"rate", spread_f64(0.0, PHASE_RATE_MAX).prop_map(Value::Float).boxed()),
        "producers.bursts" => timed(
            wild,
            "count",
            spread_u64(0, BURST_MAX).prop_map(|c| Value::Integer(c as i64)).boxed(),
        ),
        "pricing.tiers" => tiers(),
        "producers.arrival.file" => proptest::sample::select(&["trace0.csv", "trace1.csv"][..])
            .prop_map(|f| Value::String(f.into()))
            .boxed(),
        other => panic!(
            "the schema key `{other}` has a shape of its own (Ty::Custom): add a generator for it to custom() in tests/it/props/gen.rs"
        ),
    }
}

/// The largest ratio between two generated node weights.
///
/// Skewed fleets are generated on purpose: a short poll used to pick its
/// nodes by rejection whatever the weights, and `[1, 1, 1, 1e9]` with
/// `sample_nodes = 2` hung a run (~10⁹ draws a poll) until the sampler
/// learnt to take its dense branch for such fleets
/// (`sampling::tests::a_skewed_fleet_samples_quickly_and_exactly`).
const WEIGHT_SKEW: f64 = 1e9;

/// `queue.node_weights`: 1 to 12 weights, integers or not, at any scale
/// from 10⁻¹² to 10¹², up to [`WEIGHT_SKEW`] apart.
/// `pricing.tiers`: up to two bounded tiers in increasing `up_to`, then
/// the open-ended one (`valid::fix` makes `per_million` the first price).
fn tiers() -> BoxedStrategy<Value> {
    let price = || spread_f64(0.0, 1e6);
    (
        proptest::collection::vec((spread_u64(1, i64::MAX as u64), price()), 0..=2),
        price(),
    )
        .prop_map(|(mut bounded, last)| {
            bounded.sort_by_key(|b| b.0);
            bounded.dedup_by_key(|b| b.0);
            let tier = |up_to: Option<u64>, per_million: f64| {
                let mut t = Table::new();
                if let Some(u) = up_to {
                    t.insert("up_to".into(), Value::Integer(u as i64));
                }
                t.insert("per_million".into(), Value::Float(per_million));
                Value::Table(t)
            };
            let mut a: Vec<Value> = bounded.into_iter().map(|(u, p)| tier(Some(u), p)).collect();
            a.push(tier(None, last));
            Value::Array(a)
        })
        .boxed()
}

fn node_weights() -> BoxedStrategy<Value> {
    let factor = (1.0..=WEIGHT_SKEW, any::<bool>());
    (
        spread_f64(1e-12, 1e12 / WEIGHT_SKEW),
        proptest::collection::vec(factor, 1..=12),
    )
        .prop_map(|(scale, fs)| {
            let w = fs.into_iter().map(|(f, int)| {
                let w = scale * f;
                if int && w >= 1.0 {
                    Value::Integer(w.round() as i64)
                } else {
                    Value::Float(w)
                }
            });
            Value::Array(w.collect())
        })
        .boxed()
}

/// `[{ at, <what> = … }, …]`: `at` over the whole time range.
fn timed(wild: Wild, what: &'static str, x: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    let entry =
        (time(SimTime::ZERO, SimTime::MAX, TYPICAL_US, wild), x).prop_map(move |(at, x)| {
            let mut t = Table::new();
            t.insert("at".into(), at);
            t.insert(what.into(), x);
            Value::Table(t)
        });
    proptest::collection::vec(entry, 0..=3)
        .prop_map(Value::Array)
        .boxed()
}

/// A table of `t`'s keys: of one of its kinds, each optional key present
/// or not (absent: its default), each required key present.
pub fn table(t: &TableSpec, path: &str, wild: Wild) -> BoxedStrategy<Table> {
    if t.kinds.is_empty() {
        return keys(&t.common, path, wild);
    }
    let kinds: Vec<BoxedStrategy<Table>> = t
        .kinds
        .iter()
        .map(|k| {
            let mut all = t.common.clone();
            all.extend(k.keys.iter().cloned());
            let kind = k.name;
            // The default kind may go unsaid.
            let say = if t.default_kind == Some(kind) {
                any::<bool>().boxed()
            } else {
                Just(true).boxed()
            };
            (keys(&all, path, wild), say)
                .prop_map(move |(mut t, say)| {
                    if say {
                        t.insert("kind".into(), Value::String(kind.into()));
                    }
                    // A replay needs an export, not a trace: the one
                    // `check::write_case` writes, and the metric it holds.
                    if kind == "cloudwatch" {
                        t.insert("file".into(), Value::String(super::check::EXPORT.into()));
                        t.insert(
                            "metric".into(),
                            Value::String("NumberOfMessagesSent".into()),
                        );
                    }
                    t
                })
                .boxed()
        })
        .collect();
    Union::new(kinds).boxed()
}

fn keys(keys: &[KeySpec], path: &str, wild: Wild) -> BoxedStrategy<Table> {
    let parts: Vec<BoxedStrategy<Option<(String, Value)>>> = keys
        .iter()
        .map(|k| {
            let name = k.name.to_string();
            let v = key_value(k, path, wild).prop_map(move |v| (name.clone(), v));
            let full = if path.is_empty() {
                k.name.to_string()
            } else {
                format!("{path}.{}", k.name)
            };
            match k.default {
                DefaultSpec::Required => v.prop_map(Some).boxed(),
                // A producer without `arrival` sends nothing.
                _ if full == "producers.arrival" => proptest::option::weighted(0.95, v).boxed(),
                // Tame cases leave more keys at their defaults, which
                // are the usual values (start 0, no stop, no delay).
                _ => proptest::option::weighted(if wild.0 { 0.7 } else { 0.5 }, v).boxed(),
            }
        })
        .collect();
    parts
        .prop_map(|kvs| kvs.into_iter().flatten().collect())
        .boxed()
}

/// A value of key `k` of the table at `path`, sometimes its `off` word.
pub fn key_value(k: &KeySpec, path: &str, wild: Wild) -> BoxedStrategy<Value> {
    let full = if path.is_empty() {
        k.name.to_string()
    } else {
        format!("{path}.{}", k.name)
    };
    let v = value(&k.ty, &full, wild);
    match k.off {
        Some(word) => {
            Union::new_weighted(vec![(1, Just(Value::String(word.into())).boxed()), (4, v)]).boxed()
        }
        None => v,
    }
}

/// Whether the generator builds this section as the schema describes it;
/// variants are built from the rest ([`super::valid::variants`]) and the
/// sweep is `sqs-sim sweep`'s (tests/it/sweep.rs).
pub fn generated(s: &SectionSpec) -> bool {
    !matches!(s.name, "variants" | "sweep")
}

/// A scenario document without variants: every generated section.
pub fn document(wild: Wild) -> BoxedStrategy<Table> {
    let parts: Vec<BoxedStrategy<Table>> = spec::sections()
        .into_iter()
        .filter(generated)
        .map(|s| {
            let name = s.name;
            match s.shape {
                Shape::Root => table(&s.table, "", wild),
                Shape::Table => proptest::option::weighted(0.7, table(&s.table, name, wild))
                    .prop_map(move |t| t.map(|t| one(name, Value::Table(t))).unwrap_or_default())
                    .boxed(),
                Shape::Array => entries(name, table(&s.table, name, wild))
                    .prop_map(move |es| {
                        if es.is_empty() {
                            Table::new()
                        } else {
                            one(
                                name,
                                Value::Array(es.into_iter().map(Value::Table).collect()),
                            )
                        }
                    })
                    .boxed(),
            }
        })
        .collect();
    parts
        .prop_map(|ts| ts.into_iter().flatten().collect())
        .boxed()
}

fn one(k: &str, v: Value) -> Table {
    let mut t = Table::new();
    t.insert(k.into(), v);
    t
}

/// A trace file: sorted send times over the whole range a trace may use
/// (up to 10¹⁸ µs), some at the same instant, sometimes under a header.
pub fn trace(wild: Wild) -> BoxedStrategy<String> {
    let times = proptest::collection::vec(
        time_us(0, 1_000_000_000_000_000_000, TYPICAL_US, wild),
        1..=40,
    );
    (times, any::<bool>())
        .prop_map(|(mut ts, header)| {
            ts.sort_unstable();
            let mut out = if header {
                "time\n".to_string()
            } else {
                String::new()
            };
            for t in ts {
                out.push_str(&format!("{}us\n", exact(t).min(1_000_000_000_000_000_000)));
            }
            out
        })
        .boxed()
}
