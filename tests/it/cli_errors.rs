//! Bad input is refused loudly and precisely (issue 3): exit code 2, the
//! file position and full key path, what is allowed or the nearest valid
//! name, no panic text, and no results folder created or changed.

use crate::common::bin;
use std::fs;
use std::path::Path;

/// A small valid scenario every case mutates.
pub const BASE: &str = r#"name = "t"
seed = 3
duration = "30s"
network = "1ms"

[queue]
nodes = 4
sample_nodes = 2

[[producers]]
name = "orders"
arrival = { kind = "poisson", rate = 5.0 }

[[consumers]]
name = "workers"
count = 2
max_messages = 10
processing = { kind = "exponential", mean = "10ms" }
"#;

/// One bad input: the scenario text, extra flags, and what stderr must say.
struct Case {
    what: &'static str,
    toml: String,
    args: Vec<&'static str>,
    expect: Vec<&'static str>,
}

fn replace(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from}");
    BASE.replacen(from, to, 1)
}

fn with(extra: &str) -> String {
    format!("{BASE}{extra}")
}

fn case(what: &'static str, toml: String, args: &[&'static str], expect: &[&'static str]) -> Case {
    Case {
        what,
        toml,
        args: args.to_vec(),
        expect: expect.to_vec(),
    }
}

fn cases() -> Vec<Case> {
    vec![
        case("unknown key with a typo", replace("sample_nodes", "sampl_nodes"),
            &[], &["t.toml:8:1", "`queue.sampl_nodes`", "did you mean `sample_nodes`?"]),
        case("unknown top-level key", replace("seed = 3", "seed = 3\nreplication = 3"),
            &[], &["t.toml:3:1", "`replication`", "did you mean `replications`?"]),
        case("sample_nodes above nodes", replace("sample_nodes = 2", "sample_nodes = 9"),
            &[], &["t.toml:8:1", "`queue.sample_nodes`", "found 9", "between 1 and queue.nodes (4)"]),
        case("max_messages out of range", replace("max_messages = 10", "max_messages = 11"),
            &[], &["t.toml:17:1", "`consumers.workers.max_messages`", "found 11", "1 to 10"]),
        case("wrong type for count", replace("count = 2", "count = \"two\""),
            &[], &["`consumers.workers.count`", "found the string \"two\"", "integer from 1 to 100000"]),
        case("unreadable duration", replace("duration = \"30s\"", "duration = \"30 parsecs\""),
            &[], &["t.toml:3:1", "`duration`", "\"30 parsecs\"", "us, ms, s, m, h, d"]),
        case("distribution kind typo", replace("\"exponential\"", "\"exponentail\""),
            &[], &["`consumers.workers.processing.kind`", "did you mean `exponential`?"]),
        case("broken TOML", replace("duration = \"30s\"", "duration = \"30s"),
            &[], &["t.toml:3:", "not valid TOML"]),
        case("schedule out of order after a bad entry",
            replace("rate = 5.0 }", "rate = 5.0 }\nschedule = [ 7, { at = \"30s\", rate = 2.0 }, { at = \"10s\", rate = 1.0 } ]"),
            &[], &["`producers.orders.schedule.0`", "expected { at = \"5m\", rate = 10.0 }",
                   "`producers.orders.schedule.2.at`", "increasing order of `at`"]),
        case("burst without a count", replace("rate = 5.0 }", "rate = 5.0 }\nbursts = [ { at = \"5s\" } ]"),
            &[], &["`producers.orders.bursts.0`", "needs `at` and `count`"]),
        case("wait time above 20 s", with("wait_time = \"21s\"\n"),
            &[], &["`consumers.workers.wait_time`", "found 21s", "0s to 20s"]),
        case("visibility timeout above 12 h", replace("[queue]", "[queue]\nvisibility_timeout = \"13h\""),
            &[], &["`queue.visibility_timeout`", "0s to 12h"]),
        case("delay above 900 s", replace("[queue]", "[queue]\ndelay = 901"),
            &[], &["`queue.delay`", "found 901s", "0s to 15m"]),
        case("retention below 60 s", replace("[queue]", "[queue]\nretention = \"59s\""),
            &[], &["`queue.retention`", "1m to 14d"]),
        case("message size above 1 MiB", replace("name = \"orders\"", "name = \"orders\"\nsize = \"2MiB\""),
            &[], &["`producers.orders.size`", "1 B to 1 MiB"]),
        case("batch times size above 1 MiB", replace("name = \"orders\"", "name = \"orders\"\nsize = \"512KiB\"\nbatch = 3"),
            &[], &["`producers.orders.batch`", "1 MiB"]),
        case("batch above 10", replace("name = \"orders\"", "name = \"orders\"\nbatch = 11"),
            &[], &["`producers.orders.batch`", "1 to 10"]),
        case("unbounded size distribution", replace("name = \"orders\"", "name = \"orders\"\nsize = { kind = \"exponential\", mean = 1000 }"),
            &[], &["`producers.orders.size`", "no upper bound"]),
        case("uniform min above max", replace("{ kind = \"exponential\", mean = \"10ms\" }", "{ kind = \"uniform\", min = \"5ms\", max = \"1ms\" }"),
            &[], &["`consumers.workers.processing.min`", "min (5ms) is larger than max (1ms)"]),
        case("negative sd", replace("{ kind = \"exponential\", mean = \"10ms\" }", "{ kind = \"normal\", mean = \"5ms\", sd = -1 }"),
            &[], &["`consumers.workers.processing.sd`", "≥ 0"]),
        case("pareto shape zero", replace("{ kind = \"exponential\", mean = \"10ms\" }", "{ kind = \"pareto\", scale = \"1ms\", shape = 0 }"),
            &[], &["`consumers.workers.processing.shape`", "> 0"]),
        case("negative rate", replace("rate = 5.0", "rate = -5.0"),
            &[], &["`producers.orders.arrival.rate`", "found -5", "0 to 1000000000"]),
        case("warmup not below duration", replace("seed = 3", "seed = 3\nwarmup = \"30s\""),
            &[], &["`warmup`", "less than the duration"]),
        case("node_weights length", replace("[queue]", "[queue]\nnode_weights = [1, 2]"),
            &[], &["`queue.node_weights`", "one per node (queue.nodes = 4)"]),
        case("zero node weight", replace("[queue]", "[queue]\nnode_weights = [1, 2, 0, 1]"),
            &[], &["`queue.node_weights.2`", "> 0"]),
        case("outage of a node that does not exist", with("\n[[outages]]\nnode = 4\nat = \"5s\"\nduration = \"5s\"\n"),
            &[], &["`outages.0.node`", "0 to 3 (queue.nodes = 4)"]),
        case("duplicate consumer names", with("\n[[consumers]]\nname = \"workers\"\n"),
            &[], &["`consumers.workers.name`", "must be unique"]),
        case("zero-time polling loop", replace("network = \"1ms\"\n", "").replace("max_messages", "wait_time = 0\nmax_messages"),
            &[], &["`consumers.workers.idle_wait`", "without simulated time moving"]),
        case("missing trace file", replace("{ kind = \"poisson\", rate = 5.0 }", "{ kind = \"trace\", file = \"nope.csv\" }"),
            &[], &["`producers.orders.arrival.file`", "cannot read trace file", "nope.csv"]),
        case("unsorted trace file", replace("{ kind = \"poisson\", rate = 5.0 }", "{ kind = \"trace\", file = \"unsorted.csv\" }"),
            &[], &["`producers.orders.arrival.file`", "unsorted.csv:3", "must be sorted"]),
        case("unknown queue kind", replace("[queue]", "[queue]\nkind = \"lifo\""),
            &[], &["`queue.kind`", "allowed: standard, fifo"]),
        case("several mistakes at once", replace("max_messages = 10", "max_messages = 0\nfail_rate = 2"),
            &[], &["`consumers.workers.max_messages`", "`consumers.workers.fail_rate`", "0 to 1", "2 problems found"]),
        case("variant set names nothing", with("\n[[variants]]\nname = \"v\"\nset = { \"consumers.workerz.wait_time\" = \"20s\" }\n"),
            &[], &["(set by variant \"v\")", "`consumers.workerz.wait_time`", "did you mean `workers`?"]),
        case("variant set value out of range", with("\n[[variants]]\nname = \"v\"\nset = { \"queue.sample_nodes\" = 7 }\n"),
            &[], &["(set by variant \"v\")", "`queue.sample_nodes`", "between 1 and queue.nodes"]),
        case("--set unknown path", BASE.into(),
            &["--set", "queue.sample_node=3"], &["`queue.sample_node` (set by --set)", "did you mean `sample_nodes`?"]),
        case("--set entry name matches nothing", BASE.into(),
            &["--set", "consumers.worker.count=3"], &["`consumers.worker.count`", "did you mean `workers`?"]),
        case("--set index out of range", BASE.into(),
            &["--set", "consumers.5.count=3"], &["`consumers.5.count`", "out of range", "(0 to 0)"]),
        case("--set wrong type", BASE.into(),
            &["--set", "queue.nodes=abc"], &["`queue.nodes` (set by --set)", "found the string \"abc\"", "integer from 1 to"]),
        case("--set not TOML", BASE.into(),
            &["--set", "queue.nodes=[1"], &["`queue.nodes`", "cannot read `[1` as a TOML value"]),
        case("--set without =", BASE.into(),
            &["--set", "queue.nodes"], &["--set expects PATH=VALUE"]),
        case("--set a distribution with a bad parameter", BASE.into(),
            &["--set", "consumers.0.processing={kind=\"exponential\",means=\"5ms\"}"],
            &["`consumers.workers.processing.means` (set by --set)", "did you mean `mean`?"]),
        case("--replications 0", BASE.into(),
            &["--replications", "0"], &["`replications` (set by --replications)", "1 to 100000"]),
        case("--seed above i64", BASE.into(),
            &["--seed", "18446744073709551615"], &["--seed", "9223372036854775807"]),
        case("--jobs absurd", BASE.into(),
            &["--jobs", "100000"], &["--jobs 100000", "at most 1024"]),
        case("runaway scenario", replace("rate = 5.0", "rate = 1000.0").replace("duration = \"30s\"", "duration = \"14d\""),
            &[], &["`producers.orders`", "simulated events", "--max-events"]),
        case("absurd message count whatever the limit", replace("rate = 5.0", "rate = 1000000.0").replace("duration = \"30s\"", "duration = \"14d\""),
            &["--max-events", "0"], &["`producers.orders`", "messages", "at most 2.0e9"]),
        case("results folder name with a slash", replace("name = \"t\"", "name = \"../t\""),
            &[], &["`name`", "cannot name a results folder"]),
        // Issue 10: a --set value is one TOML value; more is refused, not dropped.
        case("--set value with a second key (issue 10)", BASE.into(),
            &["--set", "queue.nodes=4\nbogus = 1"], &["`queue.nodes` (set by --set)", "cannot read `4\\nbogus = 1` as a TOML value"]),
        // Issue 11: two spellings of one key in one variant.
        case("a key set twice in one variant (issue 11)", with("\n[[variants]]\nname = \"v\"\nset = { queue.nodes = 6, \"queue.nodes\" = 5 }\n"),
            &[], &["`queue.nodes` (set by variant \"v\")", "set twice in this variant"]),
        case("a key and its parameter in one variant (issue 11)", with("\n[[variants]]\nname = \"v\"\nset = { \"consumers.workers.processing\" = \"1ms\", \"consumers.workers.processing.mean\" = \"2ms\" }\n"),
            &[], &["`consumers.workers.processing.mean`", "inside `consumers.workers.processing`"]),
        case("one entry by name and by index in one variant (issue 11)", with("\n[[variants]]\nname = \"v\"\nset = { \"consumers.workers.count\" = 3, \"consumers.0.count\" = 4 }\n"),
            &[], &["(set by variant \"v\")", "names `consumers.workers.count`, which this variant already sets"]),
        // Issue 11: names that `--set` and paths could not reach.
        case("a consumer named a=b (issue 11)", replace("name = \"workers\"", "name = \"a=b\""),
            &[], &["t.toml:15:1", "`consumers.0.name`", "cannot be a name", "letters, digits, '-' and '_'"]),
        case("a producer named with a dot (issue 11)", replace("name = \"orders\"", "name = \"a.b\""),
            &[], &["t.toml:11:1", "`producers.0.name`", "cannot be a name"]),
        case("a variant named x=y (issue 11)", with("\n[[variants]]\nname = \"x=y\"\n"),
            &[], &["`variants.0.name`", "cannot be a name"]),
        case("a numeric consumer name (issue 11)", replace("name = \"workers\"", "name = \"7\""),
            &[], &["cannot be a name", "numbers select entries by index"]),
        // Issue 11: out of range is said in the key's own range and units.
        case("duration of 1e308 seconds (issue 11)", replace("duration = \"30s\"", "duration = 1e308"),
            &[], &["t.toml:3:1", "`duration`", "found 1e308s, allowed range is 1us to 366d"]),
        case("warmup in days beyond any time (issue 11)", replace("seed = 3", "seed = 3\nwarmup = \"99999999999999d\""),
            &[], &["`warmup`", "allowed range is at least 0s"]),
        case("a distribution parameter beyond any time (issue 11)", replace("mean = \"10ms\"", "mean = 1e300"),
            &[], &["`consumers.workers.processing.mean`", "allowed range is 0s to 1000000000000s"]),
        // The second zero-time loop (docs/model.md, "Loops that never let time move") is refused up front.
        case("zero-time failure loop", replace("network = \"1ms\"\n", "").replace("max_messages = 10", "max_messages = 10\nwait_time = \"20s\"\nfail_rate = 0.5\nvisibility_timeout = 0").replace("{ kind = \"exponential\", mean = \"10ms\" }", "0"),
            &[], &["`consumers.workers.visibility_timeout`", "received again and again without simulated time moving", "fail_rate = 0"]),
        case("a set merged into a missing section entry", with("\n[[variants]]\nname = \"v\"\nset = { consumers.nobody.count = 3 }\n"),
            &[], &["no entry of `consumers` is named `nobody`"]),
    ]
}

fn assert_refused(c: &Case, sub: &str, dir: &Path) {
    let assert = bin()
        .current_dir(dir)
        .arg(sub)
        .arg("t.toml")
        .args(&c.args)
        .assert()
        .code(2);
    let out = assert.get_output();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{}: {err}", c.what);
    assert!(!err.contains("RUST_BACKTRACE"), "{}: {err}", c.what);
    for e in &c.expect {
        assert!(
            err.contains(e),
            "{} ({sub}): expected `{e}` in:\n{err}",
            c.what
        );
    }
    if sub == "validate" {
        assert!(
            out.stdout.is_empty(),
            "{}: validate printed on stdout",
            c.what
        );
    }
}

#[test]
fn bad_inputs_are_refused_with_path_and_allowed_values() {
    let cases = cases();
    assert!(cases.len() >= 25);
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    fs::write(dir.join("unsorted.csv"), "time\n1.0\n0.5\n").unwrap();
    // Earlier results that a refused run must leave alone.
    let earlier = dir.join("results/t");
    fs::create_dir_all(&earlier).unwrap();
    fs::write(earlier.join("summary.csv"), "earlier\n").unwrap();
    for c in &cases {
        fs::write(dir.join("t.toml"), &c.toml).unwrap();
        assert_refused(c, "run", dir);
        // `validate` refuses the same inputs, with the same words (it has
        // no --jobs: it runs nothing).
        if !c.args.contains(&"--jobs") {
            assert_refused(c, "validate", dir);
        }
        let left: Vec<_> = fs::read_dir(dir.join("results")).unwrap().collect();
        assert_eq!(left.len(), 1, "{}: a results folder appeared", c.what);
        let names: Vec<_> = fs::read_dir(&earlier)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{}: {names:?}", c.what);
        assert_eq!(fs::read(earlier.join("summary.csv")).unwrap(), b"earlier\n");
    }
    // The base itself is fine: the cases fail for the reason they name.
    fs::write(dir.join("t.toml"), BASE).unwrap();
    bin()
        .current_dir(dir)
        .args(["validate", "t.toml"])
        .assert()
        .success();
}

#[test]
fn run_and_validate_say_the_same_words() {
    let t = tempfile::tempdir().unwrap();
    fs::write(
        t.path().join("t.toml"),
        replace("sample_nodes = 2", "sample_nodes = 9"),
    )
    .unwrap();
    let err = |sub: &str| {
        let o = bin()
            .current_dir(t.path())
            .args([sub, "t.toml"])
            .output()
            .unwrap();
        String::from_utf8(o.stderr).unwrap()
    };
    assert_eq!(err("run"), err("validate"));
}

#[test]
fn missing_and_binary_files_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let e = bin()
        .current_dir(t.path())
        .args(["run", "nope.toml"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&e.get_output().stderr).to_string();
    assert!(
        err.contains("nope.toml") && err.contains("cannot read"),
        "{err}"
    );
    fs::write(t.path().join("bin.toml"), [0xff, 0xfe, 0x00, 0x9f]).unwrap();
    let e = bin()
        .current_dir(t.path())
        .args(["run", "bin.toml"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&e.get_output().stderr).to_string();
    assert!(err.contains("not UTF-8"), "{err}");
    assert!(!t.path().join("results").exists());
}

#[test]
fn out_must_be_a_folder() {
    let t = tempfile::tempdir().unwrap();
    fs::write(t.path().join("t.toml"), BASE).unwrap();
    fs::write(t.path().join("file"), "x").unwrap();
    let e = bin()
        .current_dir(t.path())
        .args(["run", "t.toml", "--quiet", "--out", "file"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&e.get_output().stderr).to_string();
    assert!(
        err.contains("--out file") && err.contains("not a folder"),
        "{err}"
    );
    assert_eq!(fs::read(t.path().join("file")).unwrap(), b"x");
}

#[test]
fn dotted_keys_in_a_variant_change_only_what_they_name() {
    // `set = { queue.nodes = 6 }` is a nested table in TOML; it must change
    // queue.nodes and keep the rest of [queue], not replace the section.
    let t = tempfile::tempdir().unwrap();
    fs::write(
        t.path().join("t.toml"),
        with(
            "\n[[variants]]\nname = \"a\"\n[[variants]]\nname = \"b\"\nset = { queue.nodes = 6 }\n",
        ),
    )
    .unwrap();
    let o = bin()
        .current_dir(t.path())
        .args(["validate", "t.toml"])
        .assert()
        .success();
    let out = String::from_utf8_lossy(&o.get_output().stdout).to_string();
    assert!(out.contains("\"queue.nodes\" = 6"), "{out}");
    assert!(!out.contains("queue.sample_nodes\" ="), "{out}");
}

#[test]
fn a_run_can_be_interrupted_and_leaves_nothing() {
    // A run long enough to interrupt: Ctrl-C (SIGINT) must stop it, and no
    // results (not even temporary files) may appear.
    let t = tempfile::tempdir().unwrap();
    fs::write(
        t.path().join("t.toml"),
        replace("duration = \"30s\"", "duration = \"2d\"")
            // 150/s: the consumers keep up (at 500/s the queue would
            // outgrow --max-memory and the run be refused).
            .replace("rate = 5.0", "rate = 150.0")
            .replace("seed = 3", "seed = 3\nreplications = 4"),
    )
    .unwrap();
    let exe = crate::common::exe();
    let mut child = std::process::Command::new(exe)
        .current_dir(t.path())
        .args(["run", "t.toml", "--quiet", "--jobs", "1"])
        .env("RUST_BACKTRACE", "0")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let pid = child.id();
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the run finished before it was interrupted"
    );
    assert_eq!(status.code(), Some(130), "interrupted runs exit with 130");
    // `results/` may have been created to hold the staging folder and the
    // lock beside the results folder; nothing may be left in it.
    let results = t.path().join("results");
    let left: Vec<_> = fs::read_dir(&results)
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left behind by process {pid}: {left:?}");
}
