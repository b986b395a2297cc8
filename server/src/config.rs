//! Configuration: one typed [`Config`], read once at start-up from flags, `STEWARD_*` environment
//! variables and `DATABASE_URL`, and optionally a `steward.toml` file. Flags and environment
//! variables win over the file; the file wins over the defaults.
//!
//! Every value is validated before Steward opens a socket or a database, and a bad one is
//! reported with the names it goes by in all three sources and what is wrong with it.

use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

use domain::{Backend, users::EmailAddress};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

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
const WEBEX_API_URL: SettingName = name("STEWARD_WEBEX_API_URL", "webex-api-url", "webex_api_url");
const WORKERS: SettingName = name("STEWARD_WORKERS", "workers", "workers");
const JOB_LEASE: SettingName = name("STEWARD_JOB_LEASE_SECS", "job-lease-secs", "job_lease_secs");

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
    /// Whether the public URL was configured (rather than derived from the bind address); only
    /// then does Steward register its webhooks at Webex, which must be able to reach it.
    pub public_url_configured: bool,
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
    /// The Webex API base URL.
    pub webex_api_url: Url,
    /// The bot's token.
    pub webex_bot_token: Option<SecretString>,
    /// The history reader's token.
    pub webex_reader_token: Option<SecretString>,
    /// Workers in this process.
    pub workers: usize,
    /// Lease of a claimed job.
    pub job_lease: Duration,
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

        let public_url_text = args.public_url.or(file.public_url);
        let public_url_configured = public_url_text.is_some();
        let public_url = match public_url_text {
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

        let webex_api_url = args
            .webex_api_url
            .or(file.webex_api_url)
            .unwrap_or_else(|| domain::webex::client::WEBEX_API.to_owned());
        let webex_api_url = Url::parse(&webex_api_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| {
                invalid(
                    WEBEX_API_URL,
                    format!("expected an http(s) URL such as https://webexapis.com/v1, got `{webex_api_url}`"),
                )
            })?;
        let secret = |arg: Option<String>, file: Option<String>| {
            arg.or(file)
                .filter(|v| !v.trim().is_empty())
                .map(SecretString::from)
        };
        let webex_bot_token = secret(args.webex_bot_token, file.webex_bot_token);
        let webex_reader_token = secret(args.webex_reader_token, file.webex_reader_token);
        let workers = number(WORKERS, args.workers, file.workers, 4, 0..=64)?;
        let job_lease = number(
            JOB_LEASE,
            args.job_lease_secs,
            file.job_lease_secs,
            30,
            3..=3_600,
        )?;

        Ok(Self {
            bind,
            database_url,
            public_url,
            public_url_configured,
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
            webex_api_url,
            webex_bot_token,
            webex_reader_token,
            workers: usize::try_from(workers).expect("bounded above by 64"),
            job_lease: Duration::from_secs(job_lease),
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

mod sources;
#[cfg(test)]
mod tests;

pub use self::sources::{FileSettings, SettingArgs};
