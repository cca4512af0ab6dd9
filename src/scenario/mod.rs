//! Scenario files: TOML in, validated model configurations out — one per
//! variant (and per sweep point). Overrides apply in this order: the file,
//! then the variant's `set`, then a sweep value, then `--set` from the
//! command line (the user's last word).

pub(crate) mod cloudwatch;
pub(crate) mod error;
pub(crate) mod guard;
pub(crate) mod overrides;
pub(crate) mod paths;
pub(crate) mod resolved;
pub(crate) mod schema;
pub mod slo;
pub(crate) mod trace;
pub(crate) mod units;

pub use error::{Issue, ScenarioError};
pub use overrides::Overridden;

use crate::model::ModelConfig;
use error::{line_col, Locator};
use schema::read::Reader;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// Overrides from the command line.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `PATH=VALUE` pairs from `--set`, as typed.
    pub sets: Vec<String>,
    pub seed: Option<u64>,
    pub replications: Option<u32>,
    /// `--slo`, as typed (`p99<1s,unreceived<1%`): over the file's `[slo]`.
    pub slo: Option<String>,
}

/// One named set of changes to the base scenario.
#[derive(Clone, Debug)]
pub(crate) struct Variant {
    pub(crate) name: String,
    pub(crate) set: Vec<(String, Value)>,
}

/// A `[sweep]`: one parameter and its values.
#[derive(Clone, Debug)]
pub(crate) struct Sweep {
    pub(crate) param: String,
    pub(crate) values: Vec<Value>,
}

/// A loaded scenario, before variants are resolved.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The file as named on the command line.
    pub file: String,
    pub(crate) source: String,
    pub(crate) base_dir: PathBuf,
    pub(crate) doc: Table,
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub replications: u32,
    pub(crate) variants: Vec<Variant>,
    pub(crate) sweep: Option<Sweep>,
    /// `[slo]` with `--slo` over it; `None` when neither gives one.
    pub slo: Option<slo::Slo>,
    cli_sets: Vec<(String, Value)>,
}

/// One variant, validated and ready to run.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub variant: String,
    pub config: ModelConfig,
    /// Keys this variant sets that a sweep value or `--set` set again.
    pub overridden: Vec<Overridden>,
}

pub use schema::top::MAX_REPLICATIONS;

impl Scenario {
    pub fn load(path: &Path, ov: &Overrides) -> Result<Scenario, ScenarioError> {
        let file = error::display_path(path);
        let bytes = trace::read_bounded(path, trace::MAX_SCENARIO_BYTES).map_err(|e| {
            ScenarioError::single(&file, "", format!("cannot read the scenario file: {e}"))
        })?;
        let source = String::from_utf8(bytes)
            .map_err(|_| ScenarioError::single(&file, "", "the scenario file is not UTF-8 text"))?;
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("scenario")
            .to_string();
        Scenario::parse(&file, source, base_dir, &stem, ov)
    }

    pub fn parse(
        file: &str,
        source: String,
        base_dir: PathBuf,
        default_name: &str,
        ov: &Overrides,
    ) -> Result<Scenario, ScenarioError> {
        let mut doc: Table = source.parse().map_err(|e: toml::de::Error| {
            let at = e.span().map(|s| line_col(&source, s.start));
            ScenarioError {
                file: file.to_string(),
                issues: vec![Issue {
                    path: String::new(),
                    message: format!("not valid TOML: {}", e.message().trim()),
                    at,
                    origin: None,
                }],
                source: source.clone(),
            }
        })?;
        let mut issues = Vec::new();
        let cli_sets = apply_cli_sets(&mut doc, &ov.sets, &mut issues);
        let mut r = Reader {
            issues,
            dir: &base_dir,
        };
        let run = read_run(&mut r, &doc, default_name, ov);
        let (variants, sweep) = schema::variants::read(&mut r, &doc);
        let slo = read_slo(&mut r, &doc, ov.slo.as_deref());
        let issues = r.issues;
        let schema::top::Run {
            name,
            description,
            seed,
            replications,
        } = run;
        let sc = Scenario {
            file: file.to_string(),
            source,
            base_dir,
            doc,
            name,
            description,
            seed,
            replications,
            variants,
            sweep,
            slo,
            cli_sets,
        };
        if !issues.is_empty() {
            return Err(sc.error(issues));
        }
        Ok(sc)
    }

    /// Validates and returns every variant (or the base scenario as one
    /// variant named "base" when there are none).
    pub fn resolve(&self) -> Result<Vec<Resolved>, ScenarioError> {
        self.resolve_with(&[])
    }

    /// As `resolve`, with extra overrides (a sweep point) applied after each
    /// variant's own.
    pub(crate) fn resolve_with(
        &self,
        extra: &[(String, Value)],
    ) -> Result<Vec<Resolved>, ScenarioError> {
        let base = Variant {
            name: "base".into(),
            set: Vec::new(),
        };
        let variants: Vec<&Variant> = if self.variants.is_empty() {
            vec![&base]
        } else {
            self.variants.iter().collect()
        };
        // What every variant starts from, made once: cloning the whole
        // document (variants included) per variant would be quadratic.
        let mut model_doc = self.doc.clone();
        for k in schema::fixed_keys() {
            model_doc.remove(k);
        }
        let mut out = Vec::new();
        let mut issues = Vec::new();
        let mut seen = HashSet::new();
        // Variants a sweep point breaks, though each is valid without it.
        let mut broken_by_sweep: Vec<(&str, Vec<Issue>)> = Vec::new();
        for v in variants {
            match self.resolve_one(&model_doc, v, extra) {
                Ok((config, overridden)) => out.push(Resolved {
                    variant: v.name.clone(),
                    config,
                    overridden,
                }),
                // The sweep value is the root cause: blame it, not the variant.
                Err(errs) if !extra.is_empty() && self.resolve_one(&model_doc, v, &[]).is_ok() => {
                    broken_by_sweep.push((&v.name, errs))
                }
                Err(errs) => {
                    // The same problem in every variant is reported once.
                    for i in errs {
                        if seen.insert(i.clone()) {
                            issues.push(i);
                        }
                    }
                }
            }
        }
        if !broken_by_sweep.is_empty() {
            issues.push(overrides::blame_sweep(extra, &broken_by_sweep));
        }
        if issues.is_empty() {
            Ok(out)
        } else {
            Err(self.error(issues))
        }
    }

    /// One variant: its overrides applied in order of precedence, then the
    /// model read; each issue names where its value came from. Also hands
    /// back the keys a later layer set again over an earlier one's value.
    fn resolve_one(
        &self,
        model_doc: &Table,
        v: &Variant,
        extra: &[(String, Value)],
    ) -> Result<(ModelConfig, Vec<Overridden>), Vec<Issue>> {
        let mut doc = model_doc.clone();
        let origin = format!("variant \"{}\"", v.name);
        let mut issues = Vec::new();
        // (canonical path, whom an error about it blames), in the order applied.
        let mut set_paths: Vec<(String, String)> = Vec::new();
        // (canonical path, the layer that set it, value): for override notes.
        let mut applied: Vec<(String, String, Value)> = Vec::new();
        let own: HashSet<&str> = v.set.iter().map(|(p, _)| p.as_str()).collect();
        let swept: HashSet<&str> = extra.iter().map(|(p, _)| p.as_str()).collect();
        let cli: HashSet<&str> = self.cli_sets.iter().map(|(p, _)| p.as_str()).collect();
        let mut named_by_variant = HashSet::new();
        let layers = v.set.iter().map(|e| (e, origin.clone()));
        let swept_layer = extra.iter().map(|e| (e, "the sweep".to_string()));
        let cli_layer = self.cli_sets.iter().map(|e| (e, "--set".to_string()));
        for ((path, val), layer) in layers.chain(swept_layer).chain(cli_layer) {
            let is_own = layer == origin;
            let p = path.as_str();
            let from = if is_own && !swept.contains(p) && !cli.contains(p) {
                origin.clone()
            } else if swept.contains(p) && !cli.contains(p) {
                "the sweep".to_string()
            } else {
                "--set".to_string()
            };
            let named = paths::canonical(&doc, path);
            // Only the variant's own entries can name one key twice: a
            // sweep value or `--set` on it overrides it (a note, not an error).
            if is_own && own.contains(p) && !named_by_variant.insert(named.clone()) {
                issues.push(Issue {
                    path: path.clone(),
                    message: format!("names `{named}`, which this variant already sets by another path; keep one"),
                    at: None,
                    origin: Some(from.clone()),
                });
            }
            if let Err(e) = paths::set_path(&mut doc, path, val.clone()) {
                issues.push(Issue {
                    path: path.clone(),
                    message: e,
                    at: None,
                    origin: Some(from.clone()),
                });
            }
            applied.push((named.clone(), layer, val.clone()));
            set_paths.push((named, from));
        }
        let built = schema::build(&doc, &self.base_dir);
        let mut errs = match built {
            Ok(config) if issues.is_empty() => {
                return Ok((config, overrides::find(&v.name, &applied)))
            }
            Ok(_) => Vec::new(),
            Err(errs) => errs,
        };
        for i in &mut errs {
            if let Some((_, from)) = set_paths.iter().rev().find(|(p, _)| {
                i.path == *p
                    || i.path.starts_with(&format!("{p}."))
                    || p.starts_with(&format!("{}.", i.path))
            }) {
                i.origin = Some(from.clone());
            }
        }
        issues.extend(errs);
        Err(issues)
    }

    /// Attaches file positions to issues whose value is in the file.
    fn error(&self, mut issues: Vec<Issue>) -> ScenarioError {
        // One parse of the file for all the issues.
        let locator = Locator::new(&self.source);
        let locate = |_: &str, path: &str| locator.find(path);
        for i in &mut issues {
            if i.at.is_none() {
                i.at = match &i.origin {
                    None => locate(&self.source, &i.path),
                    Some(o) if o.starts_with("variant \"") => {
                        let name = o.trim_start_matches("variant \"").trim_end_matches('"');
                        locate(&self.source, &format!("variants.{name}.set"))
                            .or_else(|| locate(&self.source, &format!("variants.{name}")))
                    }
                    Some(o) if o == "the sweep" => locate(&self.source, "sweep"),
                    Some(_) => None,
                };
                if i.at.is_none() && i.origin.is_none() {
                    // A missing key: point at its table if that exists.
                    let parent = i.path.rsplit_once('.').map_or("", |(p, _)| p);
                    if !parent.is_empty() {
                        i.at = locate(&self.source, parent);
                    }
                }
            }
        }
        ScenarioError {
            file: self.file.clone(),
            issues,
            source: self.source.clone(),
        }
    }

    /// Refuses a scenario whose estimated work (events, over all its runs)
    /// or memory (live messages, in one run) exceeds `limits`, naming what
    /// drives the estimate.
    pub fn check_limits(
        &self,
        resolved: &[Resolved],
        limits: guard::Limits,
    ) -> Result<(), ScenarioError> {
        let runs: Vec<&ModelConfig> = resolved.iter().map(|r| &r.config).collect();
        match guard::check_limits(&runs, self.replications, limits) {
            Some(issue) => Err(self.error(vec![issue])),
            None => Ok(()),
        }
    }

    /// The resolved scenario as TOML: what `sqs-sim validate` prints, every
    /// default filled in, per variant.
    pub fn resolved_toml(&self, resolved: &[Resolved]) -> String {
        resolved::to_toml(self, resolved)
    }
}

/// Applies `--set PATH=VALUE` flags to the document; returns what they set.
fn apply_cli_sets(
    doc: &mut Table,
    sets: &[String],
    issues: &mut Vec<Issue>,
) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for s in sets {
        let cli = |path: &str, message: String| Issue {
            path: path.to_string(),
            message,
            at: None,
            origin: Some("--set".into()),
        };
        let Some((path, text)) = s.split_once('=') else {
            issues.push(cli("", format!("--set expects PATH=VALUE, found `{s}`")));
            continue;
        };
        let path = path.trim();
        let set = paths::parse_value(text)
            .and_then(|v| paths::set_path(doc, path, v.clone()).map(|()| v));
        match set {
            Ok(v) => out.push((path.to_string(), v)),
            Err(e) => issues.push(cli(path, e)),
        }
    }
    out
}

/// The run's own keys, then `--seed` and `--replications` over them (read
/// like the file's values, so their range is checked the same way).
fn read_run(r: &mut Reader, doc: &Table, default_name: &str, ov: &Overrides) -> schema::top::Run {
    let keys = &schema::top::RUN.keys;
    let nothing = schema::top::blank();
    let mut run = schema::top::blank_run(default_name);
    r.keys(keys, doc, "", &nothing, &mut run);
    let flags = [
        ("seed", "--seed", ov.seed.map(|s| s as i64)),
        (
            "replications",
            "--replications",
            ov.replications.map(i64::from),
        ),
    ];
    for (key, flag, value) in flags {
        let Some(v) = value else { continue };
        let before = r.issues.len();
        r.one(keys, key, &Value::Integer(v), "", &nothing, &mut run);
        for i in &mut r.issues[before..] {
            i.origin = Some(flag.into());
        }
    }
    run
}

/// `[slo]`, with the bounds of `--slo` over the file's; issues about a
/// bound the flag gave name the flag.
fn read_slo(r: &mut Reader, doc: &Table, flag: Option<&str>) -> Option<slo::Slo> {
    let section = &schema::slo::SLO;
    let mut table = match doc.get(section.name) {
        None => Table::new(),
        Some(Value::Table(t)) => t.clone(),
        Some(_) => {
            // Reported by the reader: found …, expected a table.
            let nothing = schema::top::blank();
            return Some(r.table(section, doc, &nothing, slo::Slo::default()));
        }
    };
    let flagged = match flag.map(slo::parse_flag) {
        None => Table::new(),
        Some(Ok(t)) => t,
        Some(Err(e)) => {
            r.issues.push(Issue {
                path: String::new(),
                message: format!("--slo '{}': {e}", flag.unwrap_or_default()),
                at: None,
                origin: Some("--slo".into()),
            });
            return None;
        }
    };
    if table.is_empty() && flagged.is_empty() && !doc.contains_key(section.name) {
        return None;
    }
    for (k, v) in &flagged {
        table.insert(k.clone(), v.clone());
    }
    let mut wrapped = Table::new();
    wrapped.insert(section.name.into(), Value::Table(table));
    let before = r.issues.len();
    let nothing = schema::top::blank();
    let read = r.table(section, &wrapped, &nothing, slo::Slo::default());
    for i in &mut r.issues[before..] {
        let key = i.path.trim_start_matches("slo.");
        if flagged.contains_key(key) {
            i.origin = Some("--slo".into());
        }
    }
    Some(read)
}
