//! The processing spans of consumers whose steps are folded
//! (`consumers::process_folded`): such a consumer's processing is known when
//! its previous step runs, so no event marks its start or end, and the
//! "messages being processed" level that each time-series tick records is
//! worked out from the spans instead of a counter.

use crate::engine::SimTime;

#[derive(Debug, Default)]
pub(super) struct FoldedBusy {
    /// Whether anything reads the level (a run with a time series).
    on: bool,
    /// `(start, end)` of processing spans that may still count.
    spans: Vec<(SimTime, SimTime)>,
    /// Length at which `push` drops the spans that can no longer count.
    cap: usize,
}

/// Below this many spans `push` never prunes.
const MIN_CAP: usize = 64;

impl FoldedBusy {
    pub(super) fn new(on: bool) -> FoldedBusy {
        FoldedBusy {
            on,
            spans: Vec::new(),
            cap: MIN_CAP,
        }
    }

    /// A message is processed over `[start, end)`; `now` is the event that
    /// knows it (no later than `start`). Spans over before `now` are dropped
    /// now and then, so the list holds about one span per consumer whatever
    /// the run's length (a consumer's next span is known only after its
    /// current one ends).
    #[inline]
    pub(super) fn push(&mut self, now: SimTime, start: SimTime, end: SimTime) {
        if !self.on {
            return;
        }
        if self.spans.len() >= self.cap {
            self.spans.retain(|s| s.1 >= now);
            self.cap = (2 * self.spans.len()).max(MIN_CAP);
        }
        self.spans.push((start, end));
    }

    /// Messages being processed at `t` by folded consumers, as a tick at
    /// `t` sees them: every step strictly before `t` has run, none at or
    /// after it (a span `[start, end)` counts when `start < t ≤ end`).
    /// Ticks come in time order, so spans over before `t` are dropped.
    pub(super) fn at(&mut self, t: SimTime) -> u64 {
        self.spans.retain(|s| s.1 >= t);
        self.spans.iter().filter(|s| s.0 < t).count() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(us: u64) -> SimTime {
        SimTime(us)
    }

    #[test]
    fn a_span_counts_after_its_start_until_its_end() {
        let mut b = FoldedBusy::new(true);
        b.push(t(0), t(10), t(20));
        b.push(t(0), t(15), t(30));
        assert_eq!(b.at(t(10)), 0);
        assert_eq!(b.at(t(11)), 1);
        assert_eq!(b.at(t(20)), 2);
        assert_eq!(b.at(t(21)), 1);
        assert_eq!(b.at(t(30)), 1);
        assert_eq!(b.at(t(31)), 0);
    }

    #[test]
    fn off_records_nothing() {
        let mut b = FoldedBusy::new(false);
        b.push(t(0), t(1), t(5));
        assert_eq!(b.at(t(3)), 0);
    }

    /// One consumer's spans, one after another, for a long time: the list
    /// stays short, and the level is still exact.
    #[test]
    fn memory_stays_bounded_by_live_spans() {
        let mut b = FoldedBusy::new(true);
        for i in 0..100_000u64 {
            let start = t(i * 10 + 2);
            b.push(t(i * 10), start, start + t(5));
        }
        assert!(b.spans.len() <= 2 * MIN_CAP, "{}", b.spans.len());
        assert_eq!(b.at(t(999_995)), 1);
        assert_eq!(b.at(t(1_000_000)), 0);
    }
}
