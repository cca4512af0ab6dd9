//! `timeseries.csv`: per variant, replication 0, per time bucket: the
//! documented columns (visible, in flight, receive requests, empty, false empty,
//! messages received) and a few more. Sweeps put `param,value` first.
//!
//! A day of 1 s buckets is 86,400 rows per variant, so the file is never held
//! in memory: each run streams its rows into a part file ([`PartWriter`]) and
//! [`assemble`] joins the parts, in job order, under one header. The same
//! writer streams the run's `cloudwatch.csv` rows into a part of their own.

use super::cloudwatch::CloudwatchRow;
use super::keyed::{header_of, Keys};
use crate::model::recorder::{Bucket, BucketSink};
use crate::model::CloudwatchPeriod;
use anyhow::{Context, Result};
use serde::Serialize;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(Serialize, Default)]
struct Row<'a> {
    variant: &'a str,
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
    busy: u64,
    consumers: u64,
    lambda_invocations: u64,
    lambda_concurrency: u64,
    lambda_pollers: u64,
    groups_in_flight: u64,
    throttled_requests: u64,
}

impl<'a> Row<'a> {
    fn new(variant: &'a str, b: &Bucket) -> Row<'a> {
        Row {
            variant,
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
            busy: b.busy,
            consumers: b.consumers,
            lambda_invocations: b.lambda_invocations,
            lambda_concurrency: b.lambda_concurrency,
            lambda_pollers: b.lambda_pollers,
            groups_in_flight: b.groups_in_flight,
            throttled_requests: b.throttled_requests,
        }
    }
}

/// The columns after the sweep point's keys.
pub(crate) fn columns() -> Result<Vec<String>> {
    header_of(&Row::default())
}

/// Writes one run's rows (no header) to files as the run produces them:
/// its `timeseries.csv` rows, and its `cloudwatch.csv` rows.
pub(crate) struct PartWriter {
    timeseries: RowPart,
    cloudwatch: RowPart,
    variant: String,
    /// A FIFO queue: `cloudwatch.csv` has its groups metric.
    fifo: bool,
}

/// A run's two part files, once it is over.
#[derive(Debug)]
pub(crate) struct Parts {
    pub(crate) timeseries: Part,
    pub(crate) cloudwatch: Part,
}

/// A finished part: its file, its sweep point keys and how many rows it has.
#[derive(Debug)]
pub(crate) struct Part {
    path: PathBuf,
    keys: Keys,
    rows: u64,
}

/// One part file being written.
struct RowPart {
    w: csv::Writer<BufWriter<File>>,
    part: Part,
    /// The first write error; the run goes on and [`PartWriter::finish`] reports it.
    error: Option<csv::Error>,
}

impl RowPart {
    fn create(path: PathBuf, keys: Keys) -> Result<RowPart> {
        let file =
            File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(RowPart {
            w: csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(BufWriter::new(file)),
            part: Part {
                path,
                keys,
                rows: 0,
            },
            error: None,
        })
    }

    fn push<T: Serialize>(&mut self, row: &T) {
        if self.error.is_none() {
            match self.write(row) {
                Ok(()) => self.part.rows += 1,
                Err(e) => self.error = Some(e),
            }
        }
    }

    fn write<T: Serialize>(&mut self, row: &T) -> csv::Result<()> {
        for (_, v) in &self.part.keys {
            self.w.write_field(v)?;
        }
        self.w.serialize(row)
    }

    fn finish(mut self) -> Result<Part> {
        let path = &self.part.path;
        if let Some(e) = self.error {
            return Err(e).with_context(|| format!("cannot write {}", path.display()));
        }
        self.w
            .flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(self.part)
    }
}

impl PartWriter {
    /// Writes the two parts to `[timeseries, cloudwatch]`.
    pub(crate) fn create(
        paths: [PathBuf; 2],
        keys: Keys,
        variant: &str,
        fifo: bool,
    ) -> Result<PartWriter> {
        let [timeseries, cloudwatch] = paths;
        Ok(PartWriter {
            timeseries: RowPart::create(timeseries, keys.clone())?,
            cloudwatch: RowPart::create(cloudwatch, keys)?,
            variant: variant.to_string(),
            fifo,
        })
    }

    pub(crate) fn finish(self) -> Result<Parts> {
        Ok(Parts {
            timeseries: self.timeseries.finish()?,
            cloudwatch: self.cloudwatch.finish()?,
        })
    }
}

impl BucketSink for PartWriter {
    fn bucket(&mut self, b: &Bucket) {
        self.timeseries.push(&Row::new(&self.variant, b));
    }

    fn period(&mut self, p: &CloudwatchPeriod) {
        let row = CloudwatchRow::new(&self.variant, p, self.fifo);
        self.cloudwatch.push(&row);
    }
}

/// Writes `timeseries.csv` to `out`: see [`assemble_as`].
pub(crate) fn assemble(parts: &[&Part], out: &Path) -> Result<()> {
    assemble_as(parts, out, header_of(&Row::default())?)
}

/// Writes a CSV file to `out`: the header (key columns named by the first
/// part with rows, then `columns`), then every part's rows in order.
pub(crate) fn assemble_as(parts: &[&Part], out: &Path, columns: Vec<String>) -> Result<()> {
    let err = || format!("cannot write {}", out.display());
    let file = File::create(out).with_context(err)?;
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(BufWriter::new(file));
    let mut head: Vec<String> = parts
        .iter()
        .find(|p| p.rows > 0)
        .map(|p| p.keys.iter().map(|(n, _)| n.clone()).collect())
        .unwrap_or_default();
    head.extend(columns);
    w.write_record(&head).with_context(err)?;
    let mut f = w
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(err)?;
    for p in parts {
        let mut r =
            File::open(&p.path).with_context(|| format!("cannot read {}", p.path.display()))?;
        std::io::copy(&mut r, &mut f).with_context(err)?;
    }
    f.flush().with_context(err)?;
    Ok(())
}
