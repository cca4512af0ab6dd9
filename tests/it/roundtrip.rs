//! `validate` prints the resolved scenario; running that printout gives
//! byte-identical results to running the original (issue 3).

use crate::common::{bin, root};
use std::fs;
use std::path::Path;

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        // What was run differs (another file): the results must not.
        .filter(|p| {
            let n = p.file_name().unwrap();
            n != "scenario.toml" && n != "report.html" && n != "command.txt"
        })
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name, fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn resolved_scenario_reproduces_the_original_byte_for_byte() {
    let t = tempfile::tempdir().unwrap();
    for name in [
        "short-vs-long",
        "bursty-traffic",
        "node-outage",
        "poison-messages",
        "reference-load",
    ] {
        let scenario = root().join(format!("scenarios/{name}.toml"));
        // The same overrides go to both: validate bakes them in.
        let flags = [
            "--set",
            "duration=\"2m\"",
            "--replications",
            "2",
            "--seed",
            "11",
        ];
        let out = bin()
            .arg("validate")
            .arg(&scenario)
            .args(flags)
            .assert()
            .success();
        let printed = out.get_output().stdout.clone();
        let resolved = t.path().join(format!("{name}.resolved.toml"));
        fs::write(&resolved, &printed).unwrap();
        let (a, b) = (
            t.path().join(format!("{name}-a")),
            t.path().join(format!("{name}-b")),
        );
        bin()
            .args(["run", "--quiet", "--out"])
            .arg(&a)
            .arg(&scenario)
            .args(flags)
            .assert()
            .success();
        bin()
            .args(["run", "--quiet", "--out"])
            .arg(&b)
            .arg(&resolved)
            .assert()
            .success();
        let (fa, fb) = (files(&a), files(&b));
        assert!(fa.len() >= 3, "{name}: {fa:?}");
        assert_eq!(
            fa,
            fb,
            "{name}: results differ; resolved file:\n{}",
            String::from_utf8_lossy(&printed)
        );
        // And the printout is a fixed point: validating it prints it again
        // (except the header naming the file it came from).
        let again = bin().arg("validate").arg(&resolved).assert().success();
        let body = |s: &[u8]| {
            String::from_utf8_lossy(s)
                .lines()
                .skip(1)
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(body(&printed), body(&again.get_output().stdout), "{name}");
    }
}
