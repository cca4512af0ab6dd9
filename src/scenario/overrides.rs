//! What the precedence of overrides (file < variant `set` < sweep value <
//! `--set`) does that a user should hear about: a later layer setting a key
//! a variant (or the sweep) already set — a note, since users were silently
//! misled by it — and a sweep value that makes a valid variant invalid,
//! blamed on the sweep rather than on the variant.

use super::Issue;
use std::fmt;
use toml::Value;

/// A key one override layer set and a later one set again to another value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overridden {
    /// The key's full path, e.g. `consumers.workers.wait_time`.
    pub key: String,
    pub variant: String,
    /// Where the overridden value came from: `variant "short"` or `the sweep`.
    pub earlier: String,
    pub earlier_value: String,
    /// What overrode it: `the sweep` or `--set`.
    pub later: String,
    pub later_value: String,
}

impl fmt::Display for Overridden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whose = if self.earlier.starts_with("variant") {
            self.earlier.clone()
        } else {
            format!("{} (variant \"{}\")", self.earlier, self.variant)
        };
        write!(
            f,
            "{} sets `{}` = {}, overriding {whose}'s {}",
            self.later, self.key, self.later_value, self.earlier_value
        )
    }
}

/// The overrides among `applied` — `(canonical path, origin, value)` in the
/// order they were applied — for variant `variant`: each later entry that
/// names the key (or a key inside it, or its table) of an earlier entry from
/// another layer, with a different value.
pub(crate) fn find(variant: &str, applied: &[(String, String, Value)]) -> Vec<Overridden> {
    let mut out: Vec<Overridden> = Vec::new();
    for (j, (key, later, value)) in applied.iter().enumerate() {
        for (earlier_key, earlier, earlier_value) in &applied[..j] {
            let related = key == earlier_key
                || key.starts_with(&format!("{earlier_key}."))
                || earlier_key.starts_with(&format!("{key}."));
            if !related || earlier == later || value == earlier_value {
                continue;
            }
            let o = Overridden {
                key: key.clone(),
                variant: variant.to_string(),
                earlier: earlier.clone(),
                earlier_value: value_text(earlier_value),
                later: later.clone(),
                later_value: value_text(value),
            };
            if !out.contains(&o) {
                out.push(o);
            }
        }
    }
    out
}

/// The one-line notes of `resolved`'s overrides: one per key, variant and
/// layer, with every value the later layer gave (a sweep gives one per point).
pub fn notes(resolved: &[super::Resolved]) -> Vec<String> {
    let mut seen: Vec<(&Overridden, Vec<&str>)> = Vec::new();
    for o in resolved.iter().flat_map(|r| &r.overridden) {
        let same = |s: &&mut (&Overridden, Vec<&str>)| {
            s.0.key == o.key
                && s.0.variant == o.variant
                && s.0.earlier == o.earlier
                && s.0.later == o.later
        };
        match seen.iter_mut().find(same) {
            Some((_, values)) if !values.contains(&o.later_value.as_str()) => {
                values.push(&o.later_value)
            }
            Some(_) => {}
            None => seen.push((o, vec![&o.later_value])),
        }
    }
    seen.into_iter()
        .map(|(o, values)| {
            Overridden {
                later_value: values.join(", "),
                ..o.clone()
            }
            .to_string()
        })
        .collect()
}

/// One issue for a sweep point that breaks variants which are valid without
/// it: the sweep's key and value are the root cause, so the error names
/// them (the variants' own problems follow, grouped when they are the same).
pub(crate) fn blame_sweep(point: &[(String, Value)], broken: &[(&str, Vec<Issue>)]) -> Issue {
    let keys: Vec<&str> = point.iter().map(|(p, _)| p.as_str()).collect();
    // A value wrong in itself (out of its key's range) is said as it is.
    let own: Vec<&Issue> = broken.iter().flat_map(|(_, i)| i).collect();
    if own.iter().all(|i| keys.contains(&i.path.as_str())) {
        if let Some(first) = own.first() {
            return Issue {
                origin: Some("the sweep".into()),
                ..(*first).clone()
            };
        }
    }
    let value = match point {
        [(_, v)] => format!("the sweep value {}", value_text(v)),
        _ => {
            let each: Vec<String> = point
                .iter()
                .map(|(p, v)| format!("{p} = {}", value_text(v)))
                .collect();
            format!("the sweep point {}", each.join(", "))
        }
    };
    // Variants with the same problems are named together.
    let mut groups: Vec<(Vec<&str>, String)> = Vec::new();
    for (variant, issues) in broken {
        let what: Vec<String> = issues
            .iter()
            .map(|i| format!("`{}`: {}", i.path, i.message))
            .collect();
        let what = what.join("; ");
        match groups.iter_mut().find(|(_, w)| *w == what) {
            Some((names, _)) => names.push(variant),
            None => groups.push((vec![variant], what)),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(names, what)| {
            let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            let noun = if names.len() == 1 {
                "variant"
            } else {
                "variants"
            };
            format!("{noun} {} ({what})", quoted.join(", "))
        })
        .collect();
    Issue {
        path: keys.join(", "),
        message: format!(
            "{value} makes {} invalid, though valid without it; change the sweep's values",
            parts.join(" and ")
        ),
        at: None,
        origin: Some("the sweep".into()),
    }
}

/// A value as a note or the sweep's `value` column shows it: strings bare,
/// the rest as TOML.
pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(k: &str, from: &str, v: i64) -> (String, String, Value) {
        (k.into(), from.into(), Value::Integer(v))
    }

    /// A sweep value over a variant's own setting is noted; the same value
    /// again, or an unrelated key, is not.
    #[test]
    fn later_layers_over_a_variants_setting_are_noted() {
        let applied = [
            entry("queue.nodes", "variant \"a\"", 4),
            entry("queue.sample_nodes", "variant \"a\"", 2),
            entry("queue.nodes", "the sweep", 8),
            entry("queue.sample_nodes", "--set", 2),
        ];
        let found = find("a", &applied);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].to_string(),
            "the sweep sets `queue.nodes` = 8, overriding variant \"a\"'s 4"
        );
    }

    #[test]
    fn a_sweep_point_is_named_once_for_every_variant_it_breaks() {
        let issue = |m: &str| Issue {
            path: "queue.sample_nodes".into(),
            message: m.into(),
            at: None,
            origin: None,
        };
        let broken = [
            ("a", vec![issue("found 3, too many")]),
            ("b", vec![issue("found 3, too many")]),
            ("c", vec![issue("found 4, too many")]),
        ];
        let i = blame_sweep(&[("queue.nodes".into(), Value::Integer(2))], &broken);
        assert_eq!(i.path, "queue.nodes");
        assert_eq!(
            i.message,
            "the sweep value 2 makes variants \"a\", \"b\" (`queue.sample_nodes`: found 3, too many) \
             and variant \"c\" (`queue.sample_nodes`: found 4, too many) invalid, though valid \
             without it; change the sweep's values"
        );
    }
}
