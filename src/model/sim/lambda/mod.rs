//! A Lambda event source mapping (`[[consumers]] kind = "lambda"`): a fleet
//! of pollers run by AWS that long-poll the queue, gather batches, invoke a
//! function once per batch and delete what succeeded.
//!
//! The rules, in the order a message meets them (`docs/model.md` has them
//! with their sources):
//! - **pollers** are consumers of the run (they share the loop's receive
//!   path, so long polls park and wake exactly as any other): five at the
//!   group's start, each long-polling with `WaitTimeSeconds` 20 for up to
//!   `min(10, batch_size − gathered)` messages;
//! - **batching**: a poller adds each response to its batch, which is
//!   handed to the function when it is full (`batch_size`), when its
//!   payload would pass 6 MiB, when its window (`batch_window`, opened by
//!   its first message) has closed, or at once after each response with no
//!   window. While a window is open the poller's long polls wait at most
//!   until it closes;
//! - **invocation**: a batch runs when fewer than
//!   `min(pollers, maximum_concurrency)` invocations are running; else its
//!   poller holds it, its messages still in flight, and stops polling until
//!   a slot frees (oldest held batch first). After handing a batch on, a
//!   poller polls again at once: it does not wait for the function;
//! - **failures**: the invocation fails as a whole with `error_rate`; each
//!   message fails with `fail_rate`. With `report_batch_item_failures` only
//!   failed messages stay undeleted; without it one failed message fails
//!   the whole batch. Undeleted messages return after their visibility
//!   timeout (and go to the DLQ by `max_receive_count`, as for any consumer);
//! - **deletes**: when the function returns, the succeeded messages are
//!   deleted with DeleteMessageBatch requests of up to 10 entries, sent
//!   together;
//! - **scaling**: [`scaling::StepScaling`], the model's own rule;
//! - **bill**: each invocation is billed when it starts: one request, and
//!   its duration rounded up to the millisecond × `memory_mb` / 1024 GB.

mod scaling;

pub use scaling::FLOOR_POLLERS;

use super::{Event, Sim, LANE_NETWORK};
use crate::engine::rng::kind;
use crate::engine::{name_key, SimTime, Stream, StreamSeed};
use crate::model::config::{ConsumerConfig, LambdaConfig, ModelConfig};
use crate::model::consumer::{Activity, Consumer};
use crate::model::ids::ConsumerId;
use crate::model::observer::Observer;
use crate::model::queue::{DeleteOutcome, Delivery};
use crate::model::sampling::unit;
use scaling::{Decision, StepScaling};
use std::collections::VecDeque;

/// Lambda's payload limit for a synchronous invocation, 6 MB, taken as
/// 6 MiB: a batch is handed on before its messages would pass it.
pub(crate) const PAYLOAD_LIMIT: u64 = 6 * 1024 * 1024;

/// Entries of one DeleteMessageBatch request.
const DELETE_BATCH: usize = 10;

/// No event source mapping owns this consumer (a loop consumer).
const NOT_A_POLLER: (u32, u32) = (u32::MAX, u32::MAX);

/// One poller's batch in the making.
struct Poller {
    c: ConsumerId,
    /// Messages gathered so far.
    batch: Vec<Delivery>,
    bytes: u64,
    /// When the batching window of `batch` closes.
    deadline: SimTime,
    /// A batch handed on that waits for a free invocation slot.
    held: Vec<Delivery>,
    /// Retired by the scaling rule (kept to be reused when it scales up).
    retired: bool,
}

/// One event source mapping.
struct Esm {
    /// Its group's index in `ModelConfig::consumers`.
    group: u32,
    key: u64,
    pollers: Vec<Poller>,
    scaling: StepScaling,
    /// Invocations running now.
    running: u32,
    /// The most pollers it has run.
    peak_pollers: u32,
    /// Pollers holding a batch that waits for a slot, oldest first.
    held: VecDeque<u32>,
    /// Durations and failures of its invocations.
    work: Stream,
    /// Its DeleteMessageBatch requests' network delays.
    network: Stream,
}

/// A running invocation, then its pending deletes.
struct Invocation {
    esm: u32,
    /// Receipts to delete once the function has returned.
    deletes: Vec<(u32, u64)>,
    /// DeleteMessageBatch requests still on their way.
    requests_left: u32,
}

/// Every event source mapping of a run.
pub(super) struct Lambdas {
    esms: Vec<Esm>,
    /// By consumer index: (mapping, poller) of each poller.
    poller_of: Vec<(u32, u32)>,
    invocations: Vec<Invocation>,
    free: Vec<u32>,
    seeds: StreamSeed,
}

impl Lambdas {
    /// The mappings of `cfg`, with their first five pollers appended to
    /// `consumers` (the run schedules their first polls with everyone's).
    pub(super) fn new(
        cfg: &ModelConfig,
        seeds: &StreamSeed,
        consumers: &mut Vec<Consumer>,
    ) -> Lambdas {
        let mut l = Lambdas {
            esms: Vec::new(),
            poller_of: Vec::new(),
            invocations: Vec::new(),
            free: Vec::new(),
            seeds: *seeds,
        };
        for (g, group) in cfg.consumers.iter().enumerate() {
            let Some(lc) = &group.lambda else { continue };
            let key = name_key(&group.name);
            l.esms.push(Esm {
                group: g as u32,
                key,
                pollers: Vec::new(),
                scaling: StepScaling::new(lc),
                running: 0,
                peak_pollers: FLOOR_POLLERS,
                held: VecDeque::new(),
                work: seeds.stream(&[kind::LAMBDA, key, 0]),
                network: seeds.stream(&[kind::LAMBDA, key, 1]),
            });
            let e = l.esms.len() as u32 - 1;
            for _ in 0..FLOOR_POLLERS {
                l.new_poller(e, consumers);
            }
        }
        l
    }

    /// A new poller of mapping `e`: a consumer with the streams of its
    /// group's name and its index, like any other.
    fn new_poller(&mut self, e: u32, consumers: &mut Vec<Consumer>) -> ConsumerId {
        let esm = &mut self.esms[e as usize];
        let i = esm.pollers.len() as u64;
        let key = esm.key;
        let c = ConsumerId::new(consumers.len() as u32);
        consumers.push(Consumer::new(
            esm.group,
            self.seeds.stream(&[kind::CONSUMER_SAMPLING, key, i]),
            self.seeds.stream(&[kind::CONSUMER_WORK, key, i]),
            self.seeds.stream(&[kind::CONSUMER_NETWORK, key, i]),
        ));
        esm.pollers.push(Poller {
            c,
            batch: Vec::new(),
            bytes: 0,
            deadline: SimTime::MAX,
            held: Vec::new(),
            retired: false,
        });
        if self.poller_of.len() <= c.index() {
            self.poller_of.resize(c.index() + 1, NOT_A_POLLER);
        }
        self.poller_of[c.index()] = (e, i as u32);
        c
    }

    /// Invocations running now and pollers polling, over every mapping.
    pub(super) fn levels(&self) -> (u64, u64) {
        self.esms.iter().fold((0, 0), |(r, p), e| {
            (r + e.running as u64, p + e.scaling.pollers() as u64)
        })
    }

    pub(super) fn any(&self) -> bool {
        !self.esms.is_empty()
    }

    /// The most pollers one mapping ran (0 without mappings).
    pub(super) fn pollers_max(&self) -> u64 {
        self.esms
            .iter()
            .map(|e| e.peak_pollers as u64)
            .max()
            .unwrap_or(0)
    }
}

impl<'a> Sim<'a> {
    fn lambda_cfg(&self, e: u32) -> (&'a ConsumerConfig, &'a LambdaConfig) {
        let group = &self.cfg.consumers[self.lambda.esms[e as usize].group as usize];
        (group, group.lambda.as_ref().expect("a mapping's group"))
    }

    /// How many messages `c`'s receive asks for, and how long it may wait:
    /// the group's for a loop consumer; for a poller, up to the batch's room
    /// (10 at most) and no longer than its open window.
    #[inline(always)]
    pub(super) fn receive_shape(
        &self,
        now: SimTime,
        c: ConsumerId,
        group: &ConsumerConfig,
    ) -> (u32, SimTime) {
        let Some(lc) = &group.lambda else {
            // A loop consumer asks for what it has room for (`receive_max`:
            // `max_messages`, or its free slots with `concurrency`).
            return (self.receive_max(c), group.wait_time);
        };
        let (e, p) = self.lambda.poller_of[c.index()];
        let poller = &self.lambda.esms[e as usize].pollers[p as usize];
        let room = lc.batch_size.saturating_sub(poller.batch.len() as u32);
        let wait = group.wait_time.min(poller.deadline.saturating_sub(now));
        (room.min(group.max_messages), wait)
    }

    /// A poller's response has arrived: the scaling rule hears of it, its
    /// messages join the batch, and the poller decides what next.
    pub(super) fn poller_response(&mut self, now: SimTime, c: ConsumerId) {
        let (e, p) = self.lambda.poller_of[c.index()];
        let (group, lc) = self.lambda_cfg(e);
        let got = self.consumers[c.index()].received.len() as u32;
        let esm = &mut self.lambda.esms[e as usize];
        let poller = &mut esm.pollers[p as usize];
        let asked = lc
            .batch_size
            .saturating_sub(poller.batch.len() as u32)
            .min(group.max_messages);
        if poller.batch.is_empty() && got > 0 {
            poller.deadline = now + lc.batch_window;
        }
        for d in self.consumers[c.index()].received.drain(..) {
            poller.bytes += d.size as u64;
            poller.batch.push(d);
        }
        match esm.scaling.on_receive(got, asked) {
            Decision::Stay => {}
            Decision::StepIn(gap) => self
                .events
                .schedule(now + gap, Event::LambdaScale { esm: e }),
            Decision::Retire => poller.retired = true,
        }
        self.poller_next(now, e, p);
    }

    /// Hands the poller's batch on if it is ready, then polls again, unless
    /// the poller holds a batch, is retired or its group has stopped.
    fn poller_next(&mut self, now: SimTime, e: u32, p: u32) {
        let (group, lc) = self.lambda_cfg(e);
        let poller = &mut self.lambda.esms[e as usize].pollers[p as usize];
        let stopping = now >= group.stop || poller.retired;
        let n = poller.batch.len() as u32;
        let ready = n >= lc.batch_size
            || poller.bytes > PAYLOAD_LIMIT
            || (n > 0 && (now >= poller.deadline || stopping));
        if ready {
            self.hand_on(now, e, p);
        }
        let poller = &self.lambda.esms[e as usize].pollers[p as usize];
        let c = poller.c;
        if stopping || !poller.held.is_empty() {
            self.consumers[c.index()].activity = Activity::Idle;
            return;
        }
        self.poll(now, c);
    }

    /// The poller's batch goes to the function: it runs now if a slot is
    /// free (and no older batch waits), else the poller holds it. A batch
    /// past the payload limit leaves its last messages for the next one.
    fn hand_on(&mut self, now: SimTime, e: u32, p: u32) {
        let lc = self.lambda_cfg(e).1;
        let esm = &mut self.lambda.esms[e as usize];
        let poller = &mut esm.pollers[p as usize];
        let mut batch = std::mem::take(&mut poller.batch);
        let (mut bytes, mut keep) = (0, batch.len());
        for (i, d) in batch.iter().enumerate() {
            bytes += d.size as u64;
            if bytes > PAYLOAD_LIMIT && i > 0 {
                keep = i;
                break;
            }
        }
        poller.batch = batch.split_off(keep);
        poller.bytes = poller.batch.iter().map(|d| d.size as u64).sum();
        poller.deadline = if poller.batch.is_empty() {
            SimTime::MAX
        } else {
            now + lc.batch_window
        };
        if esm.running < esm.scaling.slots() && esm.held.is_empty() {
            self.invoke(now, e, batch);
        } else {
            poller.held = batch;
            esm.held.push_back(p);
        }
    }

    /// Starts held batches while slots are free; their pollers poll again.
    fn start_held(&mut self, now: SimTime, e: u32) {
        loop {
            let esm = &mut self.lambda.esms[e as usize];
            if esm.running >= esm.scaling.slots() {
                return;
            }
            let Some(p) = esm.held.pop_front() else {
                return;
            };
            let batch = std::mem::take(&mut esm.pollers[p as usize].held);
            self.invoke(now, e, batch);
            self.poller_next(now, e, p);
        }
    }

    /// One invocation of the function with `batch`: billed now, its
    /// duration and failures drawn from the mapping's stream.
    fn invoke(&mut self, now: SimTime, e: u32, batch: Vec<Delivery>) {
        let (group, lc) = self.lambda_cfg(e);
        let esm = &mut self.lambda.esms[e as usize];
        esm.running += 1;
        let duration = lc.duration.sample_time(&mut esm.work);
        let whole = lc.error_rate > 0.0 && unit(&mut esm.work) < lc.error_rate;
        let mut deletes = Vec::with_capacity(batch.len());
        let mut any_failed = false;
        for d in &batch {
            let failed = group.fail_rate > 0.0 && unit(&mut esm.work) < group.fail_rate;
            any_failed |= failed;
            if !failed {
                deletes.push((d.slot, d.receipt));
            }
        }
        if whole || (any_failed && !lc.report_batch_item_failures) {
            deletes.clear();
        }
        let running = esm.running as u64;
        self.rec.latencies(now, &batch);
        let billed_ms = duration.micros().div_ceil(1000);
        self.rec.lambda_invocation(
            now,
            batch.len() as u64,
            billed_ms * lc.memory_mb as u64,
            running,
        );
        let inv = Invocation {
            esm: e,
            deletes,
            requests_left: 0,
        };
        let i = match self.lambda.free.pop() {
            Some(i) => {
                self.lambda.invocations[i as usize] = inv;
                i
            }
            None => {
                self.lambda.invocations.push(inv);
                self.lambda.invocations.len() as u32 - 1
            }
        };
        self.events
            .schedule(now + duration, Event::InvokeDone { inv: i });
    }

    /// The function returned: its deletes go out, and its slot goes to the
    /// oldest held batch.
    pub(super) fn invoke_done(&mut self, now: SimTime, i: u32) {
        let inv = &mut self.lambda.invocations[i as usize];
        let e = inv.esm;
        let requests = inv.deletes.len().div_ceil(DELETE_BATCH) as u32;
        inv.requests_left = requests;
        let esm = &mut self.lambda.esms[e as usize];
        esm.running -= 1;
        for chunk in 0..requests {
            let d = self.network.sample(&mut esm.network);
            self.events
                .schedule_fifo(LANE_NETWORK, now + d, Event::LambdaDelete { inv: i, chunk });
        }
        if requests == 0 {
            self.lambda.free.push(i);
        }
        self.start_held(now, e);
    }

    /// One DeleteMessageBatch of an invocation reaches the queue.
    pub(super) fn lambda_delete<O: Observer>(
        &mut self,
        now: SimTime,
        i: u32,
        chunk: u32,
        obs: &mut O,
    ) {
        let inv = &mut self.lambda.invocations[i as usize];
        let from = chunk as usize * DELETE_BATCH;
        let to = (from + DELETE_BATCH).min(inv.deletes.len());
        let (mut deleted, mut freed) = (0, 0);
        for &(slot, receipt) in &inv.deletes[from..to] {
            match self.queue.delete(slot, receipt) {
                DeleteOutcome::InFlight => (deleted, freed) = (deleted + 1, freed + 1),
                DeleteOutcome::Visible => deleted += 1,
                DeleteOutcome::Stale => {}
            }
        }
        let stale = (to - from) as u64 - deleted;
        self.rec.delete_request(now, true, deleted, stale);
        inv.requests_left -= 1;
        if inv.requests_left == 0 {
            inv.deletes.clear();
            self.lambda.free.push(i);
        }
        if freed > 0 && self.queue.in_flight_room() == freed {
            self.wake_waiters(now, obs);
        }
    }

    /// A scaling step is due: one more poller (a retired one back, or a new
    /// one), and one more slot for held batches.
    pub(super) fn lambda_scale(&mut self, now: SimTime, e: u32) {
        if !self.lambda.esms[e as usize].scaling.on_step() {
            return;
        }
        let group = self.lambda_cfg(e).0;
        let esm = &mut self.lambda.esms[e as usize];
        esm.peak_pollers = esm.peak_pollers.max(esm.scaling.pollers());
        // A retired poller still holding a batch is not free to come back.
        let p = match esm
            .pollers
            .iter()
            .position(|p| p.retired && p.held.is_empty())
        {
            Some(p) => {
                esm.pollers[p].retired = false;
                esm.pollers[p].c
            }
            None => self.lambda.new_poller(e, &mut self.consumers),
        };
        let idle = self.consumers[p.index()].activity == Activity::Idle;
        if now < group.stop && now >= group.start && idle {
            self.poll(now, p);
        }
        self.start_held(now, e);
    }

    /// The end of a time-series bucket: invocations running and pollers.
    /// `next`: the bucket that opens now (none at the run's end).
    /// The consumer group of mapping `e` (for a stalled run's message).
    pub(super) fn lambda_group(&self, e: u32) -> u32 {
        self.lambda.esms[e as usize].group
    }

    pub(super) fn lambda_group_of_invocation(&self, i: u32) -> u32 {
        self.lambda_group(self.lambda.invocations[i as usize].esm)
    }

    pub(super) fn lambda_tick(&mut self, bucket_start: SimTime, next: Option<SimTime>) {
        if self.lambda.any() {
            let (running, pollers) = self.lambda.levels();
            self.rec.lambda_levels(bucket_start, next, running, pollers);
        }
    }
}
