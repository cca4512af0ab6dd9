//! Warnings: what a reader of the figures should know before trusting them —
//! the queue did not keep up, latencies are exactly 0 because no time passes
//! on the network, a variant's own setting was overridden. Each run's are
//! decided when it ends ([`run_codes`]) and saved as codes in the last column
//! of `summary.csv` (`warnings`, codes separated by `;`), so the terminal,
//! `report.html` and `plot` all read them from the same file
//! ([`from_summary`]).
//!
//! ## The rules
//!
//! - `not-kept-up`: the share of the messages sent in the measured window
//!   that were never received by its end (`unreceived_share`) is above
//!   [`UNRECEIVED_SHARE`] (1%), **or** over the window's last quarter the
//!   backlog of unreceived messages grew (`backlog_growth_last_quarter`:
//!   messages sent less first deliveries there) by more than
//!   [`GROWTH_MIN`] messages and more than [`GROWTH_SHARE`] (2%) of all the
//!   messages sent in the window. A queue that keeps up ends the quarter
//!   about where it began (its backlog goes up and down by a few messages);
//!   one that cannot gains (arrival rate − service rate) × the quarter.
//! - `zero-latency`: `network` is the constant 0 and the run's median
//!   latency is exactly 0 (a message sent to a waiting long poll is received
//!   at the instant it was sent).
//! - `overridden:KEY`: a sweep value or `--set` set `KEY`, which the
//!   variant's own `set` (or the sweep) had set to another value.

use super::keyed::{self, Keys};
use super::summary::SummaryRow;
use crate::scenario::Overridden;
use std::fmt;

/// Above this share of messages left unreceived, the queue did not keep up.
pub const UNRECEIVED_SHARE: f64 = 0.01;
/// The backlog must grow by more than this many messages over the last
/// quarter (a few messages come and go in any queue)…
pub const GROWTH_MIN: f64 = 10.0;
/// … and by more than this share of the window's messages sent.
pub const GROWTH_SHARE: f64 = 0.02;

/// What a warning is about.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    NotKeptUp,
    ZeroLatency,
    Overridden,
}

impl Code {
    /// The stable short code, as in the `warnings` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::NotKeptUp => "not-kept-up",
            Code::ZeroLatency => "zero-latency",
            Code::Overridden => "overridden",
        }
    }
}

/// One warning about one configuration (a variant, or a sweep point × variant).
#[derive(Clone, Debug, PartialEq)]
pub struct Warning {
    pub code: Code,
    /// The configuration: `variant "short"`, or `wait_time = 0s, variant "short"`.
    pub subject: String,
    /// What happened and what to do, in one sentence.
    pub sentence: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}]: {}",
            self.subject,
            self.code.as_str(),
            self.sentence
        )
    }
}

/// Whether a run's figures say the queue did not keep up (the rule above).
fn not_kept_up(unreceived: Option<f64>, growth: f64, sent: u64) -> bool {
    unreceived.is_some_and(|u| u > UNRECEIVED_SHARE)
        || (growth > GROWTH_MIN && growth > GROWTH_SHARE * sent as f64)
}

/// The `warnings` cell of one run: its codes, `;`-separated.
pub(crate) fn run_codes(row: &SummaryRow, network_zero: bool, overridden: &[Overridden]) -> String {
    let mut codes: Vec<String> = Vec::new();
    if not_kept_up(
        row.unreceived_share,
        row.backlog_growth_last_quarter,
        row.messages_sent,
    ) {
        codes.push(Code::NotKeptUp.as_str().into());
    }
    if network_zero && row.latency_p50_s == Some(0.0) {
        codes.push(Code::ZeroLatency.as_str().into());
    }
    for o in overridden {
        let code = format!("{}:{}", Code::Overridden.as_str(), o.key);
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes.join(";")
}

/// What the runs of one configuration add up to.
#[derive(Default)]
struct Tally {
    point: Keys,
    variant: String,
    runs: u32,
    /// Runs with each code (`overridden:KEY` codes by their full text).
    codes: Vec<(String, u32)>,
    unreceived_sum: f64,
    growth_sum: f64,
}

/// The warnings of a results folder's `summary.csv`: one per configuration
/// and code, in the file's order, saying in how many replications it held.
/// `overridden` gives an override's values when the study is at hand (its
/// sentence then names both); without it, the key alone is named.
pub(crate) fn from_summary(
    summary: &mut keyed::Records,
    overridden: &[Overridden],
) -> anyhow::Result<Vec<Warning>> {
    let mut tallies: Vec<Tally> = Vec::new();
    summary.rewind()?;
    summary.for_each(|point, row: SummaryRow| {
        let i = match tallies
            .iter()
            .position(|t| t.point == point && t.variant == row.variant)
        {
            Some(i) => i,
            None => {
                tallies.push(Tally {
                    point,
                    variant: row.variant.clone(),
                    ..Tally::default()
                });
                tallies.len() - 1
            }
        };
        let t = &mut tallies[i];
        t.runs += 1;
        t.unreceived_sum += row.unreceived_share.unwrap_or(0.0);
        t.growth_sum += row.backlog_growth_last_quarter;
        for code in row.warnings.split(';').filter(|c| !c.is_empty()) {
            match t.codes.iter_mut().find(|(c, _)| c == code) {
                Some((_, n)) => *n += 1,
                None => t.codes.push((code.to_string(), 1)),
            }
        }
    })?;
    Ok(tallies
        .iter()
        .flat_map(|t| warnings_of(t, overridden))
        .collect())
}

/// One configuration's warnings, one per code.
fn warnings_of(t: &Tally, overridden: &[Overridden]) -> Vec<Warning> {
    let subject = subject(&t.point, &t.variant);
    let n = t.runs.max(1) as f64;
    let in_runs = |k: u32| {
        if t.runs == 1 {
            String::new()
        } else {
            format!(" (in {k} of {} replications)", t.runs)
        }
    };
    let mut out = Vec::new();
    let mut noted = Vec::new();
    for (code, k) in &t.codes {
        let (code, sentence) = match code.split_once(':') {
            None if code == Code::NotKeptUp.as_str() => (
                Code::NotKeptUp,
                format!(
                    "the queue did not keep up{}: {} of the messages sent were never received \
                     by the end, and the backlog grew by {:.0} messages over the last quarter \
                     of the run (means)",
                    in_runs(*k),
                    crate::scenario::slo::percent(t.unreceived_sum / n),
                    t.growth_sum / n
                ),
            ),
            None if code == Code::ZeroLatency.as_str() => (
                Code::ZeroLatency,
                format!(
                    "latency is exactly 0 for at least half the messages{} because `network` \
                     is 0: a call is answered in the instant it is made; set `network` \
                     (e.g. \"5ms\") for realistic latencies",
                    in_runs(*k)
                ),
            ),
            Some(("overridden", key)) => {
                let found: Vec<&Overridden> = overridden
                    .iter()
                    .filter(|o| o.key == key && o.variant == t.variant)
                    .collect();
                let sentence = match found.first() {
                    Some(o) if !noted.contains(&key) => o.to_string(),
                    Some(_) => continue,
                    None => format!(
                        "a sweep value or --set overrode `{key}`, which this variant sets itself"
                    ),
                };
                noted.push(key);
                (Code::Overridden, sentence)
            }
            // A code this version does not know (a newer folder): shown as is.
            _ => continue,
        };
        out.push(Warning {
            code,
            subject: subject.clone(),
            sentence,
        });
    }
    out
}

/// `variant "short"`, or `wait_time = 0s, variant "short"` for a sweep point.
pub fn subject(point: &Keys, variant: &str) -> String {
    let mut parts: Vec<String> = point
        .chunks(2)
        .filter_map(|kv| match kv {
            [(_, p), (_, v)] => Some(format!("{} = {v}", p.rsplit('.').next().unwrap_or(p))),
            _ => None,
        })
        .collect();
    parts.push(format!("variant \"{variant}\""));
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule's edges: 1% unreceived is fine, just above is not; growth
    /// must beat both the floor and the share.
    #[test]
    fn not_kept_up_follows_its_thresholds() {
        assert!(!not_kept_up(Some(0.01), 0.0, 1000));
        assert!(not_kept_up(Some(0.0101), 0.0, 1000));
        assert!(!not_kept_up(None, 10.0, 100));
        assert!(not_kept_up(None, 11.0, 100));
        // 2% of 10,000 is 200: 150 messages of growth are noise there.
        assert!(!not_kept_up(Some(0.0), 150.0, 10_000));
        assert!(not_kept_up(Some(0.0), 201.0, 10_000));
    }

    #[test]
    fn codes_are_listed_once_each() {
        let row = SummaryRow {
            messages_sent: 100,
            unreceived_share: Some(0.5),
            latency_p50_s: Some(0.0),
            ..SummaryRow::default()
        };
        let o = Overridden {
            key: "queue.nodes".into(),
            variant: "a".into(),
            earlier: "variant \"a\"".into(),
            earlier_value: "4".into(),
            later: "--set".into(),
            later_value: "5".into(),
        };
        assert_eq!(
            run_codes(&row, true, &[o.clone(), o]),
            "not-kept-up;zero-latency;overridden:queue.nodes"
        );
        assert_eq!(run_codes(&row, false, &[]), "not-kept-up");
    }

    #[test]
    fn subjects_name_the_point_and_the_variant() {
        let point = vec![
            ("param".into(), "consumers.w.wait_time".into()),
            ("value".into(), "0s".into()),
        ];
        assert_eq!(subject(&point, "a"), "wait_time = 0s, variant \"a\"");
        assert_eq!(subject(&Vec::new(), "a"), "variant \"a\"");
    }
}
