//! What FIFO queues add to a run, and the two features that share their
//! machinery: message groups (each message drawn into a group of its
//! producer group, each group living on one node), producers' retries
//! (`duplicate_rate`: a FIFO queue deduplicates them, a standard queue stores
//! them twice) and the throughput quota (throttled calls retried with
//! backoff).
//!
//! All of it lives in [`Extras`], built once when a scenario uses any of it;
//! a run without (every standard-queue scenario of before) keeps `None` and
//! its sends take the untouched path in `producers`.

use super::{Event, Sim};
use crate::engine::rng::kind;
use crate::engine::{name_key, SimTime, Stream, StreamSeed};
use crate::model::billing;
use crate::model::config::{GroupDist, ModelConfig, QueueKind};
use crate::model::consumer::Activity;
use crate::model::groups::Groups;
use crate::model::ids::{ConsumerId, NodeId, ProducerId};
use crate::model::observer::{Observer, QueueChange};
use crate::model::sampling::{below, unit, Alias};
use crate::model::throttle::{backoff, Action, Quota};

/// FIFO deduplication window: a retry within it is accepted, not stored.
pub(crate) const DEDUP_WINDOW: SimTime = SimTime::from_secs(300);

/// How one producer group draws its messages' groups.
struct GroupChooser {
    /// Its first group's number in the queue's [`Groups`].
    base: u32,
    count: u32,
    /// Zipf weights (`None`: uniform).
    zipf: Option<Alias>,
}

/// A send request a producer will retry: what it carried, for the copy.
struct Retry {
    p: ProducerId,
    sent: SimTime,
    /// When the original reached the queue (the deduplication window's start).
    first_arrival: SimTime,
    /// Throttled attempts of the retry itself so far.
    attempt: u32,
    n: u8,
    sizes: [u32; 10],
    groups: [u32; 10],
}

pub(super) struct Extras {
    fifo: bool,
    /// By producer group (FIFO).
    choosers: Vec<GroupChooser>,
    /// By producer: group draws, retry draws, backoff jitter.
    group_rng: Vec<Stream>,
    retry_rng: Vec<Stream>,
    producer_backoff: Vec<Stream>,
    quota: Option<Quota>,
    /// By consumer (grown on demand): backoff jitter and throttled attempts
    /// in a row.
    consumer_backoff: Vec<Stream>,
    consumer_attempts: Vec<u32>,
    streams: StreamSeed,
    retries: Vec<Retry>,
    free_retries: Vec<u32>,
}

/// The extras a scenario needs (`None` for a plain standard queue), and the
/// FIFO queue's groups, placed by weight.
pub(super) fn setup(
    cfg: &ModelConfig,
    streams: &StreamSeed,
) -> (Option<Box<Extras>>, Option<Groups>) {
    let fifo = cfg.queue.kind == QueueKind::Fifo;
    let retries = cfg.producers.iter().any(|p| p.duplicate_rate > 0.0);
    if !fifo && !retries && cfg.queue.throughput_limit.is_none() {
        return (None, None);
    }
    let mut groups = fifo.then(|| Groups::new(cfg.queue.nodes));
    let mut choosers = Vec::new();
    let placement = Alias::new(&cfg.queue.node_weights);
    let (mut group_rng, mut retry_rng, mut producer_backoff) = (Vec::new(), Vec::new(), Vec::new());
    for p in &cfg.producers {
        let key = name_key(&p.name);
        if let Some(groups) = groups.as_mut() {
            let mut rng = streams.stream(&[kind::GROUP_PLACEMENT, key]);
            let base = groups.add_group(NodeId::new(placement.draw(&mut rng)));
            for _ in 1..p.groups {
                groups.add_group(NodeId::new(placement.draw(&mut rng)));
            }
            let zipf = match p.group_dist {
                GroupDist::Uniform => None,
                GroupDist::Zipf { s } => {
                    let w: Vec<f64> = (1..=p.groups).map(|i| (i as f64).powf(-s)).collect();
                    Some(Alias::new(&w))
                }
            };
            choosers.push(GroupChooser {
                base,
                count: p.groups,
                zipf,
            });
        }
        for i in 0..p.count as u64 {
            group_rng.push(streams.stream(&[kind::PRODUCER_GROUPS, key, i]));
            retry_rng.push(streams.stream(&[kind::PRODUCER_RETRIES, key, i]));
            producer_backoff.push(streams.stream(&[kind::PRODUCER_BACKOFF, key, i]));
        }
    }
    let extras = Extras {
        fifo,
        choosers,
        group_rng,
        retry_rng,
        producer_backoff,
        quota: cfg.queue.throughput_limit.map(Quota::new),
        consumer_backoff: Vec::new(),
        consumer_attempts: Vec::new(),
        streams: *streams,
        retries: Vec::new(),
        free_retries: Vec::new(),
    };
    (Some(Box::new(extras)), groups)
}

impl Extras {
    /// The group of producer `p`'s next message (of producer group `g`).
    fn draw_group(&mut self, p: ProducerId, g: usize) -> u32 {
        let c = &self.choosers[g];
        let rng = &mut self.group_rng[p.index()];
        let local = match &c.zipf {
            None => below(rng, c.count as u64) as u32,
            Some(alias) => alias.draw(rng),
        };
        c.base + local
    }

    /// Consumer `c`'s backoff stream and its count of throttled calls in a row.
    fn consumer(&mut self, c: ConsumerId, group_name: &str) -> (&mut Stream, &mut u32) {
        while self.consumer_backoff.len() <= c.index() {
            let i = self.consumer_backoff.len() as u64;
            let key = name_key(group_name);
            let s = self.streams.stream(&[kind::CONSUMER_BACKOFF, key, i]);
            self.consumer_backoff.push(s);
            self.consumer_attempts.push(0);
        }
        let i = c.index();
        (
            &mut self.consumer_backoff[i],
            &mut self.consumer_attempts[i],
        )
    }
}

impl Sim<'_> {
    /// A send request reaches the queue (after `attempt` throttled tries),
    /// when the run has extras: the quota, then each message stored — in a
    /// group on a FIFO queue — and perhaps a retry of the whole request.
    pub(super) fn send_arrive_extras<O: Observer>(
        &mut self,
        now: SimTime,
        p: ProducerId,
        n: u32,
        sent: SimTime,
        attempt: u32,
        obs: &mut O,
    ) {
        let group = self.producer_group(p);
        let g = self.producers[p.index()].group as usize;
        let action = send_action(group.batch);
        if self.throttle_send(now, action) {
            let delay = self.backoff_producer(p, attempt);
            let (n, attempt) = (n as u8, (attempt + 1).min(255) as u8);
            let ev = Event::SendResend {
                p,
                n,
                attempt,
                sent,
            };
            self.events.schedule(now + delay, ev);
            return;
        }
        let extras = self.extras.as_deref_mut().expect("extras");
        let mut retry = Retry {
            p,
            sent,
            first_arrival: now,
            attempt: 0,
            n: n as u8,
            sizes: [0; 10],
            groups: [0; 10],
        };
        let mut bytes = 0u64;
        let mut any_visible = false;
        for i in 0..n as usize {
            // The same draws as a standard queue's (size, then node), so
            // that a FIFO variant sees the same sizes (common random numbers).
            let rng = &mut self.producers[p.index()].messages;
            let size = super::producers::sample_size(&group.size, rng);
            let node = NodeId::new(self.placement.draw(rng));
            bytes += size as u64;
            retry.sizes[i] = size;
            any_visible |= if extras.fifo {
                retry.groups[i] = extras.draw_group(p, g);
                self.queue
                    .store_in_group(now, sent, size, retry.groups[i], false)
            } else {
                self.queue.store(now, sent, size, node)
            };
        }
        let retried = group.duplicate_rate > 0.0
            && unit(&mut extras.retry_rng[p.index()]) < group.duplicate_rate;
        self.rec.sent(
            now,
            n as u64,
            bytes,
            group.batch > 1,
            billing::billed_requests(bytes),
        );
        self.arm_at(self.queue.store_due(now));
        obs.queue_changed(now, QueueChange::Sent { n }, &self.queue);
        if retried {
            self.schedule_retry(now, retry);
        }
        if any_visible {
            self.wake_waiters(now, obs);
        }
    }

    /// The producer never saw the response: it sends the same request again
    /// when the response should have arrived, one round trip after the
    /// original reached the queue.
    fn schedule_retry(&mut self, now: SimTime, retry: Retry) {
        let p = retry.p;
        let net = &mut self.producers[p.index()].network;
        let back = self.network.sample(net);
        let again = self.network.sample(net);
        let extras = self.extras.as_deref_mut().expect("extras");
        let id = match extras.free_retries.pop() {
            Some(id) => {
                extras.retries[id as usize] = retry;
                id
            }
            None => {
                extras.retries.push(retry);
                (extras.retries.len() - 1) as u32
            }
        };
        self.events
            .schedule(now + back + again, Event::SendRetry { p, retry: id });
    }

    /// A producer's retry reaches the queue: billed like any send; a FIFO
    /// queue within the deduplication window stores nothing, any other
    /// stores a second copy of each message.
    pub(super) fn retry_arrive<O: Observer>(&mut self, now: SimTime, id: u32, obs: &mut O) {
        let extras = self.extras.as_deref_mut().expect("extras");
        let r = &extras.retries[id as usize];
        let (p, sent, attempt, n) = (r.p, r.sent, r.attempt, r.n as usize);
        let group = self.producer_group(p);
        if self.throttle_send(now, send_action(group.batch)) {
            let delay = self.backoff_producer(p, attempt);
            let extras = self.extras.as_deref_mut().expect("extras");
            extras.retries[id as usize].attempt += 1;
            self.events
                .schedule(now + delay, Event::SendRetry { p, retry: id });
            return;
        }
        let extras = self.extras.as_deref_mut().expect("extras");
        extras.free_retries.push(id);
        let r = &extras.retries[id as usize];
        let (sizes, groups, first) = (r.sizes, r.groups, r.first_arrival);
        let bytes: u64 = sizes[..n].iter().map(|&s| s as u64).sum();
        let billed = billing::billed_requests(bytes);
        if extras.fifo && now - first < DEDUP_WINDOW {
            self.rec.sent(now, 0, 0, group.batch > 1, billed);
            self.rec.deduplicated(now, n as u64);
            return;
        }
        let fifo = extras.fifo;
        let mut any_visible = false;
        for i in 0..n {
            any_visible |= if fifo {
                self.queue
                    .store_in_group(now, sent, sizes[i], groups[i], true)
            } else {
                let rng = &mut self.producers[p.index()].messages;
                let node = NodeId::new(self.placement.draw(rng));
                self.queue.store_copy(now, sent, sizes[i], node)
            };
        }
        self.rec.sent(now, n as u64, bytes, group.batch > 1, billed);
        self.arm_at(self.queue.store_due(now));
        obs.queue_changed(now, QueueChange::Sent { n: n as u32 }, &self.queue);
        if any_visible {
            self.wake_waiters(now, obs);
        }
    }

    /// Whether the quota throttles this send (then counted and billed).
    fn throttle_send(&mut self, now: SimTime, action: Action) -> bool {
        let Some(quota) = self.extras.as_deref_mut().and_then(|e| e.quota.as_mut()) else {
            return false;
        };
        if quota.admit(now, action) {
            return false;
        }
        self.rec.throttled(now);
        true
    }

    /// The time from a throttled send reaching the queue to its next try
    /// reaching it: the error's way back, the backoff, the way there.
    fn backoff_producer(&mut self, p: ProducerId, attempt: u32) -> SimTime {
        let extras = self.extras.as_deref_mut().expect("extras");
        let wait = backoff(attempt, &mut extras.producer_backoff[p.index()]);
        let net = &mut self.producers[p.index()].network;
        let back = self.network.sample(net);
        back + wait + self.network.sample(net)
    }

    /// The quota's hook for a consumer's call reaching the queue: `true` if
    /// it is throttled (counted, billed); the caller then schedules the try
    /// after the backoff this returns. An accepted call resets the count of
    /// throttled calls in a row.
    fn throttle_consumer(
        &mut self,
        now: SimTime,
        c: ConsumerId,
        action: Action,
    ) -> Option<SimTime> {
        let name = &self.cfg.consumers[self.consumers[c.index()].group as usize].name;
        let extras = self.extras.as_deref_mut()?;
        let quota = extras.quota.as_mut()?;
        let admitted = quota.admit(now, action);
        let (rng, attempts) = extras.consumer(c, name);
        if admitted {
            *attempts = 0;
            return None;
        }
        let wait = backoff(*attempts, rng);
        *attempts = (*attempts + 1).min(255);
        self.rec.throttled(now);
        Some(wait)
    }

    /// A receive reaching the queue: if the quota throttles it, the
    /// consumer gets the error one hop later, backs off, and polls again.
    #[inline]
    pub(super) fn throttled_receive(&mut self, now: SimTime, c: ConsumerId) -> bool {
        self.extras.is_some() && self.throttle_receive(now, c)
    }

    #[inline(never)]
    fn throttle_receive(&mut self, now: SimTime, c: ConsumerId) -> bool {
        let Some(wait) = self.throttle_consumer(now, c, Action::ReceiveMessage) else {
            return false;
        };
        let consumer = &mut self.consumers[c.index()];
        consumer.activity = Activity::Sleeping;
        let back = self.network.sample(&mut consumer.network);
        self.events.schedule(now + back + wait, Event::Poll { c });
        true
    }

    /// A delete reaching the queue: if the quota throttles it, the same
    /// request (the same receipts) is sent again after the backoff.
    #[inline]
    pub(super) fn throttled_delete(&mut self, now: SimTime, c: ConsumerId, batch: bool) -> bool {
        self.extras.is_some() && self.throttle_delete(now, c, batch)
    }

    #[inline(never)]
    fn throttle_delete(&mut self, now: SimTime, c: ConsumerId, batch: bool) -> bool {
        let action = if batch {
            Action::DeleteMessageBatch
        } else {
            Action::DeleteMessage
        };
        let Some(wait) = self.throttle_consumer(now, c, action) else {
            return false;
        };
        let net = &mut self.consumers[c.index()].network;
        let back = self.network.sample(net);
        let again = self.network.sample(net);
        // Not the network lane: the backoff breaks its order.
        self.events
            .schedule(now + back + wait + again, Event::DeleteArrive { c, batch });
        true
    }

    /// Counts the first deliveries of second copies in `c`'s response.
    #[inline]
    pub(super) fn count_duplicates(&mut self, now: SimTime, c: ConsumerId) {
        if self.extras.is_some() {
            self.count_duplicates_now(now, c);
        }
    }

    #[inline(never)]
    fn count_duplicates_now(&mut self, now: SimTime, c: ConsumerId) {
        let received = &self.consumers[c.index()].received;
        let n = received.iter().filter(|d| d.first && d.duplicate).count() as u64;
        if n > 0 {
            self.rec.duplicates_delivered(now, n);
        }
    }

    /// A message already in the queue at t = 0, on a FIFO queue: a group of
    /// its own, on the node it was placed on.
    pub(super) fn store_initial_in_group(&mut self, node: NodeId) -> bool {
        let Some(groups) = self.queue.groups_mut() else {
            return false;
        };
        let group = groups.add_group(node);
        // Visible at once, like a standard queue's initial messages.
        self.queue.store_in_group_initial(group);
        true
    }
}

/// The quota's action for a producer's send request.
fn send_action(batch: u32) -> Action {
    if batch > 1 {
        Action::SendMessageBatch
    } else {
        Action::SendMessage
    }
}
