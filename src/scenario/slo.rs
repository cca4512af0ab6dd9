//! A service-level objective: the bounds a configuration must stay within
//! for a sweep to call it good enough — from the scenario's `[slo]` table
//! (keys in `schema/slo.rs`) and the `--slo 'p99<1s'` flag, which wins key
//! by key (the command line is the user's last word, as with `--set`).

use crate::engine::SimTime;
use crate::scenario::schema::read::show_t;
use std::fmt;
use toml::{Table, Value};

/// What "good enough" means. Each bound is a maximum.
#[derive(Clone, Debug, PartialEq)]
pub struct Slo {
    pub latency_p50: Option<SimTime>,
    pub latency_p90: Option<SimTime>,
    pub latency_p99: Option<SimTime>,
    /// The share of messages sent in the measured window that may be left
    /// unreceived at its end, 0 to 1.
    pub max_unreceived_share: f64,
}

impl Default for Slo {
    fn default() -> Slo {
        Slo {
            latency_p50: None,
            latency_p90: None,
            latency_p99: None,
            max_unreceived_share: 0.01,
        }
    }
}

impl fmt::Display for Slo {
    /// `p99 ≤ 1s, unreceived ≤ 1%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bounds = [
            ("p50", self.latency_p50),
            ("p90", self.latency_p90),
            ("p99", self.latency_p99),
        ];
        for (name, b) in bounds {
            if let Some(b) = b {
                write!(f, "{name} ≤ {}, ", show_t(b))?;
            }
        }
        write!(f, "unreceived ≤ {}", percent(self.max_unreceived_share))
    }
}

/// The name of the file a results folder keeps its objective in, so that
/// `plot` and `merge` judge and draw the same advice.
pub const FILE: &str = "slo.toml";

impl Slo {
    /// As a scenario's `[slo]` table (what [`Slo::from_toml`] reads).
    pub fn to_toml(&self) -> String {
        let t =
            crate::scenario::schema::write::table(&crate::scenario::schema::slo::SLO.keys, self);
        let mut doc = Table::new();
        doc.insert("slo".into(), Value::Table(t));
        doc.to_string()
    }

    /// Keeps the objective in a results folder's [`FILE`] (a run's, and each
    /// shard's for `merge`).
    pub(crate) fn add_to(&self, set: &mut crate::report::atomic::OutputSet) {
        set.add(FILE, self.to_toml().into_bytes());
    }

    /// Reads what [`Slo::to_toml`] wrote, with the scenario's ranges.
    pub fn from_toml(text: &str) -> Result<Slo, String> {
        let doc: Table = text
            .parse()
            .map_err(|e: toml::de::Error| e.message().to_string())?;
        let mut r = crate::scenario::schema::read::Reader {
            issues: Vec::new(),
            dir: std::path::Path::new("."),
        };
        let nothing = crate::scenario::schema::top::blank();
        let slo = r.table(
            &crate::scenario::schema::slo::SLO,
            &doc,
            &nothing,
            Slo::default(),
        );
        match r.issues.first() {
            None => Ok(slo),
            Some(i) => Err(format!("`{}`: {}", i.path, i.message)),
        }
    }
}

/// A share as a percentage, to two or three significant figures and without
/// trailing zeros: `58%`, `7.5%`, `1%`, `0.05%`.
pub fn percent(share: f64) -> String {
    let p = share * 100.0;
    let digits = match p.abs() {
        x if x >= 10.0 => 0,
        x if x >= 1.0 => 1,
        _ => 2,
    };
    let text = format!("{p:.digits$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    format!("{text}%")
}

/// The `[slo]` keys `--slo` sets: `p99<1s,p50<200ms,unreceived<1%`. Each
/// value is read by the schema afterwards (the same ranges as the file's).
pub(crate) fn parse_flag(text: &str) -> Result<Table, String> {
    let mut t = Table::new();
    for item in text.split(',').map(str::trim) {
        if item.is_empty() {
            continue;
        }
        let Some((name, value)) = item.split_once("<=").or_else(|| item.split_once('<')) else {
            return Err(format!(
                "`{item}`: expected NAME<VALUE, e.g. p99<1s, p50<200ms or unreceived<1%"
            ));
        };
        let (name, value) = (name.trim(), value.trim());
        let key = match name {
            "p50" => "latency_p50",
            "p90" => "latency_p90",
            "p99" => "latency_p99",
            "unreceived" => "max_unreceived_share",
            other => {
                return Err(format!(
                    "`{item}`: unknown bound `{other}`; allowed: p50, p90, p99, unreceived"
                ))
            }
        };
        let v = if key == "max_unreceived_share" {
            share(value).map_err(|e| format!("`{item}`: {e}"))?
        } else {
            // A duration as the file writes it ("1s", "250ms") or seconds.
            value
                .parse::<f64>()
                .map(Value::Float)
                .unwrap_or_else(|_| Value::String(value.to_string()))
        };
        if t.insert(key.to_string(), v).is_some() {
            return Err(format!("`{name}` is given twice; give each bound once"));
        }
    }
    if t.is_empty() {
        return Err("no bound given; write e.g. p99<1s".into());
    }
    Ok(t)
}

/// `1%` → 0.01; `0.01` → 0.01.
fn share(text: &str) -> Result<Value, String> {
    let (number, scale) = match text.strip_suffix('%') {
        Some(n) => (n.trim(), 0.01),
        None => (text, 1.0),
    };
    number
        .parse::<f64>()
        .map(|x| Value::Float(x * scale))
        .map_err(|_| format!("expected a share such as 1% or 0.01, found `{text}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_names_bounds_and_values() {
        let t = parse_flag("p99<1s, unreceived<=2%,p50<0.25").unwrap();
        assert_eq!(t["latency_p99"], Value::String("1s".into()));
        assert_eq!(t["max_unreceived_share"], Value::Float(0.02));
        assert_eq!(t["latency_p50"], Value::Float(0.25));
        for (bad, says) in [
            ("p95<1s", "unknown bound `p95`"),
            ("p99>1s", "expected NAME<VALUE"),
            ("unreceived<lots", "expected a share"),
            ("p99<1s,p99<2s", "given twice"),
            ("", "no bound given"),
        ] {
            let e = parse_flag(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn an_slo_round_trips_through_its_file() {
        let slo = Slo {
            latency_p50: Some(SimTime::from_millis(250)),
            latency_p99: Some(SimTime::from_secs(1)),
            max_unreceived_share: 0.02,
            ..Slo::default()
        };
        assert_eq!(Slo::from_toml(&slo.to_toml()), Ok(slo));
        assert!(Slo::from_toml("[slo]\nlatency_p99 = \"-1s\"").is_err());
    }

    #[test]
    fn an_slo_reads_as_its_bounds() {
        let slo = Slo {
            latency_p99: Some(SimTime::from_secs(1)),
            max_unreceived_share: 0.005,
            ..Slo::default()
        };
        assert_eq!(slo.to_string(), "p99 ≤ 1s, unreceived ≤ 0.5%");
        let shown: Vec<String> = [0.748623, 0.075, 0.01, 0.0005, 0.0].map(percent).into();
        assert_eq!(shown, ["75%", "7.5%", "1%", "0.05%", "0%"]);
    }
}
