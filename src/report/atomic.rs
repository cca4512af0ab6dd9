//! Writing results so that nothing is ever half-written: every file is
//! written to a temporary name in the same folder and renamed into place, and
//! a whole result set is staged first, so a failure leaves the previous
//! results untouched. Files too long to hold in memory (`timeseries.csv`) are
//! written to a [`Staging`] folder as they are produced and moved in.

use anyhow::{Context, Result};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Writes `bytes` to `path` atomically (temp file + rename).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
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
pub enum Content {
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
    pub fn reader(&self) -> Result<Box<dyn Read + '_>> {
        Ok(match self {
            Content::Bytes(b) => Box::new(b.as_slice()),
            Content::File(p) => Box::new(std::io::BufReader::new(
                fs::File::open(p).with_context(|| format!("cannot read {}", p.display()))?,
            )),
        })
    }
}

/// A private folder for files being produced, next to the output folder so
/// they can be renamed into it (or, when that folder's parent does not exist
/// yet, in the system's temporary folder). Removed with everything in it
/// when dropped, whether or not the results were committed.
pub struct Staging {
    dir: PathBuf,
}

impl Staging {
    pub fn next_to(out: &Path) -> Result<Staging> {
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let id = std::process::id();
        let dir = if parent.is_dir() {
            parent.join(format!(".{name}.staging-{id}"))
        } else {
            std::env::temp_dir().join(format!("sqs-sim-{name}.staging-{id}"))
        };
        fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create folder {}", dir.display()))?;
        live_staging().push(dir.clone());
        Ok(Staging { dir })
    }

    /// A path for a staged file.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
        live_staging().retain(|d| d != &self.dir);
    }
}

/// Staging folders of this process that still exist: an interrupt (Ctrl-C)
/// skips destructors, so its handler removes these through
/// [`remove_live_staging`].
static LIVE_STAGING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live_staging() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A panic elsewhere cannot leave the list inconsistent: use it anyway.
    LIVE_STAGING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every staging folder this process still has (for the Ctrl-C
/// handler, just before the process exits).
pub fn remove_live_staging() {
    for dir in live_staging().drain(..) {
        let _ = fs::remove_dir_all(dir);
    }
}

/// A set of output files committed together: built in memory, or staged on
/// disk ([`Content::File`], which committing moves into place).
#[derive(Default)]
pub struct OutputSet {
    files: Vec<(PathBuf, Content)>,
}

impl OutputSet {
    pub fn new() -> OutputSet {
        OutputSet::default()
    }

    /// Adds a file, relative to the output folder.
    pub fn add(&mut self, rel: impl Into<PathBuf>, bytes: Vec<u8>) {
        self.files.push((rel.into(), Content::Bytes(bytes)));
    }

    /// Adds a file given in memory, or staged on disk to be moved in.
    pub fn add_content(&mut self, rel: impl Into<PathBuf>, content: Content) {
        self.files.push((rel.into(), content));
    }

    /// Writes every file under `dir`. Each file appears whole or not at all;
    /// files are only renamed into place once all were written to temporary
    /// names, so an error part-way leaves the old results as they were.
    pub fn commit(&self, dir: &Path) -> Result<()> {
        let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
        let cleanup = |staged: &[(PathBuf, PathBuf)]| {
            for (tmp, _) in staged {
                let _ = fs::remove_file(tmp);
            }
        };
        for (rel, content) in &self.files {
            let path = dir.join(rel);
            let parent = path.parent().unwrap_or(dir).to_path_buf();
            if let Err(e) = fs::create_dir_all(&parent) {
                cleanup(&staged);
                return Err(e)
                    .with_context(|| format!("cannot create folder {}", parent.display()));
            }
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
            let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
            let w = match content {
                Content::Bytes(bytes) => {
                    fs::File::create(&tmp).and_then(|mut f| f.write_all(bytes))
                }
                Content::File(staged) => move_file(staged, &tmp),
            };
            if let Err(e) = w {
                let _ = fs::remove_file(&tmp);
                cleanup(&staged);
                return Err(e).with_context(|| format!("cannot write {}", tmp.display()));
            }
            staged.push((tmp, path));
        }
        for (tmp, path) in &staged {
            fs::rename(tmp, path)
                .with_context(|| format!("cannot move {} into place", path.display()))?;
        }
        Ok(())
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

    #[test]
    fn commit_writes_all_files_and_no_temporaries() {
        let d = tempfile::tempdir().unwrap();
        let mut set = OutputSet::new();
        set.add("a.csv", b"x\n".to_vec());
        set.add("charts/b.svg", b"<svg/>".to_vec());
        set.commit(d.path()).unwrap();
        assert_eq!(fs::read(d.path().join("a.csv")).unwrap(), b"x\n");
        assert_eq!(fs::read(d.path().join("charts/b.svg")).unwrap(), b"<svg/>");
        let names: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(names.iter().all(|n| !n.to_string_lossy().contains(".tmp-")));
    }

    #[test]
    fn a_staged_file_is_moved_in_and_staging_is_removed() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out");
        let staging = Staging::next_to(&out).unwrap();
        let staged = staging.path("t.csv");
        fs::write(&staged, b"a\n1\n").unwrap();
        let mut set = OutputSet::new();
        set.add_content("t.csv", Content::File(staged.clone()));
        set.commit(&out).unwrap();
        assert_eq!(fs::read(out.join("t.csv")).unwrap(), b"a\n1\n");
        assert!(!staged.exists());
        drop(staging);
        let names: Vec<_> = fs::read_dir(d.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "only the output folder is left");
    }
}
