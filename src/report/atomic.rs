//! Writing results so that nothing is ever half-written: every file is
//! written to a temporary name in the same folder and renamed into place, and
//! a whole result set is staged first, so a failure leaves the previous
//! results untouched. Files too long to hold in memory (`timeseries.csv`) are
//! written to the staging folder of a [`Claim`] as they are produced and
//! moved in; [`super::folder`] swaps the whole folder in.

use super::folder::{self, Claim};
use anyhow::{Context, Result};
use std::fs;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically (temp file + rename).
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("cannot create folder {}", dir.display()))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> Result<()> {
        let mut f =
            fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        f.write_all(bytes)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        f.sync_all().ok();
        fs::rename(&tmp, path)
            .with_context(|| format!("cannot move {} into place", path.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A file's bytes: in memory, or in a file on disk.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Content {
    Bytes(Vec<u8>),
    File(PathBuf),
}

impl Default for Content {
    fn default() -> Content {
        Content::Bytes(Vec::new())
    }
}

impl Content {
    /// Reads the bytes from the start, without loading a file whole.
    pub(crate) fn reader(&self) -> Result<Box<dyn ReadSeek + '_>> {
        Ok(match self {
            Content::Bytes(b) => Box::new(std::io::Cursor::new(b.as_slice())),
            Content::File(p) => Box::new(std::io::BufReader::new(
                fs::File::open(p).with_context(|| format!("cannot read {}", p.display()))?,
            )),
        })
    }
}

/// A reader that can go back: `keyed::Records` reads a file twice with
/// one csv reader.
pub(crate) trait ReadSeek: Read + Seek {}

impl<T: Read + Seek> ReadSeek for T {}

/// A set of output files committed together: built in memory, or staged on
/// disk ([`Content::File`], which committing moves into place).
#[derive(Default)]
pub(crate) struct OutputSet {
    files: Vec<(PathBuf, Content)>,
}

impl OutputSet {
    pub(crate) fn new() -> OutputSet {
        OutputSet::default()
    }

    /// Adds a file, relative to the output folder.
    pub(crate) fn add(&mut self, rel: impl Into<PathBuf>, bytes: Vec<u8>) {
        self.files.push((rel.into(), Content::Bytes(bytes)));
    }

    /// Adds a file given in memory, or staged on disk to be moved in.
    pub(crate) fn add_content(&mut self, rel: impl Into<PathBuf>, content: Content) {
        self.files.push((rel.into(), content));
    }

    /// Builds the complete new folder in `claim`'s staging folder — these
    /// files, and every entry of the old folder for which `replaces` is
    /// false (files sqs-sim does not own) — and swaps it in for the old one.
    /// An error or an interruption before the swap leaves the old folder
    /// as it was; after the swap, the new one is there whole.
    pub(crate) fn commit(&self, claim: &Claim, replaces: &dyn Fn(&str) -> bool) -> Result<()> {
        let new = claim.new_dir();
        fs::create_dir(&new).with_context(|| format!("cannot create folder {}", new.display()))?;
        for (rel, content) in &self.files {
            let path = new.join(rel);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create folder {}", parent.display()))?;
            }
            match content {
                Content::Bytes(bytes) => fs::write(&path, bytes),
                Content::File(staged) => move_file(staged, &path),
            }
            .with_context(|| format!("cannot write {}", path.display()))?;
        }
        let ours = |name: &str| {
            replaces(name)
                || self.files.iter().any(|(rel, _)| {
                    rel.components()
                        .next()
                        .is_some_and(|c| c.as_os_str() == name)
                })
        };
        folder::carry_over(claim.out(), &new, &ours)?;
        claim.swap_in()
    }
}

/// Renames `from` to `to`, or copies it when they are on different file systems.
fn move_file(from: &Path, to: &Path) -> std::io::Result<()> {
    if fs::rename(from, to).is_ok() {
        return Ok(());
    }
    let copied = fs::File::open(from)
        .and_then(|mut r| fs::File::create(to).and_then(|mut w| std::io::copy(&mut r, &mut w)));
    copied.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn commit_replaces_owned_files_and_keeps_the_rest() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out");
        fs::create_dir_all(out.join("charts")).unwrap();
        fs::write(out.join("summary.csv"), "old").unwrap();
        fs::write(out.join("aggregate.csv"), "old").unwrap();
        fs::write(out.join("charts/stale.png"), "old").unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        let claim = Claim::take(&out).unwrap();
        let staged = claim.path("t.csv");
        fs::write(&staged, b"a\n1\n").unwrap();
        let mut set = OutputSet::new();
        set.add("summary.csv", b"x\n".to_vec());
        set.add("charts/b.svg", b"<svg/>".to_vec());
        set.add_content("timeseries.csv", Content::File(staged.clone()));
        set.commit(&claim, &|n| folder::OWNED.contains(&n)).unwrap();
        drop(claim);
        assert_eq!(
            names(&out),
            ["charts", "notes.txt", "summary.csv", "timeseries.csv"]
        );
        assert_eq!(names(&out.join("charts")), ["b.svg"]);
        assert_eq!(fs::read(out.join("timeseries.csv")).unwrap(), b"a\n1\n");
        assert_eq!(fs::read(out.join("notes.txt")).unwrap(), b"mine");
        assert_eq!(
            names(d.path()),
            ["out"],
            "no staging folder or lock is left"
        );
    }
}
