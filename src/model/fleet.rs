//! The storage fleet: which visible messages each node holds, oldest first,
//! and which nodes are up.
//!
//! Each node keeps its visible messages as `(seq, slot)` in two stores: a
//! FIFO for messages that arrive in `seq` order (every new message, since
//! `seq` grows with each store, and every delayed one, since all share one
//! delay), and a min-heap for messages that come back out of order (a
//! visibility timeout ended). The node's oldest message is the smaller of the
//! two fronts, so taking it is O(1) for the common case and O(log r) with r
//! returned messages, whatever the backlog. A tournament tree over the nodes
//! holds each up node's oldest `seq`, so a long poll finds the oldest visible
//! message of the whole queue in O(log N), and a node going down or up is one
//! O(log N) update. Both stores may hold stale entries (a visible message
//! that expired); the invariant is that the *front* of each is live, which
//! keeps the tree exact.

use super::ids::NodeId;
use super::messages::{Fifo, Slab, State};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

const NONE: u64 = u64::MAX;
/// Up to this many leaves, `oldest_node` scans them and the tree's upper
/// levels are not kept: a push or a pop then costs one store, not a climb.
const SCAN_LEAVES: usize = 16;

/// One node's visible messages, and what the fleet's counters need of it.
struct Node {
    /// Arrived in `seq` order.
    fifo: Fifo<(u64, u32)>,
    /// Came back out of order.
    returned: BinaryHeap<Reverse<(u64, u32)>>,
    /// Visible messages held: the stores hold one entry for each, plus
    /// stale ones (a visible message deleted or expired), so when their
    /// lengths add up to this there is nothing stale to clean.
    visible: u64,
    up: bool,
}

impl Node {
    fn new() -> Node {
        Node {
            fifo: Fifo::default(),
            returned: BinaryHeap::new(),
            visible: 0,
            up: true,
        }
    }

    /// The oldest entry, from whichever store holds it.
    #[cfg(test)]
    fn top(&self) -> Option<(u64, u32)> {
        match (self.fifo.front(), self.returned.peek()) {
            (Some(&f), Some(&Reverse(r))) => Some(f.min(r)),
            (Some(&f), None) => Some(f),
            (None, Some(&Reverse(r))) => Some(r),
            (None, None) => None,
        }
    }

    /// The oldest entry's slot.
    fn top_slot(&self) -> Option<u32> {
        match (self.fifo.front(), self.returned.peek()) {
            (Some(&f), Some(&Reverse(r))) => Some(f.min(r).1),
            (Some(&f), None) => Some(f.1),
            (None, Some(&Reverse(r))) => Some(r.1),
            (None, None) => None,
        }
    }

    /// The oldest entry's `seq`, `NONE` if the node holds nothing.
    #[inline(always)]
    fn top_seq(&self) -> u64 {
        let f = self.fifo.front().map_or(NONE, |e| e.0);
        let r = self.returned.peek().map_or(NONE, |e| e.0 .0);
        f.min(r)
    }

    #[inline(always)]
    fn push(&mut self, seq: u64, slot: u32) {
        if self.fifo.back().is_none_or(|&(s, _)| s < seq) {
            self.fifo.push_back((seq, slot));
        } else {
            self.returned.push(Reverse((seq, slot)));
        }
    }

    /// Removes the oldest entry. The returned store is looked at first: it
    /// is empty but for messages back from a timeout, so the common case
    /// reads the in-order store's front once, to pop it.
    #[inline(always)]
    fn pop(&mut self) -> Option<(u64, u32)> {
        match self.returned.peek() {
            Some(Reverse(r)) if self.fifo.front().is_none_or(|f| r.0 < f.0) => {
                let popped = self.returned.pop().map(|r| r.0);
                if self.returned.is_empty() && self.returned.capacity() > 1024 {
                    self.returned.shrink_to(64);
                }
                popped
            }
            _ => {
                let popped = self.fifo.pop_front();
                if self.fifo.is_empty() && self.fifo.capacity() > 1024 {
                    self.fifo.shrink_to(64);
                }
                popped
            }
        }
    }

    /// Drops stale entries from the fronts of the stores, so that each
    /// front is live. Skipped without a look at the slab when no entry is
    /// stale (the common case: visible messages leave by being received).
    #[inline(always)]
    fn clean(&mut self, msgs: &Slab) {
        if (self.fifo.len() + self.returned.len()) as u64 != self.visible {
            self.drop_stale_fronts(msgs);
        }
    }

    #[inline(never)]
    fn drop_stale_fronts(&mut self, msgs: &Slab) {
        while let Some(&(seq, slot)) = self.fifo.front() {
            if msgs.is(slot, seq, State::Visible) {
                break;
            }
            self.fifo.pop_front();
        }
        while let Some(&Reverse((seq, slot))) = self.returned.peek() {
            if msgs.is(slot, seq, State::Visible) {
                break;
            }
            self.returned.pop();
        }
        self.give_back_memory();
    }

    /// Gives back the memory of a drained backlog (a store only empties
    /// when an entry leaves, so this runs after each removal; `pop` checks
    /// only the store it took from).
    #[inline(always)]
    fn give_back_memory(&mut self) {
        if self.fifo.is_empty() && self.fifo.capacity() > 1024 {
            self.fifo.shrink_to(64);
        }
        if self.returned.is_empty() && self.returned.capacity() > 1024 {
            self.returned.shrink_to(64);
        }
    }

    fn len(&self) -> usize {
        self.fifo.len() + self.returned.len()
    }
}

pub(crate) struct Fleet {
    nodes: Vec<Node>,
    /// Which nodes are up, as one flat mask for the short-poll sampler
    /// (each node's own `up` is the copy its updates read).
    up: Vec<bool>,
    up_count: u32,
    /// Tournament tree: leaves at `[size, 2 size)`; `tree[i]` = min key below.
    tree: Vec<u64>,
    size: usize,
    /// Visible messages on up nodes / on down nodes.
    visible_up: u64,
    visible_down: u64,
    /// The node holding the oldest visible message on an up node, kept as
    /// leaves change when that costs O(1) (a leaf fell below it, or the
    /// first message became visible), else `UNKNOWN` until the next
    /// [`Self::oldest_node`] looks. A long poll woken by a new message then
    /// finds it without a scan.
    oldest: u32,
}

/// `Fleet::oldest` when it must be looked for.
const UNKNOWN: u32 = u32::MAX;

impl Fleet {
    pub(crate) fn new(nodes: u32) -> Fleet {
        let n = nodes as usize;
        let size = n.next_power_of_two();
        Fleet {
            nodes: (0..n).map(|_| Node::new()).collect(),
            up: vec![true; n],
            up_count: nodes,
            tree: vec![NONE; 2 * size],
            size,
            visible_up: 0,
            visible_down: 0,
            oldest: UNKNOWN,
        }
    }

    pub(crate) fn nodes(&self) -> u32 {
        self.nodes.len() as u32
    }

    pub(crate) fn up(&self) -> &[bool] {
        &self.up
    }

    pub(crate) fn up_count(&self) -> u32 {
        self.up_count
    }

    pub(crate) fn is_up(&self, node: NodeId) -> bool {
        self.up[node.index()]
    }

    /// Visible messages a request could get (on nodes that are up).
    #[inline]
    pub(crate) fn visible_reachable(&self) -> u64 {
        self.visible_up
    }

    /// Visible messages stranded on nodes that are down.
    pub(crate) fn visible_unreachable(&self) -> u64 {
        self.visible_down
    }

    /// Oldest visible `seq` on `node` (ignoring whether it is up).
    #[cfg(test)]
    fn top(&self, node: NodeId) -> Option<(u64, u32)> {
        self.nodes[node.index()].top()
    }

    /// Oldest visible `seq` on an up `node`, `u64::MAX` if it has none or is
    /// down. Reads the tree's leaf: one flat array for the whole fleet, so a
    /// short poll over many sampled nodes touches no per-node memory.
    #[inline]
    pub(crate) fn oldest_seq(&self, node: NodeId) -> u64 {
        self.tree[self.size + node.index()]
    }

    /// Node holding the oldest visible message among up nodes.
    #[inline]
    pub(crate) fn oldest_node(&mut self) -> Option<NodeId> {
        if self.visible_up == 0 {
            // Nothing visible on an up node (every up leaf is NONE: a node
            // with visible messages has a live top): the common answer of a
            // long poll's last look, without a scan.
            return None;
        }
        if self.oldest == UNKNOWN {
            self.oldest = self.find_oldest()?.get();
        }
        Some(NodeId::new(self.oldest))
    }

    /// Looks for the node holding the oldest visible message on an up node.
    fn find_oldest(&self) -> Option<NodeId> {
        if self.size <= SCAN_LEAVES {
            // Small fleet: scanning the leaves beats keeping the levels above.
            let leaves = &self.tree[self.size..self.size + self.nodes.len()];
            let (mut best, mut at) = (NONE, 0);
            for (n, &k) in leaves.iter().enumerate() {
                if k < best {
                    (best, at) = (k, n);
                }
            }
            return (best != NONE).then_some(NodeId::new(at as u32));
        }
        if self.tree[1] == NONE {
            return None;
        }
        let mut i = 1;
        while i < self.size {
            i = if self.tree[2 * i] == self.tree[i] {
                2 * i
            } else {
                2 * i + 1
            };
        }
        Some(NodeId::new((i - self.size) as u32))
    }

    /// The slot of the oldest visible message on an up node (its node's
    /// top, which is live by the invariant above).
    pub(crate) fn oldest_slot(&self) -> Option<u32> {
        let node = match self.oldest {
            _ if self.visible_up == 0 => return None,
            UNKNOWN => self.find_oldest()?,
            n => NodeId::new(n),
        };
        self.nodes[node.index()].top_slot()
    }

    /// A message became visible on `node` again (its visibility timeout
    /// or its delay ended): it may be older than any visible one.
    #[inline(always)]
    pub(crate) fn push(&mut self, node: NodeId, seq: u64, slot: u32) {
        self.push_as::<false>(node, seq, slot);
    }

    /// A message just stored became visible on `node`: its `seq` is the
    /// largest yet, so it goes to the back of the node's FIFO and is not
    /// the oldest visible message unless it is the only one.
    #[inline(always)]
    pub(crate) fn push_newest(&mut self, node: NodeId, seq: u64, slot: u32) {
        self.push_as::<true>(node, seq, slot);
    }

    #[inline(always)]
    fn push_as<const NEWEST: bool>(&mut self, node: NodeId, seq: u64, slot: u32) {
        let n = node.index();
        let nd = &mut self.nodes[n];
        if NEWEST {
            debug_assert!(nd.fifo.back().is_none_or(|&(s, _)| s < seq));
            nd.fifo.push_back((seq, slot));
        } else {
            nd.push(seq, slot);
        }
        nd.visible += 1;
        if !nd.up {
            self.visible_down += 1;
            return;
        }
        self.visible_up += 1;
        // The node's top can only fall, and only to `seq`.
        let i = self.size + n;
        if seq < self.tree[i] {
            self.tree[i] = seq;
            self.climb(i);
            if self.visible_up == 1 {
                // The only visible message on an up node.
                self.oldest = n as u32;
            } else if !NEWEST
                && self.oldest != UNKNOWN
                && seq < self.tree[self.size + self.oldest as usize]
            {
                self.oldest = n as u32;
            }
        }
    }

    /// Takes the oldest visible message of `node` (whose top must be live).
    #[inline(always)]
    pub(crate) fn pop(&mut self, node: NodeId, msgs: &Slab) -> Option<u32> {
        let n = node.index();
        let nd = &mut self.nodes[n];
        let (slot, key) = if nd.returned.is_empty() {
            // The common case, no message back from a timeout: the FIFO
            // alone holds the node's entries, so its front is all that
            // `Node::pop`, `clean` and `top_seq` would each look at.
            let (_, slot) = nd.fifo.pop_front()?;
            nd.visible -= 1;
            if nd.fifo.len() as u64 != nd.visible {
                nd.drop_stale_fronts(msgs);
            } else if nd.fifo.is_empty() && nd.fifo.capacity() > 1024 {
                nd.fifo.shrink_to(64);
            }
            (slot, nd.fifo.front().map_or(NONE, |e| e.0))
        } else {
            let (_, slot) = nd.pop()?;
            // `forget`'s work on the node already in hand (one look-up).
            nd.visible -= 1;
            nd.clean(msgs);
            (slot, nd.top_seq())
        };
        if nd.up {
            self.visible_up -= 1;
            self.set_leaf(n, key);
        } else {
            self.visible_down -= 1;
        }
        Some(slot)
    }

    /// A visible message left `node`: popped (above), or expired without
    /// being received, which leaves its entry stale. Called *after* the
    /// slab marked an expired message gone.
    #[inline(always)]
    pub(crate) fn forget(&mut self, node: NodeId, msgs: &Slab) {
        let n = node.index();
        let nd = &mut self.nodes[n];
        nd.visible -= 1;
        nd.clean(msgs);
        if nd.up {
            self.visible_up -= 1;
            let key = nd.top_seq();
            self.set_leaf(n, key);
        } else {
            self.visible_down -= 1;
        }
    }

    pub(crate) fn set_up(&mut self, node: NodeId, up: bool) {
        let n = node.index();
        let nd = &mut self.nodes[n];
        if nd.up == up {
            return;
        }
        nd.up = up;
        self.up[n] = up;
        let v = nd.visible;
        let key = if up { nd.top_seq() } else { NONE };
        if up {
            self.up_count += 1;
            self.visible_down -= v;
            self.visible_up += v;
        } else {
            self.up_count -= 1;
            self.visible_up -= v;
            self.visible_down += v;
        }
        self.set_leaf(n, key);
        // A leaf may have fallen: look again when asked.
        self.oldest = UNKNOWN;
    }

    /// Sets node `n`'s leaf to `key` (its top's `seq` if up, else `NONE`).
    /// If it held the oldest message, which one does now is unknown.
    #[inline(always)]
    fn set_leaf(&mut self, n: usize, key: u64) {
        let i = self.size + n;
        if self.tree[i] != key {
            self.tree[i] = key;
            self.climb(i);
            if self.oldest == n as u32 {
                self.oldest = UNKNOWN;
            }
        }
    }

    /// Brings the levels above leaf `i` up to date (none are kept for a
    /// small fleet: see [`SCAN_LEAVES`]).
    #[inline(always)]
    fn climb(&mut self, mut i: usize) {
        if self.size <= SCAN_LEAVES {
            return;
        }
        while i > 1 {
            i /= 2;
            let m = self.tree[2 * i].min(self.tree[2 * i + 1]);
            if self.tree[i] == m {
                break;
            }
            self.tree[i] = m;
        }
    }

    /// Entries held by the nodes' stores, stale ones included (memory tests).
    pub(crate) fn heap_entries(&self) -> usize {
        self.nodes.iter().map(Node::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimTime;
    use crate::model::messages::Message;

    fn n(i: u32) -> NodeId {
        NodeId::new(i)
    }

    fn add(slab: &mut Slab, f: &mut Fleet, seq: u64, node: u32) -> u32 {
        let node = n(node);
        let slot = message(slab, seq, node);
        f.push(node, seq, slot);
        slot
    }

    #[test]
    fn oldest_node_tracks_ups_and_downs() {
        let mut slab = Slab::default();
        let mut f = Fleet::new(5);
        add(&mut slab, &mut f, 10, 3);
        add(&mut slab, &mut f, 11, 1);
        add(&mut slab, &mut f, 12, 3);
        assert_eq!(f.oldest_node(), Some(n(3)));
        f.set_up(n(3), false);
        assert_eq!(f.oldest_node(), Some(n(1)));
        assert_eq!(f.visible_reachable(), 1);
        assert_eq!(f.visible_unreachable(), 2);
        f.set_up(n(3), true);
        assert_eq!(f.oldest_node(), Some(n(3)));
        let s = f.pop(n(3), &slab).unwrap();
        slab.get_mut(s).state = State::InFlight;
        assert_eq!(f.oldest_node(), Some(n(1)));
        assert_eq!(f.visible_reachable(), 2);
    }

    /// The tree (large fleets) and the scan (small ones) find the same node.
    #[test]
    fn oldest_node_by_tree_and_by_scan_agree() {
        for nodes in [5u32, 40] {
            let mut slab = Slab::default();
            let mut f = Fleet::new(nodes);
            let mut rng = crate::engine::StreamSeed::new(4).stream(&[nodes as u64]);
            for seq in 0..5_000u64 {
                let r = rand::Rng::next_u64(&mut rng);
                match r % 4 {
                    0 | 1 => {
                        add(&mut slab, &mut f, seq, (r >> 8) as u32 % nodes);
                    }
                    2 => {
                        if let Some(node) = f.oldest_node() {
                            let s = f.pop(node, &slab).unwrap();
                            slab.remove(s);
                        }
                    }
                    _ => f.set_up(n((r >> 8) as u32 % nodes), r & (1 << 20) != 0),
                }
                let brute = (0..nodes)
                    .map(n)
                    .filter(|&n| f.is_up(n))
                    .filter_map(|n| f.top(n).map(|t| (t.0, n)))
                    .min()
                    .map(|t| t.1);
                assert_eq!(f.oldest_node(), brute, "{nodes} nodes, step {seq}");
            }
        }
    }

    /// The oldest node and the counts agree with a look at every message,
    /// through arrivals, receives from the oldest node and from any node,
    /// returns out of order (a visibility timeout ended), deletes of
    /// visible messages (stale entries anywhere in a store) and outages, in
    /// a small fleet (scan, remembered oldest) and a large one (tree).
    #[test]
    fn oldest_node_matches_every_message_through_any_history() {
        for nodes in [5u32, 10, 40] {
            let mut slab = Slab::default();
            let mut f = Fleet::new(nodes);
            let mut rng = crate::engine::StreamSeed::new(9).stream(&[nodes as u64]);
            let (mut in_flight, mut visible) = (Vec::new(), Vec::new());
            let mut seq = 0;
            for step in 0..20_000 {
                let r = rand::Rng::next_u64(&mut rng);
                let node = n((r >> 8) as u32 % nodes);
                match r % 8 {
                    0..=2 => {
                        let slot = message(&mut slab, seq, node);
                        f.push_newest(node, seq, slot);
                        visible.push(slot);
                        seq += 1;
                    }
                    3 | 4 => {
                        let from = if r % 8 == 3 {
                            f.oldest_node()
                        } else {
                            Some(node).filter(|&n| f.oldest_seq(n) != NONE)
                        };
                        if let Some(from) = from {
                            let s = f.pop(from, &slab).unwrap();
                            slab.get_mut(s).state = State::InFlight;
                            visible.retain(|&v| v != s);
                            in_flight.push(s);
                        }
                    }
                    5 if !in_flight.is_empty() => {
                        let s = in_flight.swap_remove((r >> 32) as usize % in_flight.len());
                        let m = slab.get_mut(s);
                        m.state = State::Visible;
                        f.push(m.node, m.seq, s);
                        visible.push(s);
                    }
                    6 if !visible.is_empty() => {
                        let s = visible.swap_remove((r >> 32) as usize % visible.len());
                        let node = slab.get(s).node;
                        slab.remove(s);
                        f.forget(node, &slab);
                    }
                    _ => f.set_up(node, r & (1 << 20) != 0),
                }
                let oldest = slab
                    .iter()
                    .filter(|m| m.state == State::Visible && f.is_up(m.node))
                    .min_by_key(|m| m.seq);
                let reachable = slab
                    .iter()
                    .filter(|m| m.state == State::Visible && f.is_up(m.node))
                    .count();
                let at = format!("{nodes} nodes, step {step}");
                assert_eq!(f.oldest_node(), oldest.map(|m| m.node), "{at}");
                let slot = f.oldest_slot().map(|s| slab.get(s).seq);
                assert_eq!(slot, oldest.map(|m| m.seq), "{at}");
                assert_eq!(f.visible_reachable(), reachable as u64, "{at}");
            }
        }
    }

    fn message(slab: &mut Slab, seq: u64, node: NodeId) -> u32 {
        slab.insert(Message {
            seq,
            sent: SimTime::ZERO,
            stored: SimTime::ZERO,
            receipt: 0,
            size: 1,
            node,
            receives: 0,
            state: State::Visible,
            duplicate: false,
            lease: 0,
        })
    }

    /// A stale entry behind the front is dropped when it reaches the front.
    #[test]
    fn a_stale_entry_behind_the_front_is_dropped_when_it_reaches_it() {
        let mut slab = Slab::default();
        let mut f = Fleet::new(1);
        let a = add(&mut slab, &mut f, 1, 0);
        let b = add(&mut slab, &mut f, 2, 0);
        add(&mut slab, &mut f, 3, 0);
        slab.remove(b);
        f.forget(n(0), &slab);
        assert_eq!(f.top(n(0)).map(|t| t.0), Some(1));
        assert_eq!(f.pop(n(0), &slab), Some(a));
        slab.get_mut(a).state = State::InFlight;
        assert_eq!(f.top(n(0)).map(|t| t.0), Some(3));
        assert_eq!(f.oldest_seq(n(0)), 3);
        assert_eq!(f.heap_entries(), 1);
    }

    #[test]
    fn stale_tops_are_cleaned() {
        let mut slab = Slab::default();
        let mut f = Fleet::new(2);
        let a = add(&mut slab, &mut f, 1, 0);
        add(&mut slab, &mut f, 2, 0);
        slab.remove(a);
        f.forget(n(0), &slab);
        assert_eq!(f.top(n(0)).map(|t| t.0), Some(2));
        // Node 1 holds nothing: the one visible message is node 0's.
        assert_eq!(f.visible_reachable(), 1);
    }
}
