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
    graduation,
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
    /// The triggering message and the thread before it, as JSON: `[{author, text, created,
    /// trigger}]`, oldest first.
    pub context_json: Option<String>,
    /// For an edited approval: characters inserted plus deleted.
    pub edit_distance: Option<i64>,
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
    /// The graduation thresholds could not be read.
    #[error(transparent)]
    Graduation(#[from] graduation::GraduationError),
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
    let thresholds = graduation::thresholds(db).await?;
    let mut tx = db.begin().await?;
    let draft = db::drafts::find(&mut *tx, id)
        .await?
        .ok_or(DraftError::NotFound(id))?;
    // Browsers send a textarea's line breaks as CRLF; the draft and its edit are compared as text.
    let edited = edited.map(|text| text.trim().replace("\r\n", "\n"));
    let text = edited.as_deref().unwrap_or(&draft.markdown);
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
    let edit_distance = edited.then(|| crate::prompts::edit_distance(&draft.markdown, text));
    let decision = db::drafts::Decision {
        state: "approved",
        decided_by: reviewer.as_str(),
        reason: None,
        final_markdown,
        edit_distance,
    };
    if !db::drafts::decide(&mut tx, id, &decision, now).await? {
        return Err(DraftError::AlreadyDecided(id));
    }
    count_decision(&mut tx, &draft, true, thresholds).await?;
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
                "edit_distance": edit_distance,
                "markdown": text,
                "function": draft.function,
                "prompt_version": draft.prompt_version,
                "room_id": draft.room_id,
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
    let thresholds = graduation::thresholds(db).await?;
    let mut tx = db.begin().await?;
    let draft = db::drafts::find(&mut *tx, id)
        .await?
        .ok_or(DraftError::NotFound(id))?;
    let decision = db::drafts::Decision {
        state: "rejected",
        decided_by: reviewer.as_str(),
        reason: Some(reason),
        final_markdown: None,
        edit_distance: None,
    };
    if !db::drafts::decide(&mut tx, id, &decision, now_ms()).await? {
        return Err(DraftError::AlreadyDecided(id));
    }
    count_decision(&mut tx, &draft, false, thresholds).await?;
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
                "room_id": draft.room_id,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Counts the decision towards the graduation of the prompt version that wrote the draft.
async fn count_decision(
    conn: &mut sqlx::AnyConnection,
    draft: &Draft,
    approved: bool,
    thresholds: graduation::Thresholds,
) -> Result<(), sqlx::Error> {
    match crate::ai::parse_label(&draft.prompt_version) {
        Some((function, version)) => {
            graduation::record_decision(conn, function, version, approved, thresholds).await
        }
        // Steward's own answers have no prompt version to graduate.
        None => Ok(()),
    }
}
