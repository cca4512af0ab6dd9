//! Runs every configuration × replication on worker threads and hands each
//! finished run on **in job order**: each run owns its seed (scenario seed +
//! replication), so the output is the same for any number of threads.
//!
//! Runs finish out of order; a reorder buffer holds the early finishers until
//! the runs before them are done. Workers never run more than
//! [`window`]`(threads)` jobs ahead of the oldest unfinished one, so the
//! buffer — and with it the memory of a study — is bounded by the thread
//! count, not by the number of runs.

use crate::model::recorder::BucketSink;
use crate::model::{self, RunOptions, RunResult};
use crate::scenario::Resolved;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// One run to do.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Job {
    /// Index into the resolved configurations.
    pub(crate) config: usize,
    pub(crate) replication: u32,
    pub(crate) seed: u64,
    /// Whether the run keeps a time series and a latency CDF (replication 0:
    /// the only ones written).
    pub(crate) timeseries: bool,
}

/// The seed of replication `r`: `--seed S --replications 1` with S equal to
/// this reproduces that replication alone.
pub(crate) fn replication_seed(seed: u64, r: u32) -> u64 {
    seed.wrapping_add(r as u64)
}

/// The jobs of `configs` × `replications`, variant-major, computed from
/// their index rather than listed (a study may have millions).
#[derive(Copy, Clone, Debug)]
pub(crate) struct Plan {
    pub(crate) configs: usize,
    pub(crate) replications: u32,
    pub(crate) seed: u64,
}

impl Plan {
    pub(crate) fn total(&self) -> usize {
        self.configs * self.replications as usize
    }

    /// Job `i` of [`Plan::total`].
    pub(crate) fn job(&self, i: usize) -> Job {
        let reps = self.replications as usize;
        let replication = (i % reps) as u32;
        Job {
            config: i / reps,
            replication,
            seed: replication_seed(self.seed, replication),
            timeseries: replication == 0,
        }
    }
}

/// One finished run, as [`run_jobs`] hands it on.
pub(crate) struct Finished<T> {
    pub(crate) job: Job,
    pub(crate) result: RunResult,
    /// What `close` made of the run's time-series sink (runs that keep one).
    pub(crate) part: Option<T>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Settings {
    /// Worker threads; 0 = all cores.
    pub(crate) jobs: usize,
    /// No progress bar.
    pub(crate) quiet: bool,
    pub(crate) max_events: u64,
}

/// How many finished runs may wait in the reorder buffer: enough that a
/// worker rarely waits for a slow run before it, few enough to be a
/// constant.
pub(crate) fn window(threads: usize) -> usize {
    4 * threads
}

/// Runs jobs `range` of `plan` over `configs` and hands every finished run
/// to `consume`, in job order, on one thread at a time. A job that keeps a
/// time series streams it, bucket by bucket, into the sink `open` gives it,
/// which `close` finishes as soon as the run ends (so no file stays open
/// between runs). The first error (of `open`, `close` or `consume`) stops
/// every worker and is returned. Returns the wall time, in seconds.
///
/// What a run keeps is bounded: its counters and figures, and the latency
/// CDF only when it keeps a time series (the only CDF written).
pub(crate) fn run_jobs<S: BucketSink, T: Send>(
    configs: &[Resolved],
    plan: Plan,
    range: Range<usize>,
    settings: &Settings,
    open: impl Fn(&Job) -> anyhow::Result<S> + Sync,
    close: impl Fn(S) -> anyhow::Result<T> + Sync,
    consume: impl FnMut(Finished<T>) -> anyhow::Result<()> + Send,
) -> anyhow::Result<f64> {
    let threads = match settings.jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let bar = progress_bar(range.len() as u64);
    let simulated_us = AtomicU64::new(0);
    let start = Instant::now();
    let order = Reorder::new(range.start, window(threads), consume);
    let one = |i: usize| -> anyhow::Result<Finished<T>> {
        let job = plan.job(i);
        let cfg = &configs[job.config].config;
        let opts = RunOptions {
            timeseries: job.timeseries,
            max_events: settings.max_events,
            ..RunOptions::default()
        };
        let mut sink = if job.timeseries {
            Some(open(&job)?)
        } else {
            None
        };
        let mut result = match sink.as_mut() {
            Some(s) => model::run_into(cfg, job.seed, opts, s),
            None => model::run(cfg, job.seed, opts),
        };
        let part = sink.map(&close).transpose()?;
        if !job.timeseries {
            result.latency_cdf = Vec::new();
        }
        let us = simulated_us.fetch_add(cfg.duration.micros(), Ordering::Relaxed)
            + cfg.duration.micros();
        bar.set_message(simulated(us));
        bar.inc(1);
        Ok(Finished { job, result, part })
    };
    let (done_tx, done_rx) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        if !settings.quiet {
            // The bar appears only for work that lasts more than about a second.
            let bar = bar.clone();
            scope.spawn(move || {
                if done_rx.recv_timeout(SHOW_AFTER).is_err() {
                    // indicatif draws nothing when stderr is not a terminal.
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(Duration::from_millis(200));
                }
            });
        }
        let workers: Vec<_> = (0..threads.min(range.len()).max(1))
            .map(|_| {
                scope.spawn(|| {
                    while let Some(i) = order.next_job(range.end) {
                        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            order.done(i, one(i))
                        }));
                        if let Err(panic) = ran {
                            // Stop the others (they may wait for this run),
                            // then let the panic surface as it would have.
                            order.fail(anyhow::anyhow!("a run panicked"));
                            std::panic::resume_unwind(panic);
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            if let Err(panic) = w.join() {
                // A broken model invariant: let it surface as it would have.
                std::panic::resume_unwind(panic);
            }
        }
        let _ = done_tx.send(());
    });
    bar.finish_and_clear();
    order.finish()?;
    Ok(start.elapsed().as_secs_f64())
}

/// The reorder buffer between the workers and the consumer.
struct Reorder<T, C> {
    state: Mutex<OrderState<T, C>>,
    /// Signalled when the oldest unfinished job moves on (or on an error).
    moved: Condvar,
    window: usize,
}

struct OrderState<T, C> {
    /// The next job to hand to a worker.
    next_job: usize,
    /// The next job to hand to the consumer.
    next_out: usize,
    /// Finished runs waiting for the ones before them.
    ready: BTreeMap<usize, Finished<T>>,
    consume: C,
    error: Option<anyhow::Error>,
}

impl<T, C: FnMut(Finished<T>) -> anyhow::Result<()>> Reorder<T, C> {
    fn new(first: usize, window: usize, consume: C) -> Self {
        Reorder {
            state: Mutex::new(OrderState {
                next_job: first,
                next_out: first,
                ready: BTreeMap::new(),
                consume,
                error: None,
            }),
            moved: Condvar::new(),
            window,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OrderState<T, C>> {
        // A panicking worker is re-raised by `run_jobs`; the state is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next job to run, waiting while it would be more than the window
    /// ahead of the oldest unfinished job; `None` when all are handed out or
    /// an error stopped the study.
    fn next_job(&self, end: usize) -> Option<usize> {
        let mut s = self.lock();
        loop {
            if s.error.is_some() || s.next_job >= end {
                return None;
            }
            if s.next_job < s.next_out + self.window {
                s.next_job += 1;
                return Some(s.next_job - 1);
            }
            s = self.moved.wait(s).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Files run `i` and hands on every run that is now next in order.
    fn done(&self, i: usize, run: anyhow::Result<Finished<T>>) {
        let mut s = self.lock();
        match run {
            Err(e) => {
                s.error.get_or_insert(e);
            }
            Ok(run) => {
                s.ready.insert(i, run);
                while s.error.is_none() {
                    let next = s.next_out;
                    let Some(run) = s.ready.remove(&next) else {
                        break;
                    };
                    if let Err(e) = (s.consume)(run) {
                        s.error = Some(e);
                    }
                    s.next_out += 1;
                }
            }
        }
        self.moved.notify_all();
    }

    /// Stops every worker: a run panicked.
    fn fail(&self, e: anyhow::Error) {
        self.lock().error.get_or_insert(e);
        self.moved.notify_all();
    }

    fn finish(self) -> anyhow::Result<()> {
        let s = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        match s.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Simulated time done, in a unit that reads at a glance.
fn simulated(us: u64) -> String {
    let s = us as f64 / 1e6;
    match s {
        s if s >= 86_400.0 => format!("{:.1} d simulated", s / 86_400.0),
        s if s >= 3600.0 => format!("{:.1} h simulated", s / 3600.0),
        s if s >= 60.0 => format!("{:.1} min simulated", s / 60.0),
        s => format!("{s:.1} s simulated"),
    }
}

const SHOW_AFTER: Duration = Duration::from_secs(1);

fn progress_bar(len: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} runs  {msg}  ETA {eta}",
        )
        .expect("valid template"),
    );
    bar
}

/// Whether a run simulated its scenario to the end; `what` names it in the
/// error (e.g. `variant "long" replication 3`). A run that stood still (see
/// [`model::STALL_EVENTS`]) or was stopped by the `--max-events` cap did not,
/// and its results must not be written. (The up-front estimate should catch
/// runaway scenarios; this is the safety net for the ones it underestimates.)
/// The one place these two are checked.
pub(crate) fn check_finished(
    what: &str,
    result: &RunResult,
    max_events: u64,
) -> crate::error::Result<()> {
    if let Some(stall) = &result.stalled {
        return Err(crate::error::Error::Usage(stall_message(what, stall)));
    }
    if max_events > 0 && result.events >= max_events {
        return Err(crate::error::Error::Usage(format!(
            "{what} was stopped after {} events, the --max-events limit, before the end of the scenario; nothing was written. Raise --max-events (0 = no limit)",
            result.events
        )));
    }
    Ok(())
}

/// The words of a stall error; `what` names the run.
fn stall_message(what: &str, stall: &model::Stall) -> String {
    let quoted = |names: &[String]| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut who = Vec::new();
    let mut keys = vec!["`network`".to_string()];
    if !stall.consumers.is_empty() {
        who.push(format!("consumer group(s) {}", quoted(&stall.consumers)));
        keys.push("`queue.visibility_timeout`".to_string());
        for n in &stall.consumers {
            for k in ["visibility_timeout", "processing", "idle_wait"] {
                keys.push(format!("`consumers.{n}.{k}`"));
            }
        }
    }
    if !stall.producers.is_empty() {
        who.push(format!("producer group(s) {}", quoted(&stall.producers)));
        for n in &stall.producers {
            keys.push(format!("`producers.{n}.arrival`"));
        }
    }
    if who.is_empty() {
        who.push("the queue's clocks".to_string());
    }
    format!(
        "{what}: simulated time stood still at t = {} s for {} events in a row: {} kept going without time moving (e.g. a zero visibility timeout with zero processing and network hands a message back at the instant it was received), so the run would never end; nothing was written. Give time a way to move: set one of these above 0: {}",
        stall.at.as_secs_f64(),
        model::STALL_EVENTS,
        who.join(" and "),
        keys.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configs() -> Vec<Resolved> {
        let sc = crate::scenario::Scenario::parse(
            "t.toml",
            "name = \"t\"\nduration = \"20s\"\nnetwork = \"5ms\"\n[queue]\nnodes = 4\nsample_nodes = 1\n[[producers]]\nname = \"p\"\narrival = { kind = \"poisson\", rate = 50.0 }\n[[consumers]]\nname = \"c\"\n".into(),
            ".".into(),
            "t",
            &Default::default(),
        )
        .unwrap();
        sc.resolve().unwrap()
    }

    #[test]
    fn runs_arrive_in_job_order_and_keep_no_per_run_tables() {
        let configs = configs();
        let plan = Plan {
            configs: 1,
            replications: 9,
            seed: 1,
        };
        let open = |_: &Job| Ok(Vec::<crate::model::recorder::Bucket>::new());
        let settings = Settings {
            jobs: 3,
            quiet: true,
            max_events: 0,
        };
        let mut seen = Vec::new();
        run_jobs(
            &configs,
            plan,
            2..9,
            &settings,
            open,
            |v| Ok(v.len()),
            |f| {
                seen.push(f);
                Ok(())
            },
        )
        .unwrap();
        let order: Vec<u32> = seen.iter().map(|f| f.job.replication).collect();
        assert_eq!(order, [2, 3, 4, 5, 6, 7, 8]);
        for f in &seen {
            assert_eq!(f.job, plan.job(f.job.replication as usize));
            assert!(f.result.timeseries.is_none());
            // Only replication 0's CDF is written, so only it is kept.
            assert!(f.result.latency_cdf.is_empty());
            assert!(f.part.is_none());
        }
        // Replication 0's series goes to its sink: 20 one-second buckets.
        let mut parts = Vec::new();
        run_jobs(
            &configs,
            plan,
            0..1,
            &settings,
            open,
            |v| Ok(v.len()),
            |f| {
                parts.push(f.part);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(parts, [Some(20)]);
    }

    #[test]
    fn a_consumer_error_stops_the_study() {
        let plan = Plan {
            configs: 1,
            replications: 50,
            seed: 1,
        };
        let settings = Settings {
            jobs: 2,
            quiet: true,
            max_events: 0,
        };
        let mut handed = 0;
        let open = |_: &Job| Ok(Vec::<crate::model::recorder::Bucket>::new());
        let e = run_jobs(
            &configs(),
            plan,
            0..50,
            &settings,
            open,
            |_| Ok(()),
            |f| {
                handed += 1;
                anyhow::ensure!(f.job.replication < 3, "stop at {}", f.job.replication);
                Ok(())
            },
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "stop at 3");
        assert_eq!(handed, 4);
    }
}
