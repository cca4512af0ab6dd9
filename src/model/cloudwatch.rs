//! CloudWatch's view of a run (`cloudwatch.csv`): per period of
//! `report.cloudwatch_period`, the SQS metrics' Sums (messages sent,
//! received, deleted, empty receives, bytes sent) and the Maximum of the
//! `Approximate*` levels, which SQS samples once a minute.
//!
//! The Sums are counted as events happen, like the time series; the levels
//! are read by a tick at the end of every minute. A period is handed on
//! when the tick at its end has read it, so at most two are ever held: the
//! one time has reached and, for an instant, the one just ended (an event
//! at exactly a period's end belongs to the next period but may run before
//! the tick that reads the levels of the one it ends).

use crate::engine::SimTime;

/// One minute of CloudWatch: SQS publishes its queue metrics at this rate,
/// so a period is a whole number of them.
pub const MINUTE: SimTime = SimTime::from_secs(60);

/// One period of CloudWatch metrics: Sums over `[start, end)`, levels the
/// Maximum of the minute samples taken in `(start, end]` (the last period
/// of a run may end early, with the run).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CloudwatchPeriod {
    pub start: SimTime,
    /// NumberOfMessagesSent (Sum): messages stored, the initial ones at 0.
    pub sent: u64,
    /// The sent messages' bytes, for SentMessageSize (Average).
    pub sent_bytes: u64,
    /// NumberOfMessagesReceived (Sum): every delivery, redeliveries included.
    pub received: u64,
    /// NumberOfMessagesDeleted (Sum).
    pub deleted: u64,
    /// NumberOfEmptyReceives (Sum): receives answered with no message.
    pub empty_receives: u64,
    /// ApproximateNumberOfMessagesVisible (Maximum).
    pub visible: u64,
    /// ApproximateNumberOfMessagesNotVisible (Maximum): in flight.
    pub not_visible: u64,
    /// ApproximateNumberOfMessagesDelayed (Maximum).
    pub delayed: u64,
    /// ApproximateAgeOfOldestMessage (Maximum): of the oldest visible message.
    pub oldest_age: SimTime,
    /// ApproximateNumberOfGroupsWithInflightMessages (Maximum; FIFO).
    pub groups_in_flight: u64,
}

/// The levels a minute's tick reads.
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct Sample {
    pub(crate) visible: u64,
    pub(crate) not_visible: u64,
    pub(crate) delayed: u64,
    pub(crate) oldest_age: SimTime,
    pub(crate) groups_in_flight: u64,
}

/// The periods that may still change (see the module header).
pub(crate) struct Periods {
    width: SimTime,
    /// The period time has reached: `[cur.start, cur_end)`.
    cur: CloudwatchPeriod,
    cur_end: SimTime,
    /// The period that ended at `cur.start`, until the tick there reads it.
    ended: Option<CloudwatchPeriod>,
}

impl Periods {
    pub(crate) fn new(width: SimTime) -> Periods {
        Periods {
            width,
            cur: CloudwatchPeriod::default(),
            cur_end: width,
            ended: None,
        }
    }

    /// The period an event at `now` counts in.
    #[inline]
    pub(crate) fn at(&mut self, now: SimTime) -> &mut CloudwatchPeriod {
        if now >= self.cur_end {
            self.roll();
        }
        &mut self.cur
    }

    /// The period time has reached, without checking `now` against its
    /// end: for a caller that knows it has not passed it (the recorder's
    /// quiet window ends there).
    #[inline(always)]
    pub(crate) fn current(&mut self) -> &mut CloudwatchPeriod {
        &mut self.cur
    }

    /// Where the period time has reached ends (`at` rolls from there on).
    pub(crate) fn end(&self) -> SimTime {
        self.cur_end
    }

    /// Time reached the current period's end before its tick: the next
    /// period opens and the ended one waits for its levels.
    #[cold]
    #[inline(never)]
    fn roll(&mut self) {
        // The minute ticks read every period end, so at most one waits.
        assert!(
            self.ended.is_none(),
            "a CloudWatch period was not read at its end"
        );
        let next = CloudwatchPeriod {
            start: self.cur_end,
            ..CloudwatchPeriod::default()
        };
        self.ended = Some(std::mem::replace(&mut self.cur, next));
        self.cur_end = self.cur_end + self.width;
    }

    /// The levels at minute end `now` (or at the run's end, `last`): kept
    /// as the Maximum of the period they close or fall in; a period whose
    /// end this is goes to `out`.
    pub(crate) fn sample(
        &mut self,
        now: SimTime,
        s: Sample,
        last: bool,
        out: &mut dyn FnMut(&CloudwatchPeriod),
    ) {
        if let Some(mut ended) = self.ended.take() {
            debug_assert_eq!(ended.start + self.width, now);
            merge(&mut ended, s);
            out(&ended);
            return;
        }
        merge(&mut self.cur, s);
        if now >= self.cur_end || last {
            out(&self.cur);
            self.roll();
            self.ended = None;
        }
    }
}

fn merge(p: &mut CloudwatchPeriod, s: Sample) {
    p.visible = p.visible.max(s.visible);
    p.not_visible = p.not_visible.max(s.not_visible);
    p.delayed = p.delayed.max(s.delayed);
    p.oldest_age = p.oldest_age.max(s.oldest_age);
    p.groups_in_flight = p.groups_in_flight.max(s.groups_in_flight);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: u64) -> SimTime {
        SimTime::from_secs(secs)
    }

    fn level(visible: u64) -> Sample {
        Sample {
            visible,
            ..Sample::default()
        }
    }

    /// Periods of two minutes: an event at exactly 120 s counts in the
    /// second period even when it runs before the tick that reads the
    /// first one's levels; levels are the Maximum of the minute samples.
    #[test]
    fn boundaries_and_maxima() {
        let mut p = Periods::new(s(120));
        let mut out = Vec::new();
        p.at(s(0)).sent += 1;
        p.at(s(59)).sent += 1;
        p.sample(s(60), level(5), false, &mut |x| out.push(x.clone()));
        p.at(s(119)).sent += 1;
        p.at(s(120)).sent += 10;
        p.sample(s(120), level(3), false, &mut |x| out.push(x.clone()));
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].start, out[0].sent, out[0].visible), (s(0), 3, 5));
        p.sample(s(180), level(1), false, &mut |x| out.push(x.clone()));
        p.at(s(200)).sent += 1;
        // The run ends at 210 s: the last period is cut short.
        p.sample(s(210), level(2), true, &mut |x| out.push(x.clone()));
        assert_eq!(out.len(), 2);
        assert_eq!((out[1].start, out[1].sent, out[1].visible), (s(120), 11, 2));
    }
}
