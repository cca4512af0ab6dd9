//! The command that made a results folder, as `report.html` and
//! `command.txt` show it: the words as typed (quoted for a POSIX shell
//! where needed), without the flags that only say where and how results are
//! written — so the same study gives the same page whatever `--out`,
//! `--jobs` or `--shard` it was run with.

/// Flags that take a value and do not change the numbers.
const OUTPUT_FLAGS_WITH_VALUE: [&str; 4] = ["--out", "--jobs", "--shard", "--format"];
/// Switches that do not change the numbers.
const OUTPUT_SWITCHES: [&str; 2] = ["--quiet", "--no-charts"];

/// `sqs-sim` and this process's arguments, output flags left out.
pub(crate) fn results_command() -> String {
    of_words(std::env::args().skip(1))
}

fn of_words(args: impl IntoIterator<Item = String>) -> String {
    let mut words = vec!["sqs-sim".to_string()];
    let mut args = args.into_iter();
    let mut options = true;
    while let Some(w) = args.next() {
        if options && w == "--" {
            options = false;
        } else if options && OUTPUT_SWITCHES.contains(&w.as_str()) {
            continue;
        } else if options && OUTPUT_FLAGS_WITH_VALUE.contains(&w.as_str()) {
            args.next();
            continue;
        } else if options
            && OUTPUT_FLAGS_WITH_VALUE
                .iter()
                .any(|f| w.strip_prefix(f).is_some_and(|r| r.starts_with('=')))
        {
            continue;
        }
        words.push(quoted(&w));
    }
    words.join(" ")
}

/// `w` as a shell would need it typed.
fn quoted(w: &str) -> String {
    let plain = !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_flags_are_left_out_and_the_rest_quoted() {
        let words = [
            "run",
            "--jobs",
            "3",
            "scenarios/a b.toml",
            "--out=/tmp/x",
            "--set",
            "duration=\"90s\"",
            "--quiet",
            "--shard",
            "1/2",
            "--no-charts",
            "--format",
            "svg",
            "--seed",
            "7",
        ]
        .map(String::from);
        assert_eq!(
            of_words(words),
            "sqs-sim run 'scenarios/a b.toml' --set 'duration=\"90s\"' --seed 7"
        );
    }
}
