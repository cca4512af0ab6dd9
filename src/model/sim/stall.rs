//! Stopping a run whose simulated time stands still. Events at one instant
//! are legal (a burst, a chain of zero delays), but an unbounded number of
//! them is a loop that would never end, e.g. two consumers passing a message
//! back and forth with zero network delay and zero processing. The guard
//! stops the run and names the groups involved, so the user can fix them.

use super::{Event, Sim};
use crate::engine::SimTime;
use crate::model::config::ModelConfig;

/// Simulated time standing still for this many events in a row is a loop
/// that would never end: the run stops and reports a [`Stall`].
pub const STALL_EVENTS: u64 = 10_000_000;

/// How many of the last events before a stall are looked at to name the
/// groups that loop.
const STALL_WITNESSES: u64 = 10_000;

/// A run stopped because simulated time stood still.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stall {
    /// The instant time stood still at.
    pub at: SimTime,
    /// Consumer and producer groups that handled events in the last
    /// events before the stop, by name, in configuration order.
    pub consumers: Vec<String>,
    pub producers: Vec<String>,
}

/// Whose event it was: a producer or consumer group (its index in the
/// configuration), for naming the groups in a stall.
#[derive(Copy, Clone)]
pub(super) enum Entity {
    Producer(u32),
    Consumer(u32),
}

/// Counts the events at the current instant; near the limit, remembers the
/// groups that handle them.
pub(super) struct Guard {
    /// The instant of the event before.
    last_at: SimTime,
    /// The instant `still` counts the events of: set by the second event
    /// at an instant, so that an event at a new instant (nearly all of
    /// them) stores only `last_at` (a second store per event showed in
    /// the profile).
    still_at: SimTime,
    /// Events so far at `still_at`.
    still: u64,
    witnesses: Witnesses,
}

impl Guard {
    pub(super) fn new() -> Guard {
        Guard {
            // No event is due at `MAX` (a run ends before), so the first
            // event starts the count.
            last_at: SimTime::MAX,
            still_at: SimTime::MAX,
            still: 0,
            witnesses: Witnesses::default(),
        }
    }

    /// Sees the next event, due at `now`: true when it is due at the same
    /// instant as the one before, and [`stood_still`](Self::stood_still)
    /// must count it. Split from the count so that the loop names the
    /// event's entity only then: a closure asking for it made the loop keep
    /// every event in memory (seen in the profile).
    #[inline(always)]
    pub(super) fn at(&mut self, now: SimTime) -> bool {
        if self.last_at != now {
            self.last_at = now;
            return false;
        }
        true
    }

    /// Counts one more event at the current instant, handled by `entity`;
    /// true when it is the one that makes time stand still for too long
    /// (the run must stop before handling it). `entity` is only kept for the
    /// last events before the limit.
    #[inline]
    pub(super) fn stood_still(&mut self, entity: Option<Entity>) -> bool {
        if self.still_at != self.last_at {
            // The event before this one was the first at the instant.
            (self.still_at, self.still) = (self.last_at, 1);
        }
        self.still += 1;
        if self.still <= STALL_EVENTS - STALL_WITNESSES {
            return false;
        }
        self.witnesses.see(entity);
        self.still >= STALL_EVENTS
    }

    pub(super) fn stall(self, cfg: &ModelConfig, at: SimTime) -> Stall {
        self.witnesses.stall(cfg, at)
    }
}

/// The groups seen handling events while time stood still.
#[derive(Default)]
struct Witnesses {
    producers: Vec<u32>,
    consumers: Vec<u32>,
}

impl Witnesses {
    fn see(&mut self, e: Option<Entity>) {
        let (list, g) = match e {
            Some(Entity::Producer(g)) => (&mut self.producers, g),
            Some(Entity::Consumer(g)) => (&mut self.consumers, g),
            None => return,
        };
        if !list.contains(&g) {
            list.push(g);
        }
    }

    fn stall(mut self, cfg: &ModelConfig, at: SimTime) -> Stall {
        self.producers.sort_unstable();
        self.consumers.sort_unstable();
        Stall {
            at,
            consumers: self
                .consumers
                .iter()
                .map(|&g| cfg.consumers[g as usize].name.clone())
                .collect(),
            producers: self
                .producers
                .iter()
                .map(|&g| cfg.producers[g as usize].name.clone())
                .collect(),
        }
    }
}

impl Sim<'_> {
    /// The group whose entity an event belongs to (`None` for the queue's
    /// own clocks).
    pub(super) fn entity(&self, ev: Event) -> Option<Entity> {
        match ev {
            Event::ProducerNext { p }
            | Event::ProducerFlush { p }
            | Event::SendArrive { p, .. }
            | Event::SendResend { p, .. }
            | Event::SendRetry { p, .. } => Some(Entity::Producer(self.producers[p.index()].group)),
            Event::Burst { group, .. } => Some(Entity::Producer(group)),
            Event::Poll { c }
            | Event::ReceiveArrive { c }
            | Event::WaitTimeout { c, .. }
            | Event::ReceiveResponse { c }
            | Event::ProcessDone { c }
            | Event::DeleteArrive { c, .. }
            | Event::DeleteResponse { c }
            | Event::SlotDone { c, .. }
            | Event::Request { c, .. }
            | Event::Heartbeat { c, .. } => Some(Entity::Consumer(self.consumers[c.index()].group)),
            Event::QueueTimer
            | Event::NodeDown { .. }
            | Event::NodeUp { .. }
            | Event::Tick
            | Event::ScaleTick { .. }
            | Event::ScaleRead { .. }
            | Event::ScaleDecide { .. }
            | Event::CloudwatchMinute
            | Event::CloudwatchSample => None,
            Event::LambdaScale { esm } => Some(Entity::Consumer(self.lambda_group(esm))),
            Event::InvokeDone { inv } | Event::LambdaDelete { inv, .. } => {
                Some(Entity::Consumer(self.lambda_group_of_invocation(inv)))
            }
        }
    }
}
