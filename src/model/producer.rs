//! A producer's arrival process: when its next message is created.
//!
//! Poisson arrivals under a `schedule` use the memoryless property: a draw
//! that would cross a phase boundary is discarded and redrawn from the
//! boundary at the new rate, which is exact for piecewise-constant rates.
//! A CloudWatch replay is the same process, its periods the phases.
//!
//! A constant producer sends at its `start` and every interval after; each
//! phase of its schedule restarts that spacing at the phase's own instant
//! (so 1 message per 1,000 s followed by 100/s from t = 10 s sends at 0, then
//! at 10 s, 10.01 s, …), and a phase of rate 0 sends nothing.

use super::config::{Arrival, Phase, ProducerConfig};
use crate::engine::{SimTime, Stream};
use rand_distr::{Distribution, Exp1};

pub(crate) struct Producer {
    /// Index of its group in `ModelConfig::producers`.
    pub(crate) group: u32,
    /// The group's batch size and stop time, copied here with `rate` so
    /// that the common arrival reads only its producer: the group's config
    /// cost a bounds check, an address and a spilled pointer per arrival
    /// (seen in the profile).
    pub(crate) batch: u32,
    pub(crate) stop: SimTime,
    /// The rate of a Poisson process at one rate (no schedule) when it is
    /// positive, drawn inline by `next_arrival`; 0 for every other process.
    rate: f64,
    /// The group's message size if it is a constant (no draw), kept here
    /// for the same reason as `batch`.
    pub(crate) fixed_size: Option<u32>,
    /// Arrival times.
    arrivals: Stream,
    /// Sizes and placement of this producer's messages.
    pub(crate) messages: Stream,
    pub(crate) network: Stream,
    /// Messages created but not yet sent (waiting to fill a batch).
    pub(crate) buffered: u32,
    /// Next index into a trace.
    trace_pos: usize,
}

impl Producer {
    /// A producer of group `group`, whose config is `cfg`.
    pub(crate) fn new(
        group: u32,
        cfg: &ProducerConfig,
        arrivals: Stream,
        messages: Stream,
        network: Stream,
    ) -> Producer {
        let rate = match cfg.arrival {
            Arrival::Poisson { rate } if cfg.schedule.is_empty() && rate > 0.0 => rate,
            _ => 0.0,
        };
        Producer {
            group,
            batch: cfg.batch,
            stop: cfg.stop,
            rate,
            fixed_size: None,
            arrivals,
            messages,
            network,
            buffered: 0,
            trace_pos: 0,
        }
    }

    /// The arrival after the one at `last` (`None`: this producer's first,
    /// at or after its `start`), or `None` when this producer is done. The
    /// window is `[start, stop)`.
    ///
    /// The common case, Poisson at one positive rate, is drawn here, inlined
    /// in the caller: out of line, the draw's loop saved six registers and
    /// spilled the generator's state on every arrival. Everything else
    /// (a rate of 0 included) is `next_arrival_other`, with the same draws
    /// and arithmetic. `cfg` is this producer's group's config.
    #[inline(always)]
    pub(crate) fn next_arrival(
        &mut self,
        cfg: &ProducerConfig,
        last: Option<SimTime>,
    ) -> Option<SimTime> {
        if self.rate > 0.0 {
            return self.next_one_rate(last.unwrap_or(cfg.start));
        }
        self.next_arrival_other(cfg, last)
    }

    /// [`next_arrival`](Self::next_arrival) after an arrival at `now`, for
    /// the producer's own event: its group's config (in `groups`, the run's
    /// producer groups) is looked up only off the common path.
    #[inline(always)]
    pub(crate) fn next_arrival_after(
        &mut self,
        groups: &[ProducerConfig],
        now: SimTime,
    ) -> Option<SimTime> {
        if self.rate > 0.0 {
            return self.next_one_rate(now);
        }
        self.next_arrival_other(&groups[self.group as usize], Some(now))
    }

    /// The next arrival after `after` at the one rate `self.rate`: no
    /// schedule, so no phase lookup and no loop (the same draw and
    /// arithmetic as `next_poisson`).
    #[inline(always)]
    fn next_one_rate(&mut self, after: SimTime) -> Option<SimTime> {
        let e: f64 = Exp1.sample(&mut self.arrivals);
        let t = after + SimTime::from_secs_f64(e / self.rate);
        (t < self.stop).then_some(t)
    }

    #[inline(never)]
    fn next_arrival_other(
        &mut self,
        cfg: &ProducerConfig,
        last: Option<SimTime>,
    ) -> Option<SimTime> {
        let t = match &cfg.arrival {
            Arrival::None => return None,
            Arrival::Trace { times, .. } => loop {
                let &t = times.get(self.trace_pos)?;
                self.trace_pos += 1;
                if t >= cfg.start {
                    break t;
                }
            },
            // With a schedule (one rate is drawn in `next_arrival`).
            Arrival::Poisson { rate } => {
                let rate_at = |t| rate_at(&cfg.schedule, t, *rate);
                self.next_poisson(cfg, rate_at, last.unwrap_or(cfg.start))?
            }
            Arrival::Cloudwatch { scale, replay, .. } => {
                // The group's rate, shared by its producers.
                let share = scale / cfg.count as f64;
                let rate_at = |t| {
                    let (rate, end) = replay.rate_at(t);
                    (rate * share, end)
                };
                self.next_poisson(cfg, rate_at, last.unwrap_or(cfg.start))?
            }
            Arrival::Constant { interval } => next_constant(cfg, *interval, last)?,
        };
        (t < cfg.stop).then_some(t)
    }

    /// The next arrival after `after` of a Poisson process whose rate is
    /// piecewise constant: `rate_at(t)` is the rate at `t` and when it ends.
    fn next_poisson(
        &mut self,
        cfg: &ProducerConfig,
        rate_at: impl Fn(SimTime) -> (f64, SimTime),
        after: SimTime,
    ) -> Option<SimTime> {
        let mut t = after;
        loop {
            let (rate, end) = rate_at(t);
            if rate <= 0.0 {
                if end == SimTime::MAX {
                    return None;
                }
                t = end;
                continue;
            }
            let e: f64 = Exp1.sample(&mut self.arrivals);
            let next = t + SimTime::from_secs_f64(e / rate);
            if next < end {
                return Some(next);
            }
            if end >= cfg.stop {
                return None;
            }
            t = end;
        }
    }
}

/// The rate in force at `t` and when that phase ends.
fn rate_at(schedule: &[Phase], t: SimTime, base: f64) -> (f64, SimTime) {
    let i = schedule.partition_point(|p| p.at <= t);
    let rate = if i == 0 { base } else { schedule[i - 1].rate };
    let end = schedule.get(i).map_or(SimTime::MAX, |p| p.at);
    (rate, end)
}

/// A constant producer's next send: one spacing after `last` while that
/// stays inside `last`'s phase, else the start of the next phase that sends.
fn next_constant(
    cfg: &ProducerConfig,
    interval: SimTime,
    last: Option<SimTime>,
) -> Option<SimTime> {
    let mut from = match last {
        None => cfg.start,
        Some(t) => {
            let (spacing, end) = constant_phase(cfg, interval, t);
            match spacing {
                Some(d) if t.saturating_add(d) < end => return Some(t + d),
                _ => end,
            }
        }
    };
    // A phase restarts the spacing at its instant: its first send is there.
    while from != SimTime::MAX {
        let (spacing, end) = constant_phase(cfg, interval, from);
        if spacing.is_some() {
            return Some(from);
        }
        from = end;
    }
    None
}

/// The spacing of a constant producer's sends in the phase in force at `t`
/// (`None` for rate 0) and when that phase ends.
fn constant_phase(
    cfg: &ProducerConfig,
    interval: SimTime,
    t: SimTime,
) -> (Option<SimTime>, SimTime) {
    let i = cfg.schedule.partition_point(|p| p.at <= t);
    let end = cfg.schedule.get(i).map_or(SimTime::MAX, |p| p.at);
    let spacing = match i {
        0 => Some(interval),
        _ => {
            let rate = cfg.schedule[i - 1].rate;
            // At least 1 µs: time must move between two sends.
            (rate > 0.0).then(|| SimTime::from_secs_f64(1.0 / rate).max(SimTime(1)))
        }
    };
    (spacing, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::StreamSeed;
    use crate::model::dist::Dist;

    fn cfg(arrival: Arrival, schedule: Vec<Phase>) -> ProducerConfig {
        ProducerConfig {
            name: "p".into(),
            count: 1,
            arrival,
            schedule,
            bursts: vec![],
            batch: 1,
            size: Dist::constant(1024.0).unwrap(),
            start: SimTime::ZERO,
            stop: SimTime::from_secs(1000),
            groups: 1,
            group_dist: crate::model::config::GroupDist::Uniform,
            duplicate_rate: 0.0,
        }
    }

    /// Arrival times in `[0, to)`.
    fn times(cfg: &ProducerConfig, to: SimTime) -> Vec<SimTime> {
        let s = StreamSeed::new(9);
        let mut p = Producer::new(0, cfg, s.stream(&[1]), s.stream(&[2]), s.stream(&[3]));
        let mut out = Vec::new();
        let mut last = None;
        while let Some(next) = p.next_arrival(cfg, last) {
            if next >= to {
                break;
            }
            out.push(next);
            last = Some(next);
        }
        out
    }

    fn count(cfg: &ProducerConfig, from: SimTime, to: SimTime) -> u64 {
        times(cfg, to).iter().filter(|&&t| t >= from).count() as u64
    }

    fn secs(xs: &[f64]) -> Vec<SimTime> {
        xs.iter().map(|&x| SimTime::from_secs_f64(x)).collect()
    }

    #[test]
    fn scheduled_poisson_rates_are_respected() {
        let c = cfg(
            Arrival::Poisson { rate: 10.0 },
            vec![
                Phase {
                    at: SimTime::from_secs(100),
                    rate: 0.0,
                },
                Phase {
                    at: SimTime::from_secs(200),
                    rate: 50.0,
                },
            ],
        );
        let a = count(&c, SimTime::ZERO, SimTime::from_secs(100));
        let b = count(&c, SimTime::from_secs(100), SimTime::from_secs(200));
        let d = count(&c, SimTime::from_secs(200), SimTime::from_secs(300));
        assert!((a as f64 - 1000.0).abs() < 4.0 * 1000f64.sqrt(), "{a}");
        assert_eq!(b, 0);
        assert!((d as f64 - 5000.0).abs() < 4.0 * 5000f64.sqrt(), "{d}");
    }

    /// The inlined one-rate path draws the same times as the general one: a
    /// schedule whose only phase starts at 0 goes through `next_poisson`
    /// with the same rate for ever.
    #[test]
    fn one_rate_poisson_matches_the_scheduled_path() {
        let plain = cfg(Arrival::Poisson { rate: 200.0 }, vec![]);
        let phased = cfg(
            Arrival::Poisson { rate: 5.0 },
            vec![Phase {
                at: SimTime::ZERO,
                rate: 200.0,
            }],
        );
        let a = times(&plain, SimTime::from_secs(100));
        assert!(a.len() > 19_000, "{}", a.len());
        assert_eq!(a, times(&phased, SimTime::from_secs(100)));
    }

    #[test]
    fn constant_interval_is_exact() {
        let c = cfg(
            Arrival::Constant {
                interval: SimTime::from_millis(250),
            },
            vec![],
        );
        // At 0, 0.25 s, …, 9.75 s: the start included, the end not.
        assert_eq!(count(&c, SimTime::ZERO, SimTime::from_secs(10)), 40);
    }

    fn constant(interval: SimTime, schedule: &[(f64, f64)]) -> ProducerConfig {
        let phases = schedule
            .iter()
            .map(|&(at, rate)| Phase {
                at: SimTime::from_secs_f64(at),
                rate,
            })
            .collect();
        cfg(Arrival::Constant { interval }, phases)
    }

    /// The audit's case: 1 message per 1,000 s, then 100/s from t = 10 s.
    /// The old rule took the gap from the rate at the previous send and sent
    /// nothing until t = 1,000 s.
    #[test]
    fn constant_schedule_restarts_the_spacing_at_the_phase_instant() {
        let c = constant(SimTime::from_secs(1000), &[(10.0, 100.0)]);
        let t = times(&c, SimTime::from_secs(11));
        assert_eq!(t.len(), 1 + 100);
        assert_eq!(t[..3], secs(&[0.0, 10.0, 10.01])[..]);
        assert_eq!(*t.last().unwrap(), SimTime::from_secs_f64(10.99));
    }

    /// A phase of rate 0 sends nothing, not one message left over from the
    /// phase before; the next phase starts sending at its own instant.
    #[test]
    fn constant_rate_zero_phase_sends_nothing() {
        let c = constant(SimTime::from_secs(1), &[(2.5, 0.0), (5.2, 0.5)]);
        let t = times(&c, SimTime::from_secs(10));
        assert_eq!(t, secs(&[0.0, 1.0, 2.0, 5.2, 7.2, 9.2]));
    }

    /// A producer that starts inside a phase sends at its start, in that
    /// phase's spacing.
    #[test]
    fn constant_producer_sends_at_its_start() {
        let mut c = constant(SimTime::from_secs(1), &[(2.0, 4.0)]);
        c.start = SimTime::from_secs_f64(3.1);
        c.stop = SimTime::from_secs(4);
        let t = times(&c, SimTime::from_secs(10));
        assert_eq!(t, secs(&[3.1, 3.35, 3.6, 3.85]));
    }

    /// A Poisson producer at rate 0 is not drawn inline: the general path
    /// gives it no arrival at all.
    #[test]
    fn rate_zero_poisson_never_arrives() {
        let c = cfg(Arrival::Poisson { rate: 0.0 }, vec![]);
        assert_eq!(times(&c, SimTime::from_secs(100)), vec![]);
    }

    #[test]
    fn arrivals_stop_at_stop() {
        let mut c = cfg(Arrival::Poisson { rate: 100.0 }, vec![]);
        c.stop = SimTime::from_secs(5);
        assert_eq!(count(&c, SimTime::from_secs(5), SimTime::from_secs(100)), 0);
    }
}
