//! Server functions of the Actions queue: external calls agents proposed, waiting for a person,
//! and the latest decided ones. Reviewers and admins only.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

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
    /// The system, e.g. `ServiceNow`.
    pub system: String,
    /// What approving does, e.g. `create a ServiceNow incident`.
    pub verb: String,
    /// One line, e.g. `Escalate "Disk full on web-01"`.
    pub title: String,
    /// The agent function that proposed it, as shown.
    pub function: String,
    /// The space's title.
    pub space: String,
    /// Who proposed it.
    pub proposed_by: String,
    /// When, as ISO time.
    pub proposed: String,
    /// The request body it sends, pretty-printed JSON without credentials.
    pub payload: String,
    /// `pending`, `approved`, `succeeded`, `failed` or `rejected`.
    pub state: String,
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
}

#[cfg(feature = "ssr")]
mod ssr {
    use std::collections::HashMap;

    use domain::{
        Db,
        actions::{Action, ActionError},
        agents::AgentFunction,
        policy, users,
        users::Role,
        webex::timestamp::format_ms,
    };

    use crate::{api::actions::ActionView, error::ConsoleError, state::CurrentUser};

    pub fn reviewer() -> Result<CurrentUser, ConsoleError> {
        crate::state::require_role(&[Role::Reviewer, Role::Admin])
    }

    pub fn from_action(error: ActionError) -> ConsoleError {
        match error {
            ActionError::NotFound(_) | ActionError::AlreadyDecided(_) => {
                ConsoleError::invalid(error.to_string())
            }
            other => ConsoleError::unavailable(&other),
        }
    }

    /// Maps actions to views, naming spaces and people once each.
    pub async fn views(db: &Db, actions: Vec<Action>) -> Result<Vec<ActionView>, ConsoleError> {
        let spaces = policy::spaces(db)
            .await
            .map_err(|e| ConsoleError::unavailable(&e))?;
        let mut names: HashMap<String, String> = HashMap::new();
        let mut actors: Vec<String> = Vec::new();
        for action in &actions {
            actors.push(action.proposed_by.clone());
            actors.extend(action.decided_by.clone());
        }
        for actor in actors {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(actor) {
                let name = users::describe_actor(db, slot.key())
                    .await
                    .map_err(|e| ConsoleError::unavailable(&e))?;
                slot.insert(name);
            }
        }
        Ok(actions
            .into_iter()
            .map(|a| ActionView {
                id: a.id,
                system: a.kind.label().to_owned(),
                verb: a.kind.verb().to_owned(),
                function: a
                    .function
                    .parse::<AgentFunction>()
                    .map_or_else(|_| a.function.clone(), |f| f.label().to_owned()),
                space: spaces
                    .iter()
                    .find(|s| s.room_id == a.room_id)
                    .map_or_else(|| a.room_id.clone(), |s| s.title.clone()),
                proposed_by: names[&a.proposed_by].clone(),
                proposed: format_ms(a.proposed_ms),
                payload: serde_json::to_string_pretty(&a.payload).unwrap_or_default(),
                decided_by: a.decided_by.as_ref().map(|d| names[d].clone()),
                decided: a.finished_ms.or(a.decided_ms).map(format_ms),
                title: a.title,
                state: a.state,
                reason: a.reason,
                reference: a.reference,
                link: a.link,
                error: a.error,
            })
            .collect())
    }
}

/// Reads a page of the queue (the proposals after id `after`, oldest first) and the latest
/// decided actions.
#[server(prefix = "/api", endpoint = "load_actions")]
pub async fn load_actions(
    /// The last proposal of the previous page.
    after: Option<i64>,
) -> Result<ActionsView, ConsoleError> {
    use domain::actions;
    ssr::reviewer()?;
    let state = crate::state::app_state()?;
    let mut pending = actions::pending(&state.db, after.unwrap_or(0), PAGE_SIZE + 1)
        .await
        .map_err(ssr::from_action)?;
    let more = i64::try_from(pending.len()).unwrap_or(i64::MAX) > PAGE_SIZE;
    pending.truncate(usize::try_from(PAGE_SIZE).unwrap_or(20));
    let next_after = more.then(|| pending.last().map(|a| a.id)).flatten();
    let decided = actions::decided(&state.db, RECENT)
        .await
        .map_err(ssr::from_action)?;
    Ok(ActionsView {
        pending: ssr::views(&state.db, pending).await?,
        next_after,
        decided: ssr::views(&state.db, decided).await?,
    })
}

/// Approves an action: Steward sends it, and says the outcome in the space it came from.
#[server(prefix = "/api", endpoint = "approve_action")]
pub async fn approve_action(
    /// The action.
    id: i64,
) -> Result<(), ConsoleError> {
    let reviewer = ssr::reviewer()?;
    let state = crate::state::app_state()?;
    let name = reviewer
        .display_name
        .clone()
        .unwrap_or_else(|| reviewer.email.clone());
    domain::actions::approve(&state.db, id, &crate::state::actor(&reviewer), &name)
        .await
        .map_err(ssr::from_action)
}

/// Rejects an action with the reviewer's reason; nothing is sent and the space is told why.
#[server(prefix = "/api", endpoint = "reject_action")]
pub async fn reject_action(
    /// The action.
    id: i64,
    /// Why.
    reason: String,
) -> Result<(), ConsoleError> {
    use domain::actions::{self, ActionError, MAX_REASON_CHARS};
    let reviewer = ssr::reviewer()?;
    let state = crate::state::app_state()?;
    let field = format!("reason.{id}");
    if reason.trim().is_empty() {
        return Err(ConsoleError::field(
            &field,
            "Say why the action is rejected.",
        ));
    }
    if reason.trim().chars().count() > MAX_REASON_CHARS {
        return Err(ConsoleError::field(
            &field,
            format!("Keep the reason under {MAX_REASON_CHARS} characters."),
        ));
    }
    let name = reviewer
        .display_name
        .clone()
        .unwrap_or_else(|| reviewer.email.clone());
    match actions::reject(
        &state.db,
        id,
        &crate::state::actor(&reviewer),
        &name,
        &reason,
    )
    .await
    {
        Err(ActionError::Invalid(message)) => Err(ConsoleError::field(&field, message)),
        other => other.map_err(ssr::from_action),
    }
}
