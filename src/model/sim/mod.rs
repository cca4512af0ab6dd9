//! One simulation run: the event enum, the loop that pops events and hands
//! each to the actor it concerns, and the entry points.
//!
//! | file | actor |
//! |---|---|
//! | [`producers`] | arrivals, batches, SendMessage(Batch) reaching the queue |
//! | [`consumers`] | polls, parked long polls, responses, processing, deletes |
//! | [`lambda`] | Lambda event source mappings: pollers, batches, invocations, scaling |
//! | [`clocks`] | the queue's timer (delay, visibility, retention), node outages, time-series ticks |
//! | [`cloudwatch`] | the minute ticks that read `cloudwatch.csv`'s levels |
//! | [`concurrency`] | consumers with `concurrency > 1`: slots, background deletes |
//! | [`heartbeat`] | ChangeMessageVisibility while a message is still processing |
//! | [`autoscale`] | scalers that set a consumer group's size from the backlog |
//! | [`stall`] | stopping a run whose simulated time stands still |
//! | [`busy`] | the processing level of consumers whose steps are folded |
//! | [`result`] | what a run hands back |
//!
//! Every API call crosses the network twice (request, response), each way a
//! draw of the `network` distribution from the caller's own stream. Requests
//! are counted when they reach the queue; a receive is classified (messages,
//! true empty, false empty) at the instant it is served.

mod autoscale;
mod busy;
mod clocks;
mod cloudwatch;
pub(super) mod concurrency;
mod consumers;
mod fifo;
mod heartbeat;
mod lambda;
mod producers;
mod result;
mod stall;

pub use lambda::FLOOR_POLLERS as LAMBDA_FLOOR_POLLERS;
pub use result::RunResult;
pub use stall::{Stall, STALL_EVENTS};

use super::config::ModelConfig;
use super::consumer::Consumer;
use super::dist::Delay;
use super::ids::{ConsumerId, NodeId, ProducerId};
use super::observer::Observer;
use super::producer::Producer;
use super::queue::SqsQueue;
use super::recorder::{BucketSink, Recorder};
use super::sampling::{Alias, Sampler};
use crate::engine::rng::kind;
use crate::engine::{EventQueue, SimTime, Stream, StreamSeed};

#[derive(Copy, Clone, Debug)]
enum Event {
    /// A producer creates its next message.
    ProducerNext {
        p: ProducerId,
    },
    /// A producer's stop time: send a partly filled batch.
    ProducerFlush {
        p: ProducerId,
    },
    /// A producer group's scripted burst (`group` indexes
    /// `ModelConfig::producers`, `index` its `bursts`).
    Burst {
        group: u32,
        index: u32,
    },
    /// A send request with `n` messages reaches the queue.
    SendArrive {
        p: ProducerId,
        /// At most 10 (a SendMessageBatch); `u8` keeps `Event` at 16 bytes.
        n: u8,
        /// The producer's creations up to its next send are folded into
        /// this arrival (`producers::create_batch`): no `ProducerNext`.
        folded: bool,
        sent: SimTime,
    },
    /// A consumer sends its next ReceiveMessage.
    Poll {
        c: ConsumerId,
    },
    /// A throttled send is tried again (`attempt` throttled tries so far).
    SendResend {
        p: ProducerId,
        n: u8,
        attempt: u8,
        sent: SimTime,
    },
    /// A producer's retry of a send (`retry` indexes the run's retries).
    SendRetry {
        p: ProducerId,
        retry: u32,
    },
    /// A ReceiveMessage reaches the queue.
    ReceiveArrive {
        c: ConsumerId,
    },
    /// A parked long poll's wait time is up.
    WaitTimeout {
        c: ConsumerId,
        serial: u32,
    },
    /// A receive response reaches the consumer.
    ReceiveResponse {
        c: ConsumerId,
    },
    /// The consumer finished processing `received[next]`.
    ProcessDone {
        c: ConsumerId,
    },
    /// A DeleteMessage / DeleteMessageBatch reaches the queue.
    DeleteArrive {
        c: ConsumerId,
        batch: bool,
    },
    /// The delete's response reaches the consumer.
    DeleteResponse {
        c: ConsumerId,
    },
    /// A queue clock (delay, visibility, retention) may be due.
    QueueTimer,
    NodeDown {
        node: NodeId,
    },
    NodeUp {
        node: NodeId,
    },
    /// End of a time-series bucket: record levels.
    Tick,
    /// A slot's message is processed (`concurrency > 1`).
    SlotDone {
        c: ConsumerId,
        id: u32,
    },
    /// A request sent without waiting (a background delete, a heartbeat)
    /// reaches the queue.
    Request {
        c: ConsumerId,
        id: u32,
    },
    /// A heartbeat is due for the response of receive `serial`.
    Heartbeat {
        c: ConsumerId,
        serial: u32,
    },
    /// A scaler's reading is due.
    ScaleTick {
        s: u32,
    },
    /// A scaler's GetQueueAttributes reaches the queue.
    ScaleRead {
        s: u32,
    },
    /// A scaler has its reading.
    ScaleDecide {
        s: u32,
        value: u32,
    },
    /// A minute ends: CloudWatch's datapoint.
    CloudwatchMinute,
    /// A minute ends: `cloudwatch.csv` reads the levels.
    CloudwatchSample,
    /// An event source mapping's scaling step is due.
    LambdaScale {
        esm: u32,
    },
    /// A Lambda invocation's function returns.
    InvokeDone {
        inv: u32,
    },
    /// DeleteMessageBatch number `chunk` of an invocation reaches the queue.
    LambdaDelete {
        inv: u32,
        chunk: u32,
    },
}

// Every event is copied through the queue: keep it two words.
const _: () = assert!(std::mem::size_of::<Event>() <= 16);

/// FIFO lanes of the event queue: events scheduled a fixed delay ahead (a
/// constant network hop, a group's wait time or idle wait) are already in
/// order there. A hint only: the queue falls back to its heap when a random
/// delay would break a lane's order, so results never depend on it.
const LANE_NETWORK: usize = 0;
const LANE_WAIT: usize = 1;
const LANE_SLEEP: usize = 2;
const LANES: usize = 3;

/// Options that change what is recorded, not what is simulated.
#[derive(Copy, Clone, Debug, Default)]
pub struct RunOptions {
    pub timeseries: bool,
    /// Stop after this many events (guard for runaway runs); 0 = no limit.
    pub max_events: u64,
    /// Give every producer creation and every consumer step its own event,
    /// as if nothing were folded (see `producers::create_batch` and
    /// `consumers::process_folded`): slower, and ties at one instant may run
    /// in another order. For the tests that check the folds.
    #[doc(hidden)]
    pub every_step: bool,
}

/// Runs one replication to the end.
pub fn run(cfg: &ModelConfig, seed: u64, opts: RunOptions) -> RunResult {
    run_observed(cfg, seed, opts, &mut ())
}

/// Runs one replication, handing its time series to `sink` bucket by bucket
/// instead of keeping it (`opts.timeseries` is implied).
pub fn run_into(
    cfg: &ModelConfig,
    seed: u64,
    opts: RunOptions,
    sink: &mut dyn BucketSink,
) -> RunResult {
    let opts = RunOptions {
        timeseries: true,
        ..opts
    };
    let mut sim = Sim::new(cfg, seed, opts, Some(sink));
    sim.run(&mut ());
    sim.finish()
}

/// Runs one replication, reporting each served receive to `obs` (teaching mode).
pub fn run_observed<O: Observer>(
    cfg: &ModelConfig,
    seed: u64,
    opts: RunOptions,
    obs: &mut O,
) -> RunResult {
    let mut kept = result::Kept::default();
    let sink = opts.timeseries.then_some(&mut kept as &mut dyn BucketSink);
    let mut sim = Sim::new(cfg, seed, opts, sink);
    sim.run(obs);
    let mut result = sim.finish();
    if opts.timeseries {
        result.timeseries = Some(kept.buckets);
        result.cloudwatch = Some(kept.periods);
    }
    result
}

/// The state of one run. Its methods are spread over this folder by actor;
/// the fields are private to it.
struct Sim<'a> {
    cfg: &'a ModelConfig,
    /// `cfg.network`, ready to draw one-way delays.
    network: Delay<'a>,
    opts: RunOptions,
    events: EventQueue<Event>,
    queue: SqsQueue,
    producers: Vec<Producer>,
    consumers: Vec<Consumer>,
    /// Lambda event source mappings (their pollers are in `consumers`).
    lambda: lambda::Lambdas,
    rec: Recorder<'a>,
    /// Where a new message is stored: a node drawn by weight.
    placement: Alias,
    /// Which nodes a short poll asks.
    sampler: Sampler,
    /// Earliest `QueueTimer` already scheduled and not yet fired.
    timer_armed: SimTime,
    /// Time-series ticks handled (not model events).
    ticks: u64,
    stalled: Option<Stall>,
    /// Messages being processed by consumers whose steps are not folded.
    busy: u64,
    /// ... and by those whose steps are (`busy`'s module).
    folded_busy: busy::FoldedBusy,
    /// Requests on their way that nobody waits for.
    outbox: concurrency::Outbox,
    /// Scratch for a heartbeat's messages.
    beats: Vec<(u32, u64, SimTime)>,
    scalers: Vec<autoscale::Scaler>,
    datapoints: autoscale::Datapoints,
    /// FIFO groups, producer retries, the quota (`None` when the scenario
    /// uses none of them: the standard path is then untouched).
    extras: Option<Box<fifo::Extras>>,
    /// Steps that touch only their own actor may be folded (nothing turns
    /// it off: `RunOptions::every_step`, extras); each fold has its own
    /// further conditions (`consumers::folds`, `fold_producers`).
    fold: bool,
    /// Parked long polls share one wait timer (`consumers::park`): every
    /// long poll of the run waits the same time, so their waits end in the
    /// order they parked.
    one_wait: bool,
    /// Whether that timer is set (always, while a poll is parked).
    wait_armed: bool,
    /// Producers' creations are folded into their sends' arrivals
    /// (`producers::create_batch`): the network delay is a constant, so a
    /// send never overtakes the one before it, and no extras apply.
    fold_producers: bool,
}

impl<'a> Sim<'a> {
    fn new(
        cfg: &'a ModelConfig,
        seed: u64,
        opts: RunOptions,
        sink: Option<&'a mut dyn BucketSink>,
    ) -> Sim<'a> {
        let q = &cfg.queue;
        let streams = StreamSeed::new(seed);
        let (extras, groups) = fifo::setup(cfg, &streams);
        // Folds need a plain standard queue (see `consumers::folds`).
        let fold = !opts.every_step && extras.is_none();
        let mut consumers = consumers::spawn(cfg, &streams, fold);
        let lambda = lambda::Lambdas::new(cfg, &streams, &mut consumers);
        let mut queue = SqsQueue::new(
            q.nodes,
            q.delay,
            q.retention,
            q.max_receive_count,
            q.in_flight_limit,
            q.kind,
        )
        .ends_at(cfg.duration);
        if let Some(groups) = groups {
            queue = queue.with_groups(groups);
        }
        let network = Delay::new(&cfg.network);
        let mut sim = Sim {
            cfg,
            network,
            opts,
            events: EventQueue::with_lanes(LANES),
            queue,
            producers: producers::spawn(cfg, &streams),
            consumers,
            lambda,
            rec: Recorder::new(cfg.warmup, cfg.bucket, sink).with_cloudwatch(cfg.cloudwatch_period),
            placement: Alias::new(&q.node_weights),
            sampler: Sampler::new(&q.node_weights),
            timer_armed: SimTime::MAX,
            ticks: 0,
            stalled: None,
            busy: 0,
            folded_busy: busy::FoldedBusy::new(opts.timeseries),
            outbox: concurrency::Outbox::default(),
            beats: Vec::new(),
            scalers: autoscale::spawn(cfg, &streams),
            datapoints: autoscale::Datapoints::default(),
            fold,
            one_wait: fold && consumers::one_wait_time(cfg),
            wait_armed: false,
            fold_producers: fold && network.is_constant(),
            extras,
        };
        // The last quarter of the measured window, for the "did not keep
        // up" warning (sends vs first deliveries there).
        let window = cfg.duration - cfg.warmup;
        sim.rec
            .watch_tail(cfg.duration - SimTime(window.micros() / 4));
        sim.initial_messages(streams.stream(&[kind::INITIAL_MESSAGES]));
        sim.schedule_producers();
        sim.schedule_consumers();
        sim.schedule_clocks();
        sim.schedule_cloudwatch();
        sim.schedule_scalers();
        sim
    }

    /// Initial messages count as sent at t = 0, before any other event. They
    /// were in the queue before the run began, so they are visible at once:
    /// `queue.delay` applies to messages sent during the run.
    fn initial_messages(&mut self, mut rng: Stream) {
        let n = self.cfg.queue.initial_messages;
        for _ in 0..n {
            let node = NodeId::new(self.placement.draw(&mut rng));
            if !self.store_initial_in_group(node) {
                self.queue
                    .store_initial(crate::model::queue::INITIAL_MESSAGE_BYTES, node);
            }
        }
        if n > 0 {
            self.rec.initial(n);
            self.arm_timer();
        }
    }

    /// Simulates `[0, duration)`: an event due at exactly `duration` does
    /// not happen.
    fn run<O: Observer>(&mut self, obs: &mut O) {
        let end = self.cfg.duration;
        // The loop's bounds, worked out once rather than per event: the last
        // instant simulated (the window is `[0, end)`) and the event limit.
        let Some(last) = end.micros().checked_sub(1).map(SimTime) else {
            return;
        };
        let limit = match self.opts.max_events {
            0 => u64::MAX,
            n => n,
        };
        let mut guard = stall::Guard::new();
        while self.events.next_time() <= last {
            let (now, ev) = self.events.pop();
            if guard.at(now) && guard.stood_still(self.entity(ev)) {
                self.stalled = Some(guard.stall(self.cfg, now));
                break;
            }
            self.handle(now, ev, obs);
            if self.model_events() >= limit {
                break;
            }
        }
        self.events.advance_to(end);
    }

    fn model_events(&self) -> u64 {
        self.events.events_handled() - self.ticks
    }

    /// Hands the event to the actor it concerns.
    #[inline(always)]
    fn handle<O: Observer>(&mut self, now: SimTime, ev: Event, obs: &mut O) {
        match ev {
            Event::ProducerNext { p } => self.producer_next(now, p),
            Event::ProducerFlush { p } => self.producer_flush(now, p),
            Event::Burst { group, index } => self.burst(now, group, index),
            Event::SendArrive { p, n, folded, sent } => {
                self.send_arrive(now, p, n as u32, sent, obs);
                if folded {
                    self.create_batch(p, sent);
                }
            }
            Event::SendResend {
                p,
                n,
                attempt,
                sent,
            } => self.send_arrive_extras(now, p, n as u32, sent, attempt as u32, obs),
            Event::SendRetry { retry, .. } => self.retry_arrive(now, retry, obs),
            Event::Poll { c } => self.poll(now, c),
            Event::ReceiveArrive { c } => self.receive_arrive(now, c, obs),
            Event::WaitTimeout { c, serial } => self.wait_timeout(now, c, serial, obs),
            Event::ReceiveResponse { c } => self.receive_response(now, c),
            Event::ProcessDone { c } => self.process_done(now, c),
            Event::DeleteArrive { c, batch } => self.delete_arrive(now, c, batch, obs),
            Event::DeleteResponse { c } => self.next_message(now, c),
            Event::QueueTimer => self.queue_timer(now, obs),
            Event::NodeDown { node } => self.node_down(now, node, obs),
            Event::NodeUp { node } => self.node_up(now, node, obs),
            Event::Tick => self.tick(now),
            Event::SlotDone { c, id } => self.slot_done(now, c, id),
            Event::Request { c, id } => self.request_arrive(now, c, id, obs),
            Event::Heartbeat { c, serial } => self.heartbeat(now, c, serial),
            Event::ScaleTick { s } => self.scale_tick(now, s),
            Event::ScaleRead { s } => self.scale_read(now, s),
            Event::ScaleDecide { s, value } => self.scale_decide(now, s, value as u64),
            Event::CloudwatchMinute => self.cloudwatch_minute(now),
            Event::CloudwatchSample => self.cloudwatch_sample(now),
            Event::LambdaScale { esm } => self.lambda_scale(now, esm),
            Event::InvokeDone { inv } => self.invoke_done(now, inv),
            Event::LambdaDelete { inv, chunk } => self.lambda_delete(now, inv, chunk, obs),
        }
    }
}
