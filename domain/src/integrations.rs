//! Integrations: the external systems agents' actions reach. Each is configured in Settings with
//! a base URL, a few non-secret fields and one credential, and spoken to the way its API is
//! documented:
//!
//! - ServiceNow: `POST /api/now/table/incident` (Table API, basic auth);
//! - PagerDuty: `POST /v2/enqueue` (Events API v2, routing key in the body);
//! - Jira: `POST /rest/api/3/issue` (REST v3, basic auth with an e-mail and API token);
//! - a generic webhook: a JSON `POST` signed with HMAC-SHA256 (see [`webhook`]).
//!
//! An action's body is built when it is proposed ([`payload`]) and stored without credentials,
//! so the person approving it sees exactly what will be sent. Sending is safe to repeat: a retry
//! after an unknown outcome first looks for the record the earlier attempt may have made
//! (ServiceNow by `correlation_id`, Jira by label), PagerDuty de-duplicates on `dedup_key`, and
//! webhook receivers get a stable `X-Steward-Delivery` id.

pub mod jira;
pub mod pagerduty;
pub mod servicenow;
pub mod webhook;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::{
    Db,
    ai::Severity,
    audit::Actor,
    credentials::{self, CredentialError, Secret},
    outbound::Destinations,
    settings::{self, SettingKey, SettingsError},
};

/// How long one call to an external system may take.
const TIMEOUT: Duration = Duration::from_secs(15);
/// How long to wait after a 429 that does not say.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);

pub use vocab::IntegrationKind;

/// The name of `kind`'s credential in [`credentials`].
pub fn credential_name(kind: IntegrationKind) -> String {
    format!("integration.{kind}")
}

/// The setting that holds `kind`'s non-secret settings.
fn setting_key(kind: IntegrationKind) -> SettingKey {
    SettingKey::parse(&format!("integration.{kind}")).expect("integration setting keys are valid")
}

/// The non-secret settings of an integration, as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationSettings {
    /// Where its API is, e.g. `https://acme.service-now.com`; for the webhook, the URL itself.
    pub base_url: String,
    /// ServiceNow: the user; Jira: the account's e-mail address.
    #[serde(default)]
    pub username: String,
    /// Jira: the project key, e.g. `OPS`.
    #[serde(default)]
    pub project: String,
    /// Jira: the issue type, e.g. `Task`.
    #[serde(default)]
    pub issue_type: String,
}

impl IntegrationSettings {
    /// Checks the fields `kind` needs; trims them and fills defaults.
    pub fn validated(mut self, kind: IntegrationKind) -> Result<Self, IntegrationError> {
        let invalid = |field: &'static str, message: &str| IntegrationError::Invalid {
            field,
            message: message.to_owned(),
        };
        self.base_url = self.base_url.trim().trim_end_matches('/').to_owned();
        self.username = self.username.trim().to_owned();
        self.project = self.project.trim().to_uppercase();
        self.issue_type = self.issue_type.trim().to_owned();
        match Url::parse(&self.base_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                if url.fragment().is_some() || url.username() != "" || url.password().is_some() {
                    return Err(invalid(
                        "base_url",
                        "Leave credentials and #fragments out of the URL.",
                    ));
                }
                if kind != IntegrationKind::Webhook && url.query().is_some() {
                    return Err(invalid("base_url", "The base URL takes no query."));
                }
            }
            _ => {
                return Err(invalid(
                    "base_url",
                    "Enter an absolute http:// or https:// URL.",
                ));
            }
        }
        match kind {
            IntegrationKind::ServiceNow if self.username.is_empty() => {
                return Err(invalid("username", "Enter the ServiceNow user."));
            }
            IntegrationKind::Jira => {
                if !self.username.contains('@') {
                    return Err(invalid(
                        "username",
                        "Enter the e-mail address of the Jira account.",
                    ));
                }
                let key_ok = self.project.len() <= 32
                    && self.project.starts_with(|c: char| c.is_ascii_uppercase())
                    && self
                        .project
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                if !key_ok {
                    return Err(invalid(
                        "project",
                        "Enter a project key: capital letters and digits, e.g. OPS.",
                    ));
                }
                if self.issue_type.is_empty() {
                    self.issue_type = "Task".to_owned();
                }
            }
            _ => {}
        }
        Ok(self)
    }
}

/// A configured integration: its settings and credential.
#[derive(Clone, Debug)]
pub struct Integration {
    /// Which system.
    pub kind: IntegrationKind,
    /// Where and as whom.
    pub settings: IntegrationSettings,
    /// Its password, routing key, API token or signing secret.
    pub secret: Secret,
}

/// What Settings shows of an integration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntegrationStatus {
    /// Which system.
    pub kind: IntegrationKind,
    /// Its settings, if they were ever saved.
    pub settings: Option<IntegrationSettings>,
    /// Whether its credential is set.
    pub secret_set: bool,
}

impl IntegrationStatus {
    /// Whether actions can use it.
    pub fn ready(&self) -> bool {
        self.settings.is_some() && self.secret_set
    }
}

/// Why an integration could not be configured or called.
#[derive(Debug, thiserror::Error)]
pub enum IntegrationError {
    /// No such integration.
    #[error("`{0}` is not an integration; use servicenow, pagerduty, jira or webhook")]
    UnknownKind(String),
    /// A setting is wrong.
    #[error("{message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong, for people.
        message: String,
    },
    /// Its settings or its credential are missing.
    #[error("{} is not configured; an admin sets it up in Settings", .0.label())]
    NotConfigured(IntegrationKind),
    /// The system refused the request (a 4xx other than 429); trying again will not help.
    #[error("{system} answered {status}: {message}")]
    Refused {
        /// Which system.
        system: &'static str,
        /// The HTTP status.
        status: u16,
        /// What it said.
        message: String,
    },
    /// The system asked to slow down.
    #[error("{system} is rate-limiting requests; trying again in {retry_after:?}")]
    RateLimited {
        /// Which system.
        system: &'static str,
        /// How long to wait.
        retry_after: Duration,
    },
    /// A 5xx, a time-out or no connection; worth retrying.
    #[error("{system} is unavailable: {reason}")]
    Unavailable {
        /// Which system.
        system: &'static str,
        /// What happened.
        reason: String,
    },
    /// The answer was not what the API documents.
    #[error("unexpected answer from {system}: {reason}")]
    Decode {
        /// Which system.
        system: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// The base URL leads to an address Steward does not call (loopback, private, metadata).
    #[error("{system} is not called: {reason}")]
    Forbidden {
        /// Which system.
        system: &'static str,
        /// Why.
        reason: crate::outbound::ForbiddenDestination,
    },
    /// Settings could not be read or written.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The credential could not be read or written.
    #[error(transparent)]
    Credentials(#[from] CredentialError),
}

/// Every integration and how far it is configured.
pub async fn statuses(db: &Db) -> Result<Vec<IntegrationStatus>, IntegrationError> {
    let set = credentials::set_names(db).await?;
    let mut statuses = Vec::new();
    for kind in IntegrationKind::ALL {
        statuses.push(IntegrationStatus {
            kind,
            settings: stored_settings(db, kind).await?,
            secret_set: set.contains(&credential_name(kind)),
        });
    }
    Ok(statuses)
}

async fn stored_settings(
    db: &Db,
    kind: IntegrationKind,
) -> Result<Option<IntegrationSettings>, IntegrationError> {
    Ok(settings::get(db, &setting_key(kind))
        .await?
        .and_then(|value| serde_json::from_value(value).ok()))
}

/// The integration, if its settings and credential are both set.
pub async fn load(db: &Db, kind: IntegrationKind) -> Result<Option<Integration>, IntegrationError> {
    let mut conn = db.reader().acquire().await.map_err(CredentialError::from)?;
    load_in(&mut conn, kind).await
}

/// [`load`], inside the caller's transaction.
pub(crate) async fn load_in(
    conn: &mut sqlx::AnyConnection,
    kind: IntegrationKind,
) -> Result<Option<Integration>, IntegrationError> {
    let Some(settings) = settings::get_in(&mut *conn, &setting_key(kind))
        .await?
        .and_then(|value| serde_json::from_value(value).ok())
    else {
        return Ok(None);
    };
    let Some(secret) = crate::db::credentials::get(&mut *conn, &credential_name(kind))
        .await
        .map_err(CredentialError::from)?
    else {
        return Ok(None);
    };
    Ok(Some(Integration {
        kind,
        settings,
        secret: Secret::new(secret),
    }))
}

/// Saves an integration's settings and, when `secret` is given, its credential; both audited, in
/// one transaction. Nothing is stored unless everything is valid, and an integration without a
/// stored credential needs one.
pub async fn configure(
    db: &Db,
    kind: IntegrationKind,
    settings: IntegrationSettings,
    secret: Option<&str>,
    actor: &Actor,
) -> Result<(), IntegrationError> {
    let settings = settings.validated(kind)?;
    let secret = secret.map(str::trim).filter(|s| !s.is_empty());
    if let Some(Err(CredentialError::Invalid(message))) = secret.map(|s| check_secret(kind, s)) {
        return Err(IntegrationError::Invalid {
            field: "secret",
            message: message.to_owned(),
        });
    }
    let mut tx = db.begin().await.map_err(CredentialError::from)?;
    let stored = crate::db::credentials::get(&mut *tx, &credential_name(kind))
        .await
        .map_err(CredentialError::from)?
        .is_some();
    if secret.is_none() && !stored {
        return Err(IntegrationError::Invalid {
            field: "secret",
            message: format!("Enter the {}.", lower_first_word(kind.credential_label())),
        });
    }
    // A credential was entered for one site; it never follows the address to another unless
    // someone enters it again.
    let before: Option<IntegrationSettings> = settings::get_in(&mut tx, &setting_key(kind))
        .await?
        .and_then(|value| serde_json::from_value(value).ok());
    if let Some(before) = before
        && secret.is_none()
        && origin(&before.base_url) != origin(&settings.base_url)
    {
        return Err(IntegrationError::Invalid {
            field: "secret",
            message: format!(
                "The address now leads to {} instead of {}: enter the {} again to send it there.",
                origin(&settings.base_url),
                origin(&before.base_url),
                lower_first_word(kind.credential_label())
            ),
        });
    }
    let value = serde_json::to_value(&settings).expect("integration settings serialise");
    settings::set_in(&mut tx, db, &setting_key(kind), value, actor).await?;
    if let Some(secret) = secret {
        credentials::set_in(&mut tx, db, &credential_name(kind), secret, actor).await?;
    }
    tx.commit().await.map_err(CredentialError::from)?;
    Ok(())
}

/// The origin (scheme, host and port) of `url`, which a credential and an approved action are
/// bound to; the URL itself when it does not read as one.
pub fn origin(url: &str) -> String {
    Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| url.to_owned())
}

/// `Routing key` → `routing key`, but `API token` stays.
fn lower_first_word(label: &str) -> String {
    let acronym = label.chars().nth(1).is_some_and(|c| c.is_ascii_uppercase());
    let mut chars = label.chars();
    match chars.next() {
        Some(first) if !acronym => first.to_lowercase().chain(chars).collect(),
        _ => label.to_owned(),
    }
}

fn check_secret(kind: IntegrationKind, secret: &str) -> Result<(), CredentialError> {
    if secret.len() > credentials::MAX_BYTES || secret.contains(['\r', '\n']) {
        return Err(CredentialError::Invalid(
            "a credential is one line of up to 4096 bytes",
        ));
    }
    if kind == IntegrationKind::PagerDuty && secret.len() != 32 {
        return Err(CredentialError::Invalid(
            "a PagerDuty integration key is 32 characters",
        ));
    }
    Ok(())
}

/// What an agent asks an external system to take on: an alert to escalate, for now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escalation {
    /// One line, e.g. `Disk full on web-01`.
    pub title: String,
    /// How urgent.
    pub severity: Severity,
    /// What people there need to know, several lines.
    pub description: String,
    /// The host or service it concerns, if known.
    pub source: Option<String>,
    /// A stable id for this escalation, e.g. `steward-alert-12`: the correlation id,
    /// de-duplication key or label that makes a repeated call find the first one.
    pub correlation: String,
    /// Structured details (entities, the space, who asked).
    pub details: serde_json::Value,
}

/// The request body an action of `kind` sends for `escalation`, without credentials.
pub fn payload(
    kind: IntegrationKind,
    settings: &IntegrationSettings,
    escalation: &Escalation,
) -> serde_json::Value {
    match kind {
        IntegrationKind::ServiceNow => servicenow::payload(escalation),
        IntegrationKind::PagerDuty => pagerduty::payload(escalation),
        IntegrationKind::Jira => jira::payload(settings, escalation),
        IntegrationKind::Webhook => webhook::payload(escalation),
    }
}

/// What a call that went through produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The record's id at the other end: `INC0010001`, `OPS-12`, a dedup key, `HTTP 200`.
    pub reference: String,
    /// Where people can open it, if it has a page.
    pub link: Option<String>,
}

/// Sends actions' requests. Cheap to clone.
#[derive(Clone, Debug)]
pub struct IntegrationClient {
    http: reqwest::Client,
    destinations: Destinations,
}

impl IntegrationClient {
    /// A client with Steward's time-out and user agent, following no redirects, calling only
    /// `destinations`.
    pub fn new(destinations: Destinations) -> Self {
        let http = crate::outbound::client()
            .timeout(TIMEOUT)
            .only_to(&destinations)
            .build()
            .expect("the HTTP client builds");
        Self { http, destinations }
    }

    /// Sends `payload` (from [`payload`]) through `integration`. `retrying`: an earlier attempt
    /// may have gone through, so look for its record first.
    pub async fn send(
        &self,
        integration: &Integration,
        payload: &serde_json::Value,
        correlation: &str,
        retrying: bool,
    ) -> Result<Outcome, IntegrationError> {
        let system = integration.kind.label();
        let url =
            Url::parse(&integration.settings.base_url).map_err(|e| IntegrationError::Invalid {
                field: "base_url",
                message: format!("the base URL does not read: {e}"),
            })?;
        self.destinations
            .check(&url)
            .map_err(|reason| IntegrationError::Forbidden { system, reason })?;
        match integration.kind {
            IntegrationKind::ServiceNow => {
                servicenow::send(&self.http, integration, payload, correlation, retrying).await
            }
            IntegrationKind::PagerDuty => pagerduty::send(&self.http, integration, payload).await,
            IntegrationKind::Jira => {
                jira::send(&self.http, integration, payload, correlation, retrying).await
            }
            IntegrationKind::Webhook => {
                webhook::send(&self.http, integration, payload, correlation).await
            }
        }
    }
}

/// A response read in full, or the error its status means.
struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Answer {
    fn json<T: serde::de::DeserializeOwned>(
        &self,
        system: &'static str,
    ) -> Result<T, IntegrationError> {
        serde_json::from_slice(&self.body).map_err(|e| IntegrationError::Decode {
            system,
            reason: e.to_string(),
        })
    }
}

/// Sends `request` and sorts the answer: 2xx is returned, 429 and 5xx and network failures are
/// worth retrying, other 4xx are refusals with the message `explain` finds in the body.
async fn exchange(
    system: &'static str,
    request: reqwest::RequestBuilder,
    explain: fn(&[u8]) -> Option<String>,
) -> Result<Answer, IntegrationError> {
    let response = request
        .send()
        .await
        .map_err(|e| match crate::outbound::forbidden_in(&e) {
            Some(reason) => IntegrationError::Forbidden { system, reason },
            None => IntegrationError::Unavailable {
                system,
                reason: crate::outbound::describe(e),
            },
        })?;
    let status = response.status().as_u16();
    let retry_after = crate::outbound::retry_after(response.headers());
    let body =
        crate::outbound::read_body(response)
            .await
            .map_err(|e| IntegrationError::Unavailable {
                system,
                reason: crate::error_chain(&e),
            })?;
    match status {
        200..=299 => Ok(Answer { status, body }),
        429 => Err(IntegrationError::RateLimited {
            system,
            retry_after: retry_after.unwrap_or(DEFAULT_RETRY_AFTER),
        }),
        500..=599 => Err(IntegrationError::Unavailable {
            system,
            reason: format!("HTTP {status}"),
        }),
        _ => Err(IntegrationError::Refused {
            system,
            status,
            message: explain(&body)
                .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(300).collect()),
        }),
    }
}

/// `base` joined with `path` (which starts with `/`).
fn endpoint(settings: &IntegrationSettings, path: &str) -> String {
    format!("{}{path}", settings.base_url.trim_end_matches('/'))
}

impl crate::Classify for IntegrationError {
    fn is_transient(&self) -> bool {
        match self {
            Self::RateLimited { .. } | Self::Unavailable { .. } | Self::Decode { .. } => true,
            Self::Settings(e) => e.is_transient(),
            Self::Credentials(e) => e.is_transient(),
            Self::UnknownKind(_)
            | Self::Invalid { .. }
            | Self::NotConfigured(_)
            | Self::Forbidden { .. }
            | Self::Refused { .. } => false,
        }
    }

    fn refusal(&self) -> Option<String> {
        match self {
            Self::UnknownKind(_)
            | Self::Invalid { .. }
            | Self::NotConfigured(_)
            | Self::Forbidden { .. } => Some(self.to_string()),
            Self::Refused { .. }
            | Self::RateLimited { .. }
            | Self::Unavailable { .. }
            | Self::Decode { .. }
            | Self::Settings(_)
            | Self::Credentials(_) => None,
        }
    }
}
