//! `latency_cdf.csv`: per variant, replication 0, the cumulative distribution
//! of message latency (one point per histogram step), so charts can be
//! redrawn from the results folder alone.

use super::keyed::{self, Labelled};
use serde::Serialize;

#[derive(Serialize, Default)]
struct Row {
    variant: String,
    latency_s: f64,
    cumulative_fraction: f64,
}

/// `(point keys, variant, (seconds, fraction) points)` per series.
pub fn to_csv(series: &[Labelled<Vec<(f64, f64)>>]) -> anyhow::Result<Vec<u8>> {
    keyed::write_series(series, |variant, &(latency_s, cumulative_fraction)| Row {
        variant: variant.to_string(),
        latency_s,
        cumulative_fraction,
    })
}
