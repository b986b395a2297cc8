//! The Settings page: the AI provider, integrations and where escalations go, redaction rules,
//! retention, the AI disclosure and the reviewer space. Secrets show only whether they are set.

use crate::{
    Db, actions,
    ai::openai::{self, AiProvider},
    console::ReadError,
    credentials,
    disclosure::{self, Disclosure},
    integrations::{self, IntegrationKind, IntegrationStatus},
    policy::{self, Space},
    redact::rules::{self, RedactionRules},
    retention, review,
    webex::types::RoomKind,
};

/// What the Settings page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct SettingsPage {
    /// The AI provider in force.
    pub provider: AiProvider,
    /// Whether an API key is stored.
    pub ai_key_set: bool,
    /// Every integration and how far it is set up.
    pub integrations: Vec<IntegrationStatus>,
    /// The integration Escalate proposes to use, if any.
    pub escalation_target: Option<IntegrationKind>,
    /// The redaction rules.
    pub redaction: RedactionRules,
    /// Days message text is kept; `None`: for ever.
    pub retention_days: Option<u32>,
    /// The AI disclosure under agents' answers.
    pub disclosure: Disclosure,
    /// The reviewer space, if set.
    pub review_space: Option<String>,
    /// Group spaces the bot is in: where a reviewer space can be.
    pub group_spaces: Vec<Space>,
}

/// Reads the page.
pub async fn page(db: &Db) -> Result<SettingsPage, ReadError> {
    Ok(SettingsPage {
        provider: openai::provider(db).await?,
        ai_key_set: credentials::get(db, openai::KEY_CREDENTIAL)
            .await?
            .is_some(),
        integrations: integrations::statuses(db).await?,
        escalation_target: actions::escalation_target(db).await?,
        redaction: rules::rules(db).await?,
        retention_days: retention::days(db).await?,
        disclosure: disclosure::get(db).await?,
        review_space: review::space(db).await?,
        group_spaces: policy::spaces(db)
            .await?
            .into_iter()
            .filter(|s| s.kind == RoomKind::Group && s.bot_left_ms.is_none())
            .collect(),
    })
}
