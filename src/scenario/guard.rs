//! The runaway guard: before anything runs, estimate how many events a
//! scenario takes and refuse absurd ones (10⁶ msg/s for 14 days) with the
//! estimate, what drives it, and the flag that overrides the limit.
//!
//! The estimate is deliberately simple and errs high: about six events per
//! message (send, arrival, receive, processing, delete and its response) plus
//! three per empty poll, a consumer polling as fast as an empty queue lets it.
//! That is a model with every step an event; where steps are folded into
//! the one before them (`model/sim`: a producer's creations, most loop
//! consumers' steps between requests) a run takes fewer, about 2.5 per
//! message on the reference load, so the estimate errs higher still there.
//! A short poll also visits `sample_nodes` nodes, each a fraction of an
//! event's cost: a fleet of 100,000 sampling 80,000 makes every poll as dear
//! as thousands of events, so that cost counts against `--max-events` too.
//!
//! Memory is guarded by the peak number of live messages: what the
//! producers send minus what the consumers can delete (never more than a
//! retention period's worth), at [`BYTES_PER_LIVE_MESSAGE`] each, against
//! `--max-memory`.

use super::error::Issue;
use crate::engine::SimTime;
use crate::model::config::*;

/// Default `--max-events`: a few minutes of work on a laptop core.
pub(crate) const DEFAULT_MAX_EVENTS: u64 = 5_000_000_000;
/// Messages one run may create whatever `--max-events` says: the model keys
/// messages by `u32` slots, and each one costs memory while it lives.
pub(crate) const MAX_MESSAGES_PER_RUN: f64 = 2e9;

const EVENTS_PER_MESSAGE: f64 = 6.0;
const EVENTS_PER_POLL: f64 = 3.0;
/// What visiting one node in a short poll costs, in events: measured as
/// about 30 ns a node against about 1 µs an event.
const EVENTS_PER_SAMPLED_NODE: f64 = 0.03;

/// Default `--max-memory`: what one run's live messages may take.
pub(crate) const DEFAULT_MAX_MEMORY: u64 = 4 << 30;
/// Memory of one live message: its slot (48 bytes) with the slab's growth
/// slack, its node store and timer entries.
pub(crate) const BYTES_PER_LIVE_MESSAGE: f64 = 160.0;

/// The limits a scenario is checked against (0 = no limit); the default is
/// the command line's (`--max-events`, `--max-memory`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Estimated events of all runs together (`--max-events`).
    pub max_events: u64,
    /// Estimated memory of one run's live messages, in bytes (`--max-memory`).
    pub max_memory: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_events: DEFAULT_MAX_EVENTS,
            max_memory: DEFAULT_MAX_MEMORY,
        }
    }
}

/// What one run of a configuration is expected to cost.
#[derive(Clone, Debug, Default)]
pub(crate) struct Estimate {
    pub(crate) events: f64,
    pub(crate) messages: f64,
    /// Messages the consumers can delete in the run, at most.
    pub(crate) deletable: f64,
    /// Messages alive at once, at the peak.
    pub(crate) live: f64,
    /// Events by cause, labelled by the key path responsible.
    pub(crate) parts: Vec<(String, f64)>,
    /// Consumer groups whose short polls cost more in node visits than in
    /// events, with what they sample: said when they are the main cause.
    pub(crate) sampling: Vec<(String, String)>,
}

impl Estimate {
    /// The key path behind most of the events.
    pub(crate) fn main_cause(&self) -> Option<&(String, f64)> {
        self.parts
            .iter()
            .max_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal))
    }
}

fn secs(t: SimTime) -> f64 {
    t.as_secs_f64()
}

/// Messages a producer (one of its group) sends in `[from, to)`.
fn producer_messages(p: &ProducerConfig, to: SimTime) -> f64 {
    let from = p.start;
    let to = p.stop.min(to);
    if to <= from {
        return 0.0;
    }
    let base = match &p.arrival {
        Arrival::None => return 0.0,
        Arrival::Trace { times, .. } => {
            return times.iter().filter(|&&t| t >= from && t < to).count() as f64
        }
        Arrival::Cloudwatch { scale, replay, .. } => {
            // The group shares the export: one producer's part of it.
            return replayed(replay, from, to) * scale / p.count as f64;
        }
        Arrival::Poisson { rate } => *rate,
        Arrival::Constant { interval } => 1e6 / interval.micros().max(1) as f64,
    };
    // Piecewise-constant rate: base until the first phase, then each phase.
    let mut total = 0.0;
    let mut t = from;
    let mut rate = base;
    for ph in &p.schedule {
        if ph.at > t {
            let end = ph.at.min(to);
            total += rate * (secs(end) - secs(t)).max(0.0);
            t = end;
        }
        rate = ph.rate;
        if t >= to {
            break;
        }
    }
    if t < to {
        total += rate * (secs(to) - secs(t));
    }
    total
}

/// Messages of a CloudWatch replay (unscaled) in `[from, to)`: each
/// period's Sum, in proportion to the part of the period inside the window.
fn replayed(r: &Replay, from: SimTime, to: SimTime) -> f64 {
    let p = r.period.micros().max(1);
    let first = (from.micros() / p) as usize;
    let mut total = 0.0;
    for (i, sum) in r.sums.iter().enumerate().skip(first) {
        let (start, end) = (i as u64 * p, (i as u64 + 1) * p);
        if start >= to.micros() {
            break;
        }
        let inside = end.min(to.micros()) - start.max(from.micros());
        total += sum * inside as f64 / p as f64;
    }
    total
}

/// Estimates one run of `c`.
pub(crate) fn estimate(c: &ModelConfig, timeseries: bool) -> Estimate {
    let mut e = Estimate::default();
    let end = c.duration;
    let q = c.queue.initial_messages as f64;
    e.messages += q;
    e.parts
        .push(("queue.initial_messages".into(), q * EVENTS_PER_MESSAGE));
    for p in &c.producers {
        let bursts: f64 = p
            .bursts
            .iter()
            .filter(|b| b.at >= p.start && b.at < p.stop && b.at < end)
            .map(|b| b.count as f64)
            .sum();
        let m = producer_messages(p, end) * p.count as f64 + bursts;
        e.messages += m;
        e.parts
            .push((format!("producers.{}", p.name), m * EVENTS_PER_MESSAGE));
    }
    let net = 2.0 * c.network.mean() / 1e6;
    for cc in &c.consumers {
        let active = secs(cc.stop.min(end)) - secs(cc.start.min(end));
        // The quickest empty round trip: wait, network both ways, idle sleep.
        let cycle = (secs(cc.wait_time) + net + secs(cc.idle_wait)).max(1e-6);
        // A Lambda mapping polls with at least five pollers.
        let pollers = match cc.lambda {
            Some(_) => crate::model::LAMBDA_FLOOR_POLLERS as f64,
            None => cc.count as f64,
        };
        let polls = pollers * active.max(0.0) / cycle;
        let sampled = if cc.wait_time == SimTime::ZERO {
            c.queue.sample_nodes.min(c.queue.nodes) as f64 * EVENTS_PER_SAMPLED_NODE
        } else {
            0.0
        };
        e.parts.push((
            format!("consumers.{}", cc.name),
            polls * (EVENTS_PER_POLL + sampled),
        ));
        if sampled > EVENTS_PER_POLL {
            e.sampling.push((
                format!("consumers.{}", cc.name),
                format!(
                    " (its short polls each visit {} of {} nodes: `queue.sample_nodes`, `queue.nodes`, `consumers.{}.wait_time`)",
                    c.queue.sample_nodes.min(c.queue.nodes),
                    c.queue.nodes,
                    cc.name
                ),
            ));
        }
        e.deletable += deletable(cc, active.max(0.0), net);
    }
    e.live = live_peak(c, e.messages, e.deletable);
    if timeseries {
        let ticks = end.micros() as f64 / c.bucket.micros().max(1) as f64;
        e.parts.push(("report.bucket".into(), ticks));
    }
    e.parts
        .push(("outages".into(), 2.0 * c.outages.len() as f64));
    e.events = e.parts.iter().map(|p| p.1).sum();
    e
}

/// Messages a consumer group can delete while active: a batch of
/// `max_messages` per round trip, processed one after another, less the
/// share that fails (failed messages stay until they are dead-lettered or
/// expire, which the live estimate leaves to retention).
fn deletable(cc: &ConsumerConfig, active: f64, net: f64) -> f64 {
    if let Some(l) = &cc.lambda {
        // Every slot busy with full batches.
        let cycle = (2.0 * net + l.duration.mean().max(0.0) / 1e6).max(1e-6);
        let ok = (1.0 - l.error_rate) * (1.0 - cc.fail_rate);
        return l.maximum_concurrency as f64 * active * l.batch_size as f64 / cycle
            * ok.clamp(0.0, 1.0);
    }
    let batch = cc.max_messages.max(1) as f64;
    let cycle = (2.0 * net + batch * cc.processing.mean().max(0.0) / 1e6).max(1e-6);
    cc.count as f64 * active * batch / cycle * (1.0 - cc.fail_rate).clamp(0.0, 1.0)
}

/// Messages alive at once at the peak: all that arrive beyond what can be
/// deleted, but no more than a retention period's worth of arrivals (a
/// failing message may also be dead-lettered; that is ignored, erring high).
fn live_peak(c: &ModelConfig, messages: f64, deletable: f64) -> f64 {
    let initial = c.queue.initial_messages as f64;
    let secs_run = secs(c.duration).max(1e-6);
    let retained = initial + (messages - initial) * (secs(c.queue.retention) / secs_run).min(1.0);
    (messages - deletable).max(0.0).min(retained)
}

/// Formats a large count as `7.3e12` or `42,000`.
pub(crate) fn approx(x: f64) -> String {
    if x >= 1e6 {
        format!("{x:.1e}")
    } else {
        format!("{}", x.round() as u64)
    }
}

/// Checks the whole run (`runs` = variant configurations, each run
/// `replications` times) against both limits: events (time) and live
/// messages (memory). The issue names the key path that drives the estimate.
pub(crate) fn check_limits(
    runs: &[&ModelConfig],
    replications: u32,
    limits: Limits,
) -> Option<Issue> {
    let max_events = limits.max_events;
    // Said after the event estimate, which names the rates and the duration.
    let mut memory = None;
    let mut total = 0.0;
    let mut worst: Option<Estimate> = None;
    for (i, c) in runs.iter().enumerate() {
        // Replication 0 of each variant records the time series.
        let first = estimate(c, true);
        let rest = estimate(c, false);
        if first.messages > MAX_MESSAGES_PER_RUN {
            let cause = first.main_cause().map(|p| p.0.clone()).unwrap_or_default();
            return Some(Issue {
                path: cause,
                message: format!(
                    "one run would create about {} messages; at most {} are possible in one run, whatever --max-events says. Shorten `duration` or lower the rates",
                    approx(first.messages),
                    approx(MAX_MESSAGES_PER_RUN)
                ),
                at: None,
                origin: None,
            });
        }
        if memory.is_none() {
            memory = check_memory(&first, limits.max_memory);
        }
        total += first.events + rest.events * (replications.saturating_sub(1)) as f64;
        if worst.as_ref().is_none_or(|w| first.events > w.events) || i == 0 {
            worst = Some(first);
        }
    }
    if max_events == 0 || total <= max_events as f64 {
        return memory;
    }
    let worst = worst.unwrap_or_default();
    let (cause, part) = worst
        .main_cause()
        .cloned()
        .unwrap_or_else(|| (String::new(), 0.0));
    let why = worst
        .sampling
        .iter()
        .find(|s| s.0 == cause)
        .map_or("", |s| s.1.as_str());
    Some(Issue {
        path: cause.clone(),
        message: format!(
            "this scenario would take about {} simulated events ({} run(s); in the largest, `{cause}` alone accounts for about {} events{why}, {} messages in all), more than the limit of {}. Shorten `duration`, lower rates, counts or replications, or raise the limit with --max-events N (0 = no limit)",
            approx(total),
            runs.len() as u64 * replications as u64,
            approx(part),
            approx(worst.messages),
            approx(max_events as f64),
        ),
        at: None,
        origin: None,
    })
}

/// Refuses a run whose live messages would take more than `max_memory`
/// bytes (0 = no limit), naming the producer that sends most.
fn check_memory(e: &Estimate, max_memory: u64) -> Option<Issue> {
    let bytes = e.live * BYTES_PER_LIVE_MESSAGE;
    if max_memory == 0 || bytes <= max_memory as f64 {
        return None;
    }
    let sender = e
        .parts
        .iter()
        .filter(|p| p.0.starts_with("producers.") || p.0 == "queue.initial_messages")
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|p| p.0.clone())
        .unwrap_or_default();
    Some(Issue {
        path: sender.clone(),
        message: format!(
            "one run would hold about {} messages at once, about {}, more than the --max-memory limit of {}: `{sender}` and the rest send about {} messages and the consumers can delete about {} of them (their count, max_messages, processing and fail_rate decide). Add or speed up consumers, lower the rates or `duration`, or raise the limit with --max-memory SIZE (e.g. 16G; 0 = no limit)",
            approx(e.live),
            size(bytes),
            size(max_memory as f64),
            approx(e.messages),
            approx(e.deletable.min(e.messages)),
        ),
        at: None,
        origin: None,
    })
}

/// Bytes as `3.2 GB` (powers of 1024, as `--max-memory` reads them).
fn size(bytes: f64) -> String {
    let gib = bytes / (1u64 << 30) as f64;
    if gib >= 1.0 {
        format!("{gib:.1} GB")
    } else {
        format!("{:.0} MB", bytes / (1u64 << 20) as f64)
    }
}

/// Reads `--max-memory`: bytes, or a number with K, M, G or T (powers of 1024).
pub(crate) fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (num, unit) = match t.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => (&t[..i], t[i..].trim_end_matches(['B', 'b'])),
        None => (t, ""),
    };
    let scale: u64 = match unit.to_ascii_uppercase().as_str() {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => {
            return Err(format!(
                "`{text}`: give bytes or a size like 512M, 16G or 1T"
            ))
        }
    };
    match num.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 && x * scale as f64 <= u64::MAX as f64 => {
            Ok((x * scale as f64) as u64)
        }
        _ => Err(format!(
            "`{text}`: give bytes or a size like 512M, 16G or 1T"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn producer(rate: f64, schedule: Vec<Phase>) -> ProducerConfig {
        ProducerConfig {
            name: "p".into(),
            count: 1,
            arrival: Arrival::Poisson { rate },
            schedule,
            bursts: vec![],
            batch: 1,
            size: crate::model::Dist::constant(1024.0).unwrap(),
            start: SimTime::ZERO,
            stop: SimTime::MAX,
            groups: 1,
            group_dist: crate::model::config::GroupDist::Uniform,
            duplicate_rate: 0.0,
        }
    }

    /// The export's sum × scale, shared by the group, cut by the window.
    #[test]
    fn a_replay_counts_its_sums() {
        let replay = Replay {
            period: SimTime::from_secs(60),
            sums: vec![600.0, 0.0, 1200.0],
            warning: None,
        };
        let mut p = producer(0.0, vec![]);
        p.count = 4;
        p.arrival = Arrival::Cloudwatch {
            files: vec![],
            metric: "NumberOfMessagesSent".into(),
            scale: 2.0,
            replay: std::sync::Arc::new(replay),
        };
        // 2 × 1800 messages, a quarter per producer.
        assert_eq!(producer_messages(&p, SimTime::MAX), 900.0);
        // Half of the first period and none of the rest.
        p.stop = SimTime::from_secs(30);
        assert_eq!(producer_messages(&p, SimTime::MAX), 150.0);
        p.stop = SimTime::MAX;
        p.start = SimTime::from_secs(150);
        assert_eq!(
            producer_messages(&p, SimTime::MAX),
            2.0 * 1200.0 / 2.0 / 4.0
        );
    }

    #[test]
    fn scheduled_rates_integrate_piecewise() {
        let p = producer(10.0, vec![]);
        assert_eq!(producer_messages(&p, SimTime::from_secs(100)), 1000.0);
        let p = producer(
            10.0,
            vec![
                Phase {
                    at: SimTime::from_secs(50),
                    rate: 0.0,
                },
                Phase {
                    at: SimTime::from_secs(80),
                    rate: 100.0,
                },
            ],
        );
        // 50 s at 10/s, 30 s at 0, 20 s at 100/s.
        assert_eq!(producer_messages(&p, SimTime::from_secs(100)), 2500.0);
        assert_eq!(producer_messages(&p, SimTime::from_secs(60)), 500.0);
    }
}
