//! Micro- and macro-benchmarks of the engine (`cargo bench -p
//! sqs-sim-benches`, from the repository root): the event
//! queue, one short poll on a large fleet, one long-poll wake-up, and the
//! whole reference load. `scripts/bench.sh` measures whole processes; these
//! isolate the parts. Timings only: correctness lives in the tests.

use divan::{black_box, Bencher};
use sqs_sim::engine::SimTime;
use sqs_sim::model::config::QueueKind;
use sqs_sim::model::{self, RunOptions};
use sqs_sim::scenario::{Overrides, Scenario};
use sqs_sim::testing::{
    below, ConsumerId, Delivery, EventQueue, NodeId, Sampler, SqsQueue, StreamSeed,
};
use std::path::Path;

fn main() {
    divan::main();
}

/// Hold model: `pending` events in the queue; each iteration pops the next
/// and schedules one a random (heap) or fixed (FIFO lane) delay later.
#[divan::bench(args = [16, 1024, 65536])]
fn event_queue_heap(b: Bencher, pending: u64) {
    let mut rng = StreamSeed::new(1).stream(&[1]);
    let mut q = EventQueue::new();
    for i in 0..pending {
        q.schedule(SimTime(below(&mut rng, 1_000_000)), i);
    }
    b.bench_local(|| {
        let (now, e) = q.pop_until(SimTime::MAX).unwrap();
        q.schedule(now + SimTime(1 + below(&mut rng, 1_000_000)), black_box(e));
    });
}

#[divan::bench(args = [16, 1024, 65536])]
fn event_queue_lane(b: Bencher, pending: u64) {
    let mut q = EventQueue::with_lanes(1);
    for i in 0..pending {
        q.schedule_fifo(0, SimTime(i), i);
    }
    b.bench_local(|| {
        let (now, e) = q.pop_until(SimTime::MAX).unwrap();
        q.schedule_fifo(0, now + SimTime(pending), black_box(e));
    });
}

fn queue(nodes: u32) -> SqsQueue {
    SqsQueue::new(
        nodes,
        SimTime::ZERO,
        SimTime::from_secs(4 * 86_400),
        None,
        120_000,
        QueueKind::Standard,
    )
}

/// One short poll of 100 sampled nodes out of 10,000 holding `backlog`
/// visible messages; the messages taken are deleted and as many new ones
/// stored, so every iteration sees the same depth.
#[divan::bench(args = [0, 1_000, 1_000_000])]
fn short_poll_10000_nodes_sample_100(b: Bencher, backlog: u64) {
    let nodes = 10_000;
    let mut rng = StreamSeed::new(2).stream(&[2]);
    let mut q = queue(nodes);
    let node = |rng: &mut _| NodeId::new(below(rng, nodes as u64) as u32);
    for _ in 0..backlog {
        q.store(SimTime::ZERO, SimTime::ZERO, 1024, node(&mut rng));
    }
    let mut sampler = Sampler::new(&vec![1.0; nodes as usize]);
    let (mut sampled, mut hand) = (Vec::new(), Vec::<Delivery>::new());
    let timeout = SimTime::from_secs(30);
    b.bench_local(|| {
        sampler.sample(&mut rng, q.up_mask(), q.up_count(), 100, &mut sampled);
        hand.clear();
        q.receive_from(SimTime::ZERO, &sampled, 10, timeout, &mut hand);
        for d in &hand {
            q.delete(d.slot, d.receipt);
            q.store(SimTime::ZERO, SimTime::ZERO, 1024, node(&mut rng));
        }
        black_box(hand.len())
    });
}

/// One long-poll wake-up with `waiters` long polls parked (half of them
/// already timed out, left for lazy removal): a message arrives and goes to
/// the longest-waiting live poll.
#[divan::bench(args = [8, 1_000, 100_000])]
fn long_poll_wake_up(b: Bencher, waiters: u32) {
    let mut q = queue(10);
    let mut serial = vec![0u32; waiters as usize];
    for c in 0..waiters {
        q.push_waiter(ConsumerId::new(c), 0);
    }
    let mut hand = Vec::new();
    let mut next = 0u32;
    b.bench_local(|| {
        q.store(SimTime::ZERO, SimTime::ZERO, 1024, NodeId::new(next % 10));
        let serial_ref = &serial;
        let c = q
            .pop_waiter(|c, s| serial_ref[c.index()] == s && c.index() % 2 == 0)
            .unwrap_or(ConsumerId::new(0));
        hand.clear();
        q.receive_any(SimTime::ZERO, 10, SimTime::from_secs(30), &mut hand);
        for d in &hand {
            q.delete(d.slot, d.receipt);
        }
        // The served consumer parks again with a new serial.
        serial[c.index()] = serial[c.index()].wrapping_add(1);
        q.push_waiter(c, serial[c.index()]);
        // A poll that timed out meanwhile.
        q.push_waiter(ConsumerId::new(c.get() + 1), u32::MAX);
        next += 1;
        black_box(c)
    });
}

fn reference(variant: &str, duration: &str) -> model::ModelConfig {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/reference-load.toml");
    let ov = Overrides {
        sets: vec![format!("duration={duration}")],
        ..Overrides::default()
    };
    let sc = Scenario::load(&path, &ov).expect("reference scenario loads");
    sc.resolve()
        .expect("reference scenario resolves")
        .into_iter()
        .find(|r| r.variant == variant)
        .expect("variant exists")
        .config
}

/// The reference load (`scenarios/reference-load.toml`), one simulated minute (12,000 messages).
#[divan::bench(args = ["short", "long"], sample_count = 20)]
fn reference_load_1min(b: Bencher, variant: &str) {
    let cfg = reference(variant, "60s");
    b.bench(|| model::run(&cfg, 1, RunOptions::default()).events);
}
