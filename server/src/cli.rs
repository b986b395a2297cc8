//! The command line: `steward [serve]`, `steward worker`, `steward migrate`, `steward policy`,
//! and the sandbox's commands.

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
    /// Run only the bot runtime's workers, no HTTP (several processes may share one PostgreSQL)
    Worker,
    /// Read or change which agent functions act where
    Policy {
        /// What to do
        #[command(subcommand)]
        action: PolicyAction,
    },
    /// Anchor the audit log outside Steward, or verify it
    Audit {
        /// What to do
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Manage the key stored secrets are sealed with
    Secrets {
        /// What to do
        #[command(subcommand)]
        action: SecretsAction,
    },
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

/// `steward audit …`.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Print the audit log's head (entry count, last hash, time) as JSON, signed with the audit
    /// key when one is configured; keep it somewhere Steward's administrators cannot rewrite
    Anchor {
        /// Also POST it to STEWARD_AUDIT_ANCHOR_URL
        #[arg(long)]
        post: bool,
    },
    /// Verify the whole chain (with the audit key's seals when configured), and that the log
    /// still extends an anchor printed earlier; fails when it does not
    Verify {
        /// An anchor printed by `steward audit anchor`
        #[arg(long, value_name = "FILE")]
        anchor: Option<PathBuf>,
    },
}

/// `steward secrets …`.
#[derive(Debug, Subcommand)]
pub enum SecretsAction {
    /// Re-seal every stored secret with STEWARD_SECRETS_KEY, opening old ones with
    /// STEWARD_SECRETS_KEY_PREVIOUS (and sealing those stored before any key); afterwards the old
    /// key is no longer needed
    Rotate,
}

/// `steward policy …`.
#[derive(Debug, Subcommand)]
pub enum PolicyAction {
    /// Show every agent function's switch and its mode in every known space
    List,
    /// Set the mode of an agent function in a space: off, shadow, review or live
    Set {
        /// The agent function: alert_triage or summarize
        function: String,
        /// The space, by title or Webex room ID
        space: String,
        /// off, shadow, review or live
        mode: String,
    },
    /// Switch an agent function on or off everywhere (the kill switch)
    Switch {
        /// The agent function: alert_triage or summarize
        function: String,
        /// on or off
        state: String,
    },
    /// Print the alert severity rules as JSON, or replace them with the rules in FILE
    SeverityRules {
        /// A JSON file of rules, as printed
        file: Option<PathBuf>,
    },
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::Cli;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_boolean_flag_alone_means_true_and_never_swallows_the_command() {
        let cli =
            Cli::try_parse_from(["steward", "--sandbox", "--sandbox-expose", "migrate"]).unwrap();
        assert!(matches!(cli.command, Some(super::Command::Migrate)));
        let args = format!("{:?}", cli.settings);
        assert!(args.contains(r#""sandbox": "true""#), "{args}");
        assert!(args.contains(r#""sandbox_expose": "true""#), "{args}");
        let cli = Cli::try_parse_from(["steward", "--sandbox=false"]).unwrap();
        assert!(format!("{:?}", cli.settings).contains(r#""sandbox": "false""#));
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
            "STEWARD_SANDBOX_EXPOSE",
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
            "STEWARD_WEBEX_API_URL",
            "STEWARD_WEBEX_BOT_TOKEN",
            "STEWARD_WEBEX_READER_TOKEN",
            "STEWARD_WORKERS",
            "STEWARD_JOB_LEASE_SECS",
            "STEWARD_AUDIT_KEY",
            "STEWARD_AUDIT_KEY_FILE",
            "STEWARD_AUDIT_KEYED_FROM",
            "STEWARD_AUDIT_ANCHOR_URL",
            "DATABASE_URL_FILE",
            "STEWARD_SECRETS_KEY",
            "STEWARD_SECRETS_KEY_FILE",
            "STEWARD_SECRETS_KEY_PREVIOUS",
            "STEWARD_WEBEX_BOT_TOKEN_FILE",
        ] {
            assert!(
                help.contains(&format!("[env: {env}")),
                "{env} missing from --help:\n{help}"
            );
        }
    }
}
