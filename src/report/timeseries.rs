//! `timeseries.csv`: per variant, replication 0, per time bucket: the SPEC's
//! columns (visible, in flight, receive requests, empty, false empty,
//! messages received) and a few more. Sweeps put `param,value` first.

use super::keyed::{self, Labelled};
use crate::model::recorder::Bucket;
use serde::Serialize;

#[derive(Serialize, Default)]
struct Row {
    variant: String,
    time_s: f64,
    visible: u64,
    in_flight: u64,
    receive_requests: u64,
    empty_responses: u64,
    false_empty_responses: u64,
    messages_received: u64,
    messages_sent: u64,
    messages_deleted: u64,
    delayed: u64,
    unreachable: u64,
}

/// `(point keys, variant, buckets)` per series, in output order.
pub fn to_csv(series: &[Labelled<Vec<Bucket>>]) -> anyhow::Result<Vec<u8>> {
    keyed::write_series(series, |variant, b| Row {
        variant: variant.to_string(),
        time_s: b.start.as_secs_f64(),
        visible: b.visible,
        in_flight: b.in_flight,
        receive_requests: b.receive_requests,
        empty_responses: b.empty_responses,
        false_empty_responses: b.false_empty_responses,
        messages_received: b.messages_received,
        messages_sent: b.messages_sent,
        messages_deleted: b.messages_deleted,
        delayed: b.delayed,
        unreachable: b.unreachable,
    })
}
