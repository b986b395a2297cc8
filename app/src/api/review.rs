//! Server functions of the Review queue: drafts waiting for a reviewer, oldest first. Reviewers
//! and admins only.

use std::collections::HashMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::ConsoleError;

/// Drafts shown per page.
pub const PAGE_SIZE: i64 = 20;

/// One page of the queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    /// The drafts, oldest first.
    pub drafts: Vec<DraftView>,
    /// The `after` of the next page, when there is one.
    pub next_after: Option<i64>,
}

/// A draft as a reviewer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftView {
    /// Its id.
    pub id: i64,
    /// The agent function, as shown.
    pub function: String,
    /// The space's title.
    pub space: String,
    /// The prompt version that wrote it.
    pub prompt_version: String,
    /// When, as ISO time.
    pub created: String,
    /// The triggering message and the thread before it, oldest first.
    pub context: Vec<ContextLine>,
    /// What the agent wrote (markdown).
    pub markdown: String,
}

/// A message of a draft's context.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextLine {
    /// Who wrote it.
    pub author: String,
    /// What they wrote (redacted).
    pub text: String,
    /// Whether it is the message the draft answers.
    pub trigger: bool,
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::{drafts::DraftError, users::Role};

    use crate::{error::ConsoleError, state::CurrentUser};

    pub fn reviewer() -> Result<CurrentUser, ConsoleError> {
        crate::state::require_role(&[Role::Reviewer, Role::Admin])
    }

    pub fn from_draft(error: DraftError) -> ConsoleError {
        match error {
            DraftError::NotFound(_) | DraftError::AlreadyDecided(_) => {
                ConsoleError::invalid(error.to_string())
            }
            DraftError::Invalid(message) => ConsoleError::invalid(message),
            other => ConsoleError::unavailable(&other),
        }
    }
}

/// Reads a page of the queue: the drafts after id `after`, oldest first.
#[server(prefix = "/api", endpoint = "load_review_queue")]
pub async fn load_review_queue(
    /// The last draft of the previous page.
    after: Option<i64>,
) -> Result<ReviewView, ConsoleError> {
    use domain::{agents::AgentFunction, drafts, policy, webex::timestamp::format_ms};
    ssr::reviewer()?;
    let state = crate::state::app_state()?;
    let mut page = drafts::pending(&state.db, after.unwrap_or(0), PAGE_SIZE + 1)
        .await
        .map_err(ssr::from_draft)?;
    let more = i64::try_from(page.len()).unwrap_or(i64::MAX) > PAGE_SIZE;
    page.truncate(usize::try_from(PAGE_SIZE).unwrap_or(20));
    let spaces = policy::spaces(&state.db)
        .await
        .map_err(|e| ConsoleError::unavailable(&e))?;
    let drafts = page
        .iter()
        .map(|d| {
            let context: Vec<serde_json::Value> = d
                .context_json
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok())
                .unwrap_or_default();
            DraftView {
                id: d.id,
                function: d
                    .function
                    .parse::<AgentFunction>()
                    .map_or_else(|_| d.function.clone(), |f| f.label().to_owned()),
                space: spaces
                    .iter()
                    .find(|s| s.room_id == d.room_id)
                    .map_or_else(|| d.room_id.clone(), |s| s.title.clone()),
                prompt_version: d.prompt_version.clone(),
                created: format_ms(d.created_ms),
                context: context
                    .iter()
                    .map(|line| ContextLine {
                        author: line["author"].as_str().unwrap_or_default().to_owned(),
                        text: line["text"].as_str().unwrap_or_default().to_owned(),
                        trigger: line["trigger"].as_bool().unwrap_or(false),
                    })
                    .collect(),
                markdown: d.markdown.clone(),
            }
        })
        .collect();
    Ok(ReviewView {
        next_after: more.then(|| page.last().map(|d| d.id)).flatten(),
        drafts,
    })
}

/// Approves a draft, with the reviewer's edit when `markdown` differs from it; the bot posts it.
#[server(prefix = "/api", endpoint = "approve_draft")]
pub async fn approve_draft(
    /// The draft.
    id: i64,
    /// The reply as the reviewer leaves it.
    markdown: String,
) -> Result<(), ConsoleError> {
    let reviewer = ssr::reviewer()?;
    let state = crate::state::app_state()?;
    if markdown.trim().is_empty() {
        return Err(ConsoleError::field(
            &format!("markdown.{id}"),
            "The reply must not be empty; reject the draft instead.",
        ));
    }
    domain::drafts::approve(
        &state.db,
        id,
        &crate::state::actor(&reviewer),
        Some(&markdown),
    )
    .await
    .map_err(ssr::from_draft)?;
    Ok(())
}

/// Rejects a draft with the reviewer's reason; nothing is posted.
#[server(prefix = "/api", endpoint = "reject_draft")]
pub async fn reject_draft(
    /// The draft.
    id: i64,
    /// Why.
    reason: String,
) -> Result<(), ConsoleError> {
    let reviewer = ssr::reviewer()?;
    let state = crate::state::app_state()?;
    if reason.trim().is_empty() {
        return Err(ConsoleError::field(
            &format!("reason.{id}"),
            "Say why the draft is rejected.",
        ));
    }
    domain::drafts::reject(&state.db, id, &crate::state::actor(&reviewer), &reason)
        .await
        .map_err(ssr::from_draft)?;
    Ok(())
}

/// Approves every selected draft as written (`selected` maps draft ids to `on`). Drafts someone
/// decided meanwhile are skipped. Returns how many were approved.
#[server(prefix = "/api", endpoint = "approve_selected")]
pub async fn approve_selected(
    /// Draft id → `on`.
    selected: Option<HashMap<String, String>>,
) -> Result<usize, ConsoleError> {
    use domain::drafts::{self, DraftError};
    let reviewer = ssr::reviewer()?;
    let state = crate::state::app_state()?;
    let ids: Vec<i64> = selected
        .unwrap_or_default()
        .keys()
        .filter_map(|id| id.parse().ok())
        .collect();
    if ids.is_empty() {
        return Err(ConsoleError::invalid("Select the drafts to approve first."));
    }
    let mut approved = 0;
    for id in ids {
        match drafts::approve(&state.db, id, &crate::state::actor(&reviewer), None).await {
            Ok(_) => approved += 1,
            Err(DraftError::AlreadyDecided(_) | DraftError::NotFound(_)) => {}
            Err(error) => return Err(ConsoleError::unavailable(&error)),
        }
    }
    Ok(approved)
}
