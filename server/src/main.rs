//! `steward`: governed AI agents for Webex Messaging.

use std::process::ExitCode;

use clap::Parser;
use server::{cli::Cli, run};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Logging may not be set up yet (a bad configuration), so report on stderr directly.
            #[expect(clippy::print_stderr, reason = "the last word of a failed process")]
            {
                eprintln!("steward: {error:#}");
            }
            ExitCode::FAILURE
        }
    }
}
