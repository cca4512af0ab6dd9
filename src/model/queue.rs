//! The SQS queue itself: storing, receiving, deleting, and the clocks that
//! move messages between states (delay end, visibility timeout, retention).
//!
//! Clocks are FIFO lanes instead of one event per message: every message in a
//! lane got the same timeout, so lane order is due order and a single engine
//! event (`QueueTimer`) at the earliest due time serves them all. Entries of
//! messages deleted meanwhile are skipped when they reach the front, or
//! dropped all at once when a lane outgrows twice the live entries it could
//! hold. This keeps the event heap small and its memory bounded by live
//! messages, whatever the timeouts.

use super::config::QueueKind;
use super::fleet::Fleet;
use super::groups::Groups;
use super::ids::{ConsumerId, NodeId};
use super::messages::{Fifo, Message, Slab, State};
use crate::engine::SimTime;
use std::collections::VecDeque;

/// The size of a message already in the queue at t = 0 (`initial_messages`).
pub(crate) const INITIAL_MESSAGE_BYTES: u32 = 1024;

/// One message handed to a consumer.
#[derive(Copy, Clone, Debug)]
pub struct Delivery {
    pub slot: u32,
    pub receipt: u64,
    pub seq: u64,
    pub sent: SimTime,
    pub size: u32,
    pub node: NodeId,
    /// This is the message's first delivery (latency is measured on these).
    pub first: bool,
    /// The message is a copy stored by a producer's retry.
    pub duplicate: bool,
}

// Copied into every consumer's hand: keep it five words.
const _: () = assert!(std::mem::size_of::<Delivery>() <= 40);

/// What the queue did, over the whole run (not only after warm-up): the
/// conservation identity is checked on these.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub sent: u64,
    pub deleted: u64,
    pub dead_lettered: u64,
    pub expired: u64,
    pub received: u64,
    pub redeliveries: u64,
}

/// Figures about the queue's own bookkeeping at the end of a run, for the
/// tests of its invariants (conservation, memory bounded by live messages).
/// A library user has no need of them: [`crate::model::RunResult`] keeps them
/// behind one method.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    pub totals: Totals,
    /// Messages the queue still holds, in any state.
    pub live_messages: u64,
    /// Entries held by the lazily-cleaned indexes, stale ones included.
    pub index_entries: usize,
}

/// Where the queue's messages are at one instant (a time-series bucket's
/// end, the end of the run).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Levels {
    /// Visible on nodes that are up: what a receive could get.
    pub(crate) visible: u64,
    pub(crate) in_flight: u64,
    pub(crate) delayed: u64,
    /// Visible, but stranded on nodes that are down.
    pub(crate) unreachable: u64,
    /// FIFO: groups with a message in flight (0 on a standard queue).
    pub(crate) groups_in_flight: u64,
}

/// What a DeleteMessage did to one message.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DeleteOutcome {
    /// Deleted while in flight (room under the in-flight limit freed).
    InFlight,
    /// Deleted after its visibility timeout had run out: the receipt was
    /// still the most recent one (standard queues only).
    Visible,
    /// An older receipt (or the message is gone): nothing happens.
    Stale,
}

/// Messages moved by a timer, for the recorder and `explain`.
#[derive(Clone, Debug, Default)]
pub(crate) struct TimerOutcome {
    pub(crate) became_visible: u64,
    pub(crate) dead_lettered: u64,
    pub(crate) expired: u64,
}

/// Where a receive's visibility timers go: the lane of its timeout, and the
/// time they are due.
#[derive(Copy, Clone)]
struct VtClock {
    lane: usize,
    due: SimTime,
}

struct VtLane {
    timeout: SimTime,
    q: Fifo<VtEntry>,
}

/// A visibility timeout that may run out: valid while the message is in
/// flight under this receipt and lease.
#[derive(Copy, Clone)]
struct VtEntry {
    due: SimTime,
    slot: u32,
    lease: u16,
    receipt: u64,
}

impl VtEntry {
    #[inline]
    fn holds(&self, m: &Message) -> bool {
        m.state == State::InFlight && m.receipt == self.receipt && m.lease == self.lease
    }
}

/// One queue: its messages, the fleet that holds the visible ones, its
/// clocks and its parked long polls. Every change goes through a method, so
/// the counts it keeps (in flight, delayed, totals) stay true.
pub struct SqsQueue {
    msgs: Slab,
    fleet: Fleet,
    delay: SimTime,
    retention: SimTime,
    max_receive_count: Option<u32>,
    in_flight_limit: u64,
    /// FIFO queue: a receipt expires with its visibility timeout.
    receipts_expire: bool,
    next_seq: u64,
    next_receipt: u64,
    vt_lanes: Vec<VtLane>,
    delay_lane: VecDeque<(SimTime, u32, u64)>, // (due, slot, seq)
    /// Live messages in storage order, for retention (lazily compacted).
    expiry: Fifo<(u64, u32)>, // (seq, slot)
    /// Whether a message can outlive its retention before the run ends
    /// (`ends_at`): if not, `expiry` stays empty, which changes nothing
    /// but the work (its due times, and timers for them, would all fall
    /// after the run's last instant).
    expires_in_run: bool,
    /// Long polls waiting for a message: (consumer, request serial), oldest first.
    waiters: Fifo<(ConsumerId, u32)>,
    in_flight: u64,
    delayed: u64,
    totals: Totals,
    /// A FIFO queue's store of visible messages, by message group (the
    /// fleet then holds none): chosen once, at creation.
    groups: Option<Box<Groups>>,
    /// Scratch: the slots a FIFO receive takes from one group.
    group_head: Vec<u32>,
}

impl SqsQueue {
    pub fn new(
        nodes: u32,
        delay: SimTime,
        retention: SimTime,
        max_receive_count: Option<u32>,
        in_flight_limit: u64,
        kind: QueueKind,
    ) -> SqsQueue {
        SqsQueue {
            msgs: Slab::default(),
            fleet: Fleet::new(nodes),
            delay,
            retention,
            max_receive_count,
            in_flight_limit,
            receipts_expire: kind == QueueKind::Fifo,
            next_seq: 0,
            next_receipt: 1,
            vt_lanes: Vec::new(),
            delay_lane: VecDeque::new(),
            expiry: Fifo::default(),
            expires_in_run: true,
            waiters: Fifo::default(),
            in_flight: 0,
            delayed: 0,
            totals: Totals::default(),
            groups: None,
            group_head: Vec::new(),
        }
    }

    /// The run ends at `end` (its last instant is just before): a
    /// retention that long or longer never ends a message's life in it.
    pub(crate) fn ends_at(mut self, end: SimTime) -> SqsQueue {
        self.expires_in_run = self.retention < end;
        self
    }

    /// Makes this a FIFO queue whose messages live in `groups`.
    pub(crate) fn with_groups(mut self, groups: Groups) -> SqsQueue {
        self.groups = Some(Box::new(groups));
        self
    }

    /// The FIFO groups' store, if this is a FIFO queue.
    pub(crate) fn groups(&self) -> Option<&Groups> {
        self.groups.as_deref()
    }

    /// The message group of the live message in `slot` (FIFO queues; for
    /// tests and teaching mode).
    pub fn group_of(&self, slot: u32) -> Option<u32> {
        self.groups.as_deref().map(|g| g.group_of(slot))
    }

    pub(crate) fn groups_mut(&mut self) -> Option<&mut Groups> {
        self.groups.as_deref_mut()
    }

    /// Visible messages on nodes that are up (on a FIFO queue, blocked
    /// groups' messages included, as CloudWatch counts them).
    pub(crate) fn visible(&self) -> u64 {
        match &self.groups {
            None => self.fleet.visible_reachable(),
            Some(g) => g.visible_up(),
        }
    }

    /// What a receive could take from now, the depth a short poll's verdict
    /// is judged on: visible messages on up nodes; on a FIFO queue, the
    /// *available* groups (not blocked, on up nodes), since a group's
    /// messages sit together and a blocked group gives nothing.
    #[inline]
    pub(crate) fn receivable(&self) -> u64 {
        match &self.groups {
            None => self.fleet.visible_reachable(),
            Some(g) => g.available_up(),
        }
    }

    /// Whether a FIFO group became available since the last call (a delete
    /// unblocked it): parked long polls may then take its messages.
    pub(crate) fn take_unblocked(&mut self) -> bool {
        self.groups.as_mut().is_some_and(|g| g.take_unblocked())
    }

    pub(crate) fn levels(&self) -> Levels {
        let (unreachable, groups_in_flight) = match &self.groups {
            None => (self.fleet.visible_unreachable(), 0),
            Some(g) => (g.visible_down(), g.groups_in_flight()),
        };
        Levels {
            visible: self.visible(),
            in_flight: self.in_flight,
            delayed: self.delayed,
            unreachable,
            groups_in_flight,
        }
    }

    /// When the oldest visible message on an up node was stored, found
    /// without a scan: the fleet's oldest node (standard), or the oldest
    /// available group's head (FIFO: a blocked group's waiting messages are
    /// not indexed, see `docs/model.md`).
    pub(crate) fn oldest_visible_stored(&self) -> Option<SimTime> {
        let slot = match &self.groups {
            None => self.fleet.oldest_slot()?,
            Some(g) => g.oldest_available_head()?,
        };
        Some(self.msgs.get(slot).stored)
    }

    /// Which nodes are up, by node index (a short poll samples among them).
    pub fn up_mask(&self) -> &[bool] {
        self.fleet.up()
    }

    /// How many nodes are up.
    pub fn up_count(&self) -> u32 {
        self.fleet.up_count()
    }

    pub(crate) fn node_count(&self) -> u32 {
        self.fleet.nodes()
    }

    pub(crate) fn is_up(&self, node: NodeId) -> bool {
        self.fleet.is_up(node)
    }

    /// The live messages, in slot order (teaching mode draws the queue).
    pub(crate) fn messages(&self) -> impl Iterator<Item = &Message> {
        self.msgs.iter()
    }

    /// How many more messages may go in flight before the OverLimit error.
    pub(crate) fn in_flight_room(&self) -> u64 {
        self.in_flight_limit.saturating_sub(self.in_flight)
    }

    /// Stores a message on `node`, delayed by `queue.delay` if any. Returns
    /// true if it is visible at once.
    pub fn store(&mut self, now: SimTime, sent: SimTime, size: u32, node: NodeId) -> bool {
        self.store_as(now, sent, size, node, !self.delay.is_zero())
    }

    /// Stores a message that was in the queue before the run began: visible
    /// at once, its delay (if any) long over.
    pub(crate) fn store_initial(&mut self, size: u32, node: NodeId) {
        self.store_as(SimTime::ZERO, SimTime::ZERO, size, node, false);
    }

    /// Stores a FIFO message in `group` (on the group's node); `duplicate`:
    /// a second copy (a producer's retry past the deduplication window).
    /// Returns true if it is visible at once.
    pub(crate) fn store_in_group(
        &mut self,
        now: SimTime,
        sent: SimTime,
        size: u32,
        group: u32,
        duplicate: bool,
    ) -> bool {
        self.store_grouped(now, sent, size, group, self.delays(), duplicate)
    }

    /// A FIFO queue's initial message, in `group`: visible at once.
    pub(crate) fn store_in_group_initial(&mut self, group: u32) {
        self.store_grouped(
            SimTime::ZERO,
            SimTime::ZERO,
            INITIAL_MESSAGE_BYTES,
            group,
            false,
            false,
        );
    }

    fn store_grouped(
        &mut self,
        now: SimTime,
        sent: SimTime,
        size: u32,
        group: u32,
        delayed: bool,
        duplicate: bool,
    ) -> bool {
        let groups = self.groups.as_deref().expect("a FIFO queue");
        let node = groups.node_of(group);
        let seq = self.next_seq;
        let slot = self.store_message(now, sent, size, node, delayed, false);
        self.msgs.get_mut(slot).duplicate = duplicate;
        let groups = self.groups.as_deref_mut().expect("a FIFO queue");
        groups.store(slot, seq, group, !delayed, &self.msgs);
        !delayed
    }

    /// Stores a standard queue's second copy of a message (a producer's
    /// retry), flagged so that its first delivery counts as a duplicate.
    pub(crate) fn store_copy(
        &mut self,
        now: SimTime,
        sent: SimTime,
        size: u32,
        node: NodeId,
    ) -> bool {
        let delayed = self.delays();
        let slot = self.store_message(now, sent, size, node, delayed, true);
        self.msgs.get_mut(slot).duplicate = true;
        !delayed
    }

    /// Whether a new message is delayed (`queue.delay`).
    pub(crate) fn delays(&self) -> bool {
        !self.delay.is_zero()
    }

    #[inline(always)]
    fn store_as(
        &mut self,
        now: SimTime,
        sent: SimTime,
        size: u32,
        node: NodeId,
        delayed: bool,
    ) -> bool {
        self.store_message(now, sent, size, node, delayed, true);
        !delayed
    }

    /// Stores a message and returns its slot; `in_fleet`: a visible one goes
    /// to the fleet (a FIFO queue's goes to its group instead).
    #[inline(always)]
    fn store_message(
        &mut self,
        now: SimTime,
        sent: SimTime,
        size: u32,
        node: NodeId,
        delayed: bool,
        in_fleet: bool,
    ) -> u32 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.totals.sent += 1;
        let slot = self.msgs.insert(Message {
            seq,
            sent,
            stored: now,
            receipt: 0,
            size,
            node,
            receives: 0,
            lease: 0,
            state: if delayed {
                State::Delayed
            } else {
                State::Visible
            },
            duplicate: false,
        });
        if self.expires_in_run {
            self.expiry.push_back((seq, slot));
            // Lazily deleted entries must not outgrow the live messages.
            if self.expiry.len() as u64 > 2 * self.msgs.live() + 1024 {
                self.compact_expiry();
            }
        }
        if delayed {
            self.delayed += 1;
            self.delay_lane.push_back((now + self.delay, slot, seq));
        } else if in_fleet {
            self.fleet.push_newest(node, seq, slot);
        }
        slot
    }

    /// Drops the retention clock's entries of messages gone (out of line and
    /// front first, as in [`Self::compact_vt`]).
    #[cold]
    #[inline(never)]
    fn compact_expiry(&mut self) {
        let msgs = &self.msgs;
        let live = |&(seq, slot): &(u64, u32)| {
            let m = msgs.get(slot);
            m.seq == seq && m.state != State::Free
        };
        let dead_run = self
            .expiry
            .iter()
            .position(live)
            .unwrap_or(self.expiry.len());
        self.expiry.drop_front(dead_run);
        self.expiry.retain(live);
    }

    /// The earliest due time that a message stored at `now` adds to the
    /// clocks (its retention, and the end of its delay if any).
    pub(crate) fn store_due(&self, now: SimTime) -> SimTime {
        let expiry = match self.expires_in_run {
            true => now + self.retention,
            false => SimTime::MAX,
        };
        if self.delay.is_zero() {
            expiry
        } else {
            expiry.min(now + self.delay)
        }
    }

    /// Receives up to `max` of the oldest visible messages held on the
    /// `sampled` nodes (a short poll). Appends to `out`, returns how many.
    pub fn receive_from(
        &mut self,
        now: SimTime,
        sampled: &[NodeId],
        max: u32,
        timeout: SimTime,
        out: &mut Vec<Delivery>,
    ) -> u32 {
        if self.groups.is_some() {
            return self.receive_groups(now, Some(sampled), max, timeout, out);
        }
        let max = self.receive_limit(max);
        self.receive(now, max, timeout, out, |fleet| {
            // k-way merge: the sampled node whose oldest message is oldest.
            // (Sampled nodes are up, so their tree leaves hold their tops.)
            let mut best = (u64::MAX, NodeId::new(0));
            for &node in sampled {
                let seq = fleet.oldest_seq(node);
                if seq < best.0 {
                    best = (seq, node);
                }
            }
            (best.0 != u64::MAX).then_some(best.1)
        })
    }

    /// Receives up to `max` of the oldest visible messages of the whole
    /// queue (a long poll queries every up node).
    pub fn receive_any(
        &mut self,
        now: SimTime,
        max: u32,
        timeout: SimTime,
        out: &mut Vec<Delivery>,
    ) -> u32 {
        if self.groups.is_some() {
            return self.receive_groups(now, None, max, timeout, out);
        }
        let max = self.receive_limit(max);
        self.receive(now, max, timeout, out, Fleet::oldest_node)
    }

    /// A FIFO receive: as many messages of the oldest available group as it
    /// can take (in send order), then the next oldest group's, and so on, up
    /// to `max` and the room under the in-flight limit. `sampled`: a short
    /// poll's nodes (`None`: every up node, a long poll). Each group taken
    /// from is blocked until its messages are deleted or visible again.
    fn receive_groups(
        &mut self,
        now: SimTime,
        sampled: Option<&[NodeId]>,
        max: u32,
        timeout: SimTime,
        out: &mut Vec<Delivery>,
    ) -> u32 {
        let max = self.receive_limit(max);
        let clock = self.vt_clock(now, timeout);
        let mut head = std::mem::take(&mut self.group_head);
        let mut got = 0;
        while got < max {
            let groups = self.groups.as_deref().expect("a FIFO queue");
            let group = match sampled {
                Some(nodes) => groups.oldest_on(nodes),
                None => groups.oldest_up(),
            };
            let Some(group) = group else {
                break;
            };
            groups.head(group, max - got, &self.msgs, &mut head);
            for &slot in &head {
                self.deliver(slot, clock, out);
            }
            let groups = self.groups.as_deref_mut().expect("a FIFO queue");
            groups.took(group, &head, &self.msgs);
            got += head.len() as u32;
        }
        self.group_head = head;
        got
    }

    /// `max`, or less: the room under the in-flight limit.
    #[inline(always)]
    fn receive_limit(&self, max: u32) -> u32 {
        (max as u64).min(self.in_flight_room()) as u32
    }

    /// Takes messages one at a time from the node `next` names, up to `max`.
    #[inline(always)]
    fn receive(
        &mut self,
        now: SimTime,
        max: u32,
        timeout: SimTime,
        out: &mut Vec<Delivery>,
        mut next: impl FnMut(&mut Fleet) -> Option<NodeId>,
    ) -> u32 {
        let clock = self.vt_clock(now, timeout);
        let mut got = 0;
        while got < max {
            let Some(node) = next(&mut self.fleet) else {
                break;
            };
            self.take(node, clock, out);
            got += 1;
        }
        got
    }

    #[inline(always)]
    fn take(&mut self, node: NodeId, clock: VtClock, out: &mut Vec<Delivery>) {
        let slot = self
            .fleet
            .pop(node, &self.msgs)
            .expect("tree pointed at an empty node");
        self.deliver(slot, clock, out);
    }

    /// Puts the visible message in `slot` in flight and hands it to `out`.
    #[inline(always)]
    fn deliver(&mut self, slot: u32, clock: VtClock, out: &mut Vec<Delivery>) {
        let receipt = self.next_receipt;
        self.next_receipt += 1;
        let m = self.msgs.get_mut(slot);
        debug_assert_eq!(m.state, State::Visible);
        m.state = State::InFlight;
        m.receives += 1;
        m.receipt = receipt;
        let first = m.receives == 1;
        let lease = m.lease;
        out.push(Delivery {
            slot,
            receipt,
            seq: m.seq,
            sent: m.sent,
            size: m.size,
            node: m.node,
            first,
            duplicate: m.duplicate,
        });
        self.in_flight += 1;
        self.totals.received += 1;
        if !first {
            self.totals.redeliveries += 1;
        }
        self.push_vt_entry(
            clock.lane,
            VtEntry {
                due: clock.due,
                slot,
                lease,
                receipt,
            },
        );
    }

    /// The visibility clock a receive's deliveries go on: found once per
    /// receive, not once per message.
    #[inline(always)]
    fn vt_clock(&mut self, now: SimTime, timeout: SimTime) -> VtClock {
        VtClock {
            lane: self.vt_lane(timeout),
            due: now + timeout,
        }
    }

    /// The lane of `timeout`, made on first use.
    #[inline(always)]
    fn vt_lane(&mut self, timeout: SimTime) -> usize {
        match self.vt_lanes.iter().position(|l| l.timeout == timeout) {
            Some(i) => i,
            None => {
                self.vt_lanes.push(VtLane {
                    timeout,
                    q: Fifo::default(),
                });
                self.vt_lanes.len() - 1
            }
        }
    }

    /// Adds a visibility timer to the lane of its timeout (every entry of a
    /// lane got the same timeout, so the lane stays in due order).
    fn push_vt(&mut self, now: SimTime, timeout: SimTime, slot: u32, lease: u16, receipt: u64) {
        let lane = self.vt_lane(timeout);
        let due = now + timeout;
        self.push_vt_entry(
            lane,
            VtEntry {
                due,
                slot,
                lease,
                receipt,
            },
        );
    }

    #[inline(always)]
    fn push_vt_entry(&mut self, lane: usize, entry: VtEntry) {
        let q = &mut self.vt_lanes[lane].q;
        q.push_back(entry);
        // An entry dies when its message is deleted or its timeout changed,
        // long before it reaches the front under a long timeout: without
        // this a lane would hold delivery rate × timeout entries (12 h at
        // 1,000 msg/s: 43 M). Live entries are at most one per message in
        // flight, so compacting past twice that costs O(1) a push, and
        // `retain` keeps due order. Dropping dead entries early changes no
        // result: the front skips them anyway.
        if q.len() as u64 > 2 * self.in_flight + 1024 {
            self.compact_vt(lane);
        }
    }

    /// Drops the dead entries of visibility lane `lane`. Out of line: it
    /// runs once per ~1,000 pushes, and `push_vt` is inlined into the
    /// receive path. Entries die mostly in delivery order, so the dead run
    /// at the front is found by a plain scan and dropped at once (the head
    /// index moves past it); `retain` then sees only the rest.
    #[cold]
    #[inline(never)]
    fn compact_vt(&mut self, lane: usize) {
        let msgs = &self.msgs;
        let q = &mut self.vt_lanes[lane].q;
        let live = |e: &VtEntry| e.holds(msgs.get(e.slot));
        let dead_run = q.iter().position(live).unwrap_or(q.len());
        q.drop_front(dead_run);
        q.retain(live);
    }

    /// ChangeMessageVisibility: a message in flight under `receipt` becomes
    /// visible `timeout` from now instead (its earlier timer is void). False
    /// when the receipt is not the current delivery's or the message is not
    /// in flight (SQS answers with an error; nothing changes).
    pub(crate) fn change_visibility(
        &mut self,
        now: SimTime,
        slot: u32,
        receipt: u64,
        timeout: SimTime,
    ) -> bool {
        let m = self.msgs.get_mut(slot);
        if m.state != State::InFlight || m.receipt != receipt {
            return false;
        }
        m.lease = m.lease.wrapping_add(1);
        let lease = m.lease;
        self.push_vt(now, timeout, slot, lease, receipt);
        true
    }

    /// DeleteMessage. Real SQS deletes the message when `receipt` is its most
    /// recent one, even after the visibility timeout ran out and it became
    /// visible again, as long as nobody has received it since; only an older
    /// receipt fails (silently). A FIFO queue's receipt expires with the
    /// visibility timeout. Receipts are unique over the run, so a matching
    /// receipt is never a reused slot's.
    pub fn delete(&mut self, slot: u32, receipt: u64) -> DeleteOutcome {
        let m = self.msgs.get(slot);
        if m.receipt != receipt {
            return DeleteOutcome::Stale;
        }
        let (state, node) = (m.state, m.node);
        let outcome = match state {
            State::InFlight => DeleteOutcome::InFlight,
            State::Visible if !self.receipts_expire => DeleteOutcome::Visible,
            _ => return DeleteOutcome::Stale,
        };
        self.msgs.remove(slot);
        match outcome {
            DeleteOutcome::InFlight => {
                self.in_flight -= 1;
                if let Some(g) = self.groups.as_deref_mut() {
                    g.gone(slot, State::InFlight, &self.msgs);
                }
            }
            _ => self.fleet.forget(node, &self.msgs),
        }
        self.totals.deleted += 1;
        outcome
    }

    /// Earliest time a timer lane has something due, skipping dead entries.
    pub(crate) fn next_due(&mut self) -> Option<SimTime> {
        let mut due = SimTime::MAX;
        let msgs = &self.msgs;
        for lane in &mut self.vt_lanes {
            while let Some(e) = lane.q.front() {
                if e.holds(msgs.get(e.slot)) {
                    due = due.min(e.due);
                    break;
                }
                lane.q.pop_front();
            }
        }
        while let Some(&(t, slot, seq)) = self.delay_lane.front() {
            if msgs.is(slot, seq, State::Delayed) {
                due = due.min(t);
                break;
            }
            self.delay_lane.pop_front();
        }
        while let Some(&(seq, slot)) = self.expiry.front() {
            let m = msgs.get(slot);
            if m.seq == seq && m.state != State::Free {
                due = due.min(m.stored + self.retention);
                break;
            }
            self.expiry.pop_front();
        }
        (due != SimTime::MAX).then_some(due)
    }

    /// Applies every timer due at or before `now`.
    pub(crate) fn fire_due(&mut self, now: SimTime) -> TimerOutcome {
        let mut out = TimerOutcome::default();
        // Retention first: a message whose time is up does not reappear.
        while let Some(&(seq, slot)) = self.expiry.front() {
            let m = self.msgs.get(slot);
            if m.seq != seq || m.state == State::Free {
                self.expiry.pop_front();
                continue;
            }
            if m.stored + self.retention > now {
                break;
            }
            self.expiry.pop_front();
            let (state, node) = (m.state, m.node);
            self.msgs.remove(slot);
            match state {
                State::Visible if self.groups.is_none() => self.fleet.forget(node, &self.msgs),
                State::Visible => {}
                State::InFlight => self.in_flight -= 1,
                State::Delayed => self.delayed -= 1,
                State::Free => unreachable!(),
            }
            if let Some(g) = self.groups.as_deref_mut() {
                g.gone(slot, state, &self.msgs);
            }
            self.totals.expired += 1;
            out.expired += 1;
        }
        while let Some(&(t, slot, seq)) = self.delay_lane.front() {
            if !self.msgs.is(slot, seq, State::Delayed) {
                self.delay_lane.pop_front();
                continue;
            }
            if t > now {
                break;
            }
            self.delay_lane.pop_front();
            self.delayed -= 1;
            let m = self.msgs.get_mut(slot);
            m.state = State::Visible;
            let node = m.node;
            match self.groups.as_deref_mut() {
                None => self.fleet.push(node, seq, slot),
                Some(g) => g.became_visible(slot, false, &self.msgs),
            }
            out.became_visible += 1;
        }
        for li in 0..self.vt_lanes.len() {
            while let Some(&e) = self.vt_lanes[li].q.front() {
                let slot = e.slot;
                let m = self.msgs.get(slot);
                if !e.holds(m) {
                    self.vt_lanes[li].q.pop_front();
                    continue;
                }
                if e.due > now {
                    break;
                }
                self.vt_lanes[li].q.pop_front();
                self.in_flight -= 1;
                if self.max_receive_count.is_some_and(|r| m.receives >= r) {
                    self.msgs.remove(slot);
                    if let Some(g) = self.groups.as_deref_mut() {
                        g.gone(slot, State::InFlight, &self.msgs);
                    }
                    self.totals.dead_lettered += 1;
                    out.dead_lettered += 1;
                } else {
                    let (seq, node) = (m.seq, m.node);
                    let m = self.msgs.get_mut(slot);
                    m.state = State::Visible;
                    // The receipt stays the most recent one until the next
                    // receive: a delete with it still works (standard queues).
                    match self.groups.as_deref_mut() {
                        None => self.fleet.push(node, seq, slot),
                        Some(g) => g.became_visible(slot, true, &self.msgs),
                    }
                    out.became_visible += 1;
                }
            }
        }
        out
    }

    pub(crate) fn set_node_up(&mut self, node: NodeId, up: bool) {
        self.fleet.set_up(node, up);
        if let Some(g) = self.groups.as_deref_mut() {
            g.set_up(node, up);
        }
    }

    pub fn push_waiter(&mut self, consumer: ConsumerId, serial: u32) {
        self.waiters.push_back((consumer, serial));
    }

    /// Whether any long poll may be parked (entries of polls that have
    /// timed out or were served linger until popped or pruned, so `true`
    /// may still find nobody; `false` is sure).
    #[inline(always)]
    pub(crate) fn has_waiters(&self) -> bool {
        !self.waiters.is_empty()
    }

    /// The longest-waiting parked poll's entry, if any (it may no longer
    /// be waiting: see `prune_waiters`).
    pub(crate) fn front_waiter(&self) -> Option<(ConsumerId, u32)> {
        self.waiters.front().copied()
    }

    /// The longest-waiting long poll that is still waiting, if any.
    pub fn pop_waiter(
        &mut self,
        still_waiting: impl Fn(ConsumerId, u32) -> bool,
    ) -> Option<ConsumerId> {
        while let Some((c, s)) = self.waiters.pop_front() {
            if still_waiting(c, s) {
                return Some(c);
            }
        }
        None
    }

    /// Drops timed-out waiters from the front (keeps the deque bounded on an
    /// idle queue where no message ever wakes anyone).
    pub(crate) fn prune_waiters(&mut self, still_waiting: impl Fn(ConsumerId, u32) -> bool) {
        while let Some(&(c, s)) = self.waiters.front() {
            if still_waiting(c, s) {
                break;
            }
            self.waiters.pop_front();
        }
    }

    /// The conservation identity (sent = deleted + visible + in flight +
    /// delayed + dead-lettered + expired + unreachable), on whole-run totals.
    pub(crate) fn conservation(&self) -> Result<(), String> {
        let (t, l) = (&self.totals, self.levels());
        let held = l.visible + l.in_flight + l.delayed + l.unreachable;
        if t.sent != t.deleted + t.dead_lettered + t.expired + held || self.msgs.live() != held {
            return Err(format!(
                "conservation violated: sent {} != deleted {} + visible {} + in flight {} + delayed {} + dead-lettered {} + expired {} + unreachable {} (live slots {})",
                t.sent, t.deleted, l.visible, l.in_flight, l.delayed, t.dead_lettered, t.expired, l.unreachable, self.msgs.live()
            ));
        }
        Ok(())
    }

    pub(crate) fn diagnostics(&self) -> Diagnostics {
        let index_entries = self.vt_lanes.iter().map(|l| l.q.len()).sum::<usize>()
            + self.delay_lane.len()
            + self.expiry.len()
            + self.waiters.len()
            + self.fleet.heap_entries()
            + self.groups.as_deref().map_or(0, Groups::entries);
        Diagnostics {
            totals: self.totals.clone(),
            live_messages: self.msgs.live(),
            index_entries,
        }
    }

    /// Messages sent over the whole run, warm-up included.
    pub(crate) fn messages_sent(&self) -> u64 {
        self.totals.sent
    }
}
