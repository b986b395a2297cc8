//! The Actions page: external actions waiting for approval, oldest first, and the latest decided.

use crate::{
    Db,
    actions::{self, Action},
    console::{Names, Page, ReadError},
};

/// An action with the names people know its space and people by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionRow {
    /// The action.
    pub action: Action,
    /// Its space's title.
    pub space: String,
    /// Who proposed it.
    pub proposed_by: String,
    /// Who approved or rejected it.
    pub decided_by: Option<String>,
}

/// What the Actions page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionsPage {
    /// Proposals waiting for approval, oldest first.
    pub pending: Page<ActionRow>,
    /// The latest decided actions, newest first.
    pub decided: Vec<ActionRow>,
}

/// Reads `limit` proposals after action `after`, and the `recent` latest decided actions.
pub async fn page(db: &Db, after: i64, limit: i64, recent: i64) -> Result<ActionsPage, ReadError> {
    let pending = Page::of(actions::pending(db, after, limit + 1).await?, limit, |a| {
        a.id
    });
    let decided = actions::decided(db, recent).await?;
    let all = || pending.items.iter().chain(&decided);
    let names = Names::of(
        db,
        all().flat_map(|a| {
            [Some(&a.proposed_by), a.decided_by.as_ref()]
                .into_iter()
                .flatten()
        }),
        all().map(|a| a.room_id.as_str()),
    )
    .await?;
    let row = |action: Action| ActionRow {
        space: names.space(&action.room_id),
        proposed_by: names.actor(&action.proposed_by),
        decided_by: action.decided_by.as_ref().map(|a| names.actor(a)),
        action,
    };
    Ok(ActionsPage {
        decided: decided.into_iter().map(&row).collect(),
        pending: Page {
            next: pending.next,
            items: pending.items.into_iter().map(&row).collect(),
        },
    })
}
