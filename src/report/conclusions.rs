//! The conclusions `report.html` states in words, computed from the
//! aggregates: which variant is cheapest per delivered message and by how
//! much, empty and false empty responses, latency, and whether every
//! variant delivered what it was sent. Sweeps: per line, the value that is
//! cheapest and the one with the lowest p99. Every figure comes from
//! `aggregate.csv`, formatted as the charts print it.

use super::aggregate::{Aggregate, Estimate};
use super::charts::style::Unit;
use super::Metric;

/// A share of the messages sent left unreceived above which a variant is
/// said not to have kept up (below it: the few still in transit at the end).
const KEPT_UP_SHARE: f64 = 0.01;

/// The conclusions of a run (variants) or a sweep (points × variants).
pub(crate) fn of(aggs: &[Aggregate]) -> Vec<String> {
    if aggs.iter().any(|a| a.keys.iter().any(|k| k.0 == "param")) {
        of_sweep(aggs)
    } else {
        of_run(aggs)
    }
}

fn name(a: &Aggregate) -> &str {
    a.keys.last().map_or("", |k| k.1.as_str())
}

fn usd(x: f64) -> String {
    Unit::Usd.format(x)
}

fn secs(x: f64) -> String {
    Unit::Seconds.format(x)
}

fn pct(x: f64) -> String {
    Unit::Percent.format(x)
}

/// `x/y` as "N×", with up to three significant digits.
fn times(x: f64, y: f64) -> String {
    format!("{}×", super::charts::style::sig(x / y))
}

/// True when two estimates' 95% intervals overlap (neither is told apart).
fn overlap(a: Estimate, b: Estimate) -> bool {
    (a.mean - b.mean).abs() <= a.ci95 + b.ci95
}

fn of_run(aggs: &[Aggregate]) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(cost(aggs));
    out.extend(empties(aggs));
    out.extend(latency(aggs));
    out.extend(delivery(aggs));
    out
}

/// Which variant is cheapest per delivered message, and by how much.
fn cost(aggs: &[Aggregate]) -> Vec<String> {
    let mut costed: Vec<(&str, Estimate)> = aggs
        .iter()
        .filter_map(|a| Some((name(a), a.get(Metric::CostPerMillionDeliveredUsd)?)))
        .collect();
    costed.sort_by(|a, b| a.1.mean.total_cmp(&b.1.mean));
    let mut out = Vec::new();
    match costed.as_slice() {
        [] => out.push(match listed(aggs, Metric::CostUsd, usd) {
            Some(window) => format!(
                "No message was delivered, so there is no cost per message; what the requests cost over the measured window: {window}."
            ),
            None => "No message was delivered, so there is no cost per message.".to_string(),
        }),
        [(n, e)] => out.push(format!(
            "{n} costs {} per million delivered messages (SQS requests).",
            usd(e.mean)
        )),
        [(n0, e0), rest @ ..] => {
            let others: Vec<String> = rest
                .iter()
                .map(|(n, e)| {
                    // Within 1%: "1× cheaper" would read as nonsense.
                    if e0.mean > 0.0 && e.mean < 1.01 * e0.mean {
                        format!("about the same as {n} ({})", usd(e.mean))
                    } else if e0.mean > 0.0 {
                        format!(
                            "{} cheaper than {n} ({})",
                            times(e.mean, e0.mean),
                            usd(e.mean)
                        )
                    } else {
                        format!("{n} costs {}", usd(e.mean))
                    }
                })
                .collect();
            let mut s = format!(
                "{n0} is the cheapest per delivered message: {} per million (SQS requests), {}.",
                usd(e0.mean),
                others.join(", ")
            );
            let (n1, e1) = rest[0];
            if aggs.iter().all(|a| a.replications < 2) {
                s.push_str(" One replication each: no confidence interval; run more replications to be sure of small differences.");
            } else if overlap(*e0, e1) {
                s.push_str(&format!(
                    " Its difference from {n1} is within the 95% confidence intervals: these runs do not tell the two apart."
                ));
            }
            out.push(s);
        }
    }
    if let Some(s) = listed(aggs, Metric::TotalCostUsd, usd).filter(|_| {
        aggs.iter()
            .any(|a| a.get(Metric::LambdaCostUsd).is_some_and(|e| e.mean > 0.0))
    }) {
        out.push(format!(
            "With Lambda's bill, the total cost of the measured window: {s}."
        ));
    }
    if let Some(s) = per_30_days(aggs) {
        out.push(format!("Per 30 days at this rate: {s}."));
    }
    out
}

/// The 30-day bill of each variant (free tier and volume tiers applied).
fn per_30_days(aggs: &[Aggregate]) -> Option<String> {
    listed(aggs, Metric::CostUsdPer30d, usd)
}

/// "a $1, b $2": each variant's mean of `m`; `None` if none has it.
fn listed(aggs: &[Aggregate], m: Metric, f: fn(f64) -> String) -> Option<String> {
    let items: Vec<String> = aggs
        .iter()
        .filter_map(|a| Some(format!("{} {}", name(a), f(a.get(m)?.mean))))
        .collect();
    (!items.is_empty()).then(|| items.join(", "))
}

/// Empty and false empty responses compared.
fn empties(aggs: &[Aggregate]) -> Vec<String> {
    let mut out = Vec::new();
    let items: Vec<String> = aggs
        .iter()
        .filter_map(|a| {
            let e = a.get(Metric::EmptyPct)?.mean;
            let f = a.get(Metric::FalseEmptyPct)?.mean;
            Some(format!("{} {} ({} false)", name(a), pct(e), pct(f)))
        })
        .collect();
    if !items.is_empty() {
        out.push(format!(
            "Empty responses, as a share of receive requests: {}.",
            items.join(", ")
        ));
    }
    let worst = aggs
        .iter()
        .filter_map(|a| Some((name(a), a.get(Metric::FalseEmptyPct)?.mean)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    match worst {
        Some((n, f)) if f > 0.0 => out.push(format!(
            "False empties — empty responses although the queue held a visible message — are most frequent for {n}: {} of its receives.",
            pct(f)
        )),
        Some(_) => out.push(
            "No false empty responses: every empty response found the queue truly empty."
                .to_string(),
        ),
        None => {}
    }
    out
}

/// Latency p50 and p99 compared.
fn latency(aggs: &[Aggregate]) -> Vec<String> {
    let mut out = Vec::new();
    let with: Vec<(&str, f64, f64)> = aggs
        .iter()
        .filter_map(|a| {
            Some((
                name(a),
                a.get(Metric::LatencyP50S)?.mean,
                a.get(Metric::LatencyP99S)?.mean,
            ))
        })
        .collect();
    if !with.is_empty() {
        let items: Vec<String> = with
            .iter()
            .map(|(n, p50, p99)| format!("{n} {} / {}", secs(*p50), secs(*p99)))
            .collect();
        let mut s = format!(
            "Latency (send → first receive), p50 / p99: {}.",
            items.join(", ")
        );
        if with.len() > 1 {
            let best = with
                .iter()
                .min_by(|a, b| a.2.total_cmp(&b.2))
                .expect("some");
            s.push_str(&format!(" The lowest p99 is {}'s.", best.0));
        }
        out.push(s);
    }
    for a in aggs {
        if a.get(Metric::LatencyP50S).is_none() {
            out.push(format!(
                "{} delivered no message, so it has no latency.",
                name(a)
            ));
        }
    }
    out
}

/// Whether every variant delivered what it was sent.
fn delivery(aggs: &[Aggregate]) -> Vec<String> {
    let mean = |a: &Aggregate, m: Metric| a.get(m).map_or(0.0, |e| e.mean);
    let mut out = Vec::new();
    let mut most_left = 0.0f64;
    for a in aggs {
        let sent = mean(a, Metric::MessagesSent);
        let left = mean(a, Metric::VisibleAtEnd)
            + mean(a, Metric::DelayedAtEnd)
            + mean(a, Metric::UnreachableAtEnd);
        most_left = most_left.max(left);
        if sent > 0.0 && left / sent > KEPT_UP_SHARE {
            out.push(format!(
                "{} did not keep up: {} messages ({} of those sent) were still waiting in the queue at the end; its cost per delivered message and its latency describe only the messages it delivered.",
                name(a),
                super::charts::style::sig(left),
                pct(100.0 * left / sent)
            ));
        }
        for (m, what) in [
            (
                Metric::Expired,
                "expired (retention period) before anyone received them",
            ),
            (Metric::DeadLettered, "went to the dead-letter queue"),
        ] {
            let n = mean(a, m);
            if n > 0.0 {
                out.push(format!(
                    "{}: {} messages {what}.",
                    name(a),
                    super::charts::style::sig(n)
                ));
            }
        }
    }
    let sent = aggs.iter().any(|a| mean(a, Metric::MessagesSent) > 0.0);
    if out.is_empty() && sent {
        out.push(if most_left == 0.0 {
            "Every variant delivered every message it was sent.".to_string()
        } else {
            format!(
                "Every variant kept up: at most {} messages (under {} of those sent) were still in the queue when the run ended.",
                super::charts::style::sig(most_left),
                pct(100.0 * KEPT_UP_SHARE)
            )
        });
    }
    out
}

/// A sweep: per line (variant, and the other grid values), the cheapest
/// value per delivered message and the one with the lowest p99.
fn of_sweep(aggs: &[Aggregate]) -> Vec<String> {
    // Line: every key but the first parameter's value.
    let line_of = |a: &Aggregate| -> String {
        a.keys
            .iter()
            .enumerate()
            .filter(|(i, k)| *i > 1 && !k.0.starts_with("param"))
            .map(|(_, k)| k.1.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let value = |a: &Aggregate| a.keys.get(1).map_or("", |k| k.1.as_str()).to_string();
    let param = aggs
        .first()
        .and_then(|a| a.keys.first())
        .map_or("", |k| k.1.rsplit('.').next().unwrap_or(""))
        .to_string();
    let mut lines: Vec<String> = Vec::new();
    for a in aggs {
        let l = line_of(a);
        if !lines.contains(&l) {
            lines.push(l);
        }
    }
    let mut out = Vec::new();
    for l in &lines {
        let pts: Vec<&Aggregate> = aggs.iter().filter(|a| line_of(a) == *l).collect();
        let best = |m: Metric| {
            pts.iter()
                .filter_map(|a| Some((value(a), a.get(m)?.mean)))
                .min_by(|a, b| a.1.total_cmp(&b.1))
        };
        let worst_cost = pts
            .iter()
            .filter_map(|a| Some((value(a), a.get(Metric::CostPerMillionDeliveredUsd)?.mean)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let who = if lines.len() > 1 {
            format!("{l}: ")
        } else {
            String::new()
        };
        let mut s = String::new();
        if let (Some((v, c)), Some((wv, wc))) =
            (best(Metric::CostPerMillionDeliveredUsd), worst_cost)
        {
            s.push_str(&format!(
                "{who}cheapest per delivered message at {param} = {v} ({} per million, against {} at {wv})",
                usd(c),
                usd(wc)
            ));
        }
        if let Some((v, p99)) = best(Metric::LatencyP99S) {
            s.push_str(&format!(
                "{}lowest p99 latency at {param} = {v} ({})",
                if s.is_empty() { who } else { "; ".to_string() },
                secs(p99)
            ));
        }
        if !s.is_empty() {
            out.push(format!("{s}."));
        }
    }
    out.extend(delivery_of_sweep(aggs));
    out
}

/// The sweep points that did not keep up, in one sentence.
fn delivery_of_sweep(aggs: &[Aggregate]) -> Vec<String> {
    let mean = |a: &Aggregate, m: Metric| a.get(m).map_or(0.0, |e| e.mean);
    let behind: Vec<String> = aggs
        .iter()
        .filter(|a| {
            let sent = mean(a, Metric::MessagesSent);
            let left = mean(a, Metric::VisibleAtEnd)
                + mean(a, Metric::DelayedAtEnd)
                + mean(a, Metric::UnreachableAtEnd);
            sent > 0.0 && left / sent > KEPT_UP_SHARE
        })
        .map(|a| {
            a.keys
                .iter()
                .filter(|k| !k.0.starts_with("param"))
                .map(|k| k.1.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    if behind.is_empty() {
        vec!["Every point kept up (under 1% of the messages sent were left in the queue at the end).".to_string()]
    } else {
        vec![format!(
            "Did not keep up (over 1% of the messages sent left in the queue at the end): {}. Their costs per delivered message and latencies describe only what they delivered.",
            behind.join("; ")
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::atomic::Content;
    use crate::report::keyed::{self, Keys};
    use crate::report::{aggregate, SummaryRow};

    /// Aggregates of one run per variant with these figures.
    fn aggs(rows: &[SummaryRow]) -> Vec<Aggregate> {
        let keys = Keys::new();
        let refs: Vec<(&Keys, &SummaryRow)> = rows.iter().map(|r| (&keys, r)).collect();
        let csv = keyed::write(&refs).unwrap();
        aggregate::from_summary(&mut keyed::Records::open(&Content::Bytes(csv), "s").unwrap())
            .unwrap()
    }

    fn row(variant: &str, per_million: f64, p50: f64, p99: f64, left: u64) -> SummaryRow {
        SummaryRow {
            variant: variant.into(),
            messages_sent: 1000,
            visible_at_end: left,
            cost_per_million_delivered_usd: Some(per_million),
            latency_p50_s: Some(p50),
            latency_p99_s: Some(p99),
            empty_pct: 10.0,
            false_empty_pct: 2.5,
            ..SummaryRow::default()
        }
    }

    #[test]
    fn cheapest_latency_and_keeping_up_in_words() {
        let lines = of(&aggs(&[
            row("long", 1.0, 0.01, 0.02, 0),
            row("short", 3.0, 0.5, 2.5, 50),
        ]));
        assert_eq!(
            lines[0],
            "long is the cheapest per delivered message: $1 per million (SQS requests), 3× cheaper than short ($3). One replication each: no confidence interval; run more replications to be sure of small differences."
        );
        assert!(lines.contains(
            &"Latency (send → first receive), p50 / p99: long 10ms / 20ms, short 500ms / 2.5s. The lowest p99 is long's.".to_string()
        ));
        // 50 of 1000 left: 5%, over the 1% that counts as in transit.
        assert!(lines.iter().any(|l| l.starts_with(
            "short did not keep up: 50 messages (5% of those sent) were still waiting"
        )));
        assert!(!lines.iter().any(|l| l.starts_with("long did not")));
    }

    #[test]
    fn costs_within_one_percent_read_about_the_same() {
        let lines = of(&aggs(&[
            row("a", 2.0, 0.01, 0.02, 0),
            row("b", 2.01, 0.01, 0.02, 0),
        ]));
        assert!(
            lines[0].starts_with(
                "a is the cheapest per delivered message: $2 per million (SQS requests), about the same as b ($2.01)."
            ),
            "{}",
            lines[0]
        );
        assert!(lines.contains(&"Every variant delivered every message it was sent.".to_string()));
    }
}
