//! Key paths (`queue.sample_nodes`, `consumers.workers.wait_time`,
//! `consumers.0.processing.mean`): how variants, sweeps and `--set` change a
//! scenario document before it is validated.

use super::build::{
    CONSUMER_KEYS, DIST_PARAMS, OUTAGE_KEYS, PRICING_KEYS, PRODUCER_KEYS, QUEUE_KEYS, REPORT_KEYS,
    TOP_KEYS,
};
use super::error::did_you_mean;
use toml::{Table, Value};

const ARRAYS: &[&str] = &["producers", "consumers", "outages"];

/// Keys that describe the run itself and cannot differ between variants.
pub const FIXED_KEYS: &[&str] = &[
    "name",
    "seed",
    "replications",
    "variants",
    "sweep",
    "description",
];

/// Sections whose table value in a `set` means "change these keys" rather
/// than "replace the whole section": `set = { queue = { nodes = 5 } }` (or an
/// unquoted dotted key, which TOML turns into nested tables) changes
/// `queue.nodes` and keeps the rest of `[queue]`.
const SECTIONS: &[&str] = &["queue", "pricing", "report"];

/// Sets the value at `path` in `doc`. Errors say which segment names nothing
/// and what exists there instead.
///
/// A table value set on a section (`queue`), an array (`consumers`) or an
/// array entry (`consumers.workers`) is merged key by key; a table set on a
/// value key (`consumers.workers.processing`) replaces it whole. An array set
/// on `consumers` replaces all its entries.
pub fn set_path(doc: &mut Table, path: &str, value: Value) -> Result<(), String> {
    let segs: Vec<&str> = path.split('.').collect();
    if segs.iter().any(|s| s.trim().is_empty()) {
        return Err("empty segment in path; write it like `queue.sample_nodes` or `consumers.workers.wait_time`".into());
    }
    let merges = match segs.len() {
        1 => SECTIONS.contains(&segs[0]) || ARRAYS.contains(&segs[0]),
        2 => ARRAYS.contains(&segs[0]),
        _ => false,
    };
    if let (true, Value::Table(t)) = (merges, &value) {
        if t.is_empty() {
            return Err(format!(
                "an empty table changes nothing; name the keys to change, e.g. `{path}.{}`",
                example_key(segs[0])
            ));
        }
        // The path itself must name something even before its keys are set.
        check_prefix(doc, &segs)?;
        for (k, v) in t {
            set_path(doc, &format!("{path}.{k}"), v.clone())?;
        }
        return Ok(());
    }
    set_leaf(doc, path, &segs, value)
}

fn example_key(top: &str) -> &'static str {
    match top {
        "queue" => "nodes",
        "pricing" => "per_million",
        "report" => "bucket",
        "outages" => "0.node",
        _ => "0.count",
    }
}

/// Checks that a section or entry path names something (for merges).
fn check_prefix(doc: &Table, segs: &[&str]) -> Result<(), String> {
    let top = segs[0];
    if !TOP_KEYS.contains(&top) {
        return Err(unknown_top(top));
    }
    if segs.len() == 2 {
        let Some(Value::Array(arr)) = doc.get(top) else {
            return Err(format!("the scenario has no `{top}` entries to change"));
        };
        entry_index(arr, top, segs[1])?;
    }
    Ok(())
}

fn unknown_top(top: &str) -> String {
    let hint = did_you_mean(top, TOP_KEYS)
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default();
    format!(
        "`{top}` is not a scenario key; {hint}top-level keys are: {}",
        TOP_KEYS.join(", ")
    )
}

/// The index of the entry of `arr` named (or numbered) `sel`.
fn entry_index(arr: &[Value], top: &str, sel: &str) -> Result<usize, String> {
    let names: Vec<String> = arr
        .iter()
        .enumerate()
        .map(|(i, e)| match e.get("name").and_then(Value::as_str) {
            Some(n) => n.to_string(),
            None => i.to_string(),
        })
        .collect();
    match sel.parse::<usize>() {
        Ok(i) if i < arr.len() => Ok(i),
        Ok(i) => Err(format!(
            "index {i} is out of range: `{top}` has {} entries (0 to {})",
            arr.len(),
            arr.len().saturating_sub(1)
        )),
        Err(_) => names.iter().position(|n| n == sel).ok_or_else(|| {
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let hint = did_you_mean(sel, &refs)
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            format!(
                "no entry of `{top}` is named `{sel}`; {hint}names: {}",
                names.join(", ")
            )
        }),
    }
}

fn set_leaf(doc: &mut Table, path: &str, segs: &[&str], value: Value) -> Result<(), String> {
    let top = segs[0];
    if !TOP_KEYS.contains(&top) {
        return Err(unknown_top(top));
    }
    if segs.len() == 1 {
        doc.insert(top.to_string(), value);
        return Ok(());
    }
    if ARRAYS.contains(&top) {
        let keys = match top {
            "producers" => PRODUCER_KEYS,
            "consumers" => CONSUMER_KEYS,
            _ => OUTAGE_KEYS,
        };
        let Some(Value::Array(arr)) = doc.get_mut(top) else {
            return Err(format!("the scenario has no `{top}` entries to change"));
        };
        let sel = segs[1];
        let idx = entry_index(arr, top, sel)?;
        if segs.len() == 2 {
            arr[idx] = value;
            return Ok(());
        }
        let Value::Table(entry) = &mut arr[idx] else {
            return Err(format!("`{top}.{sel}` is not a table"));
        };
        return set_in(entry, &segs[2..], keys, &format!("{top}.{sel}"), value);
    }
    let keys: &[&str] = match top {
        "queue" => QUEUE_KEYS,
        "pricing" => PRICING_KEYS,
        "report" => REPORT_KEYS,
        "network" => DIST_PARAMS,
        _ => {
            return Err(format!(
                "`{top}` is a single value and has no sub-keys; set `{top}` itself"
            ))
        }
    };
    let entry = doc
        .entry(top.to_string())
        .or_insert_with(|| Value::Table(Table::new()));
    let Value::Table(t) = entry else {
        return Err(format!(
            "`{top}` is a plain value, not a table, so `{path}` names nothing; set `{top}` itself"
        ));
    };
    set_in(t, &segs[1..], keys, top, value)
}

fn set_in(
    t: &mut Table,
    segs: &[&str],
    keys: &[&str],
    prefix: &str,
    value: Value,
) -> Result<(), String> {
    let key = segs[0];
    if !keys.contains(&key) {
        let hint = did_you_mean(key, keys)
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        return Err(format!(
            "`{prefix}` has no key `{key}`; {hint}allowed: {}",
            keys.join(", ")
        ));
    }
    if segs.len() == 1 {
        t.insert(key.to_string(), value);
        return Ok(());
    }
    // Deeper: one parameter of a distribution or arrival table.
    let here = format!("{prefix}.{key}");
    match t.get_mut(key) {
        Some(Value::Table(inner)) => {
            if segs.len() > 2 {
                return Err(format!("`{here}.{}` is nested too deeply", segs[1]));
            }
            inner.insert(segs[1].to_string(), value);
            Ok(())
        }
        Some(_) => Err(format!("`{here}` is a plain value, not a table; set `{here}` itself (e.g. to {{ kind = \"exponential\", mean = \"5ms\" }})")),
        None => Err(format!("`{here}` is not set in the scenario, so `{here}.{}` names nothing; set `{here}` as a whole", segs[1])),
    }
}

/// The path with array entries named rather than numbered where they have
/// names (`consumers.0.wait_time` → `consumers.workers.wait_time`), as
/// validation reports them.
pub fn canonical(doc: &Table, path: &str) -> String {
    let mut segs: Vec<String> = path.split('.').map(str::to_string).collect();
    if segs.len() >= 2 && ARRAYS.contains(&segs[0].as_str()) {
        if let (Ok(i), Some(Value::Array(arr))) = (segs[1].parse::<usize>(), doc.get(&segs[0])) {
            if let Some(name) = arr
                .get(i)
                .and_then(|e| e.get("name"))
                .and_then(Value::as_str)
            {
                segs[1] = name.to_string();
            }
        }
    }
    segs.join(".")
}

/// Reads a `--set` value as TOML (`20`, `"5s"`, `{ kind = "exponential", mean = "5ms" }`),
/// falling back to a bare string (`--set consumers.0.wait_time=20s`).
pub fn parse_value(text: &str) -> Result<Value, String> {
    let doc = format!("v = {text}");
    match doc.parse::<Table>() {
        Ok(mut t) => Ok(t.remove("v").expect("parsed table has v")),
        Err(e) => {
            let bare = text.trim();
            if !bare.is_empty()
                && bare
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-:".contains(c))
            {
                Ok(Value::String(bare.to_string()))
            } else {
                Err(format!(
                    "cannot read `{text}` as a TOML value: {}",
                    e.message()
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Table {
        r#"
duration = "1m"
[queue]
nodes = 5
[[consumers]]
name = "workers"
processing = { kind = "exponential", mean = "5ms" }
"#
        .parse()
        .unwrap()
    }

    #[test]
    fn sets_by_name_index_and_nested() {
        let mut d = doc();
        set_path(&mut d, "queue.nodes", Value::Integer(7)).unwrap();
        set_path(&mut d, "consumers.workers.max_messages", Value::Integer(10)).unwrap();
        set_path(
            &mut d,
            "consumers.0.processing.mean",
            Value::String("9ms".into()),
        )
        .unwrap();
        set_path(&mut d, "pricing.per_million", Value::Float(0.5)).unwrap();
        assert_eq!(d["queue"]["nodes"].as_integer(), Some(7));
        assert_eq!(d["consumers"][0]["max_messages"].as_integer(), Some(10));
        assert_eq!(
            d["consumers"][0]["processing"]["mean"].as_str(),
            Some("9ms")
        );
    }

    #[test]
    fn refuses_paths_that_name_nothing() {
        let mut d = doc();
        let e = set_path(&mut d, "queue.sample_node", Value::Integer(1)).unwrap_err();
        assert!(e.contains("did you mean `sample_nodes`"), "{e}");
        let e = set_path(&mut d, "consumers.worker.count", Value::Integer(1)).unwrap_err();
        assert!(e.contains("did you mean `workers`"), "{e}");
        let e = set_path(&mut d, "consumers.3.count", Value::Integer(1)).unwrap_err();
        assert!(e.contains("out of range"), "{e}");
        let e = set_path(&mut d, "qeue.nodes", Value::Integer(1)).unwrap_err();
        assert!(e.contains("did you mean `queue`"), "{e}");
        assert!(set_path(&mut d, "producers.x.rate", Value::Integer(1)).is_err());
    }

    #[test]
    fn parses_cli_values() {
        assert_eq!(parse_value("20").unwrap(), Value::Integer(20));
        assert_eq!(parse_value("20s").unwrap(), Value::String("20s".into()));
        assert_eq!(parse_value("\"x y\"").unwrap(), Value::String("x y".into()));
        assert!(parse_value("{kind=\"exponential\",mean=\"5ms\"}")
            .unwrap()
            .is_table());
        assert!(parse_value("{oops").is_err());
    }
}
