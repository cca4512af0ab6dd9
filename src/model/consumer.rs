//! A consumer's state between events: the request it has out, the messages
//! in hand, and its random streams. The loop itself is driven by `sim`.

use super::queue::Delivery;
use super::sim::concurrency::Slots;
use crate::engine::{SimTime, Stream};

/// What a consumer is doing (its schedule's phases are `config::Phase`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Activity {
    /// Not started yet, or stopped for good.
    Idle,
    /// A ReceiveMessage is on its way or being served.
    Receiving,
    /// A long poll is parked at the queue, waiting for a message.
    Waiting,
    /// Processing `received[next]`.
    Processing,
    /// Waiting for a delete's response.
    Deleting,
    /// Sleeping `idle_wait` after an empty response.
    Sleeping,
}

pub(crate) struct Consumer {
    /// Index of its group in `ModelConfig::consumers`.
    pub(crate) group: u32,
    pub(crate) activity: Activity,
    /// Serial of the current receive; a stale `WaitTimeout` carries an old one.
    pub(crate) serial: u32,
    /// Messages of the last response.
    pub(crate) received: Vec<Delivery>,
    /// Index in `received` of the message being processed.
    pub(crate) next: usize,
    /// Messages processed successfully, waiting for a DeleteMessageBatch:
    /// `(slot, receipt)`.
    pub(crate) to_delete: Vec<(u32, u64)>,
    /// Short-poll node choice.
    pub(crate) sampling: Stream,
    /// Processing times and failures.
    pub(crate) work: Stream,
    pub(crate) network: Stream,
    /// Scratch: the nodes sampled by the current short poll.
    pub(crate) sampled: Vec<super::ids::NodeId>,
    /// When the queue served its last receive (heartbeats may keep a
    /// message invisible until 12 h after that).
    pub(crate) served: SimTime,
    /// Told to stop by its group's scaler: it stops polling, finishes what
    /// it holds.
    pub(crate) retiring: bool,
    /// `concurrency > 1`: the messages it is processing.
    pub(crate) slots: Option<Box<Slots>>,
    /// When its parked long poll's wait is up (set when it parks).
    pub(crate) wait_until: SimTime,
    /// Its processing and its delete responses are folded into its other
    /// steps (`sim::consumers::process_folded`).
    pub(crate) fold: bool,
}

impl Consumer {
    pub(crate) fn new(group: u32, sampling: Stream, work: Stream, network: Stream) -> Consumer {
        Consumer {
            group,
            activity: Activity::Idle,
            serial: 0,
            received: Vec::with_capacity(10),
            next: 0,
            to_delete: Vec::with_capacity(10),
            sampling,
            work,
            network,
            sampled: Vec::new(),
            served: SimTime::ZERO,
            retiring: false,
            slots: None,
            wait_until: SimTime::ZERO,
            fold: false,
        }
    }

    pub(crate) fn is_waiting(&self, serial: u32) -> bool {
        self.activity == Activity::Waiting && self.serial == serial
    }
}
