//! `cloudwatch.csv`: a run's SQS metrics under their CloudWatch names and
//! statistics, one row per variant × period (replication 0), so a user can
//! hold them against a dashboard — and `sqs-sim compare` against real
//! exports. The Sum metrics are sums over the period; the `Approximate*`
//! ones the period's Maximum (of the minute samples); `SentMessageSize` the
//! Average (empty for a period without sends); the FIFO groups metric is
//! empty for a standard queue. Periods `[k·p, (k+1)·p)` start at
//! `period_start_s`; sweeps put `param,value` first.

use crate::model::CloudwatchPeriod;
use crate::scenario::cloudwatch::Statistic;
use anyhow::{anyhow, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The file's name in a results folder.
pub const FILE: &str = "cloudwatch.csv";

/// One variant's metrics over one period.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CloudwatchRow {
    pub variant: String,
    pub period_start_s: f64,
    #[serde(rename = "NumberOfMessagesSent")]
    pub sent: u64,
    #[serde(rename = "NumberOfMessagesReceived")]
    pub received: u64,
    #[serde(rename = "NumberOfMessagesDeleted")]
    pub deleted: u64,
    #[serde(rename = "NumberOfEmptyReceives")]
    pub empty_receives: u64,
    #[serde(rename = "ApproximateNumberOfMessagesVisible")]
    pub visible: u64,
    #[serde(rename = "ApproximateNumberOfMessagesNotVisible")]
    pub not_visible: u64,
    #[serde(rename = "ApproximateNumberOfMessagesDelayed")]
    pub delayed: u64,
    /// Seconds.
    #[serde(rename = "ApproximateAgeOfOldestMessage")]
    pub oldest_age_s: f64,
    /// Bytes; `None` for a period without sends.
    #[serde(rename = "SentMessageSize")]
    pub sent_size: Option<f64>,
    /// FIFO queues only.
    #[serde(rename = "ApproximateNumberOfGroupsWithInflightMessages")]
    pub groups_in_flight: Option<u64>,
}

impl CloudwatchRow {
    /// The row of one period of a run (`fifo`: a FIFO queue's).
    pub fn new(variant: &str, p: &CloudwatchPeriod, fifo: bool) -> CloudwatchRow {
        CloudwatchRow {
            variant: variant.to_string(),
            period_start_s: p.start.as_secs_f64(),
            sent: p.sent,
            received: p.received,
            deleted: p.deleted,
            empty_receives: p.empty_receives,
            visible: p.visible,
            not_visible: p.not_visible,
            delayed: p.delayed,
            oldest_age_s: p.oldest_age.as_secs_f64(),
            sent_size: (p.sent > 0).then(|| p.sent_bytes as f64 / p.sent as f64),
            groups_in_flight: fifo.then_some(p.groups_in_flight),
        }
    }
}

/// A metric of the file: its CloudWatch name, statistic and value in a row.
pub struct Metric {
    pub name: &'static str,
    pub statistic: Statistic,
    pub value: fn(&CloudwatchRow) -> Option<f64>,
}

/// Every metric column, in file order (a test checks it against the header).
pub static METRICS: &[Metric] = &[
    metric("NumberOfMessagesSent", Statistic::Sum, |r| {
        Some(r.sent as f64)
    }),
    metric("NumberOfMessagesReceived", Statistic::Sum, |r| {
        Some(r.received as f64)
    }),
    metric("NumberOfMessagesDeleted", Statistic::Sum, |r| {
        Some(r.deleted as f64)
    }),
    metric("NumberOfEmptyReceives", Statistic::Sum, |r| {
        Some(r.empty_receives as f64)
    }),
    metric(
        "ApproximateNumberOfMessagesVisible",
        Statistic::Maximum,
        |r| Some(r.visible as f64),
    ),
    metric(
        "ApproximateNumberOfMessagesNotVisible",
        Statistic::Maximum,
        |r| Some(r.not_visible as f64),
    ),
    metric(
        "ApproximateNumberOfMessagesDelayed",
        Statistic::Maximum,
        |r| Some(r.delayed as f64),
    ),
    metric("ApproximateAgeOfOldestMessage", Statistic::Maximum, |r| {
        Some(r.oldest_age_s)
    }),
    metric("SentMessageSize", Statistic::Average, |r| r.sent_size),
    metric(
        "ApproximateNumberOfGroupsWithInflightMessages",
        Statistic::Maximum,
        |r| r.groups_in_flight.map(|g| g as f64),
    ),
];

const fn metric(
    name: &'static str,
    statistic: Statistic,
    value: fn(&CloudwatchRow) -> Option<f64>,
) -> Metric {
    Metric {
        name,
        statistic,
        value,
    }
}

/// The metric named `name`, if the file has it.
pub fn metric_named(name: &str) -> Option<&'static Metric> {
    METRICS.iter().find(|m| m.name == name)
}

/// The file's bytes from rows in memory (`run` streams its rows instead,
/// through `timeseries::PartWriter`; the tests write fixtures with this).
#[cfg_attr(not(test), allow(dead_code))]
pub fn write(rows: &[CloudwatchRow]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if rows.is_empty() {
        w.write_record(crate::report::keyed::header_of(&CloudwatchRow::default())?)?;
    }
    for r in rows {
        w.serialize(r)?;
    }
    Ok(w.into_inner()?)
}

/// Reads `cloudwatch.csv` from a results folder.
pub fn read(dir: &Path) -> Result<Vec<CloudwatchRow>> {
    let path = dir.join(FILE);
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut r = csv::Reader::from_reader(bytes.as_slice());
    let header = r
        .headers()
        .with_context(|| format!("cannot read {}", path.display()))?;
    let want = crate::report::keyed::header_of(&CloudwatchRow::default())?;
    if header.get(0) == Some("param") {
        return Err(anyhow!(
            "{}: the cloudwatch.csv of a sweep; compare takes the folder of `sqs-sim run`",
            path.display()
        ));
    }
    if header.iter().ne(want.iter().map(String::as_str)) {
        return Err(anyhow!(
            "{}: the header is not that of a cloudwatch.csv ({})",
            path.display(),
            want.join(",")
        ));
    }
    r.deserialize()
        .enumerate()
        .map(|(i, row)| row.with_context(|| format!("{}:{}", path.display(), i + 2)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_the_columns_and_rows_read_back() {
        let head = crate::report::keyed::header_of(&CloudwatchRow::default()).unwrap();
        let names: Vec<&str> = METRICS.iter().map(|m| m.name).collect();
        assert_eq!(head[..2], ["variant", "period_start_s"]);
        assert_eq!(head[2..], names[..]);
        let rows = vec![
            CloudwatchRow {
                variant: "short".into(),
                period_start_s: 0.0,
                sent: 10,
                sent_size: Some(1024.0),
                oldest_age_s: 1.5,
                ..CloudwatchRow::default()
            },
            CloudwatchRow {
                variant: "short".into(),
                period_start_s: 60.0,
                sent_size: None,
                ..CloudwatchRow::default()
            },
        ];
        let bytes = write(&rows).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert_eq!(
            text.lines().nth(2).unwrap(),
            "short,60.0,0,0,0,0,0,0,0,0.0,,"
        );
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(FILE), bytes).unwrap();
        assert_eq!(read(d.path()).unwrap(), rows);
        assert_eq!(
            (metric_named("SentMessageSize").unwrap().value)(&rows[1]),
            None
        );
    }
}
