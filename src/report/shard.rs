//! Sharding a study across machines: `--shard I/N` runs the I-th of N
//! contiguous slices of the job list and writes only the per-run CSVs plus a
//! manifest (`shard.txt`); `merge` checks the manifests and concatenates the
//! CSVs in shard order, which is job order — so the merged folder is the
//! unsharded one, byte for byte.

use super::atomic::Content;
use super::depth::{wilson, DepthRow};
use super::keyed::{self, Keys, Table};
use super::RunCsvs;
use std::fmt;
use std::io::{BufRead, Write};
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

pub(crate) const MANIFEST: &str = "shard.txt";

/// Slice `index` (1-based) of `count`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let err = || format!("`{s}` is not I/N with 1 ≤ I ≤ N (e.g. 2/8)");
        let (i, n) = s.split_once('/').ok_or_else(err)?;
        let (index, count) = (
            i.trim().parse().map_err(|_| err())?,
            n.trim().parse().map_err(|_| err())?,
        );
        if index == 0 || index > count {
            return Err(err());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The jobs of this slice out of `total`: slices differ in length by at most one.
    pub(crate) fn range(&self, total: usize) -> Range<usize> {
        let at = |i: usize| i * total / self.count;
        at(self.index - 1)..at(self.index)
    }
}

/// What a shard folder says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Manifest {
    pub(crate) shard: Shard,
    pub(crate) jobs: Range<usize>,
    pub(crate) total: usize,
    /// Identifies the study (configurations, seed, replications) so shards
    /// of different studies are never merged.
    pub(crate) study: String,
    /// Every CSV the shard wrote, with its length and hash, so a file cut
    /// short, emptied or overwritten after the shard ran is caught by `merge`.
    pub(crate) files: Vec<FileSum>,
}

/// A file's name, length in bytes and [`fingerprint`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FileSum {
    pub(crate) name: String,
    pub(crate) bytes: u64,
    pub(crate) hash: String,
}

impl FileSum {
    /// Sums what `r` reads (streaming: `timeseries.csv` may be long).
    pub(crate) fn of(name: &str, mut r: impl std::io::Read) -> std::io::Result<FileSum> {
        let mut h = Fnv::default();
        let mut buf = vec![0; 1 << 16];
        let mut bytes = 0u64;
        loop {
            let n = r.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.add(&buf[..n]);
            bytes += n as u64;
        }
        Ok(FileSum {
            name: name.to_string(),
            bytes,
            hash: h.hex(),
        })
    }

    /// The sums of a shard's CSVs.
    pub(crate) fn of_csvs(csvs: &RunCsvs) -> anyhow::Result<Vec<FileSum>> {
        let contents = [
            csvs.summary.clone(),
            csvs.timeseries.clone(),
            Content::Bytes(csvs.latency_cdf.clone()),
            Content::Bytes(csvs.depth.clone()),
            csvs.cloudwatch.clone(),
        ];
        RunCsvs::NAMES
            .iter()
            .zip(&contents)
            .map(|(name, c)| Ok(FileSum::of(name, c.reader()?)?))
            .collect()
    }
}

impl Manifest {
    pub(crate) fn to_text(&self) -> String {
        format!(
            "sqs-sim shard\nshard = {}\njobs = {}..{}\ntotal = {}\nstudy = {}\n{}",
            self.shard,
            self.jobs.start,
            self.jobs.end,
            self.total,
            self.study,
            self.files
                .iter()
                .map(|f| format!("file = {} {} {}\n", f.name, f.bytes, f.hash))
                .collect::<String>()
        )
    }

    pub(crate) fn parse(text: &str) -> Result<Manifest, String> {
        let mut lines = text.lines();
        if lines.next() != Some("sqs-sim shard") {
            return Err("not an sqs-sim shard manifest".into());
        }
        let mut get = |key: &str| -> Result<String, String> {
            let line = lines.next().unwrap_or("");
            line.strip_prefix(&format!("{key} = "))
                .map(str::to_string)
                .ok_or_else(|| format!("expected `{key} = …`, found `{line}`"))
        };
        let shard: Shard = get("shard")?.parse()?;
        let jobs = get("jobs")?;
        let (a, b) = jobs.split_once("..").ok_or("bad `jobs` range")?;
        let num = |s: &str| s.parse::<usize>().map_err(|_| format!("bad number `{s}`"));
        Ok(Manifest {
            shard,
            jobs: num(a)?..num(b)?,
            total: num(&get("total")?)?,
            study: get("study")?,
            files: lines
                .map(|line| {
                    let bad = || format!("bad line `{line}`: expected `file = NAME BYTES HASH`");
                    let rest = line.strip_prefix("file = ").ok_or_else(bad)?;
                    match rest.split(' ').collect::<Vec<_>>()[..] {
                        [name, bytes, hash] => Ok(FileSum {
                            name: name.to_string(),
                            bytes: bytes.parse().map_err(|_| bad())?,
                            hash: hash.to_string(),
                        }),
                        _ => Err(bad()),
                    }
                })
                .collect::<Result<_, String>>()?,
        })
    }

    /// Checks the shard's files against the sums it wrote: `Err` says
    /// which file is wrong and how (`summary.csv` by its rows, as a cut or
    /// copied file shows there first).
    pub(crate) fn check(&self, csvs: &RunCsvs) -> anyhow::Result<Result<(), String>> {
        if self.files.is_empty() {
            return Ok(Err(
                "the manifest lists no file sums (written by an older sqs-sim); run the shard again"
                    .into(),
            ));
        }
        let runs = count_rows(&csvs.summary).unwrap_or(0);
        if runs != self.jobs.len() as u64 {
            return Ok(Err(format!(
                "summary.csv has {runs} run(s) but the shard ran {} (runs {}..{} of {}): the file was cut or changed after the shard wrote it",
                self.jobs.len(),
                self.jobs.start,
                self.jobs.end,
                self.total
            )));
        }
        for (want, got) in self.files.iter().zip(FileSum::of_csvs(csvs)?) {
            if *want != got {
                return Ok(Err(format!(
                    "{} is not the file the shard wrote ({} bytes now, {} then): it was cut, copied over or changed",
                    want.name, got.bytes, want.bytes
                )));
            }
        }
        Ok(Ok(()))
    }
}

/// The rows of a CSV file after its header, read as a stream.
fn count_rows(csv: &Content) -> anyhow::Result<u64> {
    let mut r = csv::Reader::from_reader(csv.reader()?);
    let mut record = csv::ByteRecord::new();
    let mut rows = 0;
    while r.read_byte_record(&mut record)? {
        rows += 1;
    }
    Ok(rows)
}

/// A stable 64-bit FNV-1a hash, as hex (not `DefaultHasher`, whose output may
/// change between Rust releases).
pub(crate) fn fingerprint(text: &str) -> String {
    let mut h = Fnv::default();
    h.add(text.as_bytes());
    h.hex()
}

/// FNV-1a, fed in pieces.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn add(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// Joins shard folders' CSVs (any order) into the unsharded run's CSVs.
/// Every shard of one study must be there, once. `summary.csv`,
/// `timeseries.csv` and `cloudwatch.csv`, too long for memory, are joined by
/// streaming into files of those names in the folder `staging`.
pub(crate) fn merge(
    mut parts: Vec<(Manifest, RunCsvs)>,
    staging: &Path,
) -> Result<RunCsvs, String> {
    let Some(first) = parts.first().map(|p| p.0.clone()) else {
        return Err("no shard folders given".into());
    };
    parts.sort_by_key(|p| p.0.shard.index);
    for (m, _) in &parts {
        if m.study != first.study || m.total != first.total || m.shard.count != first.shard.count {
            return Err(format!(
                "shard {} belongs to another study (or another --shard N) than shard {}",
                m.shard, first.shard
            ));
        }
    }
    let have: Vec<usize> = parts.iter().map(|p| p.0.shard.index).collect();
    let want: Vec<usize> = (1..=first.shard.count).collect();
    if have != want {
        let missing: Vec<String> = want
            .iter()
            .filter(|i| !have.contains(i))
            .map(|i| format!("{i}/{}", first.shard.count))
            .collect();
        return Err(if missing.is_empty() {
            "a shard was given twice".to_string()
        } else {
            format!("missing shard(s) {}", missing.join(", "))
        });
    }
    let join = |pick: fn(&RunCsvs) -> &Vec<u8>| -> Result<Vec<u8>, String> {
        let contents: Vec<Content> = parts
            .iter()
            .map(|p| Content::Bytes(pick(&p.1).clone()))
            .collect();
        let mut out = Vec::new();
        join_csv(&contents, &mut out).map_err(|e| format!("{e:#}"))?;
        Ok(out)
    };
    let join_files = |name: &str, pick: fn(&RunCsvs) -> &Content| -> Result<Content, String> {
        let staged = staging.join(name);
        let contents: Vec<Content> = parts.iter().map(|p| pick(&p.1).clone()).collect();
        std::fs::File::create(&staged)
            .map_err(anyhow::Error::from)
            .and_then(|f| {
                let mut w = std::io::BufWriter::new(f);
                join_csv(&contents, &mut w)?;
                Ok(w.flush()?)
            })
            .map_err(|e| format!("{name}: {e:#}"))?;
        Ok(Content::File(staged))
    };
    Ok(RunCsvs {
        summary: join_files(RunCsvs::NAMES[0], |c| &c.summary)?,
        timeseries: join_files(RunCsvs::NAMES[1], |c| &c.timeseries)?,
        latency_cdf: join(|c| &c.latency_cdf)?,
        depth: merge_depth(parts.iter().map(|p| p.1.depth.as_slice()))
            .map_err(|e| format!("false_empty_by_depth.csv: {e}"))?,
        cloudwatch: join_files(RunCsvs::NAMES[4], |c| &c.cloudwatch)?,
    })
}

/// Writes the CSV files `parts` as one: the header once, then every part's
/// rows, streaming. A shard without runs has a header without the sweep's key
/// columns, so the header is that of the first part with rows.
fn join_csv(parts: &[Content], out: &mut impl Write) -> anyhow::Result<()> {
    let header = |c: &Content| -> anyhow::Result<(Vec<u8>, bool)> {
        let mut r = std::io::BufReader::new(c.reader()?);
        let mut head = Vec::new();
        r.read_until(b'\n', &mut head)?;
        Ok((head, !r.fill_buf()?.is_empty()))
    };
    let heads = parts
        .iter()
        .map(header)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let head = match heads.iter().find(|h| h.1).or(heads.first()) {
        Some(h) => h.0.clone(),
        None => return Ok(()),
    };
    out.write_all(&head)?;
    for (part, (h, has_rows)) in parts.iter().zip(&heads) {
        if *has_rows {
            if *h != head {
                anyhow::bail!("shards have different columns");
            }
            let mut r = std::io::BufReader::new(part.reader()?);
            r.read_until(b'\n', &mut Vec::new())?;
            std::io::copy(&mut r, out)?;
        }
    }
    Ok(())
}

/// `false_empty_by_depth.csv` sums over replications: add up the shards'
/// counts per point, variant and depth, and recompute rate and interval.
/// Points and variants keep their first appearance (job order), depths ascend.
fn merge_depth<'a>(parts: impl Iterator<Item = &'a [u8]>) -> anyhow::Result<Vec<u8>> {
    let mut groups: Vec<(Keys, String, Vec<DepthRow>)> = Vec::new();
    for bytes in parts {
        for (keys, row) in Table::parse(bytes, "false_empty_by_depth.csv")?.records::<DepthRow>()? {
            let g = match groups
                .iter()
                .position(|g| g.0 == keys && g.1 == row.variant)
            {
                Some(g) => &mut groups[g].2,
                None => {
                    groups.push((keys, row.variant.clone(), Vec::new()));
                    &mut groups.last_mut().expect("just pushed").2
                }
            };
            match g.iter_mut().find(|r| r.visible == row.visible) {
                Some(r) => {
                    r.polls += row.polls;
                    r.false_empties += row.false_empties;
                }
                None => g.push(row),
            }
        }
    }
    let mut rows: Vec<(Keys, DepthRow)> = Vec::new();
    for (keys, _, mut g) in groups {
        g.sort_by_key(|r| r.visible);
        for mut r in g {
            r.rate = r.false_empties as f64 / r.polls as f64;
            (r.ci95_low, r.ci95_high) = wilson(r.false_empties, r.polls);
            rows.push((keys.clone(), r));
        }
    }
    keyed::write(&rows.iter().map(|(k, r)| (k, r)).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_cover_every_job_once() {
        for total in [0, 1, 7, 12] {
            let mut next = 0;
            for i in 1..=3 {
                let r = Shard { index: i, count: 3 }.range(total);
                assert_eq!(r.start, next);
                next = r.end;
            }
            assert_eq!(next, total);
        }
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert_eq!(
            "2/3".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 3 }
        );
    }

    #[test]
    fn manifest_round_trips() {
        let m = Manifest {
            shard: Shard { index: 2, count: 3 },
            jobs: 4..8,
            total: 12,
            study: fingerprint("x"),
            files: vec![FileSum::of("a.csv", &b"x,y\n"[..]).unwrap()],
        };
        assert_eq!(Manifest::parse(&m.to_text()).unwrap(), m);
    }
}
