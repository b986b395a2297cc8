//! The Review queue: drafts waiting for a reviewer, oldest first, with the space they answer in.

use crate::{
    Db,
    console::{Names, Page, ReadError},
    drafts::{self, Draft},
};

/// A draft and the title of its space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedDraft {
    /// The draft.
    pub draft: Draft,
    /// Its space's title.
    pub space: String,
}

/// Reads `limit` drafts waiting for review after draft `after`.
pub async fn page(db: &Db, after: i64, limit: i64) -> Result<Page<QueuedDraft>, ReadError> {
    let pending = drafts::pending(db, after, limit + 1).await?;
    let page = Page::of(pending, limit, |d| d.id);
    let names = Names::of(db, [], page.items.iter().map(|d| d.room_id.as_str())).await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|draft| QueuedDraft {
                space: names.space(&draft.room_id),
                draft,
            })
            .collect(),
        next: page.next,
    })
}
