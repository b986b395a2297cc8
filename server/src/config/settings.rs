//! Every setting, declared once: its environment variable, flag and file key, its default, what
//! it means (shown by `steward --help`) and how its text is read and checked. Flags, environment
//! variables and the settings file all give text, read the same way.

use std::{net::SocketAddr, ops::RangeInclusive, time::Duration};

use domain::{Backend, audit::AuditKey, outbound::destinations::Net, users::EmailAddress};
use secrecy::SecretString;
use url::Url;

use super::{DatabaseUrl, LogFormat};

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

/// What is known of a setting whatever its type: for `--help` and the settings file.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// Its names.
    pub name: SettingName,
    /// What its value looks like in `--help`, e.g. `HOST:PORT`.
    pub value_name: &'static str,
    /// What it means.
    pub help: &'static str,
    /// Its value when none is given, as text.
    pub default: Option<&'static str>,
    /// Whether `--help` must not show its value from the environment.
    pub secret: bool,
}

/// One setting: its [`Spec`] and how its text becomes a `T` (or what is wrong with it).
#[derive(Clone, Copy, Debug)]
pub struct Setting<T> {
    /// Names, help and default.
    pub spec: Spec,
    /// Reads a value; an empty text stands for "not set" where the setting may be unset.
    pub parse: fn(&str) -> Result<T, String>,
}

/// Declares the settings: one `const` each, and [`ALL`] listing them in `--help` order.
macro_rules! settings {
    ($(
        $(#[doc = $doc:literal])+
        $id:ident: $ty:ty = (
            $env:literal, $flag:literal, $key:literal, $value_name:literal,
            default $default:expr, secret $secret:literal, $parse:expr $(,)?
        );
    )+) => {
        $(
            $(#[doc = $doc])+
            pub const $id: Setting<$ty> = Setting {
                spec: Spec {
                    name: SettingName { env: $env, flag: $flag, key: $key },
                    value_name: $value_name,
                    help: concat!($($doc),+),
                    default: $default,
                    secret: $secret,
                },
                parse: $parse,
            };
        )+

        /// Every setting, in `--help` order.
        pub const ALL: &[Spec] = &[$($id.spec),+];
    };
}

settings! {
    /// Address and port the HTTP server listens on
    BIND: SocketAddr = ("STEWARD_BIND", "bind", "bind", "HOST:PORT",
        default Some("127.0.0.1:3000"), secret false, |text| text.trim().parse().map_err(|_| {
            format!("expected HOST:PORT such as 127.0.0.1:3000, got `{text}`")
        }));
    /// Database: sqlite://PATH (created when missing) or postgres://USER@HOST/DATABASE
    DATABASE_URL: DatabaseUrl = ("DATABASE_URL", "database-url", "database_url", "URL",
        default Some("sqlite://data/steward.db"), secret true, |text| {
            Backend::from_url(text.trim()).map_err(|e| e.to_string())?;
            Ok(DatabaseUrl(SecretString::from(text.trim().to_owned())))
        });
    /// Address people and Webex use to reach Steward; an https:// address makes cookies Secure
    /// and turns on HSTS [default: http:// and the bind address]
    PUBLIC_URL: Option<Url> = ("STEWARD_PUBLIC_URL", "public-url", "public_url", "URL",
        default None, secret false, |text| optional(text, public_url));
    /// Talk to the built-in Webex sandbox instead of Webex: true or false
    SANDBOX: bool = ("STEWARD_SANDBOX", "sandbox", "sandbox", "BOOL",
        default Some("false"), secret false, boolean);
    /// Allow sandbox mode although Steward listens beyond loopback, has a non-loopback public
    /// URL or has real Webex credentials: anyone who reaches it can then sign in as any demo
    /// person, admins included
    SANDBOX_EXPOSE: bool = ("STEWARD_SANDBOX_EXPOSE", "sandbox-expose", "sandbox_expose", "BOOL",
        default Some("false"), secret false, boolean);
    /// Comma-separated e-mail addresses that are given the admin role at every start-up
    ADMIN_EMAILS: Vec<EmailAddress> = ("STEWARD_ADMIN_EMAILS", "admin-emails", "admin_emails",
        "EMAILS", default None, secret false, |text| {
            list(text)
                .map(|email| EmailAddress::parse(&email).map_err(|e| e.to_string()))
                .collect()
        });
    /// Client ID of the Webex integration people sign in with (from developer.webex.com)
    WEBEX_CLIENT_ID: Option<String> = ("STEWARD_WEBEX_CLIENT_ID", "webex-client-id",
        "webex_client_id", "ID", default None, secret false, |text| optional(text, |t| Ok(t.to_owned())));
    /// Client secret of that integration
    WEBEX_CLIENT_SECRET: Option<SecretString> = ("STEWARD_WEBEX_CLIENT_SECRET",
        "webex-client-secret", "webex_client_secret", "SECRET", default None, secret true, secret);
    /// Comma-separated Webex organization IDs whose people may sign in (required with Webex
    /// sign-in; in sandbox mode the demo organization)
    WEBEX_ORG_IDS: Vec<String> = ("STEWARD_WEBEX_ORG_IDS", "webex-org-ids", "webex_org_ids",
        "IDS", default None, secret false, |text| Ok(list(text).collect()));
    /// Minutes of inactivity after which a console session ends
    SESSION_IDLE: Duration = ("STEWARD_SESSION_IDLE_MINUTES", "session-idle-minutes",
        "session_idle_minutes", "MINUTES", default Some("60"), secret false,
        |text| whole(text, 1..=10_080).map(|minutes| Duration::from_secs(minutes * 60)));
    /// Hours after sign-in at which a console session ends, active or not
    SESSION_MAX: Duration = ("STEWARD_SESSION_MAX_HOURS", "session-max-hours",
        "session_max_hours", "HOURS", default Some("12"), secret false,
        |text| whole(text, 1..=720).map(|hours| Duration::from_secs(hours * 3600)));
    /// Log filter in tracing's EnvFilter syntax, e.g. `info,server=debug`
    LOG: String = ("STEWARD_LOG", "log", "log", "FILTER", default Some("info"), secret false,
        |text| {
            tracing_subscriber::EnvFilter::try_new(text)
                .map(|_| text.to_owned())
                .map_err(|e| format!("`{text}` is not a valid filter: {e}"))
        });
    /// Log format: text or json
    LOG_FORMAT: LogFormat = ("STEWARD_LOG_FORMAT", "log-format", "log_format", "FORMAT",
        default Some("text"), secret false, |text| match text.trim() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!("expected text or json, got `{other}`")),
        });
    /// Largest request body accepted, in bytes; larger requests get 413
    MAX_BODY_BYTES: usize = ("STEWARD_MAX_BODY_BYTES", "max-body-bytes", "max_body_bytes",
        "BYTES", default Some("1048576"), secret false,
        |text| whole(text, 1_024..=104_857_600).map(|n| usize::try_from(n).unwrap_or(usize::MAX)));
    /// Seconds a request may run before it is answered with 408
    REQUEST_TIMEOUT: Duration = ("STEWARD_REQUEST_TIMEOUT_SECS", "request-timeout-secs",
        "request_timeout_secs", "SECS", default Some("30"), secret false,
        |text| whole(text, 1..=3_600).map(Duration::from_secs));
    /// Seconds in-flight requests get to finish after SIGTERM or SIGINT
    SHUTDOWN_GRACE: Duration = ("STEWARD_SHUTDOWN_GRACE_SECS", "shutdown-grace-secs",
        "shutdown_grace_secs", "SECS", default Some("10"), secret false,
        |text| whole(text, 0..=600).map(Duration::from_secs));
    /// Directory holding the built console (wasm, JavaScript, CSS)
    SITE_ROOT: String = ("LEPTOS_SITE_ROOT", "site-root", "site_root", "DIR",
        default Some("target/site"), secret false, |text| {
            if text.trim().is_empty() {
                Err("must name a directory".to_owned())
            } else {
                Ok(text.to_owned())
            }
        });
    /// The Webex API the bot talks to
    WEBEX_API_URL: Url = ("STEWARD_WEBEX_API_URL", "webex-api-url", "webex_api_url", "URL",
        default Some(domain::webex::client::WEBEX_API), secret false, |text| {
            Url::parse(text.trim())
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| {
                    format!("expected an http(s) URL such as https://webexapis.com/v1, got `{text}`")
                })
        });
    /// Access token of the Webex bot Steward answers as (from developer.webex.com); without it,
    /// and outside sandbox mode, the bot runtime stays off
    WEBEX_BOT_TOKEN: Option<SecretString> = ("STEWARD_WEBEX_BOT_TOKEN", "webex-bot-token",
        "webex_bot_token", "TOKEN", default None, secret true, secret);
    /// Access token with which Steward reads the history of spaces, which Webex does not show a
    /// bot: a compliance officer's token with spark-compliance:messages_read (summaries need it
    /// in group spaces)
    WEBEX_READER_TOKEN: Option<SecretString> = ("STEWARD_WEBEX_READER_TOKEN",
        "webex-reader-token", "webex_reader_token", "TOKEN", default None, secret true, secret);
    /// Secret that seals every audit entry, so that nobody without it can rewrite the log
    /// unnoticed: at least 32 bytes (e.g. `openssl rand -hex 32`), kept out of the database and
    /// the same for every Steward process that shares it
    AUDIT_KEY: Option<AuditKey> = ("STEWARD_AUDIT_KEY", "audit-key", "audit_key", "SECRET",
        default None, secret true, |text| optional(text, |t| {
            AuditKey::new(t.as_bytes().to_vec()).map_err(|e| e.to_string())
        }));
    /// The first audit entry that must carry the key's seal: 1 when the key was there from the
    /// start; for a log that adopted a key later, the entry count `steward audit anchor` printed
    /// just before, plus one
    AUDIT_KEYED_FROM: i64 = ("STEWARD_AUDIT_KEYED_FROM", "audit-keyed-from", "audit_keyed_from",
        "SEQ", default Some("1"), secret false,
        |text| whole(text, 1..=i64::MAX as u64).map(|n| i64::try_from(n).unwrap_or(i64::MAX)));
    /// Where `steward audit anchor --post` sends the signed chain head as JSON (a log service,
    /// a ticket system, anything outside Steward's database and its administrators' reach)
    AUDIT_ANCHOR_URL: Option<Url> = ("STEWARD_AUDIT_ANCHOR_URL", "audit-anchor-url",
        "audit_anchor_url", "URL", default None, secret false, |text| optional(text, public_url));
    /// Key that seals stored secrets (integration credentials, the AI key, webhook secrets) so a
    /// database dump reveals none: at least 32 characters (e.g. `openssl rand -hex 32`), the same
    /// for every Steward process on one database
    SECRETS_KEY: Option<SecretString> = ("STEWARD_SECRETS_KEY", "secrets-key", "secrets_key",
        "SECRET", default None, secret true, |text| optional(text, |t| {
            domain::vault::Vault::new(t).map_err(|e| e.to_string())?;
            Ok(SecretString::from(t.to_owned()))
        }));
    /// The key secrets were sealed with before the current one, while `steward secrets rotate`
    /// re-seals them
    SECRETS_KEY_PREVIOUS: Option<SecretString> = ("STEWARD_SECRETS_KEY_PREVIOUS",
        "secrets-key-previous", "secrets_key_previous", "SECRET", default None, secret true,
        |text| optional(text, |t| {
            domain::vault::Vault::new(t).map_err(|e| e.to_string())?;
            Ok(SecretString::from(t.to_owned()))
        }));
    /// Comma-separated private addresses or ranges (e.g. 10.20.0.0/16) that integrations and the
    /// AI provider may be called at; loopback, private, link-local and metadata addresses are
    /// refused otherwise (sandbox mode adds loopback for its stand-ins)
    OUTBOUND_ALLOW: Vec<Net> = ("STEWARD_OUTBOUND_ALLOW", "outbound-allow", "outbound_allow",
        "RANGES", default None, secret false, |text| list(text).map(|n| n.parse()).collect());
    /// Jobs worked on at once by this process; 0 runs no workers
    WORKERS: usize = ("STEWARD_WORKERS", "workers", "workers", "N", default Some("4"),
        secret false, |text| whole(text, 0..=64).map(|n| usize::try_from(n).unwrap_or(64)));
    /// Seconds a job stays leased to a worker that stops renewing it (a crashed process) before
    /// another worker takes it over
    JOB_LEASE: Duration = ("STEWARD_JOB_LEASE_SECS", "job-lease-secs", "job_lease_secs",
        "SECS", default Some("30"), secret false,
        |text| whole(text, 3..=3_600).map(Duration::from_secs));
}

/// `None` for an empty text; otherwise what `parse` makes of it.
fn optional<T>(text: &str, parse: fn(&str) -> Result<T, String>) -> Result<Option<T>, String> {
    let text = text.trim();
    if text.is_empty() {
        Ok(None)
    } else {
        parse(text).map(Some)
    }
}

/// A secret, unless the text is empty.
fn secret(text: &str) -> Result<Option<SecretString>, String> {
    optional(text, |t| Ok(SecretString::from(t.to_owned())))
}

/// The non-empty, trimmed items of a comma-separated list.
fn list(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
}

fn boolean(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("expected true or false, got `{text}`")),
    }
}

fn whole(text: &str, range: RangeInclusive<u64>) -> Result<u64, String> {
    let value: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("expected a whole number, got `{text}`"))?;
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "must be between {} and {}, got {value}",
            range.start(),
            range.end()
        ))
    }
}

fn public_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("`{text}` is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("must start with http:// or https://, got `{text}`"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("must not have a query or fragment, got `{text}`"));
    }
    Ok(url)
}
