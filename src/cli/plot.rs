//! `sqs-sim plot`: redraws every chart of a results folder, and its
//! `report.html`, from its CSVs.

use super::format_flag::FormatFlag;
use super::stdout::outln;
use crate::error::Result;
use crate::study;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub(crate) struct PlotArgs {
    /// A results folder (with aggregate.csv, timeseries.csv, latency_cdf.csv).
    pub(crate) dir: PathBuf,
    /// Chart file format.
    #[arg(long, value_enum, default_value_t = FormatFlag::Png)]
    pub(crate) format: FormatFlag,
}

pub(crate) fn plot(a: PlotArgs) -> Result<()> {
    let n = study::plot(&a.dir, &a.format.image_formats())?;
    outln!(
        "{n} chart(s) written to {}, and {}",
        a.dir.join("charts").display(),
        a.dir.join("report.html").display()
    )
}
