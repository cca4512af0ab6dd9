//! The consumers' side of a run: each consumer polls (a short poll samples
//! some nodes and answers at once; a long poll asks every node and parks
//! until a message is visible or its wait is up), processes what it got one
//! message at a time, deletes the ones that did not fail (each at once, or
//! one batch at the end), and polls again — after `idle_wait` if the
//! response was empty.

use super::busy::FoldedBusy;
use super::concurrency::Slots;
use super::{Event, Sim, LANE_NETWORK, LANE_SLEEP, LANE_WAIT};
use crate::engine::rng::kind;
use crate::engine::{name_key, EventQueue, SimTime, StreamSeed};
use crate::model::billing;
use crate::model::config::{ConsumerConfig, DeleteMode, ModelConfig, QueueKind};
use crate::model::consumer::{Activity, Consumer};
use crate::model::dist::Delay;
use crate::model::ids::ConsumerId;
use crate::model::observer::{Observer, ServedReceive};
use crate::model::queue::DeleteOutcome;
use crate::model::sampling::unit;

/// The run's consumers, group after group, each with its own streams keyed
/// by its group's name and its index in the group; `fold`: the run allows
/// folds (`Sim::fold`).
pub(super) fn spawn(cfg: &ModelConfig, streams: &StreamSeed, fold: bool) -> Vec<Consumer> {
    let mut consumers = Vec::new();
    for (g, group) in cfg.consumers.iter().enumerate() {
        if group.lambda.is_some() {
            // An event source mapping spawns its own pollers (`lambda`).
            continue;
        }
        for i in 0..group.count as u64 {
            consumers.push(make(g as u32, group, streams, i, fold));
        }
    }
    consumers
}

/// Consumer `i` of group `g` (a scaler makes more while the run goes on).
pub(super) fn make(
    g: u32,
    group: &ConsumerConfig,
    streams: &StreamSeed,
    i: u64,
    fold: bool,
) -> Consumer {
    let key = name_key(&group.name);
    let mut c = Consumer::new(
        g,
        streams.stream(&[kind::CONSUMER_SAMPLING, key, i]),
        streams.stream(&[kind::CONSUMER_WORK, key, i]),
        streams.stream(&[kind::CONSUMER_NETWORK, key, i]),
    );
    if group.concurrency > 1 {
        c.slots = Some(Box::new(Slots::new(group.concurrency)));
    }
    c.fold = fold && folds(group);
    c
}

/// Whether a consumer of `group` folds its steps (`process_folded`,
/// `response_folded`, `poll_folded`): one message at a time, deleted on its
/// own, never failing, no heartbeat, no scaler. Then the arrival of a
/// response, the end of processing, a delete's response and a poll touch
/// nothing but the consumer itself (no draw of another stream, no state
/// another actor reads) except two things folded with care: the processing
/// level (`busy::FoldedBusy`) and the latencies, recorded at the instant
/// the response arrives. Nothing can stop such a consumer from outside but
/// its group's stop time, which is known in advance (a scaler's retiring
/// is not: a scaled group keeps its polls as events).
fn folds(group: &ConsumerConfig) -> bool {
    group.lambda.is_none()
        && group.concurrency <= 1
        && group.heartbeat.is_none()
        && group.autoscale.is_none()
        && group.delete == DeleteMode::Each
        && group.fail_rate == 0.0
}

/// Consumer `c` (folded, in hand) sends its next ReceiveMessage at `at`
/// (`start_poll` at a later instant than the current event's): unless its
/// group has stopped by then, its request reaches the queue one network
/// hop after `at`.
#[inline(always)]
fn poll_folded(
    consumer: &mut Consumer,
    group: &ConsumerConfig,
    network: &Delay,
    events: &mut EventQueue<Event>,
    at: SimTime,
    c: ConsumerId,
) {
    if at >= group.stop {
        // `start_poll`'s stop; `stopped_polling` has nothing to do for a
        // consumer that cannot be retiring.
        consumer.activity = Activity::Idle;
        return;
    }
    consumer.activity = Activity::Receiving;
    consumer.serial = consumer.serial.wrapping_add(1);
    let d = network.sample(&mut consumer.network);
    // The heap, not the network lane: scheduled ahead of the hops that the
    // lane receives meanwhile.
    events.schedule(at + d, Event::ReceiveArrive { c });
}

/// Consumer `c` (folded, in hand) processes `received[next]` from `start`
/// and sends its delete when done: `ProcessDone`'s work, done now rather
/// than as an event at the end of processing. `now` is the current event's
/// time (at most `start`).
///
/// Why this is the same model: the processing time and the delete's
/// network delay are drawn from the consumer's own streams, in the same
/// order as unfolded (nothing else draws from them meanwhile), and the
/// delete reaches the queue at the same instant. What changes is when the
/// delete's event is scheduled, so at a tie in time it may run on the other
/// side of another event, as with `producers::create_batch`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn process_folded(
    consumer: &mut Consumer,
    group: &ConsumerConfig,
    network: &Delay,
    events: &mut EventQueue<Event>,
    busy: &mut FoldedBusy,
    now: SimTime,
    start: SimTime,
    c: ConsumerId,
) {
    let end = start + group.processing.sample_time(&mut consumer.work);
    busy.push(now, start, end);
    let d = consumer.received[consumer.next];
    consumer.to_delete.push((d.slot, d.receipt));
    consumer.activity = Activity::Deleting;
    let t = network.sample(&mut consumer.network);
    // The heap, not the network lane: the arrival is after a random
    // processing time, out of order with the lane's other hops.
    events.schedule(end + t, Event::DeleteArrive { c, batch: false });
}

/// Whether every long poll of the run waits the same time (and no Lambda
/// poller, whose wait ends at its batch window): then the polls' waits end
/// in the order they parked, and one timer serves them all (`Sim::park`).
pub(super) fn one_wait_time(cfg: &ModelConfig) -> bool {
    let mut waits = cfg
        .consumers
        .iter()
        .map(|g| g.wait_time)
        .filter(|w| !w.is_zero());
    let first = waits.next();
    cfg.consumers.iter().all(|g| g.lambda.is_none()) && waits.all(|w| Some(w) == first)
}

/// `receive_max` for a loop consumer whose group is in hand: what it has
/// room for (`max_messages`, or its free slots with `concurrency`).
#[inline(always)]
pub(super) fn max_of(consumer: &Consumer, group: &ConsumerConfig) -> u32 {
    match &consumer.slots {
        Some(s) => s.ask,
        None => group.max_messages,
    }
}

/// Consumer `c` of `group` sends a ReceiveMessage now, unless its group has
/// stopped or it retires (then it is left idle and this answers false: the
/// caller reports it, `stopped_polling`). Takes the consumer in hand, so a
/// handler that has it does not look it up again.
#[inline(always)]
fn start_poll(
    consumer: &mut Consumer,
    group: &ConsumerConfig,
    network: &Delay,
    events: &mut EventQueue<Event>,
    now: SimTime,
    c: ConsumerId,
) -> bool {
    if now >= group.stop || consumer.retiring {
        consumer.activity = Activity::Idle;
        return false;
    }
    if let Some(s) = consumer.slots.as_mut() {
        s.receiving = true;
        s.ask = s.free.min(group.max_messages);
    }
    consumer.activity = Activity::Receiving;
    consumer.serial = consumer.serial.wrapping_add(1);
    let d = network.sample(&mut consumer.network);
    events.schedule_fifo(LANE_NETWORK, now + d, Event::ReceiveArrive { c });
    true
}

/// Consumer `c` sends DeleteMessage (or, `batch`, DeleteMessageBatch) for
/// its `to_delete` now and waits for the answer. Takes the consumer in
/// hand, like `start_poll`.
#[inline(always)]
fn start_delete(
    consumer: &mut Consumer,
    network: &Delay,
    events: &mut EventQueue<Event>,
    now: SimTime,
    c: ConsumerId,
    batch: bool,
) {
    consumer.activity = Activity::Deleting;
    let t = network.sample(&mut consumer.network);
    events.schedule_fifo(LANE_NETWORK, now + t, Event::DeleteArrive { c, batch });
}

impl<'a> Sim<'a> {
    pub(super) fn consumer_group(&self, c: ConsumerId) -> &'a ConsumerConfig {
        &self.cfg.consumers[self.consumers[c.index()].group as usize]
    }

    /// Each consumer's first poll, at its group's start.
    pub(super) fn schedule_consumers(&mut self) {
        for (i, consumer) in self.consumers.iter().enumerate() {
            let group = &self.cfg.consumers[consumer.group as usize];
            if group.start < group.stop {
                let c = ConsumerId::new(i as u32);
                self.events.schedule(group.start, Event::Poll { c });
            }
        }
    }

    /// The consumer sends a ReceiveMessage, unless its group has stopped.
    /// Out of line: the handlers that finish a response poll through
    /// `start_poll` with the consumer in hand, and inlining this one into
    /// the event loop's dispatch as well cost more than the call.
    #[inline(never)]
    pub(super) fn poll(&mut self, now: SimTime, c: ConsumerId) {
        let cfg = self.cfg;
        let consumer = &mut self.consumers[c.index()];
        let group = &cfg.consumers[consumer.group as usize];
        if !start_poll(consumer, group, &self.network, &mut self.events, now, c) {
            self.stopped_polling(now, c);
        }
    }

    /// The receive reaches the queue, which bills it and serves it: a short
    /// poll at once, a long poll at once if anything is visible, else parked.
    pub(super) fn receive_arrive<O: Observer>(&mut self, now: SimTime, c: ConsumerId, obs: &mut O) {
        if self.throttled_receive(now, c) {
            return;
        }
        // The group is looked up once here and handed on (it borrows the
        // config, not `self`), not again by each step of the receive.
        let group = self.consumer_group(c);
        let long = !group.wait_time.is_zero();
        self.rec.receive_request(now, long);
        self.consumers[c.index()].received.clear();
        if long {
            self.long_poll(now, c, group, obs);
        } else {
            self.short_poll(now, c, group, obs);
        }
    }

    fn short_poll<O: Observer>(
        &mut self,
        now: SimTime,
        c: ConsumerId,
        group: &'a ConsumerConfig,
        obs: &mut O,
    ) {
        let depth = self.queue.receivable();
        if self.queue.in_flight_room() == 0 && self.cfg.queue.kind == QueueKind::Fifo {
            // A FIFO queue at its limit gives no error: the receive comes
            // back empty, a true empty (nothing may be delivered).
            self.respond(now, c, group, None, obs);
            return;
        }
        let consumer = &mut self.consumers[c.index()];
        let max = max_of(consumer, group);
        if self.queue.in_flight_room() == 0 {
            // OverLimit error: no messages, not an empty response.
            self.rec.overlimit(now);
            obs.overlimit(now, c);
            let d = self.network.sample(&mut consumer.network);
            self.events
                .schedule_fifo(LANE_NETWORK, now + d, Event::ReceiveResponse { c });
            return;
        }
        self.sampler.sample(
            &mut consumer.sampling,
            self.queue.up_mask(),
            self.queue.up_count(),
            self.cfg.queue.sample_nodes,
            &mut consumer.sampled,
        );
        if obs.wants_detail() {
            obs.before_short_poll(now, c, &consumer.sampled, &self.queue);
        }
        self.queue.receive_from(
            now,
            &consumer.sampled,
            max,
            group.visibility_timeout,
            &mut consumer.received,
        );
        self.respond(now, c, group, Some(depth), obs);
    }

    fn long_poll<O: Observer>(
        &mut self,
        now: SimTime,
        c: ConsumerId,
        group: &'a ConsumerConfig,
        obs: &mut O,
    ) {
        let (max, wait) = self.shape_of(now, c, group);
        let consumer = &mut self.consumers[c.index()];
        // Nothing to take from an empty queue (most long polls find it so
        // and park): the test spares `receive_any` its set-up.
        if self.queue.receivable() > 0 && self.queue.in_flight_room() > 0 {
            let timeout = group.visibility_timeout;
            self.queue
                .receive_any(now, max, timeout, &mut consumer.received);
        }
        if !consumer.received.is_empty() {
            self.respond(now, c, group, None, obs);
            return;
        }
        // Park: woken by the next message to become visible, or empty after W.
        consumer.activity = Activity::Waiting;
        obs.long_poll_parked(now, c, wait);
        self.park(c, now + wait);
    }

    /// Parks consumer `c`'s long poll until `until` at the latest. With one
    /// wait time for the whole run (`one_wait`), the parked polls share one
    /// timer, set for the oldest of them: most polls are served before their
    /// wait is up, and a timer per poll would then fire for nothing. The
    /// timer fires at the instant each unserved poll's wait is up, as its own
    /// timer would: it is set, while any poll is parked, for the wait that
    /// ends first (polls park in the order their waits end), and set again
    /// for the next oldest when it fires (`wait_timeout`).
    fn park(&mut self, c: ConsumerId, until: SimTime) {
        let consumer = &mut self.consumers[c.index()];
        let serial = consumer.serial;
        consumer.wait_until = until;
        self.queue.push_waiter(c, serial);
        if self.one_wait {
            if self.wait_armed {
                return;
            }
            self.wait_armed = true;
        }
        self.events
            .schedule_fifo(LANE_WAIT, until, Event::WaitTimeout { c, serial });
    }

    /// A parked long poll's wait is up: it answers empty if it is still
    /// waiting (a message may have woken it meanwhile).
    pub(super) fn wait_timeout<O: Observer>(
        &mut self,
        now: SimTime,
        c: ConsumerId,
        serial: u32,
        obs: &mut O,
    ) {
        if self.consumers[c.index()].is_waiting(serial) {
            let group = self.consumer_group(c);
            self.respond(now, c, group, None, obs);
        }
        let consumers = &self.consumers;
        self.queue
            .prune_waiters(|c, s| consumers[c.index()].is_waiting(s));
        if self.one_wait {
            // The shared timer goes on to the oldest poll still parked.
            self.wait_armed = false;
            if let Some((c, serial)) = self.queue.front_waiter() {
                let until = self.consumers[c.index()].wait_until;
                self.wait_armed = true;
                self.events
                    .schedule_fifo(LANE_WAIT, until, Event::WaitTimeout { c, serial });
            }
        }
    }

    /// `receive_shape`, with the group already in hand: a loop consumer's
    /// `receive_max` without looking its group up again.
    #[inline(always)]
    fn shape_of(&self, now: SimTime, c: ConsumerId, group: &ConsumerConfig) -> (u32, SimTime) {
        match group.lambda {
            None => (max_of(&self.consumers[c.index()], group), group.wait_time),
            Some(_) => self.receive_shape(now, c, group),
        }
    }

    /// Serves parked long polls, oldest first, while messages are visible.
    /// Every send and every freed in-flight slot asks; with nobody parked
    /// (always, under short polling) the answer is one test, not a call.
    #[inline(always)]
    pub(super) fn wake_waiters<O: Observer>(&mut self, now: SimTime, obs: &mut O) {
        if self.queue.has_waiters() {
            self.serve_waiters(now, obs);
        }
    }

    fn serve_waiters<O: Observer>(&mut self, now: SimTime, obs: &mut O) {
        while self.queue.receivable() > 0 && self.queue.in_flight_room() > 0 {
            let consumers = &self.consumers;
            let Some(c) = self
                .queue
                .pop_waiter(|c, s| consumers[c.index()].is_waiting(s))
            else {
                return;
            };
            let group = self.consumer_group(c);
            let (max, _) = self.shape_of(now, c, group);
            let timeout = group.visibility_timeout;
            // Straight into the consumer's hand (the queue and the consumers
            // are distinct fields), not through a scratch Vec swapped in.
            let received = &mut self.consumers[c.index()].received;
            received.clear();
            self.queue.receive_any(now, max, timeout, received);
            self.respond(now, c, group, None, obs);
        }
    }

    /// Sends the response for `c`'s receive (its `received`), classifying it.
    /// Only a short poll that sampled nodes (`short_depth` is its depth) can
    /// be a false empty: it is one when it returns nothing while messages
    /// are visible. A long poll's empty response after its wait is always a
    /// true empty, whatever is visible then (e.g. at the in-flight limit).
    fn respond<O: Observer>(
        &mut self,
        now: SimTime,
        c: ConsumerId,
        group: &ConsumerConfig,
        short_depth: Option<u64>,
        obs: &mut O,
    ) {
        if !self.consumers[c.index()].received.is_empty() {
            // The deliveries' visibility timeouts.
            self.arm_at(now + group.visibility_timeout);
            self.count_duplicates(now, c);
        }
        let consumer = &mut self.consumers[c.index()];
        consumer.activity = Activity::Receiving;
        consumer.served = now;
        let received = &consumer.received;
        // One pass over the deliveries for both sums.
        let (bytes, redelivered) = received.iter().fold((0u64, 0u64), |(b, r), d| {
            (b + d.size as u64, r + !d.first as u64)
        });
        let false_empty =
            received.is_empty() && short_depth.is_some() && self.queue.receivable() > 0;
        self.rec.receive_response(
            now,
            received.len() as u64,
            redelivered,
            short_depth,
            false_empty,
            billing::response_extra_requests(bytes),
        );
        let served = ServedReceive {
            now,
            consumer: c,
            short_poll_depth: short_depth,
            sampled: match short_depth {
                Some(_) => &consumer.sampled,
                None => &[],
            },
            delivered: received,
            false_empty,
        };
        obs.served(&served, &self.queue);
        let d = self.network.sample(&mut consumer.network);
        if consumer.fold {
            self.response_folded(now, now + d, c, group);
        } else {
            self.events
                .schedule_fifo(LANE_NETWORK, now + d, Event::ReceiveResponse { c });
        }
    }

    /// `receive_response`, folded: the response served `now` reaches the
    /// folded consumer `c` at `at`, whose next steps are scheduled now: the
    /// next poll (after `idle_wait`) if it is empty, else the processing of
    /// its first message. Its latencies are recorded as of `at`, and only
    /// if `at` is inside the run, where the response's event would have run
    /// (the recorder's sums do not depend on the order of the calls).
    #[inline(always)]
    fn response_folded(
        &mut self,
        now: SimTime,
        at: SimTime,
        c: ConsumerId,
        group: &ConsumerConfig,
    ) {
        let consumer = &mut self.consumers[c.index()];
        let (network, events) = (&self.network, &mut self.events);
        if consumer.received.is_empty() {
            let poll = at + group.idle_wait;
            poll_folded(consumer, group, network, events, poll, c);
            return;
        }
        if at < self.cfg.duration {
            self.rec.latencies(at, &consumer.received);
        }
        consumer.next = 0;
        consumer.to_delete.clear();
        let busy = &mut self.folded_busy;
        process_folded(consumer, group, network, events, busy, now, at, c);
    }

    /// The response reaches the consumer: an empty one means poll again
    /// (after `idle_wait`, if any); messages are processed one by one.
    pub(super) fn receive_response(&mut self, now: SimTime, c: ConsumerId) {
        // The consumer and its group are looked up once, the next poll of
        // an empty response included (`start_poll`).
        let cfg = self.cfg;
        let consumer = &mut self.consumers[c.index()];
        let group = &cfg.consumers[consumer.group as usize];
        if group.lambda.is_some() || consumer.slots.is_some() {
            return self.other_response(now, c);
        }
        if consumer.received.is_empty() {
            if group.idle_wait.is_zero() {
                if !start_poll(consumer, group, &self.network, &mut self.events, now, c) {
                    self.stopped_polling(now, c);
                }
            } else {
                consumer.activity = Activity::Sleeping;
                self.events
                    .schedule_fifo(LANE_SLEEP, now + group.idle_wait, Event::Poll { c });
            }
            return;
        }
        self.rec.latencies(now, &consumer.received);
        consumer.next = 0;
        consumer.to_delete.clear();
        consumer.activity = Activity::Processing;
        let t = group.processing.sample_time(&mut consumer.work);
        self.events.schedule(now + t, Event::ProcessDone { c });
        self.busy += 1;
        self.start_heartbeat_of(now, c, group);
    }

    /// A response to a Lambda poller or a consumer with slots. Out of line:
    /// inlined, their code made the plain loop's response save and reload
    /// its values around it (a larger frame, more spills).
    #[inline(never)]
    fn other_response(&mut self, now: SimTime, c: ConsumerId) {
        if self.consumer_group(c).lambda.is_some() {
            self.poller_response(now, c);
        } else {
            self.slots_response(now, c);
        }
    }

    /// A message is processed: unless it failed, it is to be deleted (at
    /// once with `delete = "each"`, else in the batch at the end).
    /// Always inlined (once a message, into the event loop): out of line,
    /// its call saved and restored six registers around a dozen lines.
    #[inline(always)]
    pub(super) fn process_done(&mut self, now: SimTime, c: ConsumerId) {
        self.busy -= 1;
        // The consumer and its group are looked up once, and the delete is
        // sent with the consumer in hand (each look-up again cost a bounds
        // check and an address).
        let cfg = self.cfg;
        let consumer = &mut self.consumers[c.index()];
        let group = &cfg.consumers[consumer.group as usize];
        let failed = group.fail_rate > 0.0 && unit(&mut consumer.work) < group.fail_rate;
        if !failed {
            let d = consumer.received[consumer.next];
            consumer.to_delete.push((d.slot, d.receipt));
            if group.delete == DeleteMode::Each {
                // `start_delete`'s three lines, written out: the call, inlined
                // all the same, measured +0.5 % instructions on the
                // reference load (the event loop's inlining shifted).
                consumer.activity = Activity::Deleting;
                let t = self.network.sample(&mut consumer.network);
                let event = Event::DeleteArrive { c, batch: false };
                self.events.schedule_fifo(LANE_NETWORK, now + t, event);
                return;
            }
        }
        self.next_message(now, c);
    }

    /// After a message is done (and deleted if `each`): the next one, or the
    /// batch delete, or the next poll.
    pub(super) fn next_message(&mut self, now: SimTime, c: ConsumerId) {
        // The consumer and its group are looked up once, the next poll
        // included (`start_poll`).
        let cfg = self.cfg;
        let consumer = &mut self.consumers[c.index()];
        let group = &cfg.consumers[consumer.group as usize];
        if consumer.activity == Activity::Deleting && group.delete == DeleteMode::Batch {
            // The batch delete has completed: the response is done.
            consumer.received.clear();
            if !start_poll(consumer, group, &self.network, &mut self.events, now, c) {
                self.stopped_polling(now, c);
            }
            return;
        }
        consumer.next += 1;
        if consumer.next < consumer.received.len() {
            consumer.activity = Activity::Processing;
            let t = group.processing.sample_time(&mut consumer.work);
            self.events.schedule(now + t, Event::ProcessDone { c });
            self.busy += 1;
            return;
        }
        if group.delete == DeleteMode::Batch && !consumer.to_delete.is_empty() {
            // Looked up again: with the borrow above carried into the call,
            // the reference load measured +0.5 % instructions (inlining).
            let consumer = &mut self.consumers[c.index()];
            start_delete(consumer, &self.network, &mut self.events, now, c, true);
            return;
        }
        consumer.received.clear();
        if !start_poll(consumer, group, &self.network, &mut self.events, now, c) {
            self.stopped_polling(now, c);
        }
    }

    /// The delete reaches the queue: each receipt deletes its message or is
    /// stale; freeing room under the in-flight limit may wake long polls.
    pub(super) fn delete_arrive<O: Observer>(
        &mut self,
        now: SimTime,
        c: ConsumerId,
        batch: bool,
        obs: &mut O,
    ) {
        if self.throttled_delete(now, c, batch) {
            return;
        }
        let consumer = &mut self.consumers[c.index()];
        let (mut deleted, mut freed) = (0, 0);
        for &(slot, receipt) in &consumer.to_delete {
            match self.queue.delete(slot, receipt) {
                DeleteOutcome::InFlight => (deleted, freed) = (deleted + 1, freed + 1),
                DeleteOutcome::Visible => deleted += 1,
                DeleteOutcome::Stale => {}
            }
        }
        let stale = consumer.to_delete.len() as u64 - deleted;
        consumer.to_delete.clear();
        self.rec.delete_request(now, batch, deleted, stale);
        let t = self.network.sample(&mut consumer.network);
        if consumer.fold {
            // The response reaches the consumer at `now + t`, which starts
            // on its next message there, or polls again: `next_message`,
            // folded.
            let group = &self.cfg.consumers[consumer.group as usize];
            let (network, events) = (&self.network, &mut self.events);
            consumer.next += 1;
            if consumer.next < consumer.received.len() {
                let busy = &mut self.folded_busy;
                process_folded(consumer, group, network, events, busy, now, now + t, c);
            } else {
                consumer.received.clear();
                poll_folded(consumer, group, network, events, now + t, c);
            }
        } else {
            self.events
                .schedule_fifo(LANE_NETWORK, now + t, Event::DeleteResponse { c });
        }
        if freed > 0 && (self.queue.in_flight_room() == freed || self.queue.take_unblocked()) {
            // Room under the in-flight limit again, or a FIFO group no
            // longer blocked: parked long polls may take the messages that
            // were visible all along.
            self.wake_waiters(now, obs);
        }
    }
}
