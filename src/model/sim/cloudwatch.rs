//! The minute ticks of `cloudwatch.csv`: at the end of every minute (and at
//! the run's end) the queue's levels and the age of its oldest visible
//! message are read, O(1) each, and handed to the recorder's CloudWatch
//! periods. Runs without a time series schedule no tick.

use super::{Event, Sim};
use crate::engine::SimTime;
use crate::model::cloudwatch::{Sample, MINUTE};

impl Sim<'_> {
    pub(super) fn schedule_cloudwatch(&mut self) {
        if self.opts.timeseries {
            self.events.schedule(MINUTE, Event::CloudwatchSample);
        }
    }

    /// A minute ends: CloudWatch's sample of the levels.
    pub(super) fn cloudwatch_sample(&mut self, now: SimTime) {
        self.ticks += 1;
        let sample = self.cloudwatch_levels(now);
        self.rec.cloudwatch_sample(now, sample, false);
        self.events.schedule(now + MINUTE, Event::CloudwatchSample);
    }

    /// The run is over: the last period gets its levels at the end.
    pub(super) fn last_cloudwatch_sample(&mut self) {
        let end = self.events.now();
        let sample = self.cloudwatch_levels(end);
        self.rec.cloudwatch_sample(end, sample, true);
    }

    fn cloudwatch_levels(&self, now: SimTime) -> Sample {
        let levels = self.queue.levels();
        Sample {
            visible: levels.visible,
            not_visible: levels.in_flight,
            delayed: levels.delayed,
            oldest_age: self
                .queue
                .oldest_visible_stored()
                .map_or(SimTime::ZERO, |stored| now - stored),
            groups_in_flight: levels.groups_in_flight,
        }
    }
}
