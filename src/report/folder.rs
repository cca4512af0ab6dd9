//! A results folder is replaced as a whole, by one process at a time.
//!
//! - **Checked up front** ([`check_out`]): `--out /`, a name too long for
//!   the file system, a file, or a folder with other things in it that
//!   sqs-sim did not write are refused before any work is done.
//! - **Locked** ([`Claim::take`]): a lock file `.NAME.lock` beside the
//!   folder, holding the writer's process id, is locked with the operating
//!   system's advisory lock for as long as the process writes; the system
//!   drops the lock when the process ends however it ends, so a lock file
//!   left by a killed process is taken over without a question.
//! - **Staged**: the new folder is built complete in `.NAME.staging-PID`
//!   beside the old one, with the old folder's files that sqs-sim does not
//!   own (see [`OWNED`]) linked in, then swapped in: on Linux with one
//!   `renameat2(RENAME_EXCHANGE)`, elsewhere with two renames (old folder
//!   into the staging folder, new one out of it).
//! - **Interrupts wait for the swap**: SIGINT, SIGTERM and SIGHUP call
//!   [`interrupted`], which waits for a swap in progress to end, removes the
//!   staging folders and says truly whether results were written.
//! - **Left-overs are cleared**: a staging folder whose process died
//!   (SIGKILL, a crash) is removed by the next process that takes the lock —
//!   which proves nobody else is using it — and if the process died between
//!   the two renames, the old folder is put back first.

use anyhow::{Context, Result};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// What sqs-sim writes in a results folder; anything else found in an old
/// folder is carried over into the new one.
pub(crate) const OWNED: &[&str] = &[
    "summary.csv",
    "aggregate.csv",
    "timeseries.csv",
    "latency_cdf.csv",
    "false_empty_by_depth.csv",
    "cloudwatch.csv",
    "shard.txt",
    "charts",
    "report.html",
    "scenario.toml",
    "command.txt",
    "slo.toml",
];

/// Files that mark a folder as one sqs-sim wrote.
const MARKERS: &[&str] = &["summary.csv", "aggregate.csv", "shard.txt"];

/// Longest file name most file systems allow, in bytes.
const NAME_MAX: usize = 255;
/// What the staging name adds to the folder's name: `.`, `.staging-`, a pid.
const STAGING_EXTRA: usize = ".".len() + ".staging-".len() + 10;
/// Longest path Linux accepts, less room for `charts/…` inside the folder.
const PATH_ROOM: usize = 4096 - 100;

/// Checks that `out` can become a results folder and returns it as the
/// path to lock and swap (symbolic links followed). `Err` is a sentence for
/// the user.
pub(crate) fn check_out(out: &Path) -> std::result::Result<PathBuf, String> {
    let shown = out.display();
    let out = match fs::symlink_metadata(out) {
        Ok(m) if m.file_type().is_symlink() => {
            fs::canonicalize(out).map_err(|e| format!("--out {shown}: {e}"))?
        }
        _ => out.to_path_buf(),
    };
    let Some(name) = out.file_name() else {
        return Err(format!(
            "--out {shown}: not a folder sqs-sim can replace; give a folder of its own, e.g. results/run1"
        ));
    };
    let len = name.len();
    if len + STAGING_EXTRA > NAME_MAX {
        return Err(format!(
            "--out {shown}: the folder name is {len} bytes long; at most {} are possible (file names are limited to {NAME_MAX} bytes). Shorten the scenario's `name` or give a shorter --out",
            NAME_MAX - STAGING_EXTRA
        ));
    }
    let abs = std::path::absolute(&out).unwrap_or_else(|_| out.clone());
    if abs.as_os_str().len() > PATH_ROOM {
        return Err(format!(
            "--out {shown}: the path is {} bytes long; at most {PATH_ROOM} are possible",
            abs.as_os_str().len()
        ));
    }
    if let Ok(cwd) = std::env::current_dir().and_then(fs::canonicalize) {
        if fs::canonicalize(&out).is_ok_and(|o| cwd.starts_with(o)) {
            return Err(format!(
                "--out {shown}: holds the current folder; results replace their folder as a whole, so give a folder of their own"
            ));
        }
    }
    if out.exists() && !out.is_dir() {
        return Err(format!(
            "--out {shown}: exists and is not a folder; results go into a folder"
        ));
    }
    if out.is_dir() && !is_empty(&out) && !MARKERS.iter().any(|m| out.join(m).exists()) {
        return Err(format!(
            "--out {shown}: exists and holds files sqs-sim did not write (no {}); results replace their folder as a whole, so give a new or empty folder, or one sqs-sim wrote",
            MARKERS.join(", ")
        ));
    }
    Ok(out)
}

fn is_empty(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
}

/// The folder's parent (`.` for a bare name) and its name.
fn split(out: &Path) -> (PathBuf, String) {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    (parent, name)
}

/// Another process holds the folder's lock.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Held(pub(crate) String);

/// The right to replace one results folder, and the private folder where the
/// new one is built. Dropping it removes the staging folder and the lock.
pub(crate) struct Claim {
    out: PathBuf,
    staging: PathBuf,
    lock: PathBuf,
    _file: File,
}

impl Claim {
    /// Locks `out` (creating its parent folder), clears what dead processes
    /// left beside it, and creates this process's staging folder.
    pub(crate) fn take(out: &Path) -> Result<Claim> {
        let (parent, name) = split(out);
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create folder {}", parent.display()))?;
        let lock = parent.join(format!(".{name}.lock"));
        let file = lock_file(&lock, out)?;
        live().locks.push(lock.clone());
        clear_left_overs(&parent, &name, out)?;
        let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
        fs::create_dir(&staging)
            .with_context(|| format!("cannot create folder {}", staging.display()))?;
        live().staging.push(staging.clone());
        Ok(Claim {
            out: out.to_path_buf(),
            staging,
            lock,
            _file: file,
        })
    }

    /// A path in the staging folder (for files produced before the commit).
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// The results folder this claim replaces.
    pub(crate) fn out(&self) -> &Path {
        &self.out
    }

    /// Where the new folder is built.
    pub(super) fn new_dir(&self) -> PathBuf {
        self.staging.join("new")
    }

    /// Swaps the complete folder built in [`Claim::new_dir`] in for `out`.
    /// An interrupt arriving meanwhile waits for the swap to end.
    pub(super) fn swap_in(&self) -> Result<()> {
        hook("staged");
        let _swapping = commit_lock();
        let new = self.new_dir();
        let moved = if !self.out.exists() {
            fs::rename(&new, &self.out)
        } else if !fallback_forced() && exchange(&new, &self.out).is_ok() {
            hook("swap");
            Ok(())
        } else {
            let old = self.staging.join("old");
            fs::rename(&self.out, &old).and_then(|()| {
                hook("swap");
                fs::rename(&new, &self.out).inspect_err(|_| {
                    let _ = fs::rename(&old, &self.out);
                })
            })
        };
        moved.with_context(|| format!("cannot move the results into {}", self.out.display()))?;
        committed().push(self.out.clone());
        drop(_swapping);
        hook("committed");
        Ok(())
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.staging);
        let _ = fs::remove_file(&self.lock);
        let mut l = live();
        l.staging.retain(|d| d != &self.staging);
        l.locks.retain(|d| d != &self.lock);
    }
}

/// Opens and locks `path`, writing our pid into it. A lock file whose
/// holder died is not locked, so it is simply taken over.
fn lock_file(path: &Path, out: &Path) -> Result<File> {
    // A holder may remove the file between our open and our lock; then the
    // lock we got is on a file nobody else will look at: try again.
    for _ in 0..10 {
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .with_context(|| format!("cannot create lock file {}", path.display()))?;
        match f.try_lock() {
            Ok(()) if same_file(&f, path) => {
                f.set_len(0)?;
                write!(f, "{}", std::process::id())?;
                return Ok(f);
            }
            Ok(()) => continue,
            Err(fs::TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = f.read_to_string(&mut pid);
                return Err(Held(format!(
                    "{} is being written by another sqs-sim (process {}, lock file {}); wait for it to finish or choose another --out",
                    out.display(),
                    pid.trim(),
                    path.display()
                ))
                .into());
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()))
            }
        }
    }
    anyhow::bail!("cannot lock {}: it keeps being replaced", path.display())
}

#[cfg(unix)]
fn same_file(f: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (f.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

/// Removes the staging folders of `name` beside it. Called with the lock
/// held, so their processes are gone. A process killed between the two
/// renames of a swap left no folder at `out` and the old one in its
/// staging folder: that is put back first.
fn clear_left_overs(parent: &Path, name: &str, out: &Path) -> Result<()> {
    let prefix = format!(".{name}.staging-");
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let file_name = e.file_name();
        let Some(pid) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let dir = e.path();
        let old = dir.join("old");
        if !out.exists() && old.is_dir() {
            fs::rename(&old, out).with_context(|| {
                format!("cannot restore {} from {}", out.display(), old.display())
            })?;
        }
        fs::remove_dir_all(&dir)
            .with_context(|| format!("cannot remove the left-over folder {}", dir.display()))?;
    }
    Ok(())
}

/// Links (or copies) every entry of `old` not in `skip` into `new`.
pub(super) fn carry_over(old: &Path, new: &Path, skip: &dyn Fn(&str) -> bool) -> Result<()> {
    let Ok(entries) = fs::read_dir(old) else {
        return Ok(());
    };
    for e in entries {
        let e = e.with_context(|| format!("cannot read {}", old.display()))?;
        let name = e.file_name();
        if skip(&name.to_string_lossy()) {
            continue;
        }
        let (from, to) = (e.path(), new.join(&name));
        let kind = e.file_type()?;
        if kind.is_dir() {
            fs::create_dir_all(&to)?;
            carry_over(&from, &to, &|_| false)?;
        } else if kind.is_symlink() {
            copy_link(&from, &to)?;
        } else if fs::hard_link(&from, &to).is_err() {
            fs::copy(&from, &to)
                .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn copy_link(from: &Path, to: &Path) -> Result<()> {
    Ok(std::os::unix::fs::symlink(fs::read_link(from)?, to)?)
}

#[cfg(not(unix))]
fn copy_link(from: &Path, to: &Path) -> Result<()> {
    fs::copy(from, to)?;
    Ok(())
}

/// Swaps two folders in one step (Linux, on file systems that support it).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them
    // like rename(2) does.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// What an interrupt must clean up: this process's staging folders and locks.
#[derive(Default)]
struct Live {
    staging: Vec<PathBuf>,
    locks: Vec<PathBuf>,
}

static LIVE: Mutex<Live> = Mutex::new(Live {
    staging: Vec::new(),
    locks: Vec::new(),
});
/// Held while a folder is swapped in; the interrupt handler takes it first.
static COMMIT: Mutex<()> = Mutex::new(());
/// Folders this process has replaced.
static COMMITTED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

// A panic elsewhere cannot leave these inconsistent: use them anyway.
fn live() -> std::sync::MutexGuard<'static, Live> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}
fn commit_lock() -> std::sync::MutexGuard<'static, ()> {
    COMMIT.lock().unwrap_or_else(|e| e.into_inner())
}
fn committed() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    COMMITTED.lock().unwrap_or_else(|e| e.into_inner())
}

/// For the SIGINT/SIGTERM/SIGHUP handler, just before the process exits:
/// waits for a swap in progress, removes this process's staging folders
/// and lock files, and returns what to tell the user.
pub fn interrupted() -> String {
    INTERRUPTED.store(true, Ordering::SeqCst);
    let _no_more_swaps = commit_lock();
    let mut l = live();
    for dir in l.staging.drain(..) {
        let _ = fs::remove_dir_all(dir);
    }
    for lock in l.locks.drain(..) {
        let _ = fs::remove_file(lock);
    }
    let done = committed();
    match done.last() {
        None => "interrupted: no results were written".to_string(),
        Some(out) => format!(
            "interrupted after the results were written to {}",
            out.display()
        ),
    }
}

/// Whether the interrupt handler has begun: it will end the process itself
/// (exit code 130), so the main thread must not end it first with its own.
pub fn interrupting() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Test-only: `SQS_SIM_COMMIT_FALLBACK=1` swaps with two renames even where
/// one exchange is possible, so both ways are tested.
fn fallback_forced() -> bool {
    std::env::var_os("SQS_SIM_COMMIT_FALLBACK").is_some()
}

/// Test-only: with `SQS_SIM_COMMIT_HOOK=STEP:FILE`, the process writes FILE
/// on reaching STEP (`staged`: the new folder is complete; `swap`: mid-swap,
/// the interrupt deferred; `committed`: just after) and waits there until it
/// is interrupted (or 60 s pass), so tests signal it at a chosen instant.
fn hook(step: &str) {
    let Some(v) = std::env::var_os("SQS_SIM_COMMIT_HOOK") else {
        return;
    };
    let v = v.to_string_lossy();
    let Some((s, file)) = v.split_once(':') else {
        return;
    };
    if s != step {
        return;
    }
    let _ = fs::write(file, std::process::id().to_string());
    for _ in 0..600 {
        if INTERRUPTED.load(Ordering::SeqCst) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_a_long_name_and_a_foreign_folder_are_refused() {
        assert!(check_out(Path::new("/"))
            .unwrap_err()
            .contains("not a folder"));
        assert!(check_out(Path::new("a/..")).is_err());
        let long = "x".repeat(300);
        assert!(check_out(Path::new(&long))
            .unwrap_err()
            .contains("300 bytes"));
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("notes.txt"), "mine").unwrap();
        assert!(check_out(d.path()).unwrap_err().contains("did not write"));
        fs::write(d.path().join("summary.csv"), "").unwrap();
        assert!(check_out(d.path()).is_ok());
    }

    #[test]
    fn a_held_lock_refuses_and_a_dead_one_is_taken_over() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("r");
        let first = Claim::take(&out).unwrap();
        let again = Claim::take(&out).err().unwrap();
        let msg = again.downcast_ref::<Held>().expect("held").0.clone();
        assert!(
            msg.contains(&format!("process {}", std::process::id())),
            "{msg}"
        );
        drop(first);
        // A lock file left by a process that died is not locked.
        fs::write(d.path().join(".r.lock"), "999999999").unwrap();
        fs::create_dir(d.path().join(".r.staging-999999999")).unwrap();
        let c = Claim::take(&out).unwrap();
        assert!(!d.path().join(".r.staging-999999999").exists());
        drop(c);
        let left: Vec<_> = fs::read_dir(d.path()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
