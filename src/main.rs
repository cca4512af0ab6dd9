//! `sqs-sim`: parse the command line, run, turn errors into exit codes.

/// Exit code of a run interrupted by Ctrl-C (128 + SIGINT, as shells do);
/// SIGTERM and SIGHUP end the same way (the handler cannot tell them apart).
const INTERRUPTED: i32 = 130;

fn main() {
    // SIGINT, SIGTERM (Slurm, `timeout`) and SIGHUP must leave nothing
    // half-written: the handler waits for a results folder being swapped in,
    // removes the staging folders and says whether results were written.
    let _ = ctrlc::set_handler(|| {
        let said = sqs_sim::cli::interrupted();
        eprintln!("{said}");
        std::process::exit(INTERRUPTED);
    });
    let cli = sqs_sim::cli::parse();
    let result = sqs_sim::cli::main_with(cli);
    if sqs_sim::cli::interrupting() {
        // A signal came while the command finished (e.g. during the swap of
        // the results folder, which it waited for): the handler is ending
        // the process with 130 and its message. Returning now would race it
        // and could exit 0.
        loop {
            std::thread::park();
        }
    }
    if let Err(e) = result {
        // Whoever read our output stopped reading (`| head -1`): not an
        // error of ours, and nothing left to say.
        if e.is_broken_pipe() {
            std::process::exit(0);
        }
        // `:#` adds the causes: "cannot create X: Too many open files".
        let text = format!("{e:#}");
        eprintln!("error: {}", sqs_sim::cli::terminal_safe(&text));
        std::process::exit(e.exit_code());
    }
}
