//! Configuration: one typed [`Config`], read once at start-up from flags, `STEWARD_*` environment
//! variables and `DATABASE_URL`, and optionally a `steward.toml` file. Flags and environment
//! variables win over the file; the file wins over the defaults.
//!
//! Every value is validated before Steward opens a socket or a database, and a bad one is
//! reported with the names it goes by in all three sources and what is wrong with it.

use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

use domain::{
    Backend, audit::AuditKey, installation::InstallationKind, outbound::destinations::Net,
    users::EmailAddress,
};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

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
pub struct DatabaseUrl(pub(super) SecretString);

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
    /// The key that seals audit entries, with the first entry it must have sealed.
    pub audit_key: Option<AuditKey>,
    /// Where `steward audit anchor --post` sends anchors.
    pub audit_anchor_url: Option<Url>,
    /// Private ranges integrations and the AI provider may be called at.
    pub outbound_allow: Vec<Net>,
    /// The key stored secrets are sealed with.
    pub secrets_key: Option<SecretString>,
    /// The key they were sealed with before, during a rotation.
    pub secrets_key_previous: Option<SecretString>,
}

impl Config {
    /// Validates settings from the command line and environment (`args`), falling back to the
    /// settings file (`file`) and then to each setting's default.
    pub fn resolve(args: SettingArgs, file: FileSettings) -> Result<Self, ConfigError> {
        let read = Read { args, file };
        let bind = read.value(&BIND)?;
        let public_url = read.value(&PUBLIC_URL)?;
        let sandbox = read.value(&SANDBOX)?;
        let webex_oauth = match (
            read.value(&WEBEX_CLIENT_ID)?,
            read.value(&WEBEX_CLIENT_SECRET)?,
        ) {
            (Some(client_id), Some(client_secret)) => Some(WebexOAuth {
                client_id,
                client_secret,
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(invalid(
                    WEBEX_CLIENT_SECRET.spec.name,
                    "is required with STEWARD_WEBEX_CLIENT_ID",
                ));
            }
            (None, Some(_)) => {
                return Err(invalid(
                    WEBEX_CLIENT_ID.spec.name,
                    "is required with STEWARD_WEBEX_CLIENT_SECRET",
                ));
            }
        };
        let webex_org_ids = read.value(&WEBEX_ORG_IDS)?;
        let webex_bot_token = read.value(&WEBEX_BOT_TOKEN)?;
        let webex_reader_token = read.value(&WEBEX_READER_TOKEN)?;
        let public_url_or_bind = public_url.clone().unwrap_or_else(|| {
            Url::parse(&format!("http://{bind}/")).expect("a socket address makes a valid URL")
        });
        if sandbox && !read.value(&SANDBOX_EXPOSE)? {
            let exposure = sandbox_exposure(
                bind,
                &public_url_or_bind,
                [
                    (webex_oauth.is_some(), WEBEX_CLIENT_ID.spec.name),
                    (webex_bot_token.is_some(), WEBEX_BOT_TOKEN.spec.name),
                    (webex_reader_token.is_some(), WEBEX_READER_TOKEN.spec.name),
                ],
            );
            if let Some(problem) = exposure {
                return Err(invalid(
                    SANDBOX.spec.name,
                    format!(
                        "sandbox mode lets anyone who reaches Steward sign in as any demo person, \
                         admins included, so it runs only on loopback and without real Webex \
                         credentials, but {problem}; give --sandbox-expose (STEWARD_SANDBOX_EXPOSE) \
                         if that is really meant"
                    ),
                ));
            }
        }
        if webex_oauth.is_some() && !sandbox && webex_org_ids.is_empty() {
            return Err(invalid(
                WEBEX_ORG_IDS.spec.name,
                "must name at least one organization whose people may sign in with Webex",
            ));
        }
        Ok(Self {
            bind,
            database_url: read.value(&DATABASE_URL)?,
            public_url_configured: public_url.is_some(),
            public_url: public_url_or_bind,
            sandbox,
            admin_emails: read.value(&ADMIN_EMAILS)?,
            webex_oauth,
            webex_org_ids,
            session_idle: read.value(&SESSION_IDLE)?,
            session_max_age: read.value(&SESSION_MAX)?,
            log: read.value(&LOG)?,
            log_format: read.value(&LOG_FORMAT)?,
            max_body_bytes: read.value(&MAX_BODY_BYTES)?,
            request_timeout: read.value(&REQUEST_TIMEOUT)?,
            shutdown_grace: read.value(&SHUTDOWN_GRACE)?,
            site_root: read.value(&SITE_ROOT)?,
            webex_api_url: read.value(&WEBEX_API_URL)?,
            webex_bot_token,
            webex_reader_token,
            workers: read.value(&WORKERS)?,
            job_lease: read.value(&JOB_LEASE)?,
            audit_key: read
                .value(&AUDIT_KEY)?
                .map(|key| Ok::<_, ConfigError>(key.keyed_from(read.value(&AUDIT_KEYED_FROM)?)))
                .transpose()?,
            audit_anchor_url: read.value(&AUDIT_ANCHOR_URL)?,
            outbound_allow: read.value(&OUTBOUND_ALLOW)?,
            secrets_key: read.value(&SECRETS_KEY)?,
            secrets_key_previous: read.value(&SECRETS_KEY_PREVIOUS)?,
        })
    }

    /// What the database must have been set up for: the sandbox's demo organization in sandbox
    /// mode, a real one otherwise.
    pub fn installation(&self) -> InstallationKind {
        if self.sandbox {
            InstallationKind::Sandbox
        } else {
            InstallationKind::Production
        }
    }

    /// The vault sealing stored secrets, when a secrets key is configured.
    pub fn vault(&self) -> Option<domain::vault::Vault> {
        let key = self.secrets_key.as_ref()?;
        let vault = domain::vault::Vault::new(key.expose_secret())
            .expect("validated when the configuration was built");
        Some(match &self.secrets_key_previous {
            Some(previous) => vault
                .with_previous(previous.expose_secret())
                .expect("validated when the configuration was built"),
            None => vault,
        })
    }

    /// Whether people reach Steward over HTTPS, which makes cookies `Secure` and enables HSTS.
    pub fn served_over_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

/// Why sandbox mode would be reachable by, or mixed with, the real world: a listening address
/// or public URL beyond loopback, or real Webex credentials (given with their setting's name).
fn sandbox_exposure(
    bind: SocketAddr,
    public_url: &Url,
    credentials: [(bool, SettingName); 3],
) -> Option<String> {
    if !bind.ip().is_loopback() {
        return Some(format!("it would listen on {bind}, beyond this machine"));
    }
    let loopback_host = match public_url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if !loopback_host {
        return Some(format!(
            "its public URL {public_url} is not a loopback address"
        ));
    }
    credentials
        .into_iter()
        .find(|(set, _)| *set)
        .map(|(_, name)| format!("{} is set", name.env))
}

/// The two sources, in the order they win.
struct Read {
    args: SettingArgs,
    file: FileSettings,
}

impl Read {
    /// A setting's value: from the command line or environment, else the file, else its
    /// default; refused with every name of the setting when its text does not read.
    ///
    /// A secret setting may instead name a file that holds it (`*_FILE`, the convention of
    /// container secrets and vault agents); its contents, without the final line break, are
    /// the value.
    fn value<T>(&self, setting: &Setting<T>) -> Result<T, ConfigError> {
        let spec = &setting.spec;
        let given = self.args.get(spec).or_else(|| self.file.get(spec));
        let secret_file = self
            .args
            .get_file(spec)
            .or_else(|| self.file.get_file(spec));
        let from_file;
        let text = match (given, secret_file) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    spec.name,
                    format!(
                        "give either {} or {}_FILE, not both",
                        spec.name.env, spec.name.env
                    ),
                ));
            }
            (None, Some(path)) => {
                from_file = std::fs::read_to_string(path).map_err(|e| {
                    invalid(
                        spec.name,
                        format!("cannot read the file `{path}` that holds it: {e}"),
                    )
                })?;
                from_file.trim_end_matches(['\n', '\r'])
            }
            (given, None) => given.or(spec.default).unwrap_or_default(),
        };
        (setting.parse)(text).map_err(|problem| invalid(spec.name, problem))
    }
}

pub(crate) mod settings;
mod sources;
#[cfg(test)]
mod tests;

use self::settings::*;
pub use self::{
    settings::SettingName,
    sources::{FileSettings, SettingArgs},
};
