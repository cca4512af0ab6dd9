//! The producers' side of a run: each producer creates messages on its
//! arrival process, buffers them into batches of its group's size, and sends
//! each batch as one SendMessage(Batch) that reaches the queue one network
//! hop later. Scripted bursts are sent by the group's first producer.

use super::{Event, Sim, LANE_NETWORK};
use crate::engine::rng::kind;
use crate::engine::{name_key, round_nonneg, EventQueue, SimTime, Stream, StreamSeed};
use crate::model::billing;
use crate::model::config::{ModelConfig, ProducerConfig};
use crate::model::dist::{Delay, Dist};
use crate::model::ids::{NodeId, ProducerId};
use crate::model::observer::{Observer, QueueChange};
use crate::model::producer::Producer;

/// The run's producers, group after group, each with its own streams keyed
/// by its group's name and its index in the group.
pub(super) fn spawn(cfg: &ModelConfig, streams: &StreamSeed) -> Vec<Producer> {
    let mut producers = Vec::new();
    let sizes = fixed_sizes(cfg);
    for (g, group) in cfg.producers.iter().enumerate() {
        let key = name_key(&group.name);
        for i in 0..group.count as u64 {
            let mut producer = Producer::new(
                g as u32,
                group,
                streams.stream(&[kind::PRODUCER_ARRIVALS, key, i]),
                streams.stream(&[kind::PRODUCER_MESSAGES, key, i]),
                streams.stream(&[kind::PRODUCER_NETWORK, key, i]),
            );
            producer.fixed_size = sizes[g];
            producers.push(producer);
        }
    }
    producers
}

impl<'a> Sim<'a> {
    pub(super) fn producer_group(&self, p: ProducerId) -> &'a ProducerConfig {
        &self.cfg.producers[self.producers[p.index()].group as usize]
    }

    /// Each producer's first arrival (or, folded, its first send), and
    /// every group's bursts inside its `[start, stop)` window.
    pub(super) fn schedule_producers(&mut self) {
        let cfg = self.cfg;
        for i in 0..self.producers.len() {
            let producer = &mut self.producers[i];
            let group = &cfg.producers[producer.group as usize];
            let first = producer.next_arrival(group, None);
            let p = ProducerId::new(i as u32);
            match first {
                Some(t) if !self.fold_producers => {
                    self.events.schedule(t, Event::ProducerNext { p })
                }
                _ => self.create_from(p, first),
            }
        }
        for (g, group) in cfg.producers.iter().enumerate() {
            for (i, b) in group.bursts.iter().enumerate() {
                if b.at >= group.start && b.at < group.stop {
                    let (group, index) = (g as u32, i as u32);
                    self.events.schedule(b.at, Event::Burst { group, index });
                }
            }
        }
    }

    /// A message is created: it joins the batch, which leaves when full;
    /// then the next arrival, or, after the last, a flush at the stop time.
    pub(super) fn producer_next(&mut self, now: SimTime, p: ProducerId) {
        let cfg = self.cfg;
        // The producer is looked up once and kept for the whole arrival
        // (`send`'s network draw included, beside the event queue): each
        // look-up again cost a bounds check and an address. It holds its
        // group's batch size and stop time, so the common arrival never
        // reads the group's config.
        let producer = &mut self.producers[p.index()];
        add_to_batch(producer, &self.network, &mut self.events, now, p, false);
        match producer.next_arrival_after(&cfg.producers, now) {
            Some(t) => self.events.schedule(t, Event::ProducerNext { p }),
            None => flush_at_stop(producer, &mut self.events, cfg.duration, p),
        }
    }

    /// The folded form of `producer_next`: after the send that left at
    /// `sent` reaches the queue, producer `p` creates its next messages at
    /// once, up to the send that fills its next batch.
    ///
    /// Why this is the same model: a creation touches nothing but its own
    /// producer (its arrival, size and network streams, its buffer), so
    /// doing it early draws the same numbers in the same order. With a
    /// constant network delay (`Sim::fold_producers`) the next send arrives
    /// no earlier than this one, so it can be scheduled now. What changes is
    /// when the send's event is scheduled, so a send that shares its
    /// microsecond with another event may run on the other side of it.
    pub(super) fn create_batch(&mut self, p: ProducerId, sent: SimTime) {
        let next = self.producers[p.index()].next_arrival_after(&self.cfg.producers, sent);
        self.create_from(p, next);
    }

    /// Producer `p` creates a message at `next` (its next arrival, drawn)
    /// and at each arrival after it until its batch is full, then sends the
    /// batch, folded; if it stops first, its partial batch is flushed at its
    /// stop time, as `producer_next` does.
    #[inline(always)]
    fn create_from(&mut self, p: ProducerId, mut next: Option<SimTime>) {
        let cfg = self.cfg;
        let producer = &mut self.producers[p.index()];
        while let Some(now) = next {
            if add_to_batch(producer, &self.network, &mut self.events, now, p, true) {
                return;
            }
            next = producer.next_arrival_after(&cfg.producers, now);
        }
        flush_at_stop(producer, &mut self.events, cfg.duration, p);
    }

    /// The producer stops: a partly filled batch is sent as it is.
    pub(super) fn producer_flush(&mut self, now: SimTime, p: ProducerId) {
        let n = std::mem::take(&mut self.producers[p.index()].buffered);
        if n > 0 {
            self.send(now, p, n);
        }
    }

    /// A group's burst: `count` messages at once, in batches of the group's
    /// size, all from its first producer (one sender, one network stream).
    pub(super) fn burst(&mut self, now: SimTime, group: u32, index: u32) {
        let config = &self.cfg.producers[group as usize];
        let first = self
            .producers
            .iter()
            .position(|p| p.group == group)
            .unwrap_or(0) as u32;
        let mut left = config.bursts[index as usize].count;
        while left > 0 {
            let n = left.min(config.batch as u64) as u32;
            self.send(now, ProducerId::new(first), n);
            left -= n as u64;
        }
    }

    /// Producer `p` calls SendMessage(Batch) with `n` messages now.
    /// Always inlined: it is a network draw and a lane push, and out of line
    /// every arrival paid a call that saved and restored six registers.
    #[inline(always)]
    fn send(&mut self, now: SimTime, p: ProducerId, n: u32) {
        let producer = &mut self.producers[p.index()];
        send_from(producer, &self.network, &mut self.events, now, p, n, false);
    }

    /// The send reaches the queue: each message gets its size and node, the
    /// request is counted and billed, and parked long polls may wake.
    pub(super) fn send_arrive<O: Observer>(
        &mut self,
        now: SimTime,
        p: ProducerId,
        n: u32,
        sent: SimTime,
        obs: &mut O,
    ) {
        if self.extras.is_some() {
            // FIFO groups, retries or a quota: their own path (`fifo`).
            return self.send_arrive_extras(now, p, n, sent, 0, obs);
        }
        // The producer's stream is borrowed once for the whole batch, beside
        // the queue and the placement table (other fields).
        // It holds its group's constant size and batch size: the common
        // send never reads the group's config.
        let producer = &mut self.producers[p.index()];
        let (g, fixed_size) = (producer.group as usize, producer.fixed_size);
        let batched = producer.batch > 1;
        let rng = &mut producer.messages;
        let mut bytes = 0u64;
        let mut any_visible = false;
        for _ in 0..n {
            let size = match fixed_size {
                Some(size) => size,
                None => sample_size(&self.cfg.producers[g].size, rng),
            };
            let node = NodeId::new(self.placement.draw(rng));
            bytes += size as u64;
            any_visible |= self.queue.store(now, sent, size, node);
        }
        let billed = billing::billed_requests(bytes);
        self.rec.sent(now, n as u64, bytes, batched, billed);
        self.arm_at(self.queue.store_due(now));
        obs.queue_changed(now, QueueChange::Sent { n }, &self.queue);
        if any_visible {
            self.wake_waiters(now, obs);
        }
    }
}

/// Producer `p` (`producer`, in hand) creates a message at `now`: it joins
/// the batch, which is sent (`folded`, see `send_from`) when full. Whether
/// it was.
#[inline(always)]
fn add_to_batch(
    producer: &mut Producer,
    network: &Delay,
    events: &mut EventQueue<Event>,
    now: SimTime,
    p: ProducerId,
    folded: bool,
) -> bool {
    producer.buffered += 1;
    if producer.buffered < producer.batch {
        return false;
    }
    producer.buffered = 0;
    let n = producer.batch;
    send_from(producer, network, events, now, p, n, folded);
    true
}

/// Producer `p` (`producer`, in hand) has made its last arrival: a partly
/// filled batch leaves at its stop time, which is after every arrival (a
/// stop past the run's end never comes: nothing to flush). Inlined,
/// although it runs once per producer: out of line (even `#[cold]`), the
/// folded creations around it measured +1.5 % instructions on the
/// reference load.
#[inline(always)]
fn flush_at_stop(producer: &Producer, events: &mut EventQueue<Event>, end: SimTime, p: ProducerId) {
    if producer.buffered > 0 && producer.stop <= end {
        events.schedule(producer.stop, Event::ProducerFlush { p });
    }
}

/// Producer `p` (`producer`, in hand) sends SendMessage(Batch) with `n`
/// messages at `now`: it reaches the queue one network hop later, and,
/// `folded`, creates the producer's next batch there.
#[inline(always)]
fn send_from(
    producer: &mut Producer,
    network: &Delay,
    events: &mut EventQueue<Event>,
    now: SimTime,
    p: ProducerId,
    n: u32,
    folded: bool,
) {
    debug_assert!(n <= 10, "a send carries at most 10 messages");
    let d = network.sample(&mut producer.network);
    let event = Event::SendArrive {
        p,
        n: n as u8,
        folded,
        sent: now,
    };
    if folded {
        // Scheduled a creation ahead, usually alone in its lane: the lane's
        // bookkeeping would buy nothing.
        events.schedule(now + d, event);
    } else {
        events.schedule_fifo(LANE_NETWORK, now + d, event);
    }
}

/// Each producer group's message size if it is a constant: what
/// [`sample_size`] returns at every call, which draws no random number
/// (so it is drawn once, here, and each producer keeps its group's).
fn fixed_sizes(cfg: &ModelConfig) -> Vec<Option<u32>> {
    let mut no_draws = StreamSeed::new(0).stream(&[]);
    cfg.producers
        .iter()
        .map(|g| match g.size {
            Dist::Constant(_) => Some(sample_size(&g.size, &mut no_draws)),
            _ => None,
        })
        .collect()
}

/// A message size in bytes: at least 1, rounded to a whole byte.
pub(super) fn sample_size(d: &Dist, rng: &mut Stream) -> u32 {
    // `round_nonneg` is `round` without the libm call; sizes are ≥ 0.
    let x = d.sample(rng).min(u32::MAX as f64);
    (round_nonneg(x) as u32).max(1)
}
