//! Consumer groups whose size follows the backlog (`autoscale`), as KEDA's
//! SQS scaler or ECS target tracking run them.
//!
//! Every `interval` from the start the scaler reads its metric: with
//! `source = "api"` it sends GetQueueAttributes (billed, counted when it
//! reaches the queue, which reads the exact counts then; the decision is
//! made when the answer is back); with `"cloudwatch"` it takes the last
//! 1-minute datapoint already published — the level sampled at the end of
//! minute k can be read from `(k + 1) min + cloudwatch_delay` on — and
//! decides at once (no datapoint yet: no decision). The desired size is
//! `ceil(metric / target)` clamped to `[min, max]`. A scale-out starts the
//! missing consumers, which poll first `startup` later; it is allowed when
//! the last scale-out was at least `scale_out_cooldown` ago. A scale-in
//! retires the newest consumers (they stop polling and finish what they
//! hold), at least `scale_in_cooldown` after the last scale-in. The group's
//! size is the consumers started and not retired (starting ones included).

use super::{Event, Sim};
use crate::engine::rng::kind;
use crate::engine::{name_key, SimTime, Stream, StreamSeed};
use crate::model::config::{Autoscale, ModelConfig, ScaleMetric, ScaleSource};
use crate::model::consumer::Consumer;
use crate::model::ids::ConsumerId;

/// One minute: CloudWatch's SQS datapoints.
const MINUTE: SimTime = SimTime::from_secs(60);

/// The scaler of one autoscaled group.
pub(super) struct Scaler {
    group: u32,
    cfg: Autoscale,
    /// Every consumer of the group ever made, and whether it is free to start.
    members: Vec<(ConsumerId, bool)>,
    /// Started and not retired, oldest first.
    running: Vec<ConsumerId>,
    last_out: Option<SimTime>,
    last_in: Option<SimTime>,
    /// GetQueueAttributes' network delays.
    network: Stream,
    /// Streams of consumers made later.
    streams: StreamSeed,
    /// Consumers × µs over the measured window, up to `since`.
    area_us: u128,
    since: SimTime,
}

/// CloudWatch's datapoints: `(minute end, [visible, visible + in flight])`,
/// the ones that may still be read.
#[derive(Default)]
pub(super) struct Datapoints {
    points: std::collections::VecDeque<(SimTime, [u64; 2])>,
    /// The longest publishing delay of any scaler.
    delay: SimTime,
}

/// The scalers of the run, one per autoscaled group; its first `count`
/// members are the consumers `consumers::spawn` made for the group.
pub(super) fn spawn(cfg: &ModelConfig, streams: &StreamSeed) -> Vec<Scaler> {
    let mut out = Vec::new();
    let mut first = 0;
    for (g, group) in cfg.consumers.iter().enumerate() {
        let ids = first..first + group.count;
        first += group.count;
        let Some(a) = group.autoscale else { continue };
        out.push(Scaler {
            group: g as u32,
            cfg: a,
            members: ids.clone().map(|i| (ConsumerId::new(i), false)).collect(),
            running: ids.map(ConsumerId::new).collect(),
            last_out: None,
            last_in: None,
            network: streams.stream(&[kind::SCALER_NETWORK, name_key(&group.name)]),
            streams: *streams,
            area_us: 0,
            since: SimTime::ZERO,
        });
    }
    out
}

impl Sim<'_> {
    /// Each scaler's first reading, and the first CloudWatch minute.
    pub(super) fn schedule_scalers(&mut self) {
        for (s, sc) in self.scalers.iter().enumerate() {
            let s = s as u32;
            self.events
                .schedule(sc.cfg.interval, Event::ScaleTick { s });
        }
        let cw = self.scalers.iter().map(|s| &s.cfg);
        if let Some(delay) = cw
            .filter(|a| a.source == ScaleSource::Cloudwatch)
            .map(|a| a.cloudwatch_delay)
            .max()
        {
            self.datapoints.delay = delay;
            self.events.schedule(MINUTE, Event::CloudwatchMinute);
        }
    }

    /// The end of a minute: its datapoint, published `cloudwatch_delay` later.
    pub(super) fn cloudwatch_minute(&mut self, now: SimTime) {
        let l = self.queue.levels();
        let visible = l.visible + l.unreachable;
        let dp = &mut self.datapoints;
        dp.points.push_back((now, [visible, visible + l.in_flight]));
        // A point is read until the next one is published.
        while dp.points.len() > 1 && dp.points[1].0 + dp.delay <= now {
            dp.points.pop_front();
        }
        self.events.schedule(now + MINUTE, Event::CloudwatchMinute);
    }

    /// A scaler's reading is due.
    pub(super) fn scale_tick(&mut self, now: SimTime, s: u32) {
        let sc = &mut self.scalers[s as usize];
        self.events
            .schedule(now + sc.cfg.interval, Event::ScaleTick { s });
        match sc.cfg.source {
            ScaleSource::Api => {
                let d = self.network.sample(&mut sc.network);
                self.events.schedule(now + d, Event::ScaleRead { s });
            }
            ScaleSource::Cloudwatch => {
                let (m, delay) = (sc.cfg.metric, sc.cfg.cloudwatch_delay);
                let latest = self
                    .datapoints
                    .points
                    .iter()
                    .rev()
                    .find(|(t, _)| *t + delay <= now);
                if let Some(&(_, v)) = latest {
                    let value = v[(m == ScaleMetric::VisibleAndInFlight) as usize];
                    let value = value.min(u32::MAX as u64) as u32;
                    // Decided by an event of its own, as the API's answer
                    // is: a bucket ending now records the size before.
                    self.events.schedule(now, Event::ScaleDecide { s, value });
                }
            }
        }
    }

    /// GetQueueAttributes reaches the queue: billed, the counts read now.
    pub(super) fn scale_read(&mut self, now: SimTime, s: u32) {
        self.rec.get_attributes_request(now);
        let l = self.queue.levels();
        let sc = &mut self.scalers[s as usize];
        let visible = l.visible + l.unreachable;
        let value = match sc.cfg.metric {
            ScaleMetric::Visible => visible,
            ScaleMetric::VisibleAndInFlight => visible + l.in_flight,
        };
        let d = self.network.sample(&mut sc.network);
        let value = value.min(u32::MAX as u64) as u32;
        self.events
            .schedule(now + d, Event::ScaleDecide { s, value });
    }

    /// The scaler knows its metric: it sets the group's size, within the
    /// bounds and the cooldowns.
    pub(super) fn scale_decide(&mut self, now: SimTime, s: u32, value: u64) {
        let sc = &self.scalers[s as usize];
        let a = sc.cfg;
        let desired = ((value as f64 / a.target).ceil() as u64).clamp(a.min as u64, a.max as u64);
        let size = sc.running.len() as u64;
        if desired > size && sc.last_out.is_none_or(|t| now - t >= a.scale_out_cooldown) {
            self.account(now, s);
            self.scalers[s as usize].last_out = Some(now);
            for _ in size..desired {
                self.launch(now, s);
            }
        } else if desired < size && sc.last_in.is_none_or(|t| now - t >= a.scale_in_cooldown) {
            self.account(now, s);
            let sc = &mut self.scalers[s as usize];
            sc.last_in = Some(now);
            for _ in desired..size {
                let c = sc.running.pop().expect("size > desired ≥ 0");
                self.consumers[c.index()].retiring = true;
            }
        }
    }

    /// Starts one more consumer: a free member (the first), or a new one.
    fn launch(&mut self, now: SimTime, s: u32) {
        let fold = self.fold;
        let sc = &mut self.scalers[s as usize];
        let c = match sc.members.iter_mut().find(|(_, free)| *free) {
            Some(m) => {
                m.1 = false;
                m.0
            }
            None => {
                let group = &self.cfg.consumers[sc.group as usize];
                let index = sc.members.len() as u64;
                let c = ConsumerId::new(self.consumers.len() as u32);
                self.consumers.push(super::consumers::make(
                    sc.group,
                    group,
                    &sc.streams,
                    index,
                    fold,
                ));
                sc.members.push((c, false));
                c
            }
        };
        sc.running.push(c);
        let start = now + sc.cfg.startup;
        self.events.schedule(start, Event::Poll { c });
    }

    /// A retired consumer holds nothing any more: it may be started again.
    pub(super) fn retired(&mut self, _now: SimTime, c: ConsumerId) {
        let consumer: &mut Consumer = &mut self.consumers[c.index()];
        consumer.retiring = false;
        let group = consumer.group;
        if let Some(sc) = self.scalers.iter_mut().find(|s| s.group == group) {
            if let Some(m) = sc.members.iter_mut().find(|m| m.0 == c) {
                m.1 = true;
            }
        }
    }

    /// Adds the scaler's consumer-time up to `now` (before its size changes).
    fn account(&mut self, now: SimTime, s: u32) {
        let (warmup, end) = (self.cfg.warmup, self.cfg.duration);
        let sc = &mut self.scalers[s as usize];
        let clip = |t: SimTime| t.max(warmup).min(end);
        let span = clip(now) - clip(sc.since);
        sc.area_us += sc.running.len() as u128 * span.micros() as u128;
        sc.since = now;
    }

    /// Consumers running at `t`: scripted groups inside their window, and
    /// each scaler's size.
    pub(super) fn consumers_running(&self, t: SimTime) -> u64 {
        let scripted: u64 = self
            .cfg
            .consumers
            .iter()
            .filter(|g| g.autoscale.is_none() && g.start <= t && t < g.stop)
            .map(|g| g.count as u64)
            .sum();
        scripted
            + self
                .scalers
                .iter()
                .map(|s| s.running.len() as u64)
                .sum::<u64>()
    }

    /// Consumers × minutes over the measured window `[warmup, duration)`.
    pub(super) fn consumer_minutes(&mut self) -> f64 {
        let (warmup, end) = (self.cfg.warmup, self.cfg.duration);
        let mut us: u128 = 0;
        for g in self.cfg.consumers.iter().filter(|g| g.autoscale.is_none()) {
            let (a, b) = (g.start.max(warmup), g.stop.min(end));
            if b > a {
                us += g.count as u128 * (b - a).micros() as u128;
            }
        }
        for s in 0..self.scalers.len() {
            self.account(end, s as u32);
            us += self.scalers[s].area_us;
        }
        us as f64 / 60e6
    }
}
