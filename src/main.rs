use std::process::ExitCode;

use clap::Parser;
use interview_bot::cli::{self, Cli};

fn main() -> ExitCode {
    // Logging starts in cli::run, once the settings say its format.
    match cli::run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("interview-bot: {e:#}");
            ExitCode::FAILURE
        }
    }
}
