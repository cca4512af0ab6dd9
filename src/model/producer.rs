//! A producer's arrival process: when its next message is created.
//!
//! Poisson arrivals under a `schedule` use the memoryless property: a draw
//! that would cross a phase boundary is discarded and redrawn from the
//! boundary at the new rate, which is exact for piecewise-constant rates.

use super::config::{Arrival, Phase, ProducerConfig};
use crate::engine::{SimTime, Stream};
use rand_distr::{Distribution, Exp1};

pub struct Producer {
    pub group: u32,
    /// Arrival times.
    pub arrivals: Stream,
    /// Sizes and placement of this producer's messages.
    pub messages: Stream,
    pub network: Stream,
    /// Messages created but not yet sent (waiting to fill a batch).
    pub buffered: u32,
    /// Next index into a trace.
    trace_pos: usize,
}

impl Producer {
    pub fn new(group: u32, arrivals: Stream, messages: Stream, network: Stream) -> Producer {
        Producer {
            group,
            arrivals,
            messages,
            network,
            buffered: 0,
            trace_pos: 0,
        }
    }

    /// The first arrival time strictly after `after` (or at `start` for a
    /// trace), or `None` when this producer is done.
    pub fn next_arrival(&mut self, cfg: &ProducerConfig, after: SimTime) -> Option<SimTime> {
        let t = match &cfg.arrival {
            Arrival::None => return None,
            Arrival::Trace { times, .. } => loop {
                let &t = times.get(self.trace_pos)?;
                self.trace_pos += 1;
                if t >= cfg.start {
                    break t;
                }
            },
            Arrival::Poisson { rate } => self.next_poisson(cfg, *rate, after)?,
            Arrival::Constant { interval } => {
                let (rate, _) =
                    rate_at(&cfg.schedule, after, 1e6 / interval.micros().max(1) as f64);
                if cfg.schedule.is_empty() {
                    after + *interval
                } else if rate <= 0.0 {
                    next_positive_phase(&cfg.schedule, after)?
                } else {
                    after + SimTime::from_secs_f64(1.0 / rate)
                }
            }
        };
        (t < cfg.stop).then_some(t)
    }

    fn next_poisson(&mut self, cfg: &ProducerConfig, base: f64, after: SimTime) -> Option<SimTime> {
        let mut t = after;
        loop {
            let (rate, end) = rate_at(&cfg.schedule, t, base);
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

fn next_positive_phase(schedule: &[Phase], t: SimTime) -> Option<SimTime> {
    schedule
        .iter()
        .find(|p| p.at > t && p.rate > 0.0)
        .map(|p| p.at)
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
        }
    }

    fn count(cfg: &ProducerConfig, from: SimTime, to: SimTime) -> u64 {
        let s = StreamSeed::new(9);
        let mut p = Producer::new(0, s.stream(&[1]), s.stream(&[2]), s.stream(&[3]));
        let mut t = SimTime::ZERO;
        let mut n = 0;
        while let Some(next) = p.next_arrival(cfg, t) {
            if next >= to {
                break;
            }
            if next >= from {
                n += 1;
            }
            t = next;
        }
        n
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

    #[test]
    fn constant_interval_is_exact() {
        let c = cfg(
            Arrival::Constant {
                interval: SimTime::from_millis(250),
            },
            vec![],
        );
        assert_eq!(count(&c, SimTime::ZERO, SimTime::from_secs(10)), 39);
    }

    #[test]
    fn arrivals_stop_at_stop() {
        let mut c = cfg(Arrival::Poisson { rate: 100.0 }, vec![]);
        c.stop = SimTime::from_secs(5);
        assert_eq!(count(&c, SimTime::from_secs(5), SimTime::from_secs(100)), 0);
    }
}
