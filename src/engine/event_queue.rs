//! The future event list, ordered by `(time, seq)`.
//!
//! `seq` is a counter stamped at insertion, so events at the same instant run
//! in the order they were scheduled (FIFO tie-break). Keys are unique, so the
//! order events come out in depends only on the keys, never on how they are
//! stored: the run is a pure function of the scenario and seed.
//!
//! One store holds every event that is due next from its source, keyed by
//! `(time, seq)` packed into one `u128` (time in the high half), so a
//! comparison is one wide compare, not a branch per field. While it holds
//! few entries (up to [`SORTED_MAX`], the usual case: one per actor and
//! lane) the store is a list sorted latest first, so the next event is its
//! last entry and an insertion moves only the entries due before the new
//! one; measured on the reference load that is about 6 % of all
//! instructions less than a heap's sift-down per pop. A larger pending set
//! turns it into a binary min-heap for the rest of the run (reversed, the
//! sorted list already is one).
//!
//! Most events of a simulation are "the same delay after now" (a constant
//! network hop, a long poll's wait time, a fixed sleep): events scheduled at
//! `now + d` for a fixed `d` arrive in key order, so the caller may name a
//! FIFO **lane** for them. Only a lane's front sits in the store; the rest
//! wait in a ring buffer behind it, and popping the front moves the next one
//! into the store. A large fleet's thousands of pending hops thus cost the
//! store one entry per lane, and a pop never scans the lanes. The lane is a
//! hint: an event that would break its lane's order (a random delay shorter
//! than the last one) goes to the store on its own, so correctness never
//! depends on it. Nothing allocates per event once the stores have grown to
//! their working size.

use super::SimTime;

/// Low bits of a key's `seq` half: 0 for an event of the store's own, `1 + l`
/// for the front of lane `l`. Below the counter, so they never decide an
/// order (the counter alone is unique).
const TAG_BITS: u32 = 4;
const TAG_MASK: u128 = (1 << TAG_BITS) - 1;
/// Lanes a queue may have (tags `1..=MAX_LANES`).
const MAX_LANES: usize = (1 << TAG_BITS) - 1;

#[derive(Copy, Clone)]
struct Entry<E> {
    /// `time << 64 | seq << TAG_BITS | tag`.
    key: u128,
    event: E,
}

impl<E> Entry<E> {
    #[inline(always)]
    fn time(&self) -> SimTime {
        SimTime((self.key >> 64) as u64)
    }
}

/// A FIFO lane: its front is in the store, the events behind it are here.
struct Lane<E> {
    rest: Ring<Entry<E>>,
    /// Whether the lane's front is in the store (the lane is not empty).
    live: bool,
    /// Time of the lane's last event (stale once the lane is empty, and then
    /// no later than now, so any new event keeps the order).
    last: SimTime,
}

/// A FIFO of copyable entries in a power-of-two buffer: a push and a pop
/// are an index mask and a copy. `VecDeque` does the same with a branch per
/// wrap and a capacity test per push that showed in the profile (every lane
/// event goes through one push and one pop).
struct Ring<T> {
    buf: Vec<T>,
    head: usize,
    len: usize,
}

impl<T: Copy> Ring<T> {
    fn new() -> Self {
        Ring {
            buf: Vec::new(),
            head: 0,
            len: 0,
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    fn push_back(&mut self, x: T) {
        if self.len == self.buf.len() {
            self.grow(x);
        }
        let mask = self.buf.len() - 1;
        self.buf[(self.head + self.len) & mask] = x;
        self.len += 1;
    }

    #[cfg(test)]
    fn pop_front(&mut self) -> Option<T> {
        (self.len > 0).then(|| self.take_front())
    }

    /// Takes the front out of a ring that is not empty. The event queue
    /// tests the length itself: an `Option` of the entry sent it through
    /// the stack (seen in the profile).
    #[inline(always)]
    fn take_front(&mut self) -> T {
        debug_assert!(self.len > 0, "take_front on an empty ring");
        let x = self.buf[self.head];
        self.head = (self.head + 1) & (self.buf.len() - 1);
        self.len -= 1;
        x
    }

    /// Doubles the buffer (at least 64 entries), unwrapping the entries to
    /// its start; `fill` only pads the new room (any value of `T` does).
    #[cold]
    #[inline(never)]
    fn grow(&mut self, fill: T) {
        let cap = (self.buf.len() * 2).max(64);
        let mut buf = Vec::with_capacity(cap);
        let mask = self.buf.len().wrapping_sub(1);
        buf.extend((0..self.len).map(|i| self.buf[(self.head + i) & mask]));
        buf.resize(cap, fill);
        (self.buf, self.head) = (buf, 0);
    }
}

/// The most entries the store keeps as a sorted list. A run's
/// pending set is usually a dozen entries (each actor's next step and each
/// lane's front): a pop is then the list's last entry, and an insertion
/// moves the few entries due before it, about half the instructions of a
/// heap's sift-down per event. Beyond this size (many consumers with random
/// processing times) insertion would grow linearly, so the list becomes a
/// heap, which any ascending list already is.
const SORTED_MAX: usize = 32;

/// Events ordered by time, then by scheduling order.
pub struct EventQueue<E> {
    /// The entries due next from each store: while `sorted`, a list sorted
    /// by key, latest first (the next event is the last); past
    /// [`SORTED_MAX`] entries, a binary min-heap for good.
    store: Vec<Entry<E>>,
    sorted: bool,
    lanes: Vec<Lane<E>>,
    next_seq: u64,
    now: SimTime,
    popped: u64,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    /// A queue with no FIFO lanes (every event goes to the store).
    pub fn new() -> Self {
        Self::with_lanes(0)
    }

    /// A queue with `lanes` FIFO lanes, numbered `0..lanes` (at most 15).
    pub fn with_lanes(lanes: usize) -> Self {
        assert!(lanes <= MAX_LANES, "at most {MAX_LANES} lanes");
        EventQueue {
            store: Vec::with_capacity(64),
            sorted: true,
            lanes: (0..lanes)
                .map(|_| Lane {
                    rest: Ring::new(),
                    live: false,
                    last: SimTime::ZERO,
                })
                .collect(),
            next_seq: 0,
            now: SimTime::ZERO,
            popped: 0,
        }
    }

    /// The time of the event being handled (the last one popped).
    pub(crate) fn now(&self) -> SimTime {
        self.now
    }

    /// Number of events handled so far.
    pub(crate) fn events_handled(&self) -> u64 {
        self.popped
    }

    /// Events pending.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.store.len() + self.lanes.iter().map(|l| l.rest.len()).sum::<usize>()
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The key of an event at `at` scheduled now, with `tag` in its low bits.
    #[inline(always)]
    fn stamp(&mut self, at: SimTime, tag: usize) -> u128 {
        debug_assert!(at >= self.now, "event scheduled in the past");
        let seq = self.next_seq;
        self.next_seq += 1;
        (at.0 as u128) << 64 | (seq as u128) << TAG_BITS | tag as u128
    }

    /// Schedules `event` at absolute time `at`. Scheduling in the past is a
    /// model bug, caught in debug builds.
    #[inline]
    pub fn schedule(&mut self, at: SimTime, event: E) {
        let key = self.stamp(at, 0);
        self.push(Entry { key, event });
    }

    /// Schedules `event` at `at`, in FIFO lane `lane` if that keeps the lane
    /// in order (`at` no earlier than the lane's last event), else in the store.
    /// Either way the event runs at the same point: the lane is only a faster
    /// store for events that are scheduled a fixed delay ahead.
    #[inline(always)]
    pub fn schedule_fifo(&mut self, lane: usize, at: SimTime, event: E) {
        if at < self.lanes[lane].last {
            return self.schedule(at, event);
        }
        let key = self.stamp(at, lane + 1);
        let l = &mut self.lanes[lane];
        l.last = at;
        if l.live {
            l.rest.push_back(Entry { key, event });
        } else {
            l.live = true;
            self.push(Entry { key, event });
        }
    }

    /// Where the next event sits in the store: the last entry of the list,
    /// the root of the heap; out of range when the store is empty. One
    /// index for both forms: reading the entry through two branches made
    /// the loop work out each field's address on both (seen in the profile).
    #[inline(always)]
    fn top(&self) -> usize {
        match self.sorted {
            true => self.store.len().wrapping_sub(1),
            false => 0,
        }
    }

    /// The time of the next event; `SimTime::MAX` when there is none (an
    /// event at `MAX` never happens: a run ends before).
    #[inline(always)]
    pub fn next_time(&self) -> SimTime {
        self.store.get(self.top()).map_or(SimTime::MAX, Entry::time)
    }

    /// Pops the next event if it happens no later than `until`, advancing now.
    pub fn pop_until(&mut self, until: SimTime) -> Option<(SimTime, E)> {
        let due = self
            .store
            .get(self.top())
            .is_some_and(|e| e.time() <= until);
        due.then(|| self.pop())
    }

    /// Pops the next event, advancing now; there must be one (the run loop
    /// asks [`next_time`](Self::next_time) first). Split from the test, the
    /// loop hands on the event as it is: an `Option` of it cost a test of
    /// its niche per event after the pop's paths met (seen in the profile).
    /// Always inlined: called once per event, and out of line it costs a
    /// call and a trip of the event through memory (seen in the profile).
    #[inline(always)]
    pub fn pop(&mut self) -> (SimTime, E) {
        let top = self.store[self.top()];
        let t = top.time();
        // A lane's front leaves: the next event of the lane, if any, takes
        // its place in the store.
        let tag = (top.key & TAG_MASK) as usize;
        let lane = tag.checked_sub(1).map(|l| &mut self.lanes[l]);
        match lane {
            Some(lane) if lane.rest.len > 0 => {
                let e = lane.rest.take_front();
                match self.sorted {
                    true => self.settle_from_end(e, self.store.len() - 1),
                    false => self.sift_down(e),
                }
            }
            _ => {
                if let Some(lane) = lane {
                    lane.live = false;
                }
                match self.sorted {
                    true => {
                        self.store.pop();
                    }
                    false => self.remove_top(),
                }
            }
        }
        self.now = t;
        self.popped += 1;
        (t, top.event)
    }

    /// Moves the clock to `t` (used once at the end of a run, so that end-of-run
    /// state is read at the run's duration).
    pub(crate) fn advance_to(&mut self, t: SimTime) {
        if t > self.now {
            self.now = t;
        }
    }

    /// Adds `e` to the store.
    #[inline(always)]
    fn push(&mut self, e: Entry<E>) {
        // One test of the form per push: the list's path is the hot one.
        let pos = self.store.len();
        if self.sorted && pos < SORTED_MAX {
            self.store.push(e);
            self.settle_newest(e, pos);
        } else {
            self.push_heap(e);
        }
    }

    /// Adds `e` to the heap, first making one of a full sorted list.
    #[inline]
    fn push_heap(&mut self, e: Entry<E>) {
        if self.sorted {
            self.make_heap();
        }
        let pos = self.store.len();
        self.store.push(e);
        self.sift_up(e, pos);
    }

    /// Too many entries for a list: reversed (earliest first), the sorted
    /// list is a min-heap as it stands.
    #[cold]
    #[inline(never)]
    fn make_heap(&mut self) {
        self.store.reverse();
        self.sorted = false;
    }

    /// Puts `e` into the sorted list whose slot `hole` (the last) is free:
    /// the entries due before it move up one slot.
    #[inline(always)]
    fn settle_from_end(&mut self, e: Entry<E>, hole: usize) {
        let list = &mut self.store[..=hole];
        let mut pos = hole;
        while pos > 0 && list[pos - 1].key < e.key {
            list[pos] = list[pos - 1];
            pos -= 1;
        }
        list[pos] = e;
    }

    /// [`settle_from_end`](Self::settle_from_end) for an entry just
    /// stamped: its `seq` is the largest yet, so it is due after every entry
    /// at its time or earlier, and comparing times alone puts it in its
    /// place (a 64-bit compare per entry passed instead of a 128-bit one).
    #[inline(always)]
    fn settle_newest(&mut self, e: Entry<E>, hole: usize) {
        let list = &mut self.store[..=hole];
        let t = e.time();
        let mut pos = hole;
        while pos > 0 && list[pos - 1].time() <= t {
            list[pos] = list[pos - 1];
            pos -= 1;
        }
        list[pos] = e;
    }

    /// A hole at `pos` climbs from the bottom of the heap to the place of
    /// `e`, an entry just stamped (so, as in
    /// [`settle_newest`](Self::settle_newest), times alone decide).
    #[inline(always)]
    fn sift_up(&mut self, e: Entry<E>, mut pos: usize) {
        let heap = &mut self.store[..];
        let t = e.time();
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if heap[parent].time() <= t {
                break;
            }
            heap[pos] = heap[parent];
            pos = parent;
        }
        heap[pos] = e;
    }

    /// Removes the root: the last entry sinks from the top.
    #[inline(always)]
    fn remove_top(&mut self) {
        let last = self.store.pop().expect("the root was just read");
        if !self.store.is_empty() {
            self.sift_down(last);
        }
    }

    /// Replaces the root with `e` and lets it sink to its place.
    #[inline(always)]
    fn sift_down(&mut self, e: Entry<E>) {
        let heap = &mut self.store[..];
        let n = heap.len();
        let mut pos = 0;
        loop {
            let mut child = 2 * pos + 1;
            if child >= n {
                break;
            }
            if child + 1 < n && heap[child + 1].key < heap[child].key {
                child += 1;
            }
            if e.key <= heap[child].key {
                break;
            }
            heap[pos] = heap[child];
            pos = child;
        }
        heap[pos] = e;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(5), 'a');
        q.schedule(SimTime(1), 'b');
        q.schedule(SimTime(5), 'c');
        q.schedule(SimTime(1), 'd');
        let mut out = vec![];
        while let Some((_, e)) = q.pop_until(SimTime::MAX) {
            out.push(e);
        }
        assert_eq!(out, vec!['b', 'd', 'a', 'c']);
        assert_eq!(q.events_handled(), 4);
    }

    /// `next_time` names the event `pop` hands on (lane fronts included),
    /// and `MAX` once the queue is empty.
    #[test]
    fn next_time_is_the_time_pop_returns() {
        let mut q = EventQueue::with_lanes(1);
        assert_eq!(q.next_time(), SimTime::MAX);
        q.schedule_fifo(0, SimTime(4), 'a');
        q.schedule(SimTime(6), 'b');
        q.schedule_fifo(0, SimTime(7), 'c');
        let mut out = vec![];
        while q.next_time() < SimTime::MAX {
            let t = q.next_time();
            out.push((t, q.pop()));
        }
        let want = [(4, 'a'), (6, 'b'), (7, 'c')].map(|(t, e)| (SimTime(t), (SimTime(t), e)));
        assert_eq!(out, want);
        assert_eq!(q.now(), SimTime(7));
    }

    #[test]
    fn pop_until_stops_at_horizon() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(10), 1);
        q.schedule(SimTime(20), 2);
        assert_eq!(q.pop_until(SimTime(15)), Some((SimTime(10), 1)));
        assert_eq!(q.pop_until(SimTime(15)), None);
        assert_eq!(q.now(), SimTime(10));
        assert_eq!(q.len(), 1);
    }

    /// Lanes are only a store: any mix of lane hints pops in exactly the
    /// `(time, seq)` order of a plain heap, including out-of-order times
    /// that fall back to the store.
    #[test]
    fn lanes_never_change_the_order() {
        let mut rng = crate::engine::StreamSeed::new(5).stream(&[]);
        let mut plain = EventQueue::new();
        let mut laned = EventQueue::with_lanes(3);
        let mut n = 0u32;
        let (mut a, mut b) = (vec![], vec![]);
        for step in 0..20_000u64 {
            let r = rand::Rng::next_u64(&mut rng);
            if !r.is_multiple_of(3) || plain.is_empty() {
                let delay = SimTime(match r % 5 {
                    0 => 7,
                    1 => r % 50,
                    _ => 3 + (r >> 20) % 3,
                });
                let at = plain.now() + delay;
                plain.schedule(at, n);
                laned.schedule_fifo((r >> 8) as usize % 3, at, n);
                n += 1;
            } else {
                a.push(plain.pop_until(SimTime::MAX));
                b.push(laned.pop_until(SimTime::MAX));
            }
            assert_eq!(plain.len(), laned.len(), "step {step}");
        }
        while let Some(e) = plain.pop_until(SimTime::MAX) {
            a.push(Some(e));
            b.push(laned.pop_until(SimTime::MAX));
        }
        assert_eq!(a, b);
        assert!(laned.is_empty());
    }

    /// The ring keeps FIFO order across wrap-arounds and growth.
    #[test]
    fn ring_is_a_fifo() {
        let mut r = Ring::new();
        let mut model = std::collections::VecDeque::new();
        let mut rng = crate::engine::StreamSeed::new(9).stream(&[]);
        for i in 0..10_000u32 {
            if !rand::Rng::next_u32(&mut rng).is_multiple_of(3) {
                r.push_back(i);
                model.push_back(i);
            } else {
                assert_eq!(r.pop_front(), model.pop_front());
            }
            assert_eq!(r.len(), model.len());
        }
        while let Some(x) = model.pop_front() {
            assert_eq!(r.pop_front(), Some(x));
        }
        assert_eq!(r.pop_front(), None);
    }

    /// The store pops in `(time, insertion)` order whether it is a short
    /// sorted list or, past `SORTED_MAX` entries, a heap: checked against
    /// the standard library's heap with pending sets that grow from empty
    /// to well past the switch, lanes or none.
    #[test]
    fn list_then_heap_pop_in_key_order() {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        for lanes in [0, 3] {
            let mut rng = crate::engine::StreamSeed::new(11).stream(&[lanes as u64]);
            let mut q = EventQueue::with_lanes(lanes);
            let mut reference = BinaryHeap::new();
            let mut n = 0u32;
            for step in 0..30_000u32 {
                let r = rand::Rng::next_u64(&mut rng);
                // Grow for the first half (pushes outnumber pops), then drain.
                let push = if step < 15_000 {
                    !r.is_multiple_of(4)
                } else {
                    r.is_multiple_of(4)
                };
                if push || reference.is_empty() {
                    let at = q.now() + SimTime(r >> 40 & 0xff);
                    match lanes {
                        0 => q.schedule(at, n),
                        _ => q.schedule_fifo((r >> 8) as usize % lanes, at, n),
                    }
                    reference.push(Reverse((at, n)));
                    n += 1;
                } else {
                    let Reverse(want) = reference.pop().unwrap();
                    assert_eq!(q.pop_until(SimTime::MAX), Some(want), "step {step}");
                }
            }
            assert!(!q.sorted, "the test reaches the heap");
            while let Some(Reverse(want)) = reference.pop() {
                assert_eq!(q.pop_until(SimTime::MAX), Some(want));
            }
            assert!(q.is_empty());
        }
    }
}
