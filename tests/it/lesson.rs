//! The lesson page (`explain --html`), parsed as a browser would (`html`: a
//! WHATWG tokenizer and a tree builder that refuses what a browser would
//! repair): every frame present and numbered, the counter, the
//! running tally against hand-computed theory, no external URL, escaping,
//! `--from` / `--only`, and the slide-sized picture. The browser check in
//! `ci/browser/` clicks through the same page in Chromium.

use crate::common;
use crate::html::Html;

fn demo() -> String {
    common::root()
        .join("scenarios/false-empty-demo.toml")
        .display()
        .to_string()
}

/// Runs `explain … --html FILE` and parses the page.
fn lesson(scenario: &str, extra: &[&str]) -> Html {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lesson.html");
    common::bin()
        .arg("explain")
        .arg(scenario)
        .args(extra)
        .arg("--html")
        .arg(&file)
        .assert()
        .success();
    Html::parse(&std::fs::read_to_string(&file).unwrap())
}

/// The text of every element matching `css`, whitespace collapsed.
fn texts(page: &Html, css: &str) -> Vec<String> {
    page.select(css)
        .map(|e| e.text_nodes().join(" "))
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn every_frame_is_present_numbered_and_counted() {
    let page = lesson(&demo(), &["--requests", "14"]);
    let ids: Vec<String> = page
        .select("li.frame")
        .map(|e| e.attr("id").unwrap().to_string())
        .collect();
    let want: Vec<String> = (1..=14).map(|k| format!("frame-{k}")).collect();
    assert_eq!(ids, want);
    for (k, head) in texts(&page, "li.frame h2").iter().enumerate() {
        let request = format!("Frame {} of 14: Request #{} at t = ", k + 1, k + 1);
        assert!(head.starts_with(&request), "{head}");
    }
    assert_eq!(texts(&page, "#counter"), ["Frame 1 of 14"]);
    // One picture per frame, drawn as inline SVG.
    assert_eq!(page.select("li.frame .picture > svg").count(), 14);
    // The demo's request #3 is its first false empty (as the story tells).
    let verdicts = texts(&page, "li.frame p.verdict");
    assert!(verdicts[2].starts_with("FALSE EMPTY: 3 messages were visible on nodes 0, 5"));
}

#[test]
fn the_tally_runs_against_hand_computed_theory() {
    let page = lesson(&demo(), &["--requests", "14"]);
    let tallies = texts(&page, "li.frame p.tally");
    // 8 equal nodes, 3 sampled: P(false empty | M visible) = (5/8)^M. The
    // first three requests find 5, 4 and 3 messages visible:
    // 0.0954, +0.1526 = 0.2480, +0.2441 = 0.4921.
    let first: f64 = [5, 4, 3].iter().map(|&m| 0.625f64.powi(m)).sum();
    assert!((first - 0.4921).abs() < 1e-4);
    assert!(
        tallies[0].starts_with("False empties so far: 0 of 1 short polls; theory expects 0.10 ")
    );
    assert!(
        tallies[1].starts_with("False empties so far: 0 of 2 short polls; theory expects 0.25 ")
    );
    assert!(
        tallies[2].starts_with("False empties so far: 1 of 3 short polls; theory expects 0.49 ")
    );
    // The observed count is the number of false-empty frames so far.
    let verdicts = texts(&page, "li.frame p.verdict");
    let mut seen = 0;
    for (k, (t, v)) in tallies.iter().zip(&verdicts).enumerate() {
        seen += v.starts_with("FALSE EMPTY") as usize;
        let want = format!("False empties so far: {seen} of {} short polls", k + 1);
        assert!(t.starts_with(&want), "frame {}: {t}", k + 1);
    }
    assert_eq!(seen, 5);
    let whole = texts(&page, "footer .whole");
    assert!(
        whole[0].starts_with("Whole run (60 s): 14 false empties in "),
        "{whole:?}"
    );
}

#[test]
fn the_page_is_self_contained_and_readable_without_javascript() {
    let page = lesson(&demo(), &["--requests", "6"]);
    assert_eq!(page.select("link").count(), 0, "no <link>");
    assert_eq!(page.select("script[src]").count(), 0);
    assert_eq!(page.select("script").count(), 1, "one inline script");
    for e in page.select("*") {
        for (name, value) in e.attrs() {
            if ["src", "href", "xlink:href", "action", "srcset", "poster"].contains(&name) {
                assert!(
                    !value.contains("http://")
                        && !value.contains("https://")
                        && !value.starts_with("//"),
                    "external URL in <{} {name}=\"{value}\">",
                    e.name()
                );
            }
        }
    }
    for style in texts(&page, "style") {
        assert!(!style.contains("url(") && !style.contains("@import"));
    }
    // Without JavaScript the buttons stay hidden and every frame is in the
    // flow; the script unhides them.
    let controls = page.select("nav#controls").next().unwrap();
    assert!(controls.attr("hidden").is_some());
    assert_eq!(page.select("li.frame").count(), 6);
    assert!(texts(&page, ".nojs-note")[0].starts_with("All 6 frames are shown"));
}

#[test]
fn scenario_text_is_escaped() {
    let d = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(demo()).unwrap().replace(
        "description = \"Five messages on eight nodes: short polls that miss them\"",
        "description = \"<script>alert(1)</script> & <b>bold</b> \\\"quoted\\\"\"",
    );
    let sc = common::write_file(d.path(), "evil.toml", &text);
    let page = lesson(sc.to_str().unwrap(), &["--requests", "2"]);
    assert_eq!(
        texts(&page, "header .description"),
        ["<script>alert(1)</script> & <b>bold</b> \"quoted\""]
    );
    assert_eq!(page.select("header b").count(), 0);
    assert_eq!(page.select("script").count(), 1);
}

#[test]
fn only_false_empty_keeps_the_false_empties_and_the_running_tally() {
    let page = lesson(&demo(), &["--requests", "14", "--only", "false-empty"]);
    let verdicts = texts(&page, "li.frame p.verdict");
    assert_eq!(verdicts.len(), 5);
    assert!(verdicts.iter().all(|v| v.starts_with("FALSE EMPTY")));
    assert_eq!(texts(&page, "#counter"), ["Frame 1 of 5"]);
    let tallies = texts(&page, "li.frame p.tally");
    // Request #3 is the first false empty: 1 of 3 short polls so far.
    assert!(tallies[0].starts_with("False empties so far: 1 of 3 short polls"));
    // The requests skipped are listed in the next frame's "since" list.
    let events = texts(&page, "li.frame:first-child ul.events li");
    assert!(events
        .iter()
        .any(|e| e.starts_with("request #1 at t = 0.005 s: Returned")));
}

#[test]
fn from_starts_the_frames_at_a_time() {
    let page = lesson(&demo(), &["--requests", "3", "--from", "5s"]);
    let heads = texts(&page, "li.frame h2");
    assert_eq!(heads.len(), 3);
    let t: f64 = heads[0]
        .split("at t = ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!((5.0..6.5).contains(&t), "first frame at {t} s");
    assert!(!heads[0].contains("Request #1 "));
}

#[test]
fn long_polls_show_their_wait_and_no_sampled_nodes() {
    let page = lesson(&demo(), &["--requests", "3", "--variant", "long"]);
    let verdicts = texts(&page, "li.frame p.verdict");
    // Request #2 finds nothing, waits, and is woken by the next message.
    assert!(verdicts
        .iter()
        .any(|v| v.starts_with("Nothing visible on any node: the request waits (up to 20 s)")));
    let svgs: Vec<String> = page
        .select("li.frame .picture > svg")
        .map(|e| e.html())
        .collect();
    assert!(svgs
        .iter()
        .any(|s| s.contains("waiting: a message that becomes visible wakes it")));
    assert!(svgs.iter().any(|s| s.contains("woken after ")));
    assert!(svgs.iter().all(|s| s.contains("long-poll wait")));
    // No node tagged "sampled", and the legend lists only what is drawn;
    // the short-poll variant's pictures do have both.
    let tags = |page: &Html| texts(page, "li.frame .picture text");
    let long = tags(&page);
    assert!(!long
        .iter()
        .any(|t| t == "sampled" || t == "node sampled by this request"));
    let short = tags(&lesson(&demo(), &["--requests", "3"]));
    assert!(short.iter().any(|t| t == "sampled"));
    assert!(short.iter().any(|t| t == "node sampled by this request"));
}

#[test]
fn bad_lesson_flags_are_usage_errors_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("l.html");
    for (flags, says) in [
        (vec!["--scale", "9"], "from 0.5 to 4"),
        (vec!["--from", "2h"], "the run lasts 60.000 s"),
        (vec!["--from", "soon"], "cannot read \"soon\" as a duration"),
        (vec!["--only", "everything"], "false-empty"),
    ] {
        common::bin()
            .arg("explain")
            .arg(demo())
            .args(&flags)
            .arg("--html")
            .arg(&file)
            .assert()
            .code(2)
            .stderr_has(says);
        assert!(!file.exists(), "{flags:?} wrote a page");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary file left"
    );
}

#[test]
fn scale_makes_slide_sized_pictures() {
    let dir = tempfile::tempdir().unwrap();
    let at = |scale: &str, name: &str| {
        let p = dir.path().join(name);
        common::bin()
            .args([
                "explain",
                &demo(),
                "--requests",
                "0",
                "--scale",
                scale,
                "--picture",
            ])
            .arg(&p)
            .assert()
            .success();
        p
    };
    let (w1, h1, _) = common::decode_png(&std::fs::read(at("1", "a.png")).unwrap());
    let (w2, h2, _) = common::decode_png(&std::fs::read(at("2", "b.png")).unwrap());
    assert_eq!((w1, w2), (1000, 2000));
    assert_eq!(h2, 2 * h1);
    let svg = std::fs::read_to_string(at("2", "c.svg")).unwrap();
    assert!(svg.starts_with("<svg width=\"2000\""), "{}", &svg[..60]);
}

#[test]
fn only_false_empty_also_filters_the_story() {
    let out = common::bin()
        .args([
            "explain",
            &demo(),
            "--requests",
            "14",
            "--only",
            "false-empty",
        ])
        .args(["--color", "never"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let story = String::from_utf8(out.stdout).unwrap();
    let heads: Vec<&str> = story.lines().filter(|l| l.starts_with('#')).collect();
    let verdicts = story
        .lines()
        .filter(|l| l.contains("→ FALSE EMPTY"))
        .count();
    // The demo's 14 first requests hold 5 false empties (#3 is the first).
    assert_eq!((heads.len(), verdicts), (5, 5));
    assert!(heads[0].starts_with("#3  t=0.435 s"));
    assert!(!story.contains("→ returned"));
}
