//! A consumer's state between events: the request it has out, the messages
//! in hand, and its random streams. The loop itself is driven by `sim`.

use super::queue::Delivery;
use crate::engine::Stream;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Not started yet, or stopped for good.
    Idle,
    /// A ReceiveMessage is on its way or being served.
    Receiving,
    /// A long poll is parked at the queue, waiting for a message.
    Waiting,
    /// Processing `hand[next]`.
    Processing,
    /// Waiting for a delete's response.
    Deleting,
    /// Sleeping `idle_wait` after an empty response.
    Sleeping,
}

pub struct Consumer {
    pub group: u32,
    pub phase: Phase,
    /// Serial of the current receive; a stale `WaitTimeout` carries an old one.
    pub serial: u32,
    /// Messages of the last response.
    pub hand: Vec<Delivery>,
    /// Index in `hand` of the message being processed.
    pub next: usize,
    /// Messages processed successfully, waiting for a DeleteMessageBatch.
    pub to_delete: Vec<(u32, u64)>,
    /// Short-poll node choice.
    pub sampling: Stream,
    /// Processing times and failures.
    pub work: Stream,
    pub network: Stream,
    /// Scratch: the nodes sampled by the current short poll.
    pub sampled: Vec<u32>,
}

impl Consumer {
    pub fn new(group: u32, sampling: Stream, work: Stream, network: Stream) -> Consumer {
        Consumer {
            group,
            phase: Phase::Idle,
            serial: 0,
            hand: Vec::with_capacity(10),
            next: 0,
            to_delete: Vec::with_capacity(10),
            sampling,
            work,
            network,
            sampled: Vec::new(),
        }
    }

    pub fn is_waiting(&self, serial: u32) -> bool {
        self.phase == Phase::Waiting && self.serial == serial
    }
}
