//! Integration tests: one binary (`cargo test --release`), one module per
//! area, shared helpers in `common`.

mod cli_errors;
mod common;
mod conservation;
mod determinism;
mod fuzz;
mod roundtrip;
mod stats;
mod theory;
mod explain;
