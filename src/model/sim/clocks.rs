//! What happens on a clock rather than at an actor's request: the queue's
//! timer (delays ending, visibility timeouts running out, retention),
//! scripted node outages, and the time-series ticks.
//!
//! The queue keeps its due times in FIFO lanes (see `queue`); the run keeps
//! at most one `QueueTimer` event pending per earlier due time, so the
//! event heap does not grow with the number of messages.

use super::{Event, Sim};
use crate::engine::SimTime;
use crate::model::ids::NodeId;
use crate::model::observer::{Observer, QueueChange};

impl Sim<'_> {
    /// The scripted outages, and the first time-series tick.
    pub(super) fn schedule_clocks(&mut self) {
        for o in &self.cfg.outages {
            let node = NodeId::new(o.node);
            self.events.schedule(o.at, Event::NodeDown { node });
            self.events
                .schedule(o.at + o.duration, Event::NodeUp { node });
        }
        if self.opts.timeseries {
            self.events.schedule(self.cfg.bucket, Event::Tick);
        }
    }

    /// Makes sure a `QueueTimer` is pending no later than `due`, a due time
    /// just added to one of the queue's clocks. O(1): cheaper than
    /// `arm_timer`'s look at every clock, for the clock entries each send and
    /// each receive add.
    #[inline]
    pub(super) fn arm_at(&mut self, due: SimTime) {
        if due < self.timer_armed {
            self.timer_armed = due;
            self.events
                .schedule(due.max(self.events.now()), Event::QueueTimer);
        }
    }

    /// Makes sure a `QueueTimer` is pending at the queue's next due time.
    pub(super) fn arm_timer(&mut self) {
        if let Some(due) = self.queue.next_due() {
            self.arm_at(due);
        }
    }

    /// Applies every clock due now, then arms the timer for the next one.
    /// Messages that became visible, or room freed under the in-flight
    /// limit, may wake parked long polls.
    pub(super) fn queue_timer<O: Observer>(&mut self, now: SimTime, obs: &mut O) {
        if now >= self.timer_armed {
            self.timer_armed = SimTime::MAX;
        }
        let out = self.queue.fire_due(now);
        self.rec.dead_lettered(now, out.dead_lettered);
        self.rec.expired(now, out.expired);
        self.arm_timer();
        if out.became_visible + out.dead_lettered + out.expired > 0 {
            let change = QueueChange::Timer {
                dead_lettered: out.dead_lettered,
                expired: out.expired,
            };
            obs.queue_changed(now, change, &self.queue);
        }
        let freed = out.dead_lettered + out.expired > 0 && self.queue.in_flight_room() > 0;
        if out.became_visible > 0 || freed {
            self.wake_waiters(now, obs);
        }
    }

    /// A node goes down: its visible messages are out of reach until it is
    /// back (they are counted as unreachable, not lost).
    pub(super) fn node_down<O: Observer>(&mut self, now: SimTime, node: NodeId, obs: &mut O) {
        self.queue.set_node_up(node, false);
        obs.queue_changed(now, QueueChange::NodeDown { node }, &self.queue);
    }

    /// A node is back: its messages are visible again, so parked long polls
    /// may take them.
    pub(super) fn node_up<O: Observer>(&mut self, now: SimTime, node: NodeId, obs: &mut O) {
        self.queue.set_node_up(node, true);
        obs.queue_changed(now, QueueChange::NodeUp { node }, &self.queue);
        self.wake_waiters(now, obs);
    }

    /// The end of a time-series bucket: record the queue's levels then.
    pub(super) fn tick(&mut self, now: SimTime) {
        self.ticks += 1;
        let bucket = self.cfg.bucket;
        self.rec.levels(now - bucket, self.queue.levels());
        let running = self.consumers_running(now);
        let busy = self.busy_at(now);
        self.rec.consumer_levels(now - bucket, busy, running);
        self.lambda_tick(now - bucket, Some(now));
        self.events.schedule(now + bucket, Event::Tick);
    }

    /// Messages being processed at `t`, as a tick then records it: the
    /// counted ones and the folded consumers' (`busy`'s module).
    fn busy_at(&mut self, t: SimTime) -> u64 {
        self.busy + self.folded_busy.at(t)
    }

    /// The run is over: the last (possibly partial) bucket gets its levels
    /// and the rest of the series is handed on.
    pub(super) fn last_tick(&mut self) {
        let end = self.events.now();
        let width = self.cfg.bucket.micros();
        let start = SimTime(end.micros().saturating_sub(1) / width * width);
        self.rec.levels(start, self.queue.levels());
        let running = self.consumers_running(end);
        let busy = self.busy_at(end);
        self.rec.consumer_levels(start, busy, running);
        self.lambda_tick(start, None);
        self.rec.finish_series(end.micros().div_ceil(width));
    }
}
