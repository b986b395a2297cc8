//! Reviewing from Webex: when a reviewer space is set, every draft waiting for review is also
//! posted there as an Adaptive Card with Approve and Reject, and a click decides the draft exactly
//! as the console's buttons do.

use serde_json::json;

use crate::{
    Db,
    agents::{CardAction, Reply},
    audit::Actor,
    policy,
    settings::{self, SettingKey, SettingsError},
    webex::{cards::AdaptiveCard, markup::escape_markdown, types::RoomKind},
};

/// The setting that names the reviewer space (a room ID).
pub const SPACE_SETTING: &str = "review.space";
/// Longest draft text a review card carries; longer drafts are cut (the console has all of it).
const CARD_TEXT_CHARS: usize = 3_000;

/// The reviewer space, if one is set.
pub async fn space(db: &Db) -> Result<Option<String>, SettingsError> {
    let key = SettingKey::parse(SPACE_SETTING).expect("a valid key");
    Ok(settings::get(db, &key)
        .await?
        .and_then(|v| v.as_str().map(str::to_owned))
        .filter(|room| !room.is_empty()))
}

/// Why the reviewer space could not be set.
#[derive(Debug, thiserror::Error)]
pub enum ReviewSpaceError {
    /// Steward does not know the space (the bot must be in it).
    #[error("Steward knows no space `{0}`; add the bot to it in Webex first")]
    UnknownSpace(String),
    /// The space is a 1:1 space.
    #[error("reviews need a group space, not a 1:1 space")]
    Direct,
    /// Reading or writing failed.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The spaces could not be read.
    #[error(transparent)]
    Policy(#[from] policy::PolicyError),
}

/// Sets (or, with `None`, clears) the reviewer space; audited as a settings change.
pub async fn set_space(
    db: &Db,
    room_id: Option<&str>,
    actor: &Actor,
) -> Result<bool, ReviewSpaceError> {
    let key = SettingKey::parse(SPACE_SETTING).expect("a valid key");
    let value = match room_id.filter(|r| !r.is_empty()) {
        Some(room_id) => {
            let space = policy::find_space(db, room_id).await.map_err(|e| match e {
                policy::PolicyError::UnknownSpace(_) => {
                    ReviewSpaceError::UnknownSpace(room_id.to_owned())
                }
                other => other.into(),
            })?;
            if space.kind == RoomKind::Direct {
                return Err(ReviewSpaceError::Direct);
            }
            json!(space.room_id)
        }
        None => json!(""),
    };
    Ok(settings::set(db, &key, value, actor).await?)
}

/// The card asking the reviewer space to decide draft `draft_id`, with its markdown fallback.
pub fn review_card_for(
    draft_id: i64,
    function_label: &str,
    space_title: &str,
    trigger: Option<(&str, &str)>,
    draft: &str,
) -> Reply {
    let text: String = draft.chars().take(CARD_TEXT_CHARS).collect();
    let cut = text.len() < draft.len();
    let heading = format!("Draft for review: {function_label} in {space_title}");
    let mut card = AdaptiveCard::new().heading(heading.clone());
    if let Some((author, message)) = trigger {
        card = card.text(format!("{author} asked: {message}"));
    }
    // The draft is the agent's markdown, already through the output filter.
    card = card.markdown(if cut {
        format!("{text}…\n\n(cut here; the console shows all of it)")
    } else {
        text
    });
    let card = card
        .input_text("reason", "Reason, if you reject it")
        .submit(
            "Approve",
            CardAction::ApproveDraft { draft: draft_id }.data(),
        )
        .submit(
            "Reject",
            CardAction::RejectDraft {
                draft: draft_id,
                reason: String::new(),
            }
            .data(),
        );
    Reply {
        markdown: format!(
            "**{}**\n\nOpen the Steward console to review draft {draft_id}.",
            escape_markdown(&heading)
        ),
        card: Some(card),
    }
}

impl crate::Classify for ReviewSpaceError {
    fn is_transient(&self) -> bool {
        match self {
            Self::UnknownSpace(_) | Self::Direct => false,
            Self::Settings(e) => e.is_transient(),
            Self::Policy(e) => e.is_transient(),
        }
    }

    fn refusal(&self) -> Option<String> {
        match self {
            Self::UnknownSpace(_) | Self::Direct => Some(self.to_string()),
            Self::Settings(_) => None,
            Self::Policy(e) => e.refusal(),
        }
    }
}
