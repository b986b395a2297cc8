//! Drafts: what agents produced in shadow mode (kept for evaluation) and in review mode (held
//! until a reviewer approves, edits or rejects them). Approving a draft queues it for posting in
//! the thread it answers; every decision is audited.

use serde::Serialize;
use serde_json::json;

use crate::{
    Db,
    agents::MAX_REPLY_BYTES,
    audit::{self, Actor, NewEntry},
    bot::queue_post,
    db::{self, outbox::NewOutbox},
    time::now_ms,
};

/// A stored draft.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Draft {
    /// Its id.
    pub id: i64,
    /// The event it answers.
    pub event_id: Option<i64>,
    /// The agent function that wrote it.
    pub function: String,
    /// The space.
    pub room_id: String,
    /// The thread it answers in.
    pub parent_id: Option<String>,
    /// The message that triggered it.
    pub trigger_message_id: Option<String>,
    /// Who wrote that message.
    pub trigger_person_id: Option<String>,
    /// The prompt version that produced it.
    pub prompt_version: String,
    /// The engine that produced it.
    pub engine: String,
    /// What the agent wrote.
    pub markdown: String,
    /// Its Adaptive Card, as JSON.
    pub card_json: Option<String>,
    /// `shadow`, `pending`, `approved` or `rejected`.
    pub state: String,
    /// Who decided (an audit actor).
    pub decided_by: Option<String>,
    /// When.
    pub decided_ms: Option<i64>,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// What was posted, when a reviewer edited it.
    pub final_markdown: Option<String>,
    /// When it was written.
    pub created_ms: i64,
}

/// Why a review decision was refused.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    /// No such draft.
    #[error("there is no draft {0}")]
    NotFound(i64),
    /// Someone decided it already.
    #[error("draft {0} was already decided")]
    AlreadyDecided(i64),
    /// The edit or reason is not acceptable.
    #[error("{0}")]
    Invalid(&'static str),
    /// The database failed.
    #[error("draft query failed")]
    Query(#[from] sqlx::Error),
}

/// Drafts waiting for review, oldest first, after id `after`.
pub async fn pending(db: &Db, after: i64, limit: i64) -> Result<Vec<Draft>, DraftError> {
    Ok(db::drafts::list(db, "pending", after, limit).await?)
}

/// Drafts recorded in shadow mode, oldest first, after id `after`.
pub async fn shadowed(db: &Db, after: i64, limit: i64) -> Result<Vec<Draft>, DraftError> {
    Ok(db::drafts::list(db, "shadow", after, limit).await?)
}

/// Reads one draft.
pub async fn find(db: &Db, id: i64) -> Result<Draft, DraftError> {
    db::drafts::find(db.reader(), id)
        .await?
        .ok_or(DraftError::NotFound(id))
}

/// Approves a pending draft, optionally with the reviewer's edit, and queues it for posting.
/// Returns the id of the queued message.
pub async fn approve(
    db: &Db,
    id: i64,
    reviewer: &Actor,
    edited: Option<&str>,
) -> Result<i64, DraftError> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let draft = db::drafts::find(&mut *tx, id)
        .await?
        .ok_or(DraftError::NotFound(id))?;
    let text = edited.map(str::trim).unwrap_or(&draft.markdown);
    if text.is_empty() {
        return Err(DraftError::Invalid("the reply must not be empty"));
    }
    if text.len() > MAX_REPLY_BYTES {
        return Err(DraftError::Invalid(
            "the reply is longer than the 7439 bytes Webex accepts",
        ));
    }
    let edited = text != draft.markdown;
    let final_markdown = edited.then_some(text);
    if !db::drafts::decide(
        &mut tx,
        id,
        "approved",
        reviewer.as_str(),
        None,
        final_markdown,
        now,
    )
    .await?
    {
        return Err(DraftError::AlreadyDecided(id));
    }
    let outbox_id = queue_post(
        &mut tx,
        &NewOutbox {
            event_id: draft.event_id,
            draft_id: Some(id),
            room_id: &draft.room_id,
            parent_id: draft.parent_id.as_deref(),
            markdown: text,
            card_json: draft.card_json.clone(),
        },
    )
    .await?;
    if let Some(event_id) = draft.event_id {
        db::inbox::set_state(&mut tx, event_id, "replying", None).await?;
    }
    audit::append(
        &mut tx,
        NewEntry {
            actor: reviewer.clone(),
            action: "draft.approve".into(),
            target: format!("draft:{id}"),
            before: Some(json!({ "state": "pending", "markdown": draft.markdown })),
            after: Some(json!({
                "state": "approved",
                "edited": edited,
                "markdown": text,
                "function": draft.function,
                "prompt_version": draft.prompt_version,
                "outbox_id": outbox_id,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(outbox_id)
}

/// Rejects a pending draft with the reviewer's reason; nothing is posted.
pub async fn reject(db: &Db, id: i64, reviewer: &Actor, reason: &str) -> Result<(), DraftError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(DraftError::Invalid("say why the draft is rejected"));
    }
    let mut tx = db.begin().await?;
    let draft = db::drafts::find(&mut *tx, id)
        .await?
        .ok_or(DraftError::NotFound(id))?;
    if !db::drafts::decide(
        &mut tx,
        id,
        "rejected",
        reviewer.as_str(),
        Some(reason),
        None,
        now_ms(),
    )
    .await?
    {
        return Err(DraftError::AlreadyDecided(id));
    }
    audit::append(
        &mut tx,
        NewEntry {
            actor: reviewer.clone(),
            action: "draft.reject".into(),
            target: format!("draft:{id}"),
            before: Some(json!({ "state": "pending" })),
            after: Some(json!({
                "state": "rejected",
                "reason": reason,
                "function": draft.function,
                "prompt_version": draft.prompt_version,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
