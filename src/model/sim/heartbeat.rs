//! Visibility heartbeats (`heartbeat = { interval, extend }`), as
//! sqs-consumer's `heartbeatInterval`, Shoryuken's `auto_visibility_timeout`
//! or the AWS .NET messaging library run them: `interval` after a response
//! reached the consumer, and every `interval` after, each message of that
//! response the consumer still holds unfinished (processing, or waiting its
//! turn in the plain loop) gets one ChangeMessageVisibility setting its
//! visibility timeout to `extend` from the request's arrival. The requests
//! are counted and billed; the consumer does not wait for their answers.
//!
//! SQS rejects a change that would keep the message invisible more than
//! 12 h after its receive (the request is still counted), and a change for
//! a message no longer in flight under that receipt does nothing.

use super::concurrency::Request;
use super::{Event, Sim};
use crate::engine::SimTime;
use crate::model::config::{ConsumerConfig, DeleteMode};
use crate::model::consumer::Activity;
use crate::model::ids::ConsumerId;

/// The most a message may stay invisible after its receive.
const MAX_INVISIBLE: SimTime = SimTime::from_secs(12 * 3600);

impl Sim<'_> {
    /// A response with messages reached `c`: its first heartbeat is due
    /// `interval` from now, if the group has heartbeats.
    #[inline(always)]
    pub(super) fn start_heartbeat(&mut self, now: SimTime, c: ConsumerId) {
        self.start_heartbeat_of(now, c, self.consumer_group(c));
    }

    /// `start_heartbeat` for a caller that has `c`'s group in hand.
    #[inline(always)]
    pub(super) fn start_heartbeat_of(
        &mut self,
        now: SimTime,
        c: ConsumerId,
        group: &ConsumerConfig,
    ) {
        if let Some(h) = group.heartbeat {
            let serial = self.consumers[c.index()].serial;
            self.events
                .schedule(now + h.interval, Event::Heartbeat { c, serial });
        }
    }

    /// A heartbeat of the response `serial` is due: one ChangeMessageVisibility
    /// per message of it still unfinished, and the next beat; none when
    /// every message of it is done.
    pub(super) fn heartbeat(&mut self, now: SimTime, c: ConsumerId, serial: u32) {
        let group = self.consumer_group(c);
        let Some(h) = group.heartbeat else { return };
        let mut beats = std::mem::take(&mut self.beats);
        beats.clear();
        let consumer = &self.consumers[c.index()];
        match &consumer.slots {
            Some(s) => beats.extend(
                s.held
                    .iter()
                    .filter(|m| m.serial == serial)
                    .map(|m| (m.d.slot, m.d.receipt, m.served)),
            ),
            None if consumer.serial == serial => {
                // The plain loop: `received[next]` is processing (or being
                // deleted, then it is done); the rest wait their turn.
                let first = match consumer.activity {
                    Activity::Processing => Some(consumer.next),
                    Activity::Deleting if group.delete == DeleteMode::Each => {
                        Some(consumer.next + 1)
                    }
                    _ => None,
                };
                if let Some(first) = first {
                    beats.extend(
                        consumer.received[first.min(consumer.received.len())..]
                            .iter()
                            .map(|d| (d.slot, d.receipt, consumer.served)),
                    );
                }
            }
            None => {}
        }
        for &(slot, receipt, served) in &beats {
            let r = Request::ChangeVisibility {
                slot,
                receipt,
                extend: h.extend,
                deadline: served + MAX_INVISIBLE,
            };
            self.send_request(now, c, r);
        }
        if !beats.is_empty() {
            self.events
                .schedule(now + h.interval, Event::Heartbeat { c, serial });
        }
        self.beats = beats;
    }
}
