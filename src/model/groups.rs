//! A FIFO queue's message groups: which messages each group holds, in send
//! order, which groups are blocked, and which may be received from.
//!
//! A standard queue keeps its visible messages in the fleet (`fleet`), node
//! by node, oldest first. A FIFO queue keeps them here instead, group by
//! group, because what a receive may take is decided by groups: a group
//! lives on one node, its messages are delivered in send order, and a group
//! with a message in flight is **blocked**. A group is *available* when
//! nothing of it is in flight and its oldest live message is visible; only
//! available groups are indexed, by their oldest message's `seq` ("oldest
//! group first"), per node (short polls ask the sampled nodes) and over the
//! nodes that are up (long polls). The queue selects this store once, at
//! creation, so a standard queue never touches it.
//!
//! Each group's deque holds its live messages' `(seq, slot)` in send order.
//! A redelivered message is still in its place, so redelivery keeps the
//! order without any reordering. Messages that leave out of order (a delete
//! of the second of two in-flight messages, an expiry) leave stale entries,
//! dropped when they reach the front.

use super::ids::NodeId;
use super::messages::{Slab, State};
use std::collections::{BTreeSet, VecDeque};

/// One message group.
struct Group {
    node: NodeId,
    /// Live messages (delayed, visible, in flight) in send order, plus stale
    /// entries of messages gone meanwhile.
    msgs: VecDeque<(u64, u32)>,
    /// Messages of the group in flight: the group is blocked while > 0.
    in_flight: u32,
    /// The key under which the group is indexed as available, if it is.
    available: Option<u64>,
    /// `seq` of the group's latest first delivery: first deliveries must
    /// come in increasing `seq` (the ordering invariant).
    last_first: Option<u64>,
}

pub(crate) struct Groups {
    groups: Vec<Group>,
    /// The group of the message in each slab slot.
    group_of: Vec<u32>,
    /// Available groups on each node, as `(oldest seq, group)`.
    by_node: Vec<BTreeSet<(u64, u32)>>,
    /// Available groups on nodes that are up.
    up_set: BTreeSet<(u64, u32)>,
    up: Vec<bool>,
    /// Visible messages per node, and their sums over up and down nodes.
    visible: Vec<u64>,
    visible_up: u64,
    visible_down: u64,
    /// Groups with at least one message in flight
    /// (ApproximateNumberOfGroupsWithInflightMessages).
    groups_in_flight: u64,
    /// Set when a group becomes available again (a delete, an expiry): the
    /// run then wakes parked long polls.
    unblocked: bool,
    /// The first broken rule (ordering, blocking), kept until the end of
    /// the run, where the model stops on it like on a conservation violation.
    violation: Option<String>,
}

impl Groups {
    /// No groups yet, on a fleet of `node_count` nodes.
    pub(crate) fn new(node_count: u32) -> Groups {
        let n = node_count as usize;
        Groups {
            groups: Vec::new(),
            group_of: Vec::new(),
            by_node: vec![BTreeSet::new(); n],
            up_set: BTreeSet::new(),
            up: vec![true; n],
            visible: vec![0; n],
            visible_up: 0,
            visible_down: 0,
            groups_in_flight: 0,
            unblocked: false,
            violation: None,
        }
    }

    /// A new group living on `node` (where it was placed, by weight); its
    /// number.
    pub(crate) fn add_group(&mut self, node: NodeId) -> u32 {
        self.groups.push(Group {
            node,
            msgs: VecDeque::new(),
            in_flight: 0,
            available: None,
            last_first: None,
        });
        (self.groups.len() - 1) as u32
    }

    pub(crate) fn node_of(&self, group: u32) -> NodeId {
        self.groups[group as usize].node
    }

    pub(crate) fn group_of(&self, slot: u32) -> u32 {
        self.group_of[slot as usize]
    }

    pub(crate) fn visible_up(&self) -> u64 {
        self.visible_up
    }

    pub(crate) fn visible_down(&self) -> u64 {
        self.visible_down
    }

    /// Groups a receive could take from now (available, on up nodes).
    pub(crate) fn available_up(&self) -> u64 {
        self.up_set.len() as u64
    }

    pub(crate) fn groups_in_flight(&self) -> u64 {
        self.groups_in_flight
    }

    /// Whether a group became available since the last call.
    pub(crate) fn take_unblocked(&mut self) -> bool {
        std::mem::take(&mut self.unblocked)
    }

    /// The FIFO invariant, checked at the end of every run: no message of a
    /// group was first delivered before an earlier message of that group,
    /// and no message was delivered from a blocked group.
    pub(crate) fn check(&self) -> Result<(), String> {
        match &self.violation {
            Some(v) => Err(v.clone()),
            None => Ok(()),
        }
    }

    /// Deque entries held, stale ones included (memory tests).
    pub(crate) fn entries(&self) -> usize {
        self.groups.iter().map(|g| g.msgs.len()).sum::<usize>() + self.up_set.len()
    }

    /// A message of `group` was stored in `slot` (visible unless delayed).
    pub(crate) fn store(&mut self, slot: u32, seq: u64, group: u32, visible: bool, msgs: &Slab) {
        let s = slot as usize;
        if self.group_of.len() <= s {
            self.group_of.resize(s + 1, 0);
        }
        self.group_of[s] = group;
        self.groups[group as usize].msgs.push_back((seq, slot));
        if visible {
            self.count_visible(group, 1);
        }
        self.refresh(group, msgs);
    }

    /// A message of the group in `slot` became visible (delay over, or its
    /// visibility timeout ran out: then it was in flight).
    pub(crate) fn became_visible(&mut self, slot: u32, was_in_flight: bool, msgs: &Slab) {
        let group = self.group_of(slot);
        if was_in_flight {
            self.leave_flight(group);
        }
        self.count_visible(group, 1);
        self.refresh(group, msgs);
    }

    /// A message left the queue (deleted, dead-lettered, expired) from
    /// `state`; the slab has already freed it.
    pub(crate) fn gone(&mut self, slot: u32, state: State, msgs: &Slab) {
        let group = self.group_of(slot);
        match state {
            State::InFlight => self.leave_flight(group),
            State::Visible => self.count_visible(group, -1),
            State::Delayed | State::Free => {}
        }
        self.refresh(group, msgs);
    }

    /// The oldest available group on the `sampled` nodes (a short poll).
    pub(crate) fn oldest_on(&self, sampled: &[NodeId]) -> Option<u32> {
        sampled
            .iter()
            .filter_map(|n| self.by_node[n.index()].first())
            .min()
            .map(|&(_, g)| g)
    }

    /// The oldest available group on any up node (a long poll).
    pub(crate) fn oldest_up(&self) -> Option<u32> {
        self.up_set.first().map(|&(_, g)| g)
    }

    /// The slot of the oldest available group's first message (live and
    /// visible, since the group is available).
    pub(crate) fn oldest_available_head(&self) -> Option<u32> {
        let g = self.oldest_up()?;
        self.groups[g as usize].msgs.front().map(|&(_, slot)| slot)
    }

    /// The slots of up to `max` messages an available `group` gives a
    /// receive: its visible messages from the front, in send order.
    pub(crate) fn head(&self, group: u32, max: u32, msgs: &Slab, out: &mut Vec<u32>) {
        out.clear();
        for &(seq, slot) in &self.groups[group as usize].msgs {
            if out.len() as u32 >= max {
                break;
            }
            let m = msgs.get(slot);
            if m.seq != seq || m.state == State::Free {
                continue; // stale entry
            }
            if m.state != State::Visible {
                break; // delayed: the rest were sent later
            }
            out.push(slot);
        }
    }

    /// `slots` (from [`Groups::head`]) went in flight; the group is now
    /// blocked. Checks the FIFO rules on the way: the group was not blocked,
    /// and its first deliveries come in send order.
    pub(crate) fn took(&mut self, group: u32, slots: &[u32], msgs: &Slab) {
        let g = &mut self.groups[group as usize];
        if g.in_flight > 0 && self.violation.is_none() {
            self.violation = Some(format!(
                "FIFO blocking violated: group {group} delivered a message while {} of its messages were in flight",
                g.in_flight
            ));
        }
        for &slot in slots {
            let m = msgs.get(slot);
            if m.receives != 1 {
                continue; // a redelivery: its first delivery was checked
            }
            if let Some(last) = g.last_first.filter(|&last| m.seq <= last) {
                self.violation.get_or_insert(format!(
                    "FIFO ordering violated: group {group} first delivered message {} after message {last}, which was sent after it",
                    m.seq
                ));
            }
            g.last_first = Some(m.seq);
        }
        if g.in_flight == 0 && !slots.is_empty() {
            self.groups_in_flight += 1;
        }
        g.in_flight += slots.len() as u32;
        self.count_visible(group, -(slots.len() as i64));
        self.refresh(group, msgs);
    }

    pub(crate) fn set_up(&mut self, node: NodeId, up: bool) {
        let n = node.index();
        if self.up[n] == up {
            return;
        }
        self.up[n] = up;
        let v = self.visible[n];
        if up {
            (self.visible_up, self.visible_down) = (self.visible_up + v, self.visible_down - v);
            self.up_set.extend(self.by_node[n].iter().copied());
            self.unblocked |= !self.by_node[n].is_empty();
        } else {
            (self.visible_up, self.visible_down) = (self.visible_up - v, self.visible_down + v);
            for key in &self.by_node[n] {
                self.up_set.remove(key);
            }
        }
    }

    fn leave_flight(&mut self, group: u32) {
        let g = &mut self.groups[group as usize];
        g.in_flight -= 1;
        if g.in_flight == 0 {
            self.groups_in_flight -= 1;
        }
    }

    fn count_visible(&mut self, group: u32, by: i64) {
        let n = self.groups[group as usize].node.index();
        self.visible[n] = self.visible[n].wrapping_add_signed(by);
        if self.up[n] {
            self.visible_up = self.visible_up.wrapping_add_signed(by);
        } else {
            self.visible_down = self.visible_down.wrapping_add_signed(by);
        }
    }

    /// Drops stale entries from the group's front, then indexes the group
    /// as available (under its oldest message's `seq`) or not.
    fn refresh(&mut self, group: u32, msgs: &Slab) {
        let g = &mut self.groups[group as usize];
        while let Some(&(seq, slot)) = g.msgs.front() {
            let m = msgs.get(slot);
            if m.seq == seq && m.state != State::Free {
                break;
            }
            g.msgs.pop_front();
        }
        if g.msgs.is_empty() && g.msgs.capacity() > 1024 {
            g.msgs.shrink_to(16); // a drained backlog gives its memory back
        }
        let key = match g.msgs.front() {
            Some(&(seq, slot)) if g.in_flight == 0 && msgs.get(slot).state == State::Visible => {
                Some(seq)
            }
            _ => None,
        };
        if key == g.available {
            return;
        }
        let (old, node) = (std::mem::replace(&mut g.available, key), g.node.index());
        if let Some(k) = old {
            self.by_node[node].remove(&(k, group));
            self.up_set.remove(&(k, group));
        }
        if let Some(k) = key {
            self.by_node[node].insert((k, group));
            if self.up[node] {
                self.up_set.insert((k, group));
            }
            self.unblocked = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimTime;
    use crate::model::messages::Message;

    /// Stores `seqs` in group 0 (node 0), visible.
    fn setup(seqs: &[u64]) -> (Slab, Groups, Vec<u32>) {
        let mut slab = Slab::default();
        let mut g = Groups::new(2);
        g.add_group(NodeId::new(0));
        g.add_group(NodeId::new(1));
        let mut slots = Vec::new();
        for &seq in seqs {
            let slot = slab.insert(Message {
                seq,
                sent: SimTime::ZERO,
                stored: SimTime::ZERO,
                receipt: 0,
                size: 1,
                node: NodeId::new(0),
                receives: 0,
                state: State::Visible,
                duplicate: false,
                lease: 0,
            });
            g.store(slot, seq, 0, true, &slab);
            slots.push(slot);
        }
        (slab, g, slots)
    }

    fn deliver(slab: &mut Slab, slot: u32) {
        let m = slab.get_mut(slot);
        m.state = State::InFlight;
        m.receives += 1;
    }

    #[test]
    fn a_group_gives_its_messages_in_order_and_blocks() {
        let (mut slab, mut g, slots) = setup(&[1, 2, 3]);
        assert_eq!(g.oldest_up(), Some(0));
        assert_eq!(g.oldest_on(&[NodeId::new(1)]), None);
        let mut head = Vec::new();
        g.head(0, 2, &slab, &mut head);
        assert_eq!(head, slots[..2]);
        for &s in &head {
            deliver(&mut slab, s);
        }
        g.took(0, &head, &slab);
        // Blocked: message 3 is visible but not available.
        assert_eq!(
            (g.available_up(), g.visible_up(), g.groups_in_flight()),
            (0, 1, 1)
        );
        // Message 1 deleted: still blocked by message 2.
        slab.remove(slots[0]);
        g.gone(slots[0], State::InFlight, &slab);
        assert_eq!(g.oldest_up(), None);
        // Message 2's visibility ends: it is the head again, before 3.
        slab.get_mut(slots[1]).state = State::Visible;
        g.became_visible(slots[1], true, &slab);
        assert!(g.take_unblocked());
        g.head(0, 10, &slab, &mut head);
        assert_eq!(head, slots[1..]);
        assert_eq!(g.groups_in_flight(), 0);
        assert!(g.check().is_ok());
    }

    /// The invariant check is not vacuous: a first delivery out of order, or
    /// a delivery from a blocked group, is reported.
    #[test]
    fn violations_are_reported() {
        let (mut slab, mut g, slots) = setup(&[1, 2]);
        deliver(&mut slab, slots[1]);
        g.took(0, &slots[1..], &slab);
        deliver(&mut slab, slots[0]);
        g.took(0, &slots[..1], &slab);
        let e = g.check().unwrap_err();
        assert!(e.contains("FIFO blocking violated: group 0"), "{e}");
        let (mut slab, mut g, slots) = setup(&[1, 2]);
        deliver(&mut slab, slots[1]);
        deliver(&mut slab, slots[0]);
        g.took(0, &[slots[1], slots[0]], &slab);
        let e = g.check().unwrap_err();
        assert!(
            e.contains("first delivered message 1 after message 2"),
            "{e}"
        );
    }

    #[test]
    fn a_node_going_down_hides_its_groups() {
        let (_slab, mut g, _) = setup(&[1]);
        g.set_up(NodeId::new(0), false);
        assert_eq!(
            (g.available_up(), g.visible_up(), g.visible_down()),
            (0, 0, 1)
        );
        assert_eq!(g.oldest_up(), None);
        g.set_up(NodeId::new(0), true);
        assert_eq!(g.oldest_up(), Some(0));
    }
}
