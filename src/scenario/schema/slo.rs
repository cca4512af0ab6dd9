//! `[slo]`: what "good enough" means for a sweep's advice — latency bounds
//! and the share of messages allowed to go unreceived. It describes the
//! question asked of the whole study, so variants and sweeps cannot change it.

use super::{no_check, Dflt, Key, Keys, Off, Section, Shape, Ty};
use crate::engine::SimTime;
use crate::scenario::slo::Slo;

/// A latency bound at most this long (a year: longer than any run).
const MAX_BOUND: SimTime = SimTime::from_secs(366 * 86400);

/// A latency bound: `"none"` or a duration above 0.
macro_rules! bound {
    ($name:literal, $help:literal, $field:ident) => {
        Key {
            name: $name,
            help: $help,
            default: Dflt::Is("\"none\""),
            off: Some(Off {
                word: "none",
                set: |s| s.$field = None,
                is: |s| s.$field.is_none(),
            }),
            ty: Ty::Time {
                lo: SimTime(1),
                hi: MAX_BOUND,
                get: |s| s.$field.unwrap_or(SimTime::ZERO),
                set: |s, t| s.$field = Some(t),
            },
        }
    };
}

pub static SLO: Section<Slo> = Section {
    name: "slo",
    shape: Shape::Table,
    fixed: true,
    help: "what \"good enough\" means: `sweep` names the cheapest configuration that meets it (also `--slo 'p99<1s'`)",
    keys: Keys {
        what: "slo",
        example: "{ latency_p99 = \"1s\" }",
        common: &[
            bound!(
                "latency_p50",
                "the median latency (send → first receive) must be at most this",
                latency_p50
            ),
            bound!(
                "latency_p90",
                "the 90th percentile latency must be at most this",
                latency_p90
            ),
            bound!(
                "latency_p99",
                "the 99th percentile latency must be at most this",
                latency_p99
            ),
            Key {
                name: "max_unreceived_share",
                help: "at most this share of the messages sent may be left unreceived at the end (0.01 = 1%)",
                default: Dflt::Is("0.01"),
                off: None,
                ty: Ty::Float {
                    lo: 0.0,
                    hi: 1.0,
                    get: |s| s.max_unreceived_share,
                    set: |s, x| s.max_unreceived_share = x,
                },
            },
        ],
        kinds: &[],
        default_kind: None,
        check: no_check,
    },
};
