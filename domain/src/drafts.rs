//! Drafts: what agents produced in shadow mode (kept for evaluation) and in review mode (held
//! until a reviewer approves, edits or rejects them). Approving a draft queues it for posting in
//! the thread it answers; every decision is audited.

use serde::{Deserialize, Serialize};
use serde_json::json;

pub use vocab::DraftState;

use vocab::AgentFunction;

use crate::{
    Db,
    agents::MAX_REPLY_BYTES,
    audit::{self, Actor, NewEntry},
    db, graduation,
    inbox::{self, EventState},
    lifecycle::{self, MoveError},
    outbox::{NewOutbox, queue_post},
    time::now_ms,
};

/// A message of a draft's context: what a reviewer reads to judge the draft.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextLine {
    /// Who wrote it.
    pub author: String,
    /// What they wrote, redacted.
    pub text: String,
    /// When, as Webex reports it.
    pub created: String,
    /// Whether it is the message the draft answers.
    pub trigger: bool,
}

/// A stored draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// Its id.
    pub id: i64,
    /// The event it answers.
    pub event_id: Option<i64>,
    /// The agent function that wrote it.
    pub function: AgentFunction,
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
    /// Where it stands.
    pub state: DraftState,
    /// Who decided.
    pub decided_by: Option<Actor>,
    /// When.
    pub decided_ms: Option<i64>,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// What was posted, when a reviewer edited it.
    pub final_markdown: Option<String>,
    /// When it was written.
    pub created_ms: i64,
    /// The triggering message and the thread before it, oldest first.
    pub context: Vec<ContextLine>,
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
    /// Its state does not allow the decision (a shadow draft is never posted).
    #[error(transparent)]
    Illegal(vocab::IllegalMove),
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

impl From<MoveError> for DraftError {
    fn from(error: MoveError) -> Self {
        match error {
            MoveError::Illegal(refused) => Self::Illegal(refused),
            MoveError::NotFound { id, .. } => Self::NotFound(id),
            MoveError::Query(e) => Self::Query(e),
        }
    }
}

impl crate::Classify for DraftError {
    fn is_transient(&self) -> bool {
        match self {
            Self::Query(_) => true,
            Self::Graduation(e) => e.is_transient(),
            Self::NotFound(_) | Self::AlreadyDecided(_) | Self::Illegal(_) | Self::Invalid(_) => {
                false
            }
        }
    }

    fn refusal(&self) -> Option<String> {
        match self {
            Self::NotFound(_) | Self::AlreadyDecided(_) | Self::Illegal(_) | Self::Invalid(_) => {
                Some(self.to_string())
            }
            Self::Graduation(_) | Self::Query(_) => None,
        }
    }
}

/// Drafts waiting for review, oldest first, after id `after`.
pub async fn pending(db: &Db, after: i64, limit: i64) -> Result<Vec<Draft>, DraftError> {
    Ok(db::drafts::list(db, DraftState::Pending, after, limit).await?)
}

/// Drafts recorded in shadow mode, oldest first, after id `after`.
pub async fn shadowed(db: &Db, after: i64, limit: i64) -> Result<Vec<Draft>, DraftError> {
    Ok(db::drafts::list(db, DraftState::Shadow, after, limit).await?)
}

/// Moves draft `id` to `to` with the reviewer's decision, inside the caller's transaction: the
/// one place a draft's state changes after it is written. A draft someone decided first is
/// [`DraftError::AlreadyDecided`].
async fn move_draft(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    to: DraftState,
    decision: &db::drafts::Decision<'_>,
) -> Result<(), DraftError> {
    if db::drafts::decide(conn, id, to, decision, now_ms()).await? {
        return Ok(());
    }
    match db::drafts::state_of(conn, id).await? {
        Some(DraftState::Approved | DraftState::Rejected) => Err(DraftError::AlreadyDecided(id)),
        current => Err(lifecycle::refused(id, current, to).into()),
    }
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
    let thresholds = graduation::thresholds(db).await?;
    let mut tx = db.begin().await?;
    let draft = db::drafts::find(&mut *tx, id)
        .await?
        .ok_or(DraftError::NotFound(id))?;
    // Browsers send a textarea's line breaks as CRLF; the draft and its edit are compared as text.
    let edited = edited.map(|text| text.trim().replace("\r\n", "\n"));
    let text = edited.as_deref().unwrap_or(&draft.markdown);
    if text.is_empty() {
        return Err(DraftError::Invalid(
            "The reply must not be empty; reject the draft instead.",
        ));
    }
    if text.len() > MAX_REPLY_BYTES {
        return Err(DraftError::Invalid(
            "The reply is longer than the 7439 bytes Webex accepts.",
        ));
    }
    let edited = text != draft.markdown;
    let final_markdown = edited.then_some(text);
    let edit_distance = edited.then(|| crate::prompts::edit_distance(&draft.markdown, text));
    let decision = db::drafts::Decision {
        decided_by: reviewer,
        reason: None,
        final_markdown,
        edit_distance,
    };
    move_draft(&mut tx, id, DraftState::Approved, &decision).await?;
    count_decision(&mut tx, db, &draft, true, thresholds).await?;
    let reviewer_name = reviewer_name(&mut tx, reviewer).await?;
    let disclosure = crate::disclosure::get_in(&mut tx)
        .await
        .map_err(|e| match e {
            crate::settings::SettingsError::Query(e) => DraftError::Query(e),
            other => DraftError::Query(sqlx::Error::Protocol(other.to_string())),
        })?
        .line(Some(&reviewer_name));
    let outbox_id = queue_post(
        &mut tx,
        &NewOutbox {
            event_id: draft.event_id,
            draft_id: Some(id),
            room_id: &draft.room_id,
            parent_id: draft.parent_id.as_deref(),
            markdown: &crate::disclosure::with_line(text, &disclosure),
            card_json: crate::disclosure::card_with_line(draft.card_json.as_deref(), &disclosure),
        },
    )
    .await?;
    if let Some(event_id) = draft.event_id {
        inbox::move_event(&mut tx, event_id, EventState::Replying, None).await?;
    }
    audit::append(
        &mut tx,
        db,
        NewEntry {
            actor: reviewer.clone(),
            action: "draft.approve".into(),
            target: format!("draft:{id}"),
            before: Some(json!({ "state": draft.state, "markdown": draft.markdown })),
            after: Some(json!({
                "state": DraftState::Approved,
                "edited": edited,
                "edit_distance": edit_distance,
                "markdown": text,
                "function": draft.function,
                "prompt_version": draft.prompt_version,
                "room_id": draft.room_id,
                "outbox_id": outbox_id,
                "disclosure": disclosure,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(outbox_id)
}

/// Approves each of `ids` as written, each in its own transaction; drafts someone decided
/// meanwhile (or that are gone) are skipped. Returns how many were approved.
pub async fn approve_each(db: &Db, ids: &[i64], reviewer: &Actor) -> Result<usize, DraftError> {
    if ids.len() > MAX_APPROVED_AT_ONCE {
        return Err(DraftError::Invalid("Approve at most 100 drafts at once."));
    }
    let mut approved = 0;
    for &id in ids {
        match approve(db, id, reviewer, None).await {
            Ok(_) => approved += 1,
            Err(DraftError::AlreadyDecided(_) | DraftError::NotFound(_)) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(approved)
}

/// The most drafts one "approve selected" decides: a page of the queue, never an unbounded list.
pub const MAX_APPROVED_AT_ONCE: usize = 100;
/// The longest rejection reason kept.
pub const MAX_REASON_CHARS: usize = 500;

/// What a person who asked hears when the answer waits for a reviewer.
pub const HELD_FOR_REVIEW: &str = "A reviewer checks my answer before I post it here.";

/// What a person who asked hears when a reviewer declines the answer.
pub const DECLINED: &str = "A reviewer decided not to post my answer.";

/// Rejects a pending draft with the reviewer's reason. The draft is not posted; where a person
/// asked for it, the thread hears that it was declined (not why: that is for the audit log).
pub async fn reject(db: &Db, id: i64, reviewer: &Actor, reason: &str) -> Result<(), DraftError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(DraftError::Invalid("Say why the draft is rejected."));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(DraftError::Invalid("Keep the reason under 500 characters."));
    }
    let thresholds = graduation::thresholds(db).await?;
    let mut tx = db.begin().await?;
    let draft = db::drafts::find(&mut *tx, id)
        .await?
        .ok_or(DraftError::NotFound(id))?;
    let decision = db::drafts::Decision {
        decided_by: reviewer,
        reason: Some(reason),
        final_markdown: None,
        edit_distance: None,
    };
    move_draft(&mut tx, id, DraftState::Rejected, &decision).await?;
    count_decision(&mut tx, db, &draft, false, thresholds).await?;
    // Shadow runs were never announced; only a held answer's asker is waiting.
    if draft.function.answers_people() && draft.state == DraftState::Pending {
        queue_post(
            &mut tx,
            &NewOutbox {
                event_id: None,
                draft_id: None,
                room_id: &draft.room_id,
                parent_id: draft.parent_id.as_deref(),
                markdown: DECLINED,
                card_json: None,
            },
        )
        .await?;
    }
    audit::append(
        &mut tx,
        db,
        NewEntry {
            actor: reviewer.clone(),
            action: "draft.reject".into(),
            target: format!("draft:{id}"),
            before: Some(json!({ "state": draft.state })),
            after: Some(json!({
                "state": DraftState::Rejected,
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

/// What the disclosure under an approved answer calls its reviewer: their name from signing in
/// to Steward, else what Webex calls them, else their e-mail.
async fn reviewer_name(
    conn: &mut sqlx::AnyConnection,
    reviewer: &Actor,
) -> Result<String, sqlx::Error> {
    let Actor::User(id) = reviewer else {
        return Ok(reviewer.to_string());
    };
    let Some(user) = db::users::find_by_id(&mut *conn, *id).await? else {
        return Ok(reviewer.to_string());
    };
    if let Some(name) = user.display_name {
        return Ok(name);
    }
    Ok(db::people::name_by_email(conn, &user.email)
        .await?
        .unwrap_or(user.email))
}

/// Counts the decision towards the graduation of the prompt version that wrote the draft.
async fn count_decision(
    conn: &mut sqlx::AnyConnection,
    db: &Db,
    draft: &Draft,
    approved: bool,
    thresholds: graduation::Thresholds,
) -> Result<(), sqlx::Error> {
    match crate::ai::parse_label(&draft.prompt_version) {
        Some((function, version)) => {
            graduation::record_decision(conn, db, function, version, approved, thresholds).await
        }
        // Steward's own answers have no prompt version to graduate.
        None => Ok(()),
    }
}
