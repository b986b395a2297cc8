//! The command line: `steward [serve]`, `steward migrate`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::SettingArgs;

/// Steward: governed AI agents for Webex Messaging.
///
/// Every setting can be given as a flag, as the environment variable shown, or as a key in a
/// TOML settings file; flags and environment variables win over the file.
#[derive(Debug, Parser)]
#[command(name = "steward", version, propagate_version = true)]
pub struct Cli {
    /// What to do [default: serve]
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Settings file in TOML; without it, ./steward.toml is read when present
    #[arg(long, env = "STEWARD_CONFIG", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// The settings.
    #[command(flatten)]
    pub settings: SettingArgs,
}

/// Steward's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, then serve the console and the bot runtime (the default)
    Serve,
    /// Apply pending database migrations and exit
    Migrate,
    /// Serve only the built-in Webex sandbox API, at http://127.0.0.1:PORT/sandbox/v1
    Sandbox {
        /// The port to listen on
        #[arg(long, default_value_t = 3210)]
        port: u16,
    },
    /// Print a long-lived sandbox access token for a demo person or bot, by e-mail
    SandboxToken {
        /// E-mail of the demo person, e.g. steward@acme.webex.bot for the bot
        email: String,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_documents_every_setting_with_its_environment_variable() {
        let help = Cli::command().render_long_help().to_string();
        for env in [
            "STEWARD_CONFIG",
            "STEWARD_BIND",
            "DATABASE_URL",
            "STEWARD_PUBLIC_URL",
            "STEWARD_SANDBOX",
            "STEWARD_ADMIN_EMAILS",
            "STEWARD_WEBEX_CLIENT_ID",
            "STEWARD_WEBEX_CLIENT_SECRET",
            "STEWARD_WEBEX_ORG_IDS",
            "STEWARD_SESSION_IDLE_MINUTES",
            "STEWARD_SESSION_MAX_HOURS",
            "STEWARD_LOG",
            "STEWARD_LOG_FORMAT",
            "STEWARD_MAX_BODY_BYTES",
            "STEWARD_REQUEST_TIMEOUT_SECS",
            "STEWARD_SHUTDOWN_GRACE_SECS",
            "LEPTOS_SITE_ROOT",
        ] {
            assert!(
                help.contains(&format!("[env: {env}")),
                "{env} missing from --help:\n{help}"
            );
        }
    }
}
