//! Consumers with `concurrency = P > 1`, as frameworks run them (Spring
//! Cloud AWS's `maxConcurrentMessages`, Shoryuken's `concurrency`): up to P
//! messages are processed at once, each in its own slot. While a slot is
//! free the consumer keeps one receive out, asking for
//! `min(max_messages, free slots)` (counted when it is sent); each message
//! of a response starts at once in a slot of its own. A finished message
//! frees its slot at once and is deleted in the background: one
//! DeleteMessage each (`delete = "each"`), or one DeleteMessageBatch when
//! the last message of its response is done (`"batch"`). Nothing waits for
//! a delete's response.
//!
//! `concurrency = 1` is not this: it is the plain loop of `consumers`
//! (take up to `max_messages`, work through them in turn), exactly as it
//! always was.

use super::{Event, Sim, LANE_NETWORK, LANE_SLEEP};
use crate::engine::SimTime;
use crate::model::config::DeleteMode;
use crate::model::consumer::Activity;
use crate::model::ids::ConsumerId;
use crate::model::observer::Observer;
use crate::model::queue::{DeleteOutcome, Delivery};
use crate::model::sampling::unit;

/// The slots of one consumer with `concurrency > 1`.
pub(crate) struct Slots {
    pub(crate) free: u32,
    /// A receive is out: sent, parked, its response on the way, or the
    /// consumer is sleeping `idle_wait` before sending it.
    pub(crate) receiving: bool,
    /// What the receive out asked for: `min(max_messages, free)` when sent.
    pub(crate) ask: u32,
    next_id: u32,
    /// The messages being processed (at most P).
    pub(crate) held: Vec<Held>,
    /// `delete = "batch"`: the responses not yet finished.
    batches: Vec<Batch>,
}

/// A message in a slot.
pub(crate) struct Held {
    pub(crate) d: Delivery,
    /// Serial of the receive that brought it (its response's heartbeat).
    pub(crate) serial: u32,
    /// Names it in its `SlotDone` event.
    id: u32,
    /// When the queue served that receive.
    pub(crate) served: SimTime,
}

/// One response's messages waiting for their DeleteMessageBatch.
struct Batch {
    serial: u32,
    /// Its messages still processing.
    left: u32,
    receipts: Vec<(u32, u64)>,
}

impl Slots {
    pub(crate) fn new(p: u32) -> Slots {
        Slots {
            free: p,
            receiving: false,
            ask: 0,
            next_id: 0,
            held: Vec::with_capacity(p.min(64) as usize),
            batches: Vec::new(),
        }
    }
}

/// A request a consumer sends without waiting for its answer, between the
/// moment it leaves and the moment it reaches the queue.
pub(super) enum Request {
    /// DeleteMessage (one receipt) or DeleteMessageBatch.
    Delete {
        batch: bool,
        receipts: Vec<(u32, u64)>,
    },
    /// A heartbeat's ChangeMessageVisibility; SQS rejects it if it would
    /// keep the message invisible past `deadline` (12 h after the receive).
    ChangeVisibility {
        slot: u32,
        receipt: u64,
        extend: SimTime,
        deadline: SimTime,
    },
}

/// Requests on their way, by id (ids are reused: memory follows what is
/// on the way, not the run's length).
#[derive(Default)]
pub(super) struct Outbox {
    items: Vec<Option<Request>>,
    free: Vec<u32>,
}

impl Outbox {
    fn put(&mut self, r: Request) -> u32 {
        match self.free.pop() {
            Some(id) => {
                self.items[id as usize] = Some(r);
                id
            }
            None => {
                self.items.push(Some(r));
                (self.items.len() - 1) as u32
            }
        }
    }

    fn take(&mut self, id: u32) -> Request {
        self.free.push(id);
        self.items[id as usize]
            .take()
            .expect("a request reaches the queue once")
    }
}

impl Sim<'_> {
    /// How many messages `c`'s receive may return.
    #[inline]
    pub(super) fn receive_max(&self, c: ConsumerId) -> u32 {
        let consumer = &self.consumers[c.index()];
        super::consumers::max_of(consumer, &self.cfg.consumers[consumer.group as usize])
    }

    /// A response reaches a consumer with slots: each message starts in a
    /// slot of its own; then it polls again while slots are free.
    pub(super) fn slots_response(&mut self, now: SimTime, c: ConsumerId) {
        let group = self.consumer_group(c);
        let consumer = &mut self.consumers[c.index()];
        let (serial, served) = (consumer.serial, consumer.served);
        let s = consumer.slots.as_mut().expect("a consumer with slots");
        s.receiving = false;
        if consumer.received.is_empty() {
            if group.idle_wait.is_zero() {
                self.poll(now, c);
            } else {
                s.receiving = true;
                consumer.activity = Activity::Sleeping;
                self.events
                    .schedule_fifo(LANE_SLEEP, now + group.idle_wait, Event::Poll { c });
            }
            return;
        }
        let n = consumer.received.len() as u32;
        if group.delete == DeleteMode::Batch {
            s.batches.push(Batch {
                serial,
                left: n,
                receipts: Vec::with_capacity(n as usize),
            });
        }
        self.rec.latencies(now, &consumer.received);
        for d in consumer.received.drain(..) {
            let id = s.next_id;
            s.next_id = s.next_id.wrapping_add(1);
            s.held.push(Held {
                d,
                serial,
                id,
                served,
            });
            let t = group.processing.sample_time(&mut consumer.work);
            self.events.schedule(now + t, Event::SlotDone { c, id });
        }
        s.free -= n;
        self.busy += n as u64;
        consumer.activity = Activity::Processing;
        self.start_heartbeat(now, c);
        if self.consumers[c.index()].slots.as_ref().unwrap().free > 0 {
            self.poll(now, c);
        }
    }

    /// A slot's message is processed: the slot is free at once; the message
    /// is deleted (unless it failed) in the background.
    pub(super) fn slot_done(&mut self, now: SimTime, c: ConsumerId, id: u32) {
        let group = self.consumer_group(c);
        let consumer = &mut self.consumers[c.index()];
        let s = consumer.slots.as_mut().expect("a consumer with slots");
        let i = s
            .held
            .iter()
            .position(|h| h.id == id)
            .expect("a slot's message finishes once");
        let h = s.held.swap_remove(i);
        s.free += 1;
        self.busy -= 1;
        let failed = group.fail_rate > 0.0 && unit(&mut consumer.work) < group.fail_rate;
        let receipt = (h.d.slot, h.d.receipt);
        let request = match group.delete {
            DeleteMode::Each => (!failed).then(|| Request::Delete {
                batch: false,
                receipts: vec![receipt],
            }),
            DeleteMode::Batch => {
                let b = s
                    .batches
                    .iter()
                    .position(|b| b.serial == h.serial)
                    .expect("a response's batch lives until its last message");
                let batch = &mut s.batches[b];
                batch.left -= 1;
                if !failed {
                    batch.receipts.push(receipt);
                }
                if batch.left == 0 {
                    let done = s.batches.swap_remove(b);
                    (!done.receipts.is_empty()).then_some(Request::Delete {
                        batch: true,
                        receipts: done.receipts,
                    })
                } else {
                    None
                }
            }
        };
        // `activity` stays: it follows the receive (a parked long poll is
        // `Waiting` whatever the slots do).
        let polls = !s.receiving;
        if let Some(r) = request {
            self.send_request(now, c, r);
        }
        if polls {
            self.poll(now, c);
        }
    }

    /// Sends `r` on its way to the queue (its answer changes nothing the
    /// consumer does, so it is not simulated).
    pub(super) fn send_request(&mut self, now: SimTime, c: ConsumerId, r: Request) {
        let id = self.outbox.put(r);
        let d = self.network.sample(&mut self.consumers[c.index()].network);
        self.events
            .schedule_fifo(LANE_NETWORK, now + d, Event::Request { c, id });
    }

    /// A background request reaches the queue.
    pub(super) fn request_arrive<O: Observer>(
        &mut self,
        now: SimTime,
        _c: ConsumerId,
        id: u32,
        obs: &mut O,
    ) {
        match self.outbox.take(id) {
            Request::Delete { batch, receipts } => {
                let (mut deleted, mut freed) = (0, 0);
                for &(slot, receipt) in &receipts {
                    match self.queue.delete(slot, receipt) {
                        DeleteOutcome::InFlight => (deleted, freed) = (deleted + 1, freed + 1),
                        DeleteOutcome::Visible => deleted += 1,
                        DeleteOutcome::Stale => {}
                    }
                }
                let stale = receipts.len() as u64 - deleted;
                self.rec.delete_request(now, batch, deleted, stale);
                if freed > 0 && self.queue.in_flight_room() == freed {
                    self.wake_waiters(now, obs);
                }
            }
            Request::ChangeVisibility {
                slot,
                receipt,
                extend,
                deadline,
            } => {
                self.rec.change_visibility_request(now);
                if now + extend <= deadline
                    && self.queue.change_visibility(now, slot, receipt, extend)
                {
                    self.arm_at(now + extend);
                }
            }
        }
    }

    /// `c` reached a poll after its group stopped (or its scaler retired
    /// it): it polls no more. Once it holds nothing it is gone.
    pub(super) fn stopped_polling(&mut self, now: SimTime, c: ConsumerId) {
        let consumer = &mut self.consumers[c.index()];
        if let Some(s) = consumer.slots.as_mut() {
            s.receiving = false;
            if !s.held.is_empty() {
                return;
            }
        }
        if consumer.retiring {
            self.retired(now, c);
        }
    }
}
