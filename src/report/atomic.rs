//! Writing results so that nothing is ever half-written: every file is
//! written to a temporary name in the same folder and renamed into place, and
//! a whole result set is staged first, so a failure leaves the previous
//! results untouched.

use anyhow::{Context, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

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

/// A set of output files assembled in memory and committed together.
#[derive(Default)]
pub struct OutputSet {
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl OutputSet {
    pub fn new() -> OutputSet {
        OutputSet::default()
    }

    /// Adds a file, relative to the output folder.
    pub fn add(&mut self, rel: impl Into<PathBuf>, bytes: Vec<u8>) {
        self.files.push((rel.into(), bytes));
    }

    pub fn files(&self) -> impl Iterator<Item = (&Path, &[u8])> {
        self.files.iter().map(|(p, b)| (p.as_path(), b.as_slice()))
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
        for (rel, bytes) in &self.files {
            let path = dir.join(rel);
            let parent = path.parent().unwrap_or(dir).to_path_buf();
            if let Err(e) = fs::create_dir_all(&parent) {
                cleanup(&staged);
                return Err(e)
                    .with_context(|| format!("cannot create folder {}", parent.display()));
            }
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
            let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
            let w = fs::File::create(&tmp).and_then(|mut f| f.write_all(bytes));
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
}
