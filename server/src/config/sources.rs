//! Where settings come from: command-line flags and environment variables (through clap), and
//! the `steward.toml` file. Both are raw text here; `Config::resolve` validates them.

use std::path::Path;

use serde::Deserialize;

use super::ConfigError;

/// The settings as given on the command line or in the environment, before validation.
/// Each field documents itself in `steward --help`.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct SettingArgs {
    /// Address and port the HTTP server listens on [default: 127.0.0.1:3000]
    #[arg(long, env = "STEWARD_BIND", value_name = "HOST:PORT", global = true)]
    pub bind: Option<String>,

    /// Database: sqlite://PATH (created when missing) or postgres://USER@HOST/DATABASE
    /// [default: sqlite://data/steward.db]
    #[arg(
        long,
        env = "DATABASE_URL",
        value_name = "URL",
        hide_env_values = true,
        global = true
    )]
    pub database_url: Option<String>,

    /// Address people and Webex use to reach Steward; an https:// address makes cookies Secure
    /// and turns on HSTS [default: http:// and the bind address]
    #[arg(long, env = "STEWARD_PUBLIC_URL", value_name = "URL", global = true)]
    pub public_url: Option<String>,

    /// Talk to the built-in Webex sandbox instead of Webex: true or false [default: false]
    #[arg(long, env = "STEWARD_SANDBOX", value_name = "BOOL", global = true)]
    pub sandbox: Option<String>,

    /// Comma-separated e-mail addresses that are given the admin role at every start-up
    #[arg(
        long,
        env = "STEWARD_ADMIN_EMAILS",
        value_name = "EMAILS",
        global = true
    )]
    pub admin_emails: Option<String>,

    /// Client ID of the Webex integration people sign in with (from developer.webex.com)
    #[arg(
        long,
        env = "STEWARD_WEBEX_CLIENT_ID",
        value_name = "ID",
        global = true
    )]
    pub webex_client_id: Option<String>,

    /// Client secret of that integration
    #[arg(
        long,
        env = "STEWARD_WEBEX_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true,
        global = true
    )]
    pub webex_client_secret: Option<String>,

    /// Comma-separated Webex organization IDs whose people may sign in (required with Webex
    /// sign-in; in sandbox mode the demo organization)
    #[arg(long, env = "STEWARD_WEBEX_ORG_IDS", value_name = "IDS", global = true)]
    pub webex_org_ids: Option<String>,

    /// Minutes of inactivity after which a console session ends [default: 60]
    #[arg(
        long,
        env = "STEWARD_SESSION_IDLE_MINUTES",
        value_name = "MINUTES",
        global = true
    )]
    pub session_idle_minutes: Option<String>,

    /// Hours after sign-in at which a console session ends, active or not [default: 12]
    #[arg(
        long,
        env = "STEWARD_SESSION_MAX_HOURS",
        value_name = "HOURS",
        global = true
    )]
    pub session_max_hours: Option<String>,

    /// Log filter in tracing's EnvFilter syntax, e.g. `info,server=debug` [default: info]
    #[arg(long, env = "STEWARD_LOG", value_name = "FILTER", global = true)]
    pub log: Option<String>,

    /// Log format: text or json [default: text]
    #[arg(long, env = "STEWARD_LOG_FORMAT", value_name = "FORMAT", global = true)]
    pub log_format: Option<String>,

    /// Largest request body accepted, in bytes; larger requests get 413 [default: 1048576]
    #[arg(
        long,
        env = "STEWARD_MAX_BODY_BYTES",
        value_name = "BYTES",
        global = true
    )]
    pub max_body_bytes: Option<String>,

    /// Seconds a request may run before it is answered with 408 [default: 30]
    #[arg(
        long,
        env = "STEWARD_REQUEST_TIMEOUT_SECS",
        value_name = "SECS",
        global = true
    )]
    pub request_timeout_secs: Option<String>,

    /// Seconds in-flight requests get to finish after SIGTERM or SIGINT [default: 10]
    #[arg(
        long,
        env = "STEWARD_SHUTDOWN_GRACE_SECS",
        value_name = "SECS",
        global = true
    )]
    pub shutdown_grace_secs: Option<String>,

    /// Directory holding the built console (wasm, JavaScript, CSS) [default: target/site]
    #[arg(long, env = "LEPTOS_SITE_ROOT", value_name = "DIR", global = true)]
    pub site_root: Option<String>,

    /// The Webex API the bot talks to [default: https://webexapis.com/v1]
    #[arg(long, env = "STEWARD_WEBEX_API_URL", value_name = "URL", global = true)]
    pub webex_api_url: Option<String>,

    /// Access token of the Webex bot Steward answers as (from developer.webex.com); without it,
    /// and outside sandbox mode, the bot runtime stays off
    #[arg(
        long,
        env = "STEWARD_WEBEX_BOT_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub webex_bot_token: Option<String>,

    /// Access token with which Steward reads the history of spaces, which Webex does not show a
    /// bot: a compliance officer's token with spark-compliance:messages_read (summaries need it
    /// in group spaces)
    #[arg(
        long,
        env = "STEWARD_WEBEX_READER_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub webex_reader_token: Option<String>,

    /// Jobs worked on at once by this process; 0 runs no workers [default: 4]
    #[arg(long, env = "STEWARD_WORKERS", value_name = "N", global = true)]
    pub workers: Option<String>,

    /// Seconds a job stays leased to a worker that stops renewing it (a crashed process) before
    /// another worker takes it over [default: 30]
    #[arg(
        long,
        env = "STEWARD_JOB_LEASE_SECS",
        value_name = "SECS",
        global = true
    )]
    pub job_lease_secs: Option<String>,
}

/// The same settings in `steward.toml`, with TOML types.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub(super) bind: Option<String>,
    pub(super) database_url: Option<String>,
    pub(super) public_url: Option<String>,
    pub(super) sandbox: Option<bool>,
    pub(super) admin_emails: Option<Vec<String>>,
    pub(super) webex_client_id: Option<String>,
    pub(super) webex_client_secret: Option<String>,
    pub(super) webex_org_ids: Option<Vec<String>>,
    pub(super) session_idle_minutes: Option<u64>,
    pub(super) session_max_hours: Option<u64>,
    pub(super) log: Option<String>,
    pub(super) log_format: Option<String>,
    pub(super) max_body_bytes: Option<u64>,
    pub(super) request_timeout_secs: Option<u64>,
    pub(super) shutdown_grace_secs: Option<u64>,
    pub(super) site_root: Option<String>,
    pub(super) webex_api_url: Option<String>,
    pub(super) webex_bot_token: Option<String>,
    pub(super) webex_reader_token: Option<String>,
    pub(super) workers: Option<u64>,
    pub(super) job_lease_secs: Option<u64>,
}

impl FileSettings {
    /// Reads a settings file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
            path: path.to_owned(),
            problem: e.to_string(),
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::File {
            path: path.to_owned(),
            problem: e.to_string(),
        })
    }
}
