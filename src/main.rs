//! The `replywindow` command: parses the command line, calls the library, maps errors to
//! exit codes (0 success, 1 `check` found disagreements or `plan` found no staffing meeting
//! its targets, 2 invalid input or usage).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("replywindow: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
