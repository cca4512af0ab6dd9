//! The SLO advice: which configuration of a study is the cheapest that meets
//! a service-level objective ([`Slo`]), the runner-up, and why each other
//! one fails — plain data ([`Advice`]) that the terminal
//! ([`Advice::to_text`]), the trade-off chart and `report.html` all render.
//!
//! "Meets" is judged on the confidence interval, not the mean: a figure
//! meets its bound when the upper end of its 95% CI (mean + half-width over
//! the replications) is within it, so a configuration is only advised when
//! the replications give confidence it stays inside. With one replication
//! there is no interval and the single run's figure is used (the text says
//! so). "Cheapest" is the lowest mean cost per million messages *delivered*
//! (first deliveries): dividing by messages sent would make a configuration
//! that falls behind look cheap.

use super::aggregate::{Aggregate, Estimate};
use super::summary::Metric;
use super::table::secs;
use super::warnings::subject;
use crate::scenario::slo::{percent, Slo};
use std::fmt;

/// One configuration's figures, as the advice uses them.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Row index in the aggregates (and `aggregate.csv`).
    pub row: usize,
    /// `wait_time = 5s, variant "no-sleep"`.
    pub label: String,
    /// USD per million messages delivered.
    pub cost: Option<Estimate>,
    /// Latency p50, p90, p99 in seconds.
    pub latency: [Option<Estimate>; 3],
    pub unreceived: Option<Estimate>,
}

/// Why a configuration does not meet the objective.
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    /// A latency percentile's upper CI end is above its bound (seconds).
    Latency {
        quantile: &'static str,
        mean: f64,
        upper: f64,
        bound: f64,
    },
    /// Too many messages left unreceived: the queue did not keep up.
    Unreceived { mean: f64, upper: f64, bound: f64 },
    /// No message was delivered: no latency, no cost per message.
    NoDelivery,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Reason::Latency {
                quantile,
                mean,
                upper,
                bound,
            } => write!(
                f,
                "latency {quantile} {} (CI up to {}) > {}",
                secs(mean),
                secs(upper),
                secs(bound)
            ),
            Reason::Unreceived { mean, upper, bound } => write!(
                f,
                "backlog: {} of messages left unreceived (CI up to {}) > {}",
                percent(mean),
                percent(upper),
                percent(bound)
            ),
            Reason::NoDelivery => write!(f, "no message was delivered"),
        }
    }
}

impl Reason {
    /// How far past its bound (1 = at it), to find the closest failure.
    fn excess(&self) -> f64 {
        match *self {
            Reason::Latency { upper, bound, .. } => upper / bound,
            Reason::Unreceived { upper, bound, .. } => upper / bound.max(1e-9),
            Reason::NoDelivery => f64::INFINITY,
        }
    }
}

/// The answer to "which configuration is cheapest and good enough?".
#[derive(Clone, Debug, PartialEq)]
pub struct Advice {
    pub slo: Slo,
    /// The cheapest configuration that meets the objective.
    pub answer: Option<Candidate>,
    /// Configurations that meet it with exactly the answer's figures (e.g.
    /// wait times past the point where a long poll ever waits that long).
    pub ties: Vec<Candidate>,
    /// The next cheapest that meets it, with figures of its own.
    pub runner_up: Option<Candidate>,
    /// When none meets it: the one that misses by the least.
    pub closest: Option<Candidate>,
    /// Every configuration that fails, in study order, with its reasons.
    pub failing: Vec<(Candidate, Vec<Reason>)>,
    /// How "meets" and "cheapest" were judged, in one sentence.
    pub how_judged: String,
}

/// Judges every configuration of `aggs` against `slo`.
pub fn judge(aggs: &[Aggregate], slo: &Slo) -> Advice {
    let mut meeting: Vec<Candidate> = Vec::new();
    let mut failing = Vec::new();
    for (row, a) in aggs.iter().enumerate() {
        let c = candidate(row, a);
        let reasons = reasons(&c, slo);
        if reasons.is_empty() {
            meeting.push(c);
        } else {
            failing.push((c, reasons));
        }
    }
    // Stable: of equal costs, the first in the study wins.
    meeting.sort_by(|a, b| cost_of(a).total_cmp(&cost_of(b)));
    let closest = match meeting.is_empty() {
        true => failing
            .iter()
            .map(|(c, r)| (c, r.iter().map(Reason::excess).fold(0.0, f64::max)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .filter(|(_, excess)| excess.is_finite())
            .map(|(c, _)| c.clone()),
        false => None,
    };
    let mut meeting = meeting.into_iter();
    let answer = meeting.next();
    let same = |c: &Candidate| {
        answer
            .as_ref()
            .is_some_and(|a| (a.cost, a.latency, a.unreceived) == (c.cost, c.latency, c.unreceived))
    };
    let (ties, others): (Vec<Candidate>, Vec<Candidate>) = meeting.partition(same);
    Advice {
        slo: slo.clone(),
        answer,
        ties,
        runner_up: others.into_iter().next(),
        closest,
        failing,
        how_judged: how_judged(aggs),
    }
}

fn cost_of(c: &Candidate) -> f64 {
    c.cost.map_or(f64::INFINITY, |e| e.mean)
}

fn candidate(row: usize, a: &Aggregate) -> Candidate {
    let variant = a
        .keys
        .iter()
        .find(|(k, _)| k == "variant")
        .map_or("", |(_, v)| v.as_str());
    let point: Vec<(String, String)> = a
        .keys
        .iter()
        .filter(|(k, _)| k != "variant")
        .cloned()
        .collect();
    Candidate {
        row,
        label: subject(&point, variant),
        cost: a.get(Metric::CostPerMillionDeliveredUsd),
        latency: [
            a.get(Metric::LatencyP50S),
            a.get(Metric::LatencyP90S),
            a.get(Metric::LatencyP99S),
        ],
        unreceived: a.get(Metric::UnreceivedShare),
    }
}

/// The upper end of an estimate's 95% CI (the mean with one replication).
fn upper(e: Estimate) -> f64 {
    if e.ci95.is_finite() {
        e.mean + e.ci95
    } else {
        e.mean
    }
}

/// Why `c` fails `slo` (none: it meets it).
fn reasons(c: &Candidate, slo: &Slo) -> Vec<Reason> {
    if c.cost.is_none() {
        return vec![Reason::NoDelivery];
    }
    let mut out = Vec::new();
    let bounds = [
        ("p50", slo.latency_p50),
        ("p90", slo.latency_p90),
        ("p99", slo.latency_p99),
    ];
    for ((quantile, bound), est) in bounds.into_iter().zip(c.latency) {
        let Some(bound) = bound.map(|b| b.as_secs_f64()) else {
            continue;
        };
        match est {
            None => return vec![Reason::NoDelivery],
            Some(e) if upper(e) > bound => out.push(Reason::Latency {
                quantile,
                mean: e.mean,
                upper: upper(e),
                bound,
            }),
            Some(_) => {}
        }
    }
    // Nothing sent: nothing left unreceived either.
    if let Some(e) = c.unreceived {
        if upper(e) > slo.max_unreceived_share {
            out.push(Reason::Unreceived {
                mean: e.mean,
                upper: upper(e),
                bound: slo.max_unreceived_share,
            });
        }
    }
    out
}

fn how_judged(aggs: &[Aggregate]) -> String {
    let n = aggs.iter().map(|a| a.replications).min().unwrap_or(0);
    let on = if n >= 2 {
        format!(
            "a configuration meets it when the upper end of each figure's 95% confidence \
             interval (mean + half-width over {n} replications) is within its bound"
        )
    } else {
        "a configuration meets it when its figures are within their bounds (one \
         replication: no confidence interval; give replications ≥ 2 for one)"
            .to_string()
    };
    format!("{on}; the cheapest is the lowest mean cost per million messages delivered")
}

/// `1.234 ±0.010` (or without the ± part when there is no interval).
fn with_ci(e: Estimate, show: fn(f64) -> String) -> String {
    if e.ci95 > 0.0 && e.ci95.is_finite() {
        format!("{} ±{}", show(e.mean), show(e.ci95))
    } else {
        show(e.mean)
    }
}

impl Candidate {
    /// `USD 0.905 ±0.010 per M delivered, p99 41.2ms ±2.1ms, unreceived 0.1%`:
    /// the cost and the figures the objective bounds.
    pub fn figures(&self, slo: &Slo) -> String {
        let mut parts = Vec::new();
        if let Some(c) = self.cost {
            parts.push(format!(
                "USD {} per million delivered",
                with_ci(c, |x| format!("{x:.3}"))
            ));
        }
        let bounds = [slo.latency_p50, slo.latency_p90, slo.latency_p99];
        for ((name, bound), est) in ["p50", "p90", "p99"].iter().zip(bounds).zip(self.latency) {
            if let (Some(_), Some(e)) = (bound, est) {
                parts.push(format!("latency {name} {}", with_ci(e, secs)));
            }
        }
        if let Some(u) = self.unreceived {
            parts.push(format!("unreceived {}", with_ci(u, percent)));
        }
        parts.join(", ")
    }
}

/// One line of the advice: the answer itself, or a line around it
/// (`indent`: it belongs to the line above).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Line {
    Answer(String),
    Other { text: String, indent: bool },
}

impl Advice {
    /// The advice line by line: the objective and how it was judged, the
    /// answer (or that there is none, and the closest), the runner-up, then
    /// every failing configuration with its reasons.
    pub(crate) fn lines(&self) -> Vec<Line> {
        let other = |text: String| Line::Other {
            text,
            indent: false,
        };
        let indented = |text: String| Line::Other { text, indent: true };
        let mut out = vec![
            other(format!("SLO: {}", self.slo)),
            other(format!("({})", self.how_judged)),
        ];
        match (&self.answer, &self.closest) {
            (Some(a), _) => {
                out.push(Line::Answer(format!(
                    "{}: {}",
                    a.label,
                    a.figures(&self.slo)
                )));
                if !self.ties.is_empty() {
                    let names: Vec<&str> = self.ties.iter().map(|c| c.label.as_str()).collect();
                    out.push(indented(format!(
                        "(the same figures: {})",
                        names.join("; ")
                    )));
                }
            }
            (None, Some(c)) => out.push(Line::Answer(format!(
                "none of the {} configurations meets the SLO; the closest is {}: {}",
                self.failing.len(),
                c.label,
                c.figures(&self.slo)
            ))),
            (None, None) => out.push(Line::Answer("no configuration meets the SLO".into())),
        }
        if let Some(r) = &self.runner_up {
            out.push(other(format!(
                "runner-up: {}: {}",
                r.label,
                r.figures(&self.slo)
            )));
        }
        if !self.failing.is_empty() {
            out.push(other(format!("fail ({}):", self.failing.len())));
            for (c, reasons) in &self.failing {
                let why: Vec<String> = reasons.iter().map(Reason::to_string).collect();
                out.push(indented(format!("{}: {}", c.label, why.join("; "))));
            }
        }
        out
    }

    /// The advice as the terminal prints it: [`Advice::lines`], the answer
    /// after `answer: `.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for line in self.lines() {
            match line {
                Line::Answer(text) => out += &format!("answer: {text}\n"),
                Line::Other { text, indent } => {
                    out += &format!("{}{text}\n", if indent { "  " } else { "" })
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimTime;

    /// A point with a cost, a p99 and an unreceived share (mean, ci95 each).
    fn point(variant: &str, cost: f64, p99: (f64, f64), unreceived: f64) -> Aggregate {
        let mut a = Aggregate::for_test(vec![("variant".into(), variant.into())], 3);
        a.set(Metric::CostPerMillionDeliveredUsd, cost, 0.01);
        a.set(Metric::LatencyP99S, p99.0, p99.1);
        a.set(Metric::UnreceivedShare, unreceived, 0.0);
        a
    }

    fn p99_under_1s() -> Slo {
        Slo {
            latency_p99: Some(SimTime::from_secs(1)),
            ..Slo::default()
        }
    }

    /// "Meets" is judged on the CI's upper end: a mean of 0.95 s with a
    /// half-width of 0.1 s fails p99 ≤ 1 s; the cheapest that meets it wins,
    /// the cheaper ones that do not are listed with their reasons.
    #[test]
    fn the_cheapest_point_whose_ci_is_within_the_bound_is_the_answer() {
        let aggs = [
            point("cheap-but-behind", 0.2, (0.1, 0.01), 0.58),
            point("cheap-but-slow", 0.3, (0.95, 0.1), 0.0),
            point("good", 0.5, (0.5, 0.1), 0.0),
            point("better", 0.4, (0.85, 0.1), 0.005),
            point("dear", 0.9, (0.1, 0.0), 0.0),
        ];
        let a = judge(&aggs, &p99_under_1s());
        assert_eq!(a.answer.as_ref().map(|c| c.row), Some(3));
        assert_eq!(a.runner_up.as_ref().map(|c| c.row), Some(2));
        assert_eq!(a.closest, None);
        let failing: Vec<usize> = a.failing.iter().map(|(c, _)| c.row).collect();
        assert_eq!(failing, [0, 1]);
        assert_eq!(
            a.failing[1].1,
            [Reason::Latency {
                quantile: "p99",
                mean: 0.95,
                upper: 0.95 + 0.1,
                bound: 1.0
            }]
        );
        assert!(matches!(a.failing[0].1[0], Reason::Unreceived { mean, .. } if mean == 0.58));
        let text = a.to_text();
        assert!(text.contains("answer: variant \"better\": USD 0.400 ±0.010 per million delivered, latency p99 850.0ms ±100.0ms, unreceived 0.5%"), "{text}");
        assert!(
            text.contains("upper end of each figure's 95% confidence interval"),
            "{text}"
        );
    }

    /// With no point meeting it, the advice says so and names the one that
    /// misses by the least (1.05 s against 1 s beats 1.5 s).
    #[test]
    fn with_no_answer_the_closest_is_named() {
        let aggs = [
            point("a", 0.2, (1.4, 0.1), 0.0),
            point("b", 0.3, (1.0, 0.05), 0.0),
        ];
        let a = judge(&aggs, &p99_under_1s());
        assert_eq!(a.answer, None);
        assert_eq!(a.closest.as_ref().map(|c| c.row), Some(1));
        assert!(a
            .to_text()
            .contains("none of the 2 configurations meets the SLO; the closest is variant \"b\""));
    }
}
