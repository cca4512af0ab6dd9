//! Message records, kept in a slab so that a message is a `u32` slot and
//! freed slots are reused: memory follows the number of live messages.

use super::ids::NodeId;
use crate::engine::SimTime;

/// Where a live message is in its life.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// Slot not in use.
    Free,
    /// Sent with a delay that has not ended.
    Delayed,
    /// Can be received (if its node is up).
    Visible,
    /// Received; invisible until deleted or its visibility timeout ends.
    InFlight,
}

#[derive(Clone, Debug)]
pub(crate) struct Message {
    /// Arrival order at the queue; "oldest first" means smallest `seq`.
    pub(crate) seq: u64,
    /// When the producer called SendMessage (latency is measured from here).
    pub(crate) sent: SimTime,
    /// When the queue stored it (retention counts from here).
    pub(crate) stored: SimTime,
    /// The receipt of the most recent delivery (kept after its visibility
    /// timeout: a delete with it still works); unique per delivery, 0 = none.
    pub(crate) receipt: u64,
    pub(crate) size: u32,
    pub(crate) node: NodeId,
    pub(crate) receives: u32,
    pub(crate) state: State,
    /// A second copy stored by a producer's retry (standard queues): its
    /// first delivery is a duplicate delivery.
    pub(crate) duplicate: bool,
    /// Counts the visibility changes of the current delivery (heartbeats):
    /// a visibility-timer entry holds the lease it was set under, so an
    /// entry a heartbeat replaced is skipped. Sits in what was padding.
    pub(crate) lease: u16,
}

// Messages are the model's bulk: the copy flag and the lease sit in the
// padding, so a message stays 48 bytes.
const _: () = assert!(std::mem::size_of::<Message>() <= 48);

#[derive(Default)]
pub(crate) struct Slab {
    msgs: Vec<Message>,
    free: Vec<u32>,
    live: u64,
}

impl Slab {
    pub(crate) fn insert(&mut self, m: Message) -> u32 {
        self.live += 1;
        if let Some(slot) = self.free.pop() {
            self.msgs[slot as usize] = m;
            slot
        } else {
            self.msgs.push(m);
            (self.msgs.len() - 1) as u32
        }
    }

    pub(crate) fn remove(&mut self, slot: u32) {
        let m = &mut self.msgs[slot as usize];
        debug_assert!(m.state != State::Free, "double free of a message slot");
        m.state = State::Free;
        m.receipt = 0;
        self.free.push(slot);
        self.live -= 1;
    }

    #[inline]
    pub(crate) fn get(&self, slot: u32) -> &Message {
        &self.msgs[slot as usize]
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, slot: u32) -> &mut Message {
        &mut self.msgs[slot as usize]
    }

    /// Whether `slot` still holds the message `seq` in state `state`: the test
    /// every lazily-deleted index entry (heap, timer lane) goes through.
    #[inline]
    pub(crate) fn is(&self, slot: u32, seq: u64, state: State) -> bool {
        let m = &self.msgs[slot as usize];
        m.seq == seq && m.state == state
    }

    /// The live messages, in slot order (teaching mode inspects the queue).
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Message> {
        self.msgs.iter().filter(|m| m.state != State::Free)
    }

    /// Number of live (non-free) messages.
    pub(crate) fn live(&self) -> u64 {
        self.live
    }
}

/// A first-in first-out queue of index entries (the fleet's per-node
/// stores, the queue's clocks): a `Vec` read from `head`. Its accesses are
/// plain indexing, where a `VecDeque` pays wrap-around arithmetic on every
/// push, front and pop, which these queues do once or twice per message.
/// Emptied, it starts over at index 0; the consumed front is dropped when
/// the buffer is full and at least half consumed (so a long-lived backlog
/// moves each entry O(1) times and holds at most twice its length).
#[derive(Clone, Debug)]
pub(crate) struct Fifo<T> {
    buf: Vec<T>,
    /// Index of the front entry; `buf[..head]` is consumed. Invariant:
    /// `head < buf.len()` unless both are 0.
    head: usize,
}

impl<T: Copy> Default for Fifo<T> {
    fn default() -> Self {
        Fifo {
            buf: Vec::new(),
            head: 0,
        }
    }
}

impl<T: Copy> Fifo<T> {
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.buf.len() - self.head
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Room held, consumed front included (to give back a drained backlog).
    pub(crate) fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    #[inline]
    pub(crate) fn front(&self) -> Option<&T> {
        self.buf.get(self.head)
    }

    #[inline]
    pub(crate) fn back(&self) -> Option<&T> {
        self.buf.last()
    }

    #[inline]
    pub(crate) fn push_back(&mut self, e: T) {
        if self.buf.len() == self.buf.capacity() && 2 * self.head >= self.buf.len() {
            self.drop_consumed();
        }
        self.buf.push(e);
    }

    #[inline]
    pub(crate) fn pop_front(&mut self) -> Option<T> {
        let e = *self.buf.get(self.head)?;
        self.head += 1;
        if self.head == self.buf.len() {
            self.buf.clear();
            self.head = 0;
        }
        Some(e)
    }

    /// Moves the live entries to the start of the buffer (out of line:
    /// once per buffer's worth of pushes at most).
    #[cold]
    #[inline(never)]
    fn drop_consumed(&mut self) {
        self.buf.drain(..self.head);
        self.head = 0;
    }

    /// The entries, front first.
    pub(crate) fn iter(&self) -> std::slice::Iter<'_, T> {
        self.buf[self.head..].iter()
    }

    /// Drops the `n` front entries.
    pub(crate) fn drop_front(&mut self, n: usize) {
        assert!(n <= self.len(), "dropping more entries than held");
        self.head += n;
        if self.head == self.buf.len() {
            self.buf.clear();
            self.head = 0;
        }
    }

    /// Keeps the entries `keep` accepts, in order.
    pub(crate) fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.drop_consumed();
        self.buf.retain(keep);
    }

    /// Gives back memory beyond `min` entries' worth (an emptied backlog).
    pub(crate) fn shrink_to(&mut self, min: usize) {
        self.drop_consumed();
        self.buf.shrink_to(min);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against a `VecDeque` through random pushes, pops, front drops and
    /// retains: the same entries in the same order, and the buffer grown
    /// only when more than half of it is live (capacity under 4 × the
    /// most entries ever held).
    #[test]
    fn a_fifo_holds_what_a_vecdeque_holds() {
        use std::collections::VecDeque;
        let mut rng = crate::engine::StreamSeed::new(11).stream(&[]);
        let (mut fifo, mut deque) = (Fifo::default(), VecDeque::new());
        let (mut next, mut peak) = (0u64, 0);
        for step in 0..50_000 {
            let r = rand::Rng::next_u64(&mut rng);
            // Phases that grow, then drain, then hold a steady backlog.
            let push_odds = [6, 2, 4][(step / 5_000) % 3];
            match r % 8 {
                x if x < push_odds => {
                    fifo.push_back(next);
                    deque.push_back(next);
                    next += 1;
                }
                _ if r.is_multiple_of(97) => {
                    let n = (r >> 8) as usize % (deque.len() + 1);
                    fifo.drop_front(n);
                    deque.drain(..n);
                }
                _ if r.is_multiple_of(89) => {
                    fifo.retain(|&e| e % 3 != 0);
                    deque.retain(|&e| e % 3 != 0);
                }
                _ => assert_eq!(fifo.pop_front(), deque.pop_front(), "step {step}"),
            }
            assert_eq!(fifo.len(), deque.len());
            assert_eq!(fifo.is_empty(), deque.is_empty());
            assert_eq!(fifo.front(), deque.front());
            assert_eq!(fifo.back(), deque.back());
            peak = peak.max(fifo.len());
            assert!(fifo.capacity() <= 4 * peak + 8, "step {step}");
        }
        assert!(fifo.iter().eq(deque.iter()));
    }

    fn msg(seq: u64) -> Message {
        Message {
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
        }
    }

    #[test]
    fn slots_are_reused() {
        let mut s = Slab::default();
        let a = s.insert(msg(1));
        let b = s.insert(msg(2));
        s.remove(a);
        let c = s.insert(msg(3));
        assert_eq!(a, c);
        assert_ne!(b, c);
        assert_eq!(s.live(), 2);
        assert!(s.is(c, 3, State::Visible));
        assert!(!s.is(c, 1, State::Visible));
    }
}
