//! `pricing.tiers`: SQS's volume tiers, the prices the 30-day projection
//! (`cost_usd_per_30d`) is billed at — `[{ up_to, per_million }, …,
//! { per_million }]`, request counts per 30 days, the last tier open-ended.

use super::read::{self, join, Reader};
use crate::model::config::{Pricing, QueueKind, Tier};
use crate::model::ModelConfig;
use crate::scenario::units::describe;
use toml::{Table, Value};

/// The most requests a tier boundary may name (per 30 days).
const MAX_REQUESTS: u64 = i64::MAX as u64;

/// AWS's tiers beyond the first, per queue kind: (from, USD per million).
/// The first tier's price is `pricing.per_million`.
pub(crate) fn aws_default(kind: QueueKind, first: f64) -> Vec<Tier> {
    let (second, third) = match kind {
        QueueKind::Standard => (0.30, 0.24),
        QueueKind::Fifo => (0.40, 0.35),
    };
    vec![
        Tier {
            up_to: Some(100_000_000_000),
            per_million: first,
        },
        Tier {
            up_to: Some(200_000_000_000),
            per_million: second,
        },
        Tier {
            up_to: None,
            per_million: third,
        },
    ]
}

/// The default in scenario notation.
pub(crate) fn default_value(m: &ModelConfig, p: &Pricing) -> Value {
    write(&aws_default(m.queue.kind, p.per_million))
}

pub(crate) fn write(tiers: &[Tier]) -> Value {
    Value::Array(
        tiers
            .iter()
            .map(|t| {
                let mut e = Table::new();
                if let Some(up_to) = t.up_to {
                    e.insert("up_to".into(), Value::Integer(up_to as i64));
                }
                e.insert("per_million".into(), Value::Float(t.per_million));
                Value::Table(e)
            })
            .collect(),
    )
}

pub(crate) fn read(r: &mut Reader, v: &Value, path: &str, p: &mut Pricing) {
    let example = "[{ up_to = 100000000000, per_million = 0.40 }, { per_million = 0.30 }]";
    let entries = match v {
        Value::Array(a) if !a.is_empty() => a,
        _ => {
            r.err(
                path,
                format!("found {}, expected an array such as {example}", describe(v)),
            );
            return;
        }
    };
    let mut tiers = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let ep = format!("{path}.{i}");
        let Value::Table(t) = e else {
            r.err(
                &ep,
                format!(
                    "found {}, expected {{ up_to = 100000000000, per_million = 0.40 }}",
                    describe(e)
                ),
            );
            continue;
        };
        r.unknown(t, &ep, &["up_to", "per_million"]);
        let last = i + 1 == entries.len();
        if let Some(tier) = read_tier(r, t, &ep, last) {
            tiers.push(tier);
        }
    }
    for (i, w) in tiers.windows(2).enumerate() {
        if let (Some(a), Some(b)) = (w[0].up_to, w[1].up_to) {
            if b <= a {
                r.err(
                    &format!("{path}.{}.up_to", i + 1),
                    format!("found {b}, must be more than the tier before's up_to ({a})"),
                );
            }
        }
    }
    if tiers.len() == entries.len() {
        p.tiers = tiers;
    }
}

/// One tier: every tier but the last has `up_to`; the last has none.
fn read_tier(r: &mut Reader, t: &Table, path: &str, last: bool) -> Option<Tier> {
    let per_million = match t.get("per_million") {
        None => {
            r.err(
                path,
                "missing `per_million`: USD per million requests in this tier",
            );
            None
        }
        Some(x) => read::float(x, 0.0, 1e6)
            .map_err(|e| r.err(&join(path, "per_million"), e))
            .ok(),
    };
    let up_to = match (t.get("up_to"), last) {
        (None, true) => Some(None),
        (None, false) => {
            r.err(
                path,
                "missing `up_to`: requests per 30 days this tier ends at (only the last tier has none)",
            );
            None
        }
        (Some(_), true) => {
            r.err(
                &join(path, "up_to"),
                "the last tier has no `up_to`: it covers every request beyond the tier before",
            );
            None
        }
        (Some(x), false) => read::int(x, 1, MAX_REQUESTS)
            .map(Some)
            .map_err(|e| r.err(&join(path, "up_to"), e))
            .ok(),
    };
    Some(Tier {
        up_to: up_to?,
        per_million: per_million?,
    })
}

/// `cost_usd` prices the window at `per_million`; the projection's first
/// tier must say the same, or the two figures would disagree.
pub(crate) fn check(r: &mut Reader, p: &Pricing, path: &str) {
    if let Some(first) = p.tiers.first() {
        if first.per_million != p.per_million {
            r.err(
                &join(path, "tiers.0.per_million"),
                format!(
                    "found {}, must equal pricing.per_million ({}): the first tier's price is the one cost_usd uses",
                    first.per_million, p.per_million
                ),
            );
        }
    }
}
