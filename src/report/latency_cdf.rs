//! `latency_cdf.csv`: per variant, replication 0, the cumulative distribution
//! of message latency (one point per histogram step), so charts can be
//! redrawn from the results folder alone.

use super::keyed::{self, Keys};
use serde::Serialize;

#[derive(Serialize, Default)]
struct Row {
    variant: String,
    latency_s: f64,
    cumulative_fraction: f64,
}

/// `(point keys, variant, (seconds, fraction) points)` per series.
pub fn to_csv(series: &[(Keys, String, Vec<(f64, f64)>)]) -> anyhow::Result<Vec<u8>> {
    let rows: Vec<(&Keys, Row)> = series
        .iter()
        .flat_map(|(keys, variant, points)| {
            points.iter().map(move |&(latency_s, cumulative_fraction)| {
                let row = Row {
                    variant: variant.clone(),
                    latency_s,
                    cumulative_fraction,
                };
                (keys, row)
            })
        })
        .collect();
    keyed::write(&rows.iter().map(|(k, r)| (*k, r)).collect::<Vec<_>>())
}
