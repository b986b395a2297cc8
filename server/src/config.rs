//! Configuration: one typed [`Config`], read once at start-up from flags, `STEWARD_*` environment
//! variables and `DATABASE_URL`, and optionally a `steward.toml` file. Flags and environment
//! variables win over the file; the file wins over the defaults.
//!
//! Every value is validated before Steward opens a socket or a database, and a bad one is
//! reported with the names it goes by in all three sources and what is wrong with it.

use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use domain::{Backend, users::EmailAddress};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

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
}

/// The same settings in `steward.toml`, with TOML types.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    bind: Option<String>,
    database_url: Option<String>,
    public_url: Option<String>,
    sandbox: Option<bool>,
    admin_emails: Option<Vec<String>>,
    webex_client_id: Option<String>,
    webex_client_secret: Option<String>,
    webex_org_ids: Option<Vec<String>>,
    session_idle_minutes: Option<u64>,
    session_max_hours: Option<u64>,
    log: Option<String>,
    log_format: Option<String>,
    max_body_bytes: Option<u64>,
    request_timeout_secs: Option<u64>,
    shutdown_grace_secs: Option<u64>,
    site_root: Option<String>,
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

/// A setting's names in the three places it can come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SettingName {
    /// The environment variable.
    pub env: &'static str,
    /// The command-line flag, without dashes.
    pub flag: &'static str,
    /// The key in `steward.toml`.
    pub key: &'static str,
}

const fn name(env: &'static str, flag: &'static str, key: &'static str) -> SettingName {
    SettingName { env, flag, key }
}

const BIND: SettingName = name("STEWARD_BIND", "bind", "bind");
const DATABASE_URL: SettingName = name("DATABASE_URL", "database-url", "database_url");
const PUBLIC_URL: SettingName = name("STEWARD_PUBLIC_URL", "public-url", "public_url");
const SANDBOX: SettingName = name("STEWARD_SANDBOX", "sandbox", "sandbox");
const ADMIN_EMAILS: SettingName = name("STEWARD_ADMIN_EMAILS", "admin-emails", "admin_emails");
const WEBEX_CLIENT_ID: SettingName = name(
    "STEWARD_WEBEX_CLIENT_ID",
    "webex-client-id",
    "webex_client_id",
);
const WEBEX_CLIENT_SECRET: SettingName = name(
    "STEWARD_WEBEX_CLIENT_SECRET",
    "webex-client-secret",
    "webex_client_secret",
);
const WEBEX_ORG_IDS: SettingName = name("STEWARD_WEBEX_ORG_IDS", "webex-org-ids", "webex_org_ids");
const SESSION_IDLE: SettingName = name(
    "STEWARD_SESSION_IDLE_MINUTES",
    "session-idle-minutes",
    "session_idle_minutes",
);
const SESSION_MAX: SettingName = name(
    "STEWARD_SESSION_MAX_HOURS",
    "session-max-hours",
    "session_max_hours",
);
const LOG: SettingName = name("STEWARD_LOG", "log", "log");
const LOG_FORMAT: SettingName = name("STEWARD_LOG_FORMAT", "log-format", "log_format");
const MAX_BODY_BYTES: SettingName =
    name("STEWARD_MAX_BODY_BYTES", "max-body-bytes", "max_body_bytes");
const REQUEST_TIMEOUT: SettingName = name(
    "STEWARD_REQUEST_TIMEOUT_SECS",
    "request-timeout-secs",
    "request_timeout_secs",
);
const SHUTDOWN_GRACE: SettingName = name(
    "STEWARD_SHUTDOWN_GRACE_SECS",
    "shutdown-grace-secs",
    "shutdown_grace_secs",
);
const SITE_ROOT: SettingName = name("LEPTOS_SITE_ROOT", "site-root", "site_root");

/// Why the configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// One setting has a bad value.
    #[error("invalid setting {} (--{}, `{}` in steward.toml): {problem}", .setting.env, .setting.flag, .setting.key)]
    Invalid {
        /// Which setting.
        setting: SettingName,
        /// What is wrong, naming the value unless it is secret.
        problem: String,
    },
    /// The settings file could not be read or parsed.
    #[error("cannot use settings file {}: {problem}", .path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        problem: String,
    },
}

fn invalid(setting: SettingName, problem: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        setting,
        problem: problem.into(),
    }
}

/// The database URL. It may carry a password, so its `Debug` and `Display` hide it.
#[derive(Clone)]
pub struct DatabaseUrl(SecretString);

impl DatabaseUrl {
    /// The full URL, for opening the database only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The backend it selects.
    pub fn backend(&self) -> Backend {
        Backend::from_url(self.expose()).expect("validated when the configuration was built")
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Url::parse(self.expose()) {
            Ok(mut url) if url.password().is_some() => {
                url.set_password(Some("redacted")).ok();
                f.write_str(url.as_str())
            }
            Ok(url) => f.write_str(url.as_str()),
            Err(_) => f.write_str("[unparsable URL redacted]"),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// A Webex integration's credentials.
#[derive(Clone)]
pub struct WebexOAuth {
    /// The client ID.
    pub client_id: String,
    /// The client secret.
    pub client_secret: SecretString,
}

impl fmt::Debug for WebexOAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebexOAuth")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Steward's validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where the HTTP server listens.
    pub bind: SocketAddr,
    /// Where the data lives.
    pub database_url: DatabaseUrl,
    /// How people and Webex reach Steward.
    pub public_url: Url,
    /// Whether Steward talks to its built-in Webex sandbox.
    pub sandbox: bool,
    /// People made admins at start-up.
    pub admin_emails: Vec<EmailAddress>,
    /// The Webex integration people sign in with, unless in sandbox mode.
    pub webex_oauth: Option<WebexOAuth>,
    /// Webex organizations whose people may sign in.
    pub webex_org_ids: Vec<String>,
    /// Inactivity after which a session ends.
    pub session_idle: Duration,
    /// Age at which a session ends.
    pub session_max_age: Duration,
    /// The log filter.
    pub log: String,
    /// The log format.
    pub log_format: LogFormat,
    /// The largest request body accepted.
    pub max_body_bytes: usize,
    /// How long one request may take.
    pub request_timeout: Duration,
    /// How long shutdown waits for in-flight requests.
    pub shutdown_grace: Duration,
    /// The built console's directory.
    pub site_root: String,
}

impl Config {
    /// Validates settings from the command line and environment (`args`), falling back to the
    /// settings file (`file`) and then to the defaults.
    pub fn resolve(args: SettingArgs, file: FileSettings) -> Result<Self, ConfigError> {
        let bind_text = args
            .bind
            .or(file.bind)
            .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        let bind: SocketAddr = bind_text.parse().map_err(|_| {
            invalid(
                BIND,
                format!("expected HOST:PORT such as 127.0.0.1:3000, got `{bind_text}`"),
            )
        })?;

        let database_url = args
            .database_url
            .or(file.database_url)
            .unwrap_or_else(|| "sqlite://data/steward.db".to_owned());
        Backend::from_url(&database_url).map_err(|e| invalid(DATABASE_URL, e.to_string()))?;
        let database_url = DatabaseUrl(SecretString::from(database_url));

        let public_url = match args.public_url.or(file.public_url) {
            Some(text) => parse_public_url(&text)?,
            None => {
                Url::parse(&format!("http://{bind}/")).expect("a socket address makes a valid URL")
            }
        };

        let sandbox = match (args.sandbox, file.sandbox) {
            (Some(text), _) => parse_bool(SANDBOX, &text)?,
            (None, Some(value)) => value,
            (None, None) => false,
        };

        let admin_emails: Vec<String> = match (args.admin_emails, file.admin_emails) {
            (Some(text), _) => text.split(',').map(str::to_owned).collect(),
            (None, Some(list)) => list,
            (None, None) => Vec::new(),
        };
        let admin_emails = admin_emails
            .iter()
            .filter(|e| !e.trim().is_empty())
            .map(|e| EmailAddress::parse(e).map_err(|err| invalid(ADMIN_EMAILS, err.to_string())))
            .collect::<Result<Vec<_>, _>>()?;

        let webex_oauth = match (
            args.webex_client_id
                .or(file.webex_client_id)
                .filter(|v| !v.trim().is_empty()),
            args.webex_client_secret
                .or(file.webex_client_secret)
                .filter(|v| !v.trim().is_empty()),
        ) {
            (Some(client_id), Some(secret)) => Some(WebexOAuth {
                client_id,
                client_secret: SecretString::from(secret),
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(invalid(
                    WEBEX_CLIENT_SECRET,
                    "is required with STEWARD_WEBEX_CLIENT_ID",
                ));
            }
            (None, Some(_)) => {
                return Err(invalid(
                    WEBEX_CLIENT_ID,
                    "is required with STEWARD_WEBEX_CLIENT_SECRET",
                ));
            }
        };
        let webex_org_ids: Vec<String> = match (args.webex_org_ids, file.webex_org_ids) {
            (Some(text), _) => text
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            (None, Some(list)) => list,
            (None, None) => Vec::new(),
        };
        if webex_oauth.is_some() && !sandbox && webex_org_ids.is_empty() {
            return Err(invalid(
                WEBEX_ORG_IDS,
                "must name at least one organization whose people may sign in with Webex",
            ));
        }
        let session_idle = number(
            SESSION_IDLE,
            args.session_idle_minutes,
            file.session_idle_minutes,
            60,
            1..=10_080,
        )?;
        let session_max = number(
            SESSION_MAX,
            args.session_max_hours,
            file.session_max_hours,
            12,
            1..=720,
        )?;

        let log = args.log.or(file.log).unwrap_or_else(|| "info".to_owned());
        tracing_subscriber::EnvFilter::try_new(&log)
            .map_err(|e| invalid(LOG, format!("`{log}` is not a valid filter: {e}")))?;

        let log_format = match args.log_format.or(file.log_format).as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(invalid(
                    LOG_FORMAT,
                    format!("expected text or json, got `{other}`"),
                ));
            }
        };

        let max_body_bytes = number(
            MAX_BODY_BYTES,
            args.max_body_bytes,
            file.max_body_bytes,
            1_048_576,
            1_024..=104_857_600,
        )?;
        let request_timeout = number(
            REQUEST_TIMEOUT,
            args.request_timeout_secs,
            file.request_timeout_secs,
            30,
            1..=3_600,
        )?;
        let shutdown_grace = number(
            SHUTDOWN_GRACE,
            args.shutdown_grace_secs,
            file.shutdown_grace_secs,
            10,
            0..=600,
        )?;

        let site_root = args
            .site_root
            .or(file.site_root)
            .unwrap_or_else(|| "target/site".to_owned());
        if site_root.trim().is_empty() {
            return Err(invalid(SITE_ROOT, "must name a directory"));
        }

        Ok(Self {
            bind,
            database_url,
            public_url,
            sandbox,
            admin_emails,
            webex_oauth,
            webex_org_ids,
            session_idle: Duration::from_secs(session_idle * 60),
            session_max_age: Duration::from_secs(session_max * 3600),
            log,
            log_format,
            max_body_bytes: usize::try_from(max_body_bytes).expect("bounded above by 100 MiB"),
            request_timeout: Duration::from_secs(request_timeout),
            shutdown_grace: Duration::from_secs(shutdown_grace),
            site_root,
        })
    }

    /// Whether people reach Steward over HTTPS, which makes cookies `Secure` and enables HSTS.
    pub fn served_over_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

fn parse_public_url(text: &str) -> Result<Url, ConfigError> {
    let url =
        Url::parse(text).map_err(|e| invalid(PUBLIC_URL, format!("`{text}` is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(
            PUBLIC_URL,
            format!("must start with http:// or https://, got `{text}`"),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            PUBLIC_URL,
            format!("must not have a query or fragment, got `{text}`"),
        ));
    }
    Ok(url)
}

fn parse_bool(setting: SettingName, text: &str) -> Result<bool, ConfigError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(invalid(
            setting,
            format!("expected true or false, got `{text}`"),
        )),
    }
}

fn number(
    setting: SettingName,
    arg: Option<String>,
    file: Option<u64>,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    let value = match (arg, file) {
        (Some(text), _) => text
            .trim()
            .parse()
            .map_err(|_| invalid(setting, format!("expected a whole number, got `{text}`")))?,
        (None, Some(value)) => value,
        (None, None) => default,
    };
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(invalid(
            setting,
            format!(
                "must be between {} and {}, got {value}",
                range.start(),
                range.end()
            ),
        ))
    }
}

#[cfg(test)]
mod tests;
