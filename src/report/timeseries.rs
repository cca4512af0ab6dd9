//! `timeseries.csv`: per variant, replication 0, per time bucket: the SPEC's
//! columns (visible, in flight, receive requests, empty, false empty,
//! messages received) and a few more. Sweeps put `param,value` first.

use super::keyed::{self, Keys};
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
pub fn to_csv(series: &[(Keys, String, Vec<Bucket>)]) -> anyhow::Result<Vec<u8>> {
    let rows: Vec<(&Keys, Row)> = series
        .iter()
        .flat_map(|(keys, variant, buckets)| {
            buckets.iter().map(move |b| {
                let row = Row {
                    variant: variant.clone(),
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
                };
                (keys, row)
            })
        })
        .collect();
    keyed::write(&rows.iter().map(|(k, r)| (*k, r)).collect::<Vec<_>>())
}
