//! Integration tests: one binary (`cargo test --release`), one module per
//! area, shared helpers in `common`.

mod advice;
mod charts;
mod cli_errors;
mod cloudwatch;
mod cloudwatch_out;
mod common;
mod compare;
mod conservation;
mod consumers;
mod determinism;
mod explain;
mod fidelity;
mod fifo;
mod fold;
mod folders;
mod fuzz;
mod golden;
mod html;
mod lambda;
mod lesson;
mod limits;
mod memory;
mod outputs;
mod process;
mod props;
mod report_page;
mod roundtrip;
mod schema;
mod stats;
mod sweep;
mod theory;
