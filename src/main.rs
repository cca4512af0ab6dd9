//! `sqs-sim`: parse the command line, run, turn errors into exit codes.

fn main() {
    let cli = sqs_sim::cli::parse();
    if let Err(e) = sqs_sim::cli::main_with(cli) {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
}
