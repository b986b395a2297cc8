//! The Audit page: entries matching a filter, newest first, with people's and spaces' names.

use crate::{
    Db,
    audit::{self, Actor, Entry, Filter},
    console::{Names, Page, ReadError},
    db,
    policy::{self, Space},
};

/// An entry with who and what it names, for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    /// The entry as stored.
    pub entry: Entry,
    /// Who did it.
    pub actor: String,
    /// What it was done to: `space <title>` for a space, else the stored target.
    pub target: String,
    /// The title of the space it concerns, when Steward knows the space.
    pub space_title: Option<String>,
}

/// What the Audit page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditPage {
    /// The matching entries before `before`, newest first; the next page starts below the last.
    pub entries: Page<AuditRow>,
    /// The spaces Steward knows, for the space filter.
    pub spaces: Vec<Space>,
    /// How many entries the log holds.
    pub total: i64,
}

/// Reads `limit` entries matching `filter` with a sequence number below `before`.
pub async fn page(
    db: &Db,
    filter: &Filter,
    before: Option<i64>,
    limit: i64,
) -> Result<AuditPage, ReadError> {
    let found = audit::search(db, filter, before, limit + 1).await?;
    let entries = Page::of(found, limit, |e| e.seq);
    let rows = named(db, entries.items).await?;
    Ok(AuditPage {
        entries: Page {
            items: rows,
            next: entries.next,
        },
        spaces: policy::spaces(db).await?,
        total: audit::len(db).await?,
    })
}

/// `entries` with the names of who did them and what they were done to, for people to read.
pub async fn named(db: &Db, entries: Vec<Entry>) -> Result<Vec<AuditRow>, ReadError> {
    let actors: Vec<Option<Actor>> = entries.iter().map(|e| e.actor.parse().ok()).collect();
    let names = Names::of(
        db,
        actors.iter().flatten(),
        entries
            .iter()
            .filter_map(|e| audit::target_room(&e.target))
            .chain(entries.iter().filter_map(|e| e.space.as_deref())),
    )
    .await?;
    Ok(entries
        .into_iter()
        .zip(&actors)
        .map(|(entry, actor)| AuditRow {
            actor: actor
                .as_ref()
                .map_or_else(|| entry.actor.clone(), |a| names.actor(a)),
            target: audit::target_room(&entry.target)
                .and_then(|room| names.space_title(room))
                .map_or_else(|| entry.target.clone(), |title| format!("space {title}")),
            space_title: entry
                .space
                .as_deref()
                .and_then(|room| names.space_title(room)),
            entry,
        })
        .collect())
}

/// Whom the Actor filter means: an actor as stored (`user:3`, `system:runtime`,
/// `webex:<person ID>`), or a person by e-mail or display name, ignoring case (people with a
/// console account first, then Webex people Steward has read). `None` when no one matches.
pub async fn find_actor(db: &Db, text: &str) -> Result<Option<Actor>, ReadError> {
    let text = text.trim();
    if let Ok(actor) = text.parse::<Actor>() {
        return Ok(Some(actor));
    }
    if let Some(id) = db::users::find_id_by_name_or_email(db, text).await? {
        return Ok(Some(Actor::User(id)));
    }
    Ok(db::people::find_by_name_or_email(db, text)
        .await?
        .map(Actor::Webex))
}
