//! A results folder survives anything (issue 11): interrupted at any step
//! of its commit by SIGINT, SIGTERM, SIGHUP or SIGKILL it holds the complete
//! old results or the complete new ones; a second writer is refused while
//! the first holds the lock; what a killed process left is cleared by the
//! next; output paths are checked up front; a closed stdout ends quietly.
//!
//! The commit pauses at a chosen step through the test-only
//! `SQS_SIM_COMMIT_HOOK=STEP:FILE` (the process writes FILE and waits), so
//! each signal lands at a known instant rather than a lucky one.

use crate::common::{bin, dir_files, root, write_file, TINY};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

type Files = BTreeMap<String, Vec<u8>>;

/// The scenario, and the complete results of seed 7 ("old") and seed 8
/// ("new"), written without interruption into folders of their own.
struct Setup {
    dir: tempfile::TempDir,
    scenario: PathBuf,
    old: Files,
    new: Files,
}

const FLAGS: [&str; 4] = ["--quiet", "--format", "svg", "--jobs"];

fn run_into(sc: &Path, out: &Path, seed: &str) {
    bin()
        .args(["run"])
        .arg(sc)
        .arg("--out")
        .arg(out)
        .args(FLAGS)
        .args(["1", "--seed", seed])
        .assert()
        .success();
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_file(dir.path(), "tiny.toml", TINY);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run_into(&scenario, &a, "7");
    run_into(&scenario, &b, "8");
    let (old, new) = (dir_files(&a), dir_files(&b));
    assert_ne!(old["summary.csv"], new["summary.csv"]);
    fs::remove_dir_all(&b).unwrap();
    fs::rename(&a, dir.path().join("out")).unwrap();
    Setup {
        dir,
        scenario,
        old,
        new,
    }
}

/// Starts `run --seed 8` into `out`, paused at `step`, and waits until it is there.
fn paused(s: &Setup, step: &str, extra_env: &[(&str, &str)]) -> Child {
    let ready = s.dir.path().join(format!("ready-{step}"));
    let _ = fs::remove_file(&ready);
    let mut cmd = Command::new(crate::common::exe());
    cmd.arg("run")
        .arg(&s.scenario)
        .arg("--out")
        .arg(s.dir.path().join("out"))
        .args(FLAGS)
        .args(["1", "--seed", "8"])
        .env("RUST_BACKTRACE", "0")
        .env("SQS_SIM_COMMIT_HOOK", format!("{step}:{}", ready.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let start = Instant::now();
    while !ready.exists() {
        if let Some(st) = child.try_wait().unwrap() {
            panic!("the run ended ({st}) before reaching step {step}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "never reached {step}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([format!("-{sig}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

/// Waits for the child; returns its exit code (None if killed) and stderr.
fn finish(child: Child) -> (Option<i32>, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What is beside the results folder, other than the test's own files.
fn left_overs(s: &Setup) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(s.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "out" && n != "tiny.toml" && !n.starts_with("ready-"))
        .collect();
    v.sort();
    v
}

#[test]
fn an_interrupt_at_any_step_leaves_the_old_or_the_new_folder_whole() {
    let s = setup();
    for (step, sig) in [
        ("staged", "INT"),
        ("staged", "TERM"),
        ("staged", "HUP"),
        ("swap", "INT"),
        ("swap", "TERM"),
        ("committed", "HUP"),
    ] {
        // Start from the old folder each time.
        let out = s.dir.path().join("out");
        fs::remove_dir_all(&out).unwrap();
        for (rel, bytes) in &s.old {
            let p = out.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, bytes).unwrap();
        }
        let child = paused(&s, step, &[]);
        signal(&child, sig);
        let (code, err) = finish(child);
        assert_eq!(code, Some(130), "{step}/{sig}: {err}");
        let got = dir_files(&out);
        if step == "staged" {
            assert!(got == s.old, "{step}/{sig}: not the old folder");
            assert!(err.contains("no results were written"), "{err}");
        } else {
            // The swap had begun: it ends before the process does.
            assert!(got == s.new, "{step}/{sig}: not the new folder");
            assert!(err.contains("after the results were written"), "{err}");
        }
        assert_eq!(left_overs(&s), Vec::<String>::new(), "{step}/{sig}");
    }
}

#[test]
fn a_killed_commit_is_repaired_by_the_next_run() {
    let s = setup();
    let out = s.dir.path().join("out");
    // Killed just after the one-step exchange: the new folder is in place,
    // the old one waits in the staging folder.
    let child = paused(&s, "swap", &[]);
    signal(&child, "KILL");
    assert_eq!(finish(child).0, None);
    assert!(dir_files(&out) == s.new);
    assert_eq!(left_overs(&s).len(), 2, "lock file and staging folder");
    // The next run (interrupted before its own swap) clears them.
    let next = paused(&s, "staged", &[]);
    signal(&next, "INT");
    finish(next);
    assert!(dir_files(&out) == s.new);
    assert_eq!(left_overs(&s), Vec::<String>::new());

    // Where one exchange is not possible (two renames), a kill between
    // them leaves no folder; the next run puts the old one back.
    let fallback = [("SQS_SIM_COMMIT_FALLBACK", "1")];
    fs::remove_dir_all(&out).unwrap();
    run_into(&s.scenario, &out, "7");
    let child = paused(&s, "swap", &fallback);
    signal(&child, "KILL");
    finish(child);
    assert!(!out.exists());
    let next = paused(&s, "staged", &fallback);
    signal(&next, "TERM");
    finish(next);
    assert!(dir_files(&out) == s.old);
    assert_eq!(left_overs(&s), Vec::<String>::new());
}

#[test]
fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
    let s = setup();
    let first = paused(&s, "staged", &[]);
    let o = bin()
        .args(["run"])
        .arg(&s.scenario)
        .arg("--out")
        .arg(s.dir.path().join("out"))
        .arg("--quiet")
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&o.get_output().stderr).into_owned();
    assert!(
        err.contains(&format!("process {}", first.id())) && err.contains("being written"),
        "{err}"
    );
    // `plot` and `merge` into the same folder are refused the same way.
    bin()
        .arg("plot")
        .arg(s.dir.path().join("out"))
        .assert()
        .code(2);
    signal(&first, "INT");
    finish(first);
    assert!(dir_files(&s.dir.path().join("out")) == s.old);
    // A lock file left by a process that is gone does not stop anyone.
    fs::write(s.dir.path().join(".out.lock"), "999999999").unwrap();
    fs::create_dir(s.dir.path().join(".out.staging-999999999")).unwrap();
    run_into(&s.scenario, &s.dir.path().join("out"), "8");
    assert!(dir_files(&s.dir.path().join("out")) == s.new);
    assert_eq!(left_overs(&s), Vec::<String>::new());
}

#[test]
fn output_paths_are_checked_before_any_work() {
    let d = tempfile::tempdir().unwrap();
    let sc = write_file(d.path(), "tiny.toml", TINY);
    let refused = |out: &Path, says: &str| {
        let o = bin()
            .arg("run")
            .arg(&sc)
            .arg("--out")
            .arg(out)
            .arg("--quiet")
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&o.get_output().stderr).into_owned();
        assert!(err.contains(says), "{}: {err}", out.display());
    };
    refused(Path::new("/"), "not a folder sqs-sim can replace");
    refused(&d.path().join("x".repeat(300)), "300 bytes long");
    let foreign = d.path().join("home");
    fs::create_dir(&foreign).unwrap();
    fs::write(foreign.join("thesis.tex"), "precious").unwrap();
    refused(&foreign, "holds files sqs-sim did not write");
    assert_eq!(fs::read(foreign.join("thesis.tex")).unwrap(), b"precious");
    // A 300-character scenario name makes a default folder name too long.
    let long = write_file(
        d.path(),
        "long.toml",
        &TINY.replace(
            "name = \"tiny\"",
            &format!("name = \"{}\"", "n".repeat(300)),
        ),
    );
    let o = bin()
        .current_dir(d.path())
        .arg("run")
        .arg(&long)
        .arg("--quiet")
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&o.get_output().stderr).contains("name"));
    // A folder where summary.csv goes is replaced with the rest, and no
    // temporary file is left anywhere.
    let out = d.path().join("out");
    fs::create_dir_all(out.join("summary.csv")).unwrap();
    fs::write(out.join("aggregate.csv"), "old").unwrap();
    run_into(&sc, &out, "7");
    assert!(out.join("summary.csv").is_file());
    let names: Vec<String> = dir_files(d.path()).into_keys().collect();
    assert!(
        names
            .iter()
            .all(|n| !n.contains(".tmp-") && !n.contains(".staging-")),
        "{names:?}"
    );
}

/// Runs sqs-sim with its stdout already closed by the reader (`| head -1`).
fn closed_stdout(args: &[&str], cwd: &Path) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = Command::new(crate::common::exe())
        .current_dir(cwd)
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    finish(child)
}

#[test]
fn a_closed_stdout_ends_every_printing_command_quietly() {
    let d = tempfile::tempdir().unwrap();
    write_file(d.path(), "tiny.toml", TINY);
    let demo = root().join("scenarios/false-empty-demo.toml");
    let demo = demo.to_str().unwrap();
    for args in [
        vec!["explain", demo, "--requests", "3000"],
        vec!["validate", "tiny.toml"],
        vec!["run", "tiny.toml", "--quiet", "--no-charts", "--out", "r"],
    ] {
        let (code, err) = closed_stdout(&args, d.path());
        // Exit 0, and nothing about the pipe: no panic, no error line. (A
        // test thread forking at that instant may hold the pipe open a
        // moment longer, so the output may also have gone through.)
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert!(
            !err.contains("error") && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
    // The results were written before the table was printed.
    assert!(d.path().join("r/summary.csv").exists());
}
