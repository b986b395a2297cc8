//! Server functions of the Review queue: drafts waiting for a reviewer, oldest first. Reviewers
//! and admins only.

use std::collections::HashMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use vocab::AgentFunction;

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
    /// The agent function that wrote it.
    pub function: AgentFunction,
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
    use domain::users::Role;

    use crate::{error::ConsoleError, state::CurrentUser};

    pub fn reviewer() -> Result<CurrentUser, ConsoleError> {
        crate::state::require_role(&[Role::Reviewer, Role::Admin])
    }
}

/// Reads a page of the queue: the drafts after id `after`, oldest first.
#[server(prefix = "/api", endpoint = "load_review_queue")]
pub async fn load_review_queue(
    /// The last draft of the previous page.
    after: Option<i64>,
) -> Result<ReviewView, ConsoleError> {
    ssr::reviewer()?;
    let state = crate::state::app_state()?;
    let page = domain::console::review::page(&state.db, after.unwrap_or(0), PAGE_SIZE).await?;
    Ok(ReviewView {
        drafts: page.items.into_iter().map(DraftView::new).collect(),
        next_after: page.next,
    })
}

#[cfg(feature = "ssr")]
impl DraftView {
    fn new(queued: domain::console::review::QueuedDraft) -> Self {
        let draft = queued.draft;
        Self {
            id: draft.id,
            function: draft.function,
            space: queued.space,
            prompt_version: draft.prompt_version,
            created: domain::webex::timestamp::format_ms(draft.created_ms),
            context: draft
                .context
                .into_iter()
                .map(|line| ContextLine {
                    author: line.author,
                    text: line.text,
                    trigger: line.trigger,
                })
                .collect(),
            markdown: draft.markdown,
        }
    }
}

/// Approves a draft, with the reviewer's edit when `markdown` differs from it; the bot posts it.
#[server(prefix = "/api", endpoint = "approve_draft")]
pub async fn approve_draft(
    /// The draft.
    id: i64,
    /// The reply as the reviewer leaves it.
    markdown: String,
) -> Result<(), ConsoleError> {
    use domain::drafts::{self, DraftError};
    let reviewer = ssr::reviewer()?;
    let state = crate::state::app_state()?;
    let actor = crate::state::actor(&reviewer);
    match drafts::approve(&state.db, id, &actor, Some(&markdown)).await {
        Err(DraftError::Invalid(message)) => {
            Err(ConsoleError::field(&format!("markdown.{id}"), message))
        }
        other => other.map(drop).map_err(Into::into),
    }
}

/// Rejects a draft with the reviewer's reason; nothing is posted.
#[server(prefix = "/api", endpoint = "reject_draft")]
pub async fn reject_draft(
    /// The draft.
    id: i64,
    /// Why.
    reason: String,
) -> Result<(), ConsoleError> {
    use domain::drafts::{self, DraftError};
    let reviewer = ssr::reviewer()?;
    let state = crate::state::app_state()?;
    let actor = crate::state::actor(&reviewer);
    match drafts::reject(&state.db, id, &actor, &reason).await {
        Err(DraftError::Invalid(message)) => {
            Err(ConsoleError::field(&format!("reason.{id}"), message))
        }
        other => Ok(other?),
    }
}

/// Approves every selected draft as written (`selected` maps draft ids to `on`). Drafts someone
/// decided meanwhile are skipped. Returns how many were approved.
#[server(prefix = "/api", endpoint = "approve_selected")]
pub async fn approve_selected(
    /// Draft id → `on`.
    selected: Option<HashMap<String, String>>,
) -> Result<usize, ConsoleError> {
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
    let actor = crate::state::actor(&reviewer);
    let approved = domain::drafts::approve_each(&state.db, &ids, &actor).await?;
    crate::state::confirm(&format!("Approved {approved}."));
    Ok(approved)
}
