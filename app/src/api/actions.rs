//! Server functions of the Actions queue: external calls agents proposed, waiting for a person,
//! and the latest decided ones. Reviewers and admins only.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use vocab::{ActionState, AgentFunction, IntegrationKind};

use crate::error::ConsoleError;

/// Proposals shown per page.
pub const PAGE_SIZE: i64 = 20;
/// Decided actions shown below the queue.
pub const RECENT: i64 = 20;

/// The queue and the latest decided actions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionsView {
    /// Waiting, oldest first.
    pub pending: Vec<ActionView>,
    /// The `after` of the next page of waiting ones, when there is one.
    pub next_after: Option<i64>,
    /// Approved, succeeded, failed or rejected, newest first.
    pub decided: Vec<ActionView>,
}

/// An action as a reviewer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionView {
    /// Its id.
    pub id: i64,
    /// The system it calls.
    pub system: IntegrationKind,
    /// One line, e.g. `Escalate "Disk full on web-01"`.
    pub title: String,
    /// The agent function that proposed it.
    pub function: AgentFunction,
    /// The space's title.
    pub space: String,
    /// Who proposed it.
    pub proposed_by: String,
    /// When, as ISO time.
    pub proposed: String,
    /// The request body it sends, pretty-printed JSON without credentials.
    pub payload: String,
    /// Where it stands.
    pub state: ActionState,
    /// Who decided it.
    pub decided_by: Option<String>,
    /// When it was decided or, once run, when it finished, as ISO time.
    pub decided: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// The record it made, e.g. `INC0010001`.
    pub reference: Option<String>,
    /// Where to open that record.
    pub link: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// The address it goes to (scheme, host, port), as when it was proposed.
    pub destination: Option<String>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::users::Role;

    use crate::{error::ConsoleError, state::CurrentUser};

    pub fn reviewer() -> Result<CurrentUser, ConsoleError> {
        crate::state::require_role(&[Role::Reviewer, Role::Admin])
    }

    /// How the reviewer is named in the space the outcome is said in.
    pub fn name(reviewer: &CurrentUser) -> String {
        reviewer
            .display_name
            .clone()
            .unwrap_or_else(|| reviewer.email.clone())
    }
}

/// Reads a page of the queue (the proposals after id `after`, oldest first) and the latest
/// decided actions.
#[server(prefix = "/api", endpoint = "load_actions")]
pub async fn load_actions(
    /// The last proposal of the previous page.
    after: Option<i64>,
) -> Result<ActionsView, ConsoleError> {
    ssr::reviewer()?;
    let state = crate::state::app_state()?;
    let after = after.unwrap_or(0);
    let page = domain::console::actions::page(&state.db, after, PAGE_SIZE, RECENT).await?;
    Ok(ActionsView {
        pending: page
            .pending
            .items
            .into_iter()
            .map(ActionView::new)
            .collect(),
        next_after: page.pending.next,
        decided: page.decided.into_iter().map(ActionView::new).collect(),
    })
}

#[cfg(feature = "ssr")]
impl ActionView {
    fn new(row: domain::console::actions::ActionRow) -> Self {
        use domain::webex::timestamp::format_ms;
        let a = row.action;
        Self {
            id: a.id,
            system: a.kind,
            function: a.function,
            space: row.space,
            proposed_by: row.proposed_by,
            proposed: format_ms(a.proposed_ms),
            payload: serde_json::to_string_pretty(&a.payload).unwrap_or_default(),
            decided_by: row.decided_by,
            decided: a.finished_ms.or(a.decided_ms).map(format_ms),
            title: a.title,
            state: a.state,
            reason: a.reason,
            reference: a.reference,
            link: a.link,
            error: a.error,
            destination: a.destination,
        }
    }
}

/// Approves an action: Steward sends it, and says the outcome in the space it came from.
#[server(prefix = "/api", endpoint = "approve_action")]
pub async fn approve_action(
    /// The action.
    id: i64,
) -> Result<(), ConsoleError> {
    let reviewer = ssr::reviewer()?;
    let state = crate::state::app_state()?;
    let actor = crate::state::actor(&reviewer);
    domain::actions::approve(&state.db, id, &actor, &ssr::name(&reviewer)).await?;
    crate::state::confirm(
        "Approved. Steward is sending it; the outcome appears below and in the space.",
    );
    Ok(())
}

/// Rejects an action with the reviewer's reason; nothing is sent and the space is told why.
#[server(prefix = "/api", endpoint = "reject_action")]
pub async fn reject_action(
    /// The action.
    id: i64,
    /// Why.
    reason: String,
) -> Result<(), ConsoleError> {
    use domain::actions::{self, ActionError};
    let reviewer = ssr::reviewer()?;
    let state = crate::state::app_state()?;
    let actor = crate::state::actor(&reviewer);
    match actions::reject(&state.db, id, &actor, &ssr::name(&reviewer), &reason).await {
        Err(ActionError::Invalid(message)) => {
            Err(ConsoleError::field(&format!("reason.{id}"), message))
        }
        other => Ok(other?),
    }
}
