//! Results folders from results already written: `merge` joins the folders
//! of `--shard 1/N … N/N` into the one the unsharded run would have written;
//! `plot` redraws a folder's charts from its CSVs.

use super::{check_out, claim};
use crate::error::{Error, Result};
use crate::report::atomic::Content;
use crate::report::atomic::OutputSet;
use crate::report::charts::{self, ImageFormat, Inputs};
use crate::report::folder;
use crate::report::page::{self, About, Page, ReportInputs, Runs};
use crate::report::shard::{self, Manifest};
use crate::report::{advice, aggregate, keyed, warnings, RunCsvs};
use std::path::{Path, PathBuf};

/// Joins the shard folders `dirs` (any order) into the results folder `out`,
/// with charts in each of `formats`. A folder that is not a shard, or whose
/// files are not those its manifest lists, is refused and nothing is written.
pub fn merge(dirs: &[PathBuf], out: &Path, formats: &[ImageFormat]) -> Result<()> {
    let out = check_out(out)?;
    let parts = dirs
        .iter()
        .map(|d| read_shard(d))
        .collect::<Result<Vec<_>>>()?;
    // Every shard of a study records the same scenario, command and
    // objective: take the first shard's.
    let first = parts
        .iter()
        .zip(dirs)
        .find(|(p, _)| p.0.shard.index == 1)
        .map(|(_, d)| d.clone());
    let about = first.as_deref().map(About::read).unwrap_or_default();
    let slo = match &first {
        Some(d) => charts::read_slo(d).map_err(|e| Error::Usage(format!("{e:#}")))?,
        None => None,
    };
    let staging = claim(&out)?;
    let csvs = shard::merge(parts, &staging.path("")).map_err(Error::Usage)?;
    // No --jobs here: charts on all cores (the files do not depend on it).
    let done = csvs.complete(formats, 0, &about, slo.as_ref(), &[])?;
    done.set.commit(&staging, &|n| folder::OWNED.contains(&n))?;
    Ok(())
}

/// A shard folder's manifest and CSVs, checked against each other.
fn read_shard(d: &Path) -> Result<(Manifest, RunCsvs)> {
    let path = d.join(shard::MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::Usage(format!(
            "{}: not a shard folder (written by --shard I/N): {e}",
            d.display()
        ))
    })?;
    let m = Manifest::parse(&text).map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
    let csvs = RunCsvs::read(d)
        .map_err(|e| Error::Usage(format!("shard folder {}: {e:#}", d.display())))?;
    if let Err(what) = m.check(&csvs)? {
        return Err(Error::Usage(format!(
            "shard {} ({}): {what}; nothing was merged",
            m.shard,
            d.display()
        )));
    }
    Ok((m, csvs))
}

/// Redraws every chart of the results folder `dir` in each of `formats`,
/// and its `report.html`, keeping every other file; returns how many charts
/// were written.
pub fn plot(dir: &Path, formats: &[ImageFormat]) -> Result<usize> {
    // Not a results folder, or a damaged one: bad input (exit 2), as for `merge`.
    if !dir.join("aggregate.csv").is_file() {
        return Err(Error::Usage(format!(
            "{}: not a results folder (no aggregate.csv)",
            dir.display()
        )));
    }
    let dir = check_out(dir)?;
    let staging = claim(&dir)?;
    let inputs = Inputs::read(&dir).map_err(|e| Error::Usage(format!("{e:#}")))?;
    let mut set = OutputSet::new();
    let drawn = charts::render_all(&inputs, formats, 0)?;
    let n = drawn.files.len();
    for (name, bytes) in drawn.files {
        set.add(Path::new("charts").join(name), bytes);
    }
    let summary = Content::File(dir.join(RunCsvs::NAMES[0]));
    let page_of = || -> anyhow::Result<Vec<u8>> {
        // One csv reader for every pass (see `RunCsvs::complete`).
        let mut rows = keyed::Records::open(&summary, "summary.csv")?;
        let warnings = warnings::from_summary(&mut rows, &[])?;
        let aggregates = aggregate::from_summary(&mut rows)?;
        let about = About::read(&dir);
        let page = Page {
            about: &about,
            aggregates: &aggregates,
            summary: &Runs::read(&mut rows)?,
            charts: Some(page::charts_of(drawn.inline)),
            inputs: &ReportInputs::new(
                &warnings,
                inputs
                    .slo
                    .as_ref()
                    .map(|slo| advice::judge(&aggregates, slo))
                    .as_ref(),
            ),
        };
        page.render()
    };
    set.add(
        page::NAME,
        page_of().map_err(|e| Error::Usage(format!("{e:#}")))?,
    );
    // Only the charts and the page are redrawn: every other file is kept.
    set.commit(&staging, &|n| n == "charts" || n == page::NAME)?;
    Ok(n)
}
