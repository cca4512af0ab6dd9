//! Running the `sqs-sim` binary from a test and checking how it ended: the
//! few calls of `assert_cmd` these tests used (`arg`, `assert`, `success`,
//! `code`, `stderr` contains, a timeout), on `std::process` alone, so that
//! `cargo test` does not compile a dozen crates for them.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary cargo built for these tests.
pub fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_sqs-sim"))
}

/// A command to run once: standard input closed (as `output()` does),
/// standard output and error captured, optionally killed after a time.
pub struct Cmd {
    cmd: Command,
    timeout: Option<Duration>,
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>) -> Cmd {
        Cmd {
            cmd: Command::new(program),
            timeout: None,
        }
    }

    pub fn arg(&mut self, a: impl AsRef<OsStr>) -> &mut Cmd {
        self.cmd.arg(a);
        self
    }

    pub fn args<I, S>(&mut self, args: I) -> &mut Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Cmd {
        self.cmd.env(key, value);
        self
    }

    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Cmd {
        self.cmd.current_dir(dir);
        self
    }

    /// Kills the process if it has not ended after `limit` (its status then
    /// has no exit code), so a hang fails the test instead of stalling it.
    pub fn timeout(&mut self, limit: Duration) -> &mut Cmd {
        self.timeout = Some(limit);
        self
    }

    /// Runs the command to its end and returns what it printed.
    pub fn output(&mut self) -> std::io::Result<Output> {
        let Some(limit) = self.timeout else {
            return self.cmd.output();
        };
        let mut child = self
            .cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        // Both pipes are drained while the child runs: one that fills up
        // would otherwise block it and look like a hang.
        let out = drain(child.stdout.take());
        let err = drain(child.stderr.take());
        let status = wait_at_most(&mut child, limit)?;
        Ok(Output {
            status,
            stdout: out.join().expect("stdout reader"),
            stderr: err.join().expect("stderr reader"),
        })
    }

    /// Runs the command and returns its output for checking.
    pub fn assert(&mut self) -> Assert {
        let what = format!("{:?}", self.cmd);
        let output = self
            .output()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        Assert { what, output }
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            p.read_to_end(&mut buf).expect("read the child's output");
        }
        buf
    })
}

fn wait_at_most(child: &mut Child, limit: Duration) -> std::io::Result<ExitStatus> {
    let end = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if Instant::now() >= end {
            child.kill()?;
            return child.wait();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// How a command ended; each check panics with the command and everything
/// it printed when it does not hold.
pub struct Assert {
    what: String,
    output: Output,
}

impl Assert {
    pub fn get_output(&self) -> &Output {
        &self.output
    }

    /// Exit status 0.
    pub fn success(self) -> Assert {
        if !self.output.status.success() {
            self.fail("expected success");
        }
        self
    }

    /// Ended, with an exit status other than 0.
    pub fn failure(self) -> Assert {
        if self.output.status.success() || self.output.status.code().is_none() {
            self.fail("expected a failure exit status");
        }
        self
    }

    /// Exit status `code`.
    pub fn code(self, code: i32) -> Assert {
        if self.output.status.code() != Some(code) {
            self.fail(&format!("expected exit status {code}"));
        }
        self
    }

    /// Standard error contains `text`.
    pub fn stderr_has(self, text: &str) -> Assert {
        if !String::from_utf8_lossy(&self.output.stderr).contains(text) {
            self.fail(&format!("expected stderr to contain {text:?}"));
        }
        self
    }

    fn fail(&self, expected: &str) -> ! {
        panic!(
            "{expected}: {}\nstatus: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.what,
            self.output.status,
            String::from_utf8_lossy(&self.output.stdout),
            String::from_utf8_lossy(&self.output.stderr)
        )
    }
}

#[test]
fn a_command_past_its_timeout_is_killed_and_has_no_exit_code() {
    let start = Instant::now();
    let out = Cmd::new("sleep")
        .arg("10")
        .timeout(Duration::from_millis(200))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), None, "killed by a signal");
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn checks_see_the_exit_status_and_stderr() {
    let sh = |script: &str| Cmd::new("sh").args(["-c", script]).assert();
    sh("echo oops >&2; exit 2")
        .failure()
        .code(2)
        .stderr_has("oops");
    sh("echo fine").success();
    let missing = std::panic::catch_unwind(|| sh("echo other >&2").stderr_has("oops"));
    assert!(missing.is_err(), "stderr without the text fails");
    let wrong = std::panic::catch_unwind(|| sh("exit 1").code(2));
    assert!(wrong.is_err(), "another exit status fails");
    let failed = std::panic::catch_unwind(|| sh("exit 3").success());
    assert!(failed.is_err(), "a failure is not a success");
}
