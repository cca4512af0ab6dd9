//! Helpers shared by the integration tests.

#![allow(dead_code)]

use sqs_sim::model::{self, ModelConfig, RunOptions, RunResult};
use sqs_sim::scenario::{Overrides, Scenario};
use std::path::PathBuf;

/// Parses a scenario from text and resolves its variants.
pub fn configs(toml: &str) -> Vec<(String, ModelConfig)> {
    let sc = Scenario::parse(
        "test.toml",
        toml.to_string(),
        PathBuf::from("."),
        "test",
        &Overrides::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    sc.resolve()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|r| (r.variant, r.config))
        .collect()
}

/// The single configuration of a scenario without variants.
pub fn config(toml: &str) -> ModelConfig {
    configs(toml).remove(0).1
}

/// Runs one replication (the run checks conservation itself).
pub fn run(cfg: &ModelConfig, seed: u64) -> RunResult {
    model::run(cfg, seed, RunOptions::default())
}

/// The repository root (for example scenarios).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The sqs-sim binary, with backtraces off so stderr is what users see.
pub fn bin() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("sqs-sim").expect("binary built");
    c.env("RUST_BACKTRACE", "0");
    c
}
