//! Server functions of the Settings page: the AI provider, integrations and where escalations
//! go, PII redaction rules with a preview, retention, the AI disclosure and the reviewer space.
//! Admins only.
//! Secrets are write-only: the page learns whether one is set, never its value.

use std::collections::HashMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use vocab::IntegrationKind;

use crate::error::ConsoleError;

/// Everything the page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsView {
    /// `local` or `openai`.
    pub provider: String,
    /// The OpenAI-compatible API root, when chosen (or as last entered).
    pub ai_base_url: String,
    /// Its model.
    pub ai_model: String,
    /// Whether an API key is stored.
    pub ai_key_set: bool,
    /// Each integration.
    pub integrations: Vec<IntegrationView>,
    /// The integration Escalate proposes to use, if any.
    pub escalation_target: Option<IntegrationKind>,
    /// Built-in redaction kinds: stored name, label, whether on.
    pub redaction_kinds: Vec<(String, String, bool)>,
    /// Custom rules, one per line.
    pub redaction_custom: String,
    /// Days message text is kept; `None`: for ever.
    pub retention_days: Option<u32>,
    /// The disclosure under an answer no person checked.
    pub disclosure_generated: String,
    /// The disclosure under an approved answer, with `{reviewer}`.
    pub disclosure_reviewed: String,
    /// The reviewer space's room id, if set.
    pub review_space: Option<String>,
    /// Group spaces the bot is in: room id and title.
    pub spaces: Vec<(String, String)>,
}

/// An integration as Settings shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationView {
    /// Which system.
    pub kind: IntegrationKind,
    /// Whether the credential is set.
    pub secret_set: bool,
    /// Base URL (the URL itself for the webhook).
    pub base_url: String,
    /// ServiceNow user or Jira e-mail.
    pub username: String,
    /// Jira project key.
    pub project: String,
    /// Jira issue type.
    pub issue_type: String,
    /// Whether actions can use it.
    pub ready: bool,
}

/// Confirms a save to the person who made it; passes its result on.
#[cfg(feature = "ssr")]
fn saved<T>(result: T) -> T {
    crate::state::confirm("Saved.");
    result
}

#[cfg(feature = "ssr")]
mod ssr {
    use std::collections::HashMap;

    use domain::{
        redact::{PiiKind, RedactionError, RedactionRules, rules},
        users::Role,
    };

    use crate::{error::ConsoleError, state::CurrentUser};

    pub fn admin() -> Result<CurrentUser, ConsoleError> {
        crate::state::require_role(&[Role::Admin])
    }

    /// Rules from the form: checked kinds are on; custom rules one per line.
    pub fn rules_from(
        kinds: &Option<HashMap<String, String>>,
        custom: &str,
    ) -> Result<RedactionRules, ConsoleError> {
        let on = kinds.clone().unwrap_or_default();
        let off = PiiKind::OPTIONAL
            .into_iter()
            .filter(|k| !on.contains_key(k.as_str()))
            .collect();
        let custom = rules::parse_custom(&custom.replace("\r\n", "\n")).map_err(|e| match e {
            RedactionError::Invalid { .. } | RedactionError::TooMany => {
                ConsoleError::field("custom", e.to_string())
            }
            other => other.into(),
        })?;
        Ok(RedactionRules { off, custom })
    }
}

/// Reads every setting.
#[server(prefix = "/api", endpoint = "load_settings")]
pub async fn load_settings() -> Result<SettingsView, ConsoleError> {
    ssr::admin()?;
    let db = crate::state::app_state()?.db;
    Ok(SettingsView::new(
        domain::console::settings::page(&db).await?,
    ))
}

#[cfg(feature = "ssr")]
impl SettingsView {
    fn new(page: domain::console::settings::SettingsPage) -> Self {
        use domain::{
            ai::openai::AiProvider,
            redact::{PiiKind, rules},
        };
        let (provider, ai_base_url, ai_model) = match page.provider {
            AiProvider::Local => ("local", String::new(), String::new()),
            AiProvider::OpenAi { base_url, model } => ("openai", base_url, model),
        };
        Self {
            provider: provider.to_owned(),
            ai_base_url,
            ai_model,
            ai_key_set: page.ai_key_set,
            integrations: page
                .integrations
                .into_iter()
                .map(|status| {
                    let ready = status.ready();
                    let settings = status.settings.unwrap_or_default();
                    IntegrationView {
                        kind: status.kind,
                        secret_set: status.secret_set,
                        base_url: settings.base_url,
                        username: settings.username,
                        project: settings.project,
                        issue_type: settings.issue_type,
                        ready,
                    }
                })
                .collect(),
            escalation_target: page.escalation_target,
            redaction_kinds: PiiKind::OPTIONAL
                .into_iter()
                .map(|k| {
                    let on = !page.redaction.off.contains(&k);
                    (k.as_str().to_owned(), k.label().to_owned(), on)
                })
                .collect(),
            redaction_custom: rules::format_custom(&page.redaction.custom),
            retention_days: page.retention_days,
            disclosure_generated: page.disclosure.generated,
            disclosure_reviewed: page.disclosure.reviewed,
            review_space: page.review_space,
            spaces: page
                .group_spaces
                .into_iter()
                .map(|s| (s.room_id, s.title))
                .collect(),
        }
    }
}

/// Chooses the AI provider; `api_key` empty keeps the stored key.
#[server(prefix = "/api", endpoint = "save_ai_provider")]
pub async fn save_ai_provider(
    /// `local` or `openai`.
    provider: String,
    /// The API root.
    #[server(default)]
    base_url: String,
    /// The model.
    #[server(default)]
    model: String,
    /// A new key, or empty.
    #[server(default)]
    api_key: String,
) -> Result<bool, ConsoleError> {
    use domain::ai::openai::{self, AiProvider, ProviderError};
    let admin = ssr::admin()?;
    let db = crate::state::app_state()?.db;
    let chosen = match provider.as_str() {
        "local" => AiProvider::Local,
        "openai" => AiProvider::OpenAi { base_url, model },
        _ => return Err(ConsoleError::field("provider", "Choose a provider.")),
    };
    let key = Some(api_key.as_str()).filter(|k| !k.trim().is_empty());
    match openai::set_provider(&db, chosen, key, &crate::state::actor(&admin)).await {
        Err(ProviderError::Invalid { field, message }) => Err(ConsoleError::field(field, message)),
        other => Ok(saved(other?)),
    }
}

/// Saves an integration's settings and, when `secret` is not empty, its credential.
#[server(prefix = "/api", endpoint = "save_integration")]
pub async fn save_integration(
    /// `servicenow`, `pagerduty`, `jira` or `webhook`.
    kind: String,
    /// Base URL.
    base_url: String,
    /// ServiceNow user or Jira e-mail.
    #[server(default)]
    username: String,
    /// Jira project.
    #[server(default)]
    project: String,
    /// Jira issue type.
    #[server(default)]
    issue_type: String,
    /// A new credential, or empty to keep it.
    #[server(default)]
    secret: String,
) -> Result<(), ConsoleError> {
    use domain::integrations::{self, IntegrationError, IntegrationSettings};
    let admin = ssr::admin()?;
    let db = crate::state::app_state()?.db;
    let kind: IntegrationKind = crate::api::term(&kind)?;
    let settings = IntegrationSettings {
        base_url,
        username,
        project,
        issue_type,
    };
    let secret = Some(secret.as_str());
    match integrations::configure(&db, kind, settings, secret, &crate::state::actor(&admin)).await {
        Err(IntegrationError::Invalid { field, message }) => {
            Err(ConsoleError::field(&format!("{kind}.{field}"), message))
        }
        other => {
            other?;
            saved(());
            Ok(())
        }
    }
}

/// Chooses the integration Escalate proposes to use; empty: none.
#[server(prefix = "/api", endpoint = "save_escalation_target")]
pub async fn save_escalation_target(
    /// The integration's stored name, or empty.
    #[server(default)]
    target: String,
) -> Result<bool, ConsoleError> {
    use domain::actions::{self, ActionError};
    let admin = ssr::admin()?;
    let db = crate::state::app_state()?.db;
    let kind = match target.as_str() {
        "" => None,
        name => Some(
            name.parse::<IntegrationKind>()
                .map_err(|e| ConsoleError::field("target", e.to_string()))?,
        ),
    };
    match actions::set_escalation_target(&db, kind, &crate::state::actor(&admin)).await {
        Err(error @ ActionError::NotSetUp(_)) => {
            Err(ConsoleError::field("target", error.to_string()))
        }
        other => Ok(saved(other?)),
    }
}

/// Saves the redaction rules: checked kinds stay on; custom rules one per line.
#[server(prefix = "/api", endpoint = "save_redaction")]
pub async fn save_redaction(
    /// Kind → `on`, for the kinds kept on.
    kinds: Option<HashMap<String, String>>,
    /// Custom rules.
    #[server(default)]
    custom: String,
) -> Result<bool, ConsoleError> {
    let admin = ssr::admin()?;
    let db = crate::state::app_state()?.db;
    let rules = ssr::rules_from(&kinds, &custom)?;
    Ok(saved(
        domain::redact::rules::set_rules(&db, &rules, &crate::state::actor(&admin)).await?,
    ))
}

/// What `sample` becomes under the rules in the form (saved or not); nothing is stored.
#[server(prefix = "/api", endpoint = "preview_redaction")]
pub async fn preview_redaction(
    /// Kind → `on`.
    kinds: Option<HashMap<String, String>>,
    /// Custom rules.
    #[server(default)]
    custom: String,
    /// The text to try.
    #[server(default)]
    sample: String,
) -> Result<String, ConsoleError> {
    ssr::admin()?;
    let rules = ssr::rules_from(&kinds, &custom)?;
    let redactor = domain::redact::Redactor::new(&rules)
        .map_err(|e| ConsoleError::field("custom", e.to_string()))?;
    let sample: String = sample.chars().take(5000).collect();
    Ok(redactor.redact(&sample).text)
}

/// Sets how many days message text is kept; empty: for ever.
#[server(prefix = "/api", endpoint = "save_retention")]
pub async fn save_retention(
    /// Days, or empty.
    #[server(default)]
    days: String,
) -> Result<bool, ConsoleError> {
    use domain::retention::{self, MAX_DAYS, RetentionError};
    let admin = ssr::admin()?;
    let db = crate::state::app_state()?.db;
    let days = match days.trim() {
        "" => None,
        text => Some(text.parse::<u32>().map_err(|_| {
            ConsoleError::field(
                "days",
                format!("Enter a whole number of days, 1 to {MAX_DAYS}."),
            )
        })?),
    };
    match retention::set_days(&db, days, &crate::state::actor(&admin)).await {
        Err(error @ RetentionError::OutOfRange) => {
            Err(ConsoleError::field("days", error.to_string()))
        }
        other => Ok(saved(other?)),
    }
}

/// Sets the AI disclosure shown under agents' answers.
#[server(prefix = "/api", endpoint = "save_disclosure")]
pub async fn save_disclosure(
    /// Under an answer no person checked.
    #[server(default)]
    generated: String,
    /// Under an approved answer, with `{reviewer}`.
    #[server(default)]
    reviewed: String,
) -> Result<bool, ConsoleError> {
    use domain::disclosure::{self, Disclosure};
    let admin = ssr::admin()?;
    let db = crate::state::app_state()?.db;
    let wording = Disclosure {
        generated,
        reviewed,
    };
    match disclosure::set(&db, wording, &crate::state::actor(&admin)).await {
        Err(error) if error.field().is_some() => Err(ConsoleError::field(
            error.field().unwrap_or_default(),
            error.to_string(),
        )),
        other => Ok(saved(other?)),
    }
}

/// Removes a stored credential (`ai`, or an integration's name), so that nothing is sent with it
/// until someone enters it again.
#[server(prefix = "/api", endpoint = "clear_credential")]
pub async fn clear_credential(
    /// Whose credential.
    owner: String,
) -> Result<bool, ConsoleError> {
    use domain::credentials::{self, CredentialOwner};
    let admin = ssr::admin()?;
    let db = crate::state::app_state()?.db;
    let owner: CredentialOwner = owner
        .parse()
        .map_err(|e: credentials::CredentialError| ConsoleError::field("owner", e.to_string()))?;
    let cleared = credentials::clear_for(&db, owner, &crate::state::actor(&admin)).await?;
    crate::state::confirm(if cleared {
        "Cleared: nothing uses it until it is entered again."
    } else {
        "Nothing was stored."
    });
    Ok(cleared)
}

/// Chooses the space where reviewers get drafts as cards; empty: none.
#[server(prefix = "/api", endpoint = "save_review_space")]
pub async fn save_review_space(
    /// The room id, or empty.
    #[server(default)]
    room_id: String,
) -> Result<bool, ConsoleError> {
    use domain::review::{self, ReviewSpaceError};
    let admin = ssr::admin()?;
    let db = crate::state::app_state()?.db;
    match review::set_space(&db, Some(room_id.as_str()), &crate::state::actor(&admin)).await {
        Err(error @ (ReviewSpaceError::UnknownSpace(_) | ReviewSpaceError::Direct)) => {
            Err(ConsoleError::field("room_id", error.to_string()))
        }
        other => Ok(saved(other?)),
    }
}
