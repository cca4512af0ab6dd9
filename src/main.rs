//! `sqs-sim`: parse the command line, run, turn errors into exit codes.

/// Exit code of a run interrupted by Ctrl-C (128 + SIGINT, as shells do).
const INTERRUPTED: i32 = 130;

fn main() {
    // Ctrl-C must leave nothing half-written: results only ever appear by
    // rename at the end, and the staging folders are removed here.
    let _ = ctrlc::set_handler(|| {
        sqs_sim::report::atomic::remove_live_staging();
        eprintln!("interrupted: no results were written");
        std::process::exit(INTERRUPTED);
    });
    let cli = sqs_sim::cli::parse();
    if let Err(e) = sqs_sim::cli::main_with(cli) {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
}
