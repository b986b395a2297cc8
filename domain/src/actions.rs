//! The Actions queue: external calls agents propose (create a ServiceNow incident, trigger a
//! PagerDuty event, create a Jira issue, call a webhook). Nothing leaves Steward until a person
//! approves: a proposal waits with the exact request body it will send; approving queues a job
//! that sends it through the integration (retried, then dead-lettered), rejecting records why.
//! Either way the outcome is said in the thread the proposal came from and audited.

use serde_json::json;

pub use vocab::ActionState;

use vocab::AgentFunction;

use crate::{
    Db,
    audit::{self, Actor, NewEntry},
    db::{
        self,
        actions::{ActionRow, Move},
    },
    integrations::{IntegrationError, IntegrationKind, Outcome},
    lifecycle::{self, MoveError},
    outbox::{NewOutbox, queue_post},
    queue::{self, Job, NewJob},
    settings::{self, SettingKey, SettingsError},
    time::now_ms,
    webex::markup::escape_markdown,
};

/// The setting that names the integration alert triage's Escalate button proposes to use.
pub const ESCALATION_SETTING: &str = "actions.escalate_alerts_to";
/// The longest rejection reason kept.
pub const MAX_REASON_CHARS: usize = 500;

/// An external action and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    /// Its id.
    pub id: i64,
    /// The system it calls.
    pub kind: IntegrationKind,
    /// The agent function that proposed it.
    pub function: AgentFunction,
    /// The space it came from.
    pub room_id: String,
    /// The thread where its outcome is said.
    pub thread_id: Option<String>,
    /// What it is about, e.g. `alert:12`.
    pub subject: String,
    /// One line for people.
    pub title: String,
    /// The request body, without credentials.
    pub payload: serde_json::Value,
    /// Where it stands.
    pub state: ActionState,
    /// Who proposed it.
    pub proposed_by: Actor,
    /// When (ms).
    pub proposed_ms: i64,
    /// Who approved or rejected it.
    pub decided_by: Option<Actor>,
    /// When (ms).
    pub decided_ms: Option<i64>,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// The record it made at the other end.
    pub reference: Option<String>,
    /// Where to open that record.
    pub link: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// When it ended (ms).
    pub finished_ms: Option<i64>,
    /// Where it goes: the origin of its integration's base URL when it was proposed (none for
    /// actions proposed before Steward recorded it).
    pub destination: Option<String>,
}

impl Action {
    /// The id that makes a repeated call find the first: `steward-alert-12`.
    pub fn correlation(&self) -> String {
        correlation(&self.subject)
    }
}

/// `steward-<subject>` with `:` as `-`, e.g. `steward-alert-12`.
pub fn correlation(subject: &str) -> String {
    format!("steward-{}", subject.replace(':', "-"))
}

impl TryFrom<ActionRow> for Action {
    type Error = ActionError;

    fn try_from(row: ActionRow) -> Result<Self, Self::Error> {
        Ok(Self {
            decided_by: row.decided_by()?,
            kind: row.kind,
            payload: serde_json::from_str(&row.payload_json)
                .map_err(|e| ActionError::Corrupt(row.id, e.to_string()))?,
            id: row.id,
            function: row.function,
            room_id: row.room_id,
            thread_id: row.thread_id,
            subject: row.subject,
            title: row.title,
            state: row.state,
            proposed_by: row.proposed_by,
            proposed_ms: row.proposed_ms,
            decided_ms: row.decided_ms,
            reason: row.reason,
            reference: row.reference,
            link: row.link,
            error: row.error,
            finished_ms: row.finished_ms,
            destination: row.destination,
        })
    }
}

/// Why an action could not be proposed, decided or read.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// No such action.
    #[error("there is no action {0}")]
    NotFound(i64),
    /// Someone decided it first.
    #[error("action {0} was already decided")]
    AlreadyDecided(i64),
    /// Its state does not allow the move.
    #[error(transparent)]
    Illegal(vocab::IllegalMove),
    /// The input is not acceptable.
    #[error("{0}")]
    Invalid(&'static str),
    /// The integration chosen is not set up yet.
    #[error("Set up {} first.", .0.label())]
    NotSetUp(IntegrationKind),
    /// A stored row is unreadable.
    #[error("action {0} is stored wrongly: {1}")]
    Corrupt(i64, String),
    /// The integration is unknown or unusable.
    #[error(transparent)]
    Integration(#[from] IntegrationError),
    /// A setting could not be read or written.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The database failed.
    #[error("actions query failed")]
    Query(#[from] sqlx::Error),
}

impl crate::Classify for ActionError {
    fn is_transient(&self) -> bool {
        match self {
            Self::Query(_) => true,
            Self::Integration(e) => e.is_transient(),
            Self::Settings(e) => e.is_transient(),
            Self::NotFound(_)
            | Self::AlreadyDecided(_)
            | Self::Illegal(_)
            | Self::Invalid(_)
            | Self::NotSetUp(_)
            | Self::Corrupt(..) => false,
        }
    }

    fn refusal(&self) -> Option<String> {
        match self {
            Self::NotFound(_)
            | Self::AlreadyDecided(_)
            | Self::Illegal(_)
            | Self::Invalid(_)
            | Self::NotSetUp(_) => Some(self.to_string()),
            Self::Integration(e) => e.refusal(),
            Self::Corrupt(..) | Self::Settings(_) | Self::Query(_) => None,
        }
    }
}

/// Moves action `id` to `to` inside the caller's transaction: the one place an action's state
/// changes after it is proposed.
async fn move_action(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    to: ActionState,
    change: &Move<'_>,
) -> Result<(), MoveError> {
    if db::actions::move_state(conn, id, to, change, now_ms()).await? {
        return Ok(());
    }
    let current = db::actions::state_of(conn, id).await?;
    Err(lifecycle::refused(id, current, to))
}

/// A person's decision on an action, refused with [`ActionError::AlreadyDecided`] when someone
/// decided first.
async fn decide(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    to: ActionState,
    by: &Actor,
    reason: Option<&str>,
) -> Result<(), ActionError> {
    match move_action(conn, id, to, &Move::Decided { by, reason }).await {
        Ok(()) => Ok(()),
        Err(MoveError::Illegal(_)) => Err(ActionError::AlreadyDecided(id)),
        Err(MoveError::NotFound { id, .. }) => Err(ActionError::NotFound(id)),
        Err(MoveError::Query(e)) => Err(e.into()),
    }
}

/// The end of an approved action. An action an earlier attempt already finished stays as it
/// was: finishing is idempotent.
async fn finish(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    to: ActionState,
    change: &Move<'_>,
) -> Result<bool, sqlx::Error> {
    match move_action(conn, id, to, change).await {
        Ok(()) => Ok(true),
        Err(MoveError::Illegal(_) | MoveError::NotFound { .. }) => Ok(false),
        Err(MoveError::Query(e)) => Err(e),
    }
}

/// An action an agent proposes.
#[derive(Clone, Debug)]
pub struct Proposal<'a> {
    /// The system to call.
    pub kind: IntegrationKind,
    /// The agent function proposing it.
    pub function: AgentFunction,
    /// The space it comes from.
    pub room_id: &'a str,
    /// Where to say the outcome.
    pub thread_id: Option<&'a str>,
    /// What it is about, e.g. `alert:12`.
    pub subject: &'a str,
    /// One line for people.
    pub title: &'a str,
    /// The request body, from [`crate::integrations::payload`].
    pub payload: serde_json::Value,
    /// Who asked for it.
    pub proposed_by: &'a Actor,
    /// The origin it will be sent to (see [`crate::integrations::origin`]).
    pub destination: &'a str,
}

/// Stores a proposal and audits it, in the caller's transaction. `None` when this subject
/// already has a proposal of this kind.
pub(crate) async fn propose_in(
    conn: &mut sqlx::AnyConnection,
    db: &Db,
    proposal: &Proposal<'_>,
) -> Result<Option<i64>, sqlx::Error> {
    let id = db::actions::insert(
        conn,
        &db::actions::NewAction {
            kind: proposal.kind,
            function: proposal.function,
            room_id: proposal.room_id,
            thread_id: proposal.thread_id,
            subject: proposal.subject,
            title: proposal.title,
            payload_json: proposal.payload.to_string(),
            proposed_by: proposal.proposed_by,
            destination: proposal.destination,
        },
        now_ms(),
    )
    .await?;
    if let Some(id) = id {
        audit::append(
            conn,
            db,
            NewEntry {
                actor: proposal.proposed_by.clone(),
                action: "action.propose".into(),
                target: format!("action:{id}"),
                before: None,
                after: Some(json!({
                    "kind": proposal.kind,
                    "function": proposal.function,
                    "room_id": proposal.room_id,
                    "subject": proposal.subject,
                    "title": proposal.title,
                    "destination": proposal.destination,
                })),
            },
        )
        .await?;
    }
    Ok(id)
}

/// One action.
pub async fn find(db: &Db, id: i64) -> Result<Action, ActionError> {
    db::actions::find(db.reader(), id)
        .await?
        .ok_or(ActionError::NotFound(id))?
        .try_into()
}

/// Pending actions after id `after`, oldest first.
pub async fn pending(db: &Db, after: i64, limit: i64) -> Result<Vec<Action>, ActionError> {
    db::actions::pending(db.reader(), after, limit)
        .await?
        .into_iter()
        .map(Action::try_from)
        .collect()
}

/// The latest actions that are no longer pending, newest first.
pub async fn decided(db: &Db, limit: i64) -> Result<Vec<Action>, ActionError> {
    db::actions::decided(db.reader(), limit)
        .await?
        .into_iter()
        .map(Action::try_from)
        .collect()
}

/// Approves a pending action: queues the job that carries it out. `name` is the approver's
/// display name, for the message that reports the outcome.
pub async fn approve(db: &Db, id: i64, approver: &Actor, name: &str) -> Result<(), ActionError> {
    let mut tx = db.begin().await?;
    let action: Action = db::actions::find(&mut *tx, id)
        .await?
        .ok_or(ActionError::NotFound(id))?
        .try_into()?;
    decide(&mut tx, id, ActionState::Approved, approver, None).await?;
    queue::enqueue(
        &mut tx,
        &NewJob::new(Job::Act {
            action_id: id,
            approver: Some(name.to_owned()),
        }),
    )
    .await?;
    audit::append(
        &mut tx,
        db,
        NewEntry {
            actor: approver.clone(),
            action: "action.approve".into(),
            target: format!("action:{id}"),
            before: Some(json!({ "state": action.state })),
            after: Some(json!({
                "state": ActionState::Approved,
                "kind": action.kind,
                "function": action.function,
                "room_id": action.room_id,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Rejects a pending action with a reason; nothing is sent, and the thread is told why.
pub async fn reject(
    db: &Db,
    id: i64,
    approver: &Actor,
    name: &str,
    reason: &str,
) -> Result<(), ActionError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ActionError::Invalid("Say why the action is rejected."));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(ActionError::Invalid(
            "Keep the reason under 500 characters.",
        ));
    }
    let mut tx = db.begin().await?;
    let action: Action = db::actions::find(&mut *tx, id)
        .await?
        .ok_or(ActionError::NotFound(id))?
        .try_into()?;
    decide(&mut tx, id, ActionState::Rejected, approver, Some(reason)).await?;
    audit::append(
        &mut tx,
        db,
        NewEntry {
            actor: approver.clone(),
            action: "action.reject".into(),
            target: format!("action:{id}"),
            before: Some(json!({ "state": action.state })),
            after: Some(json!({
                "state": ActionState::Rejected,
                "reason": reason,
                "kind": action.kind,
                "function": action.function,
                "room_id": action.room_id,
            })),
        },
    )
    .await?;
    let said = format!(
        "**{}** declined to {}: {}",
        escape_markdown(name),
        action.kind.verb(),
        escape_markdown(reason)
    );
    tell_thread(&mut tx, &action, &said).await?;
    tx.commit().await?;
    Ok(())
}

/// Records that an approved action went through, audits it and says so in its thread.
pub(crate) async fn succeeded_in(
    conn: &mut sqlx::AnyConnection,
    db: &Db,
    action: &Action,
    outcome: &Outcome,
    approver: &str,
) -> Result<(), sqlx::Error> {
    let finished = Move::Finished {
        reference: Some(&outcome.reference),
        link: outcome.link.as_deref(),
        error: None,
    };
    if !finish(conn, action.id, ActionState::Succeeded, &finished).await? {
        return Ok(());
    }
    audit::append(
        conn,
        db,
        NewEntry {
            actor: Actor::system("runtime"),
            action: "action.succeeded".into(),
            target: format!("action:{}", action.id),
            before: Some(json!({ "state": ActionState::Approved })),
            after: Some(json!({
                "state": ActionState::Succeeded,
                "kind": action.kind,
                "function": action.function,
                "room_id": action.room_id,
                "reference": outcome.reference,
                "link": outcome.link,
            })),
        },
    )
    .await?;
    let mut said = format!(
        "{} **{}**, approved by {}.",
        action.kind.done(),
        escape_markdown(&outcome.reference),
        escape_markdown(approver)
    );
    if let Some(link) = &outcome.link {
        said.push_str(&format!(" [Open it]({link})"));
    }
    tell_thread(conn, action, &said).await
}

/// Records that an approved action failed for good, audits it and says so in its thread.
pub(crate) async fn failed_in(
    conn: &mut sqlx::AnyConnection,
    db: &Db,
    id: i64,
    reason: &str,
) -> Result<(), sqlx::Error> {
    let Some(row) = db::actions::find(&mut *conn, id).await? else {
        return Ok(());
    };
    let Ok(action) = Action::try_from(row) else {
        return Ok(());
    };
    let finished = Move::Finished {
        reference: None,
        link: None,
        error: Some(reason),
    };
    if !finish(conn, id, ActionState::Failed, &finished).await? {
        return Ok(());
    }
    audit::append(
        conn,
        db,
        NewEntry {
            actor: Actor::system("runtime"),
            action: "action.failed".into(),
            target: format!("action:{id}"),
            before: Some(json!({ "state": ActionState::Approved })),
            after: Some(json!({
                "state": ActionState::Failed,
                "kind": action.kind,
                "function": action.function,
                "room_id": action.room_id,
                "error": reason,
            })),
        },
    )
    .await?;
    tell_thread(conn, &action, &failure_notice(&action, reason)).await
}

/// What a space hears of a failed action: a fixed sentence and the HTTP status, never what the
/// remote system answered (which anyone controlling it could word); the reason itself stays on
/// the Actions page and in the audit log.
fn failure_notice(action: &Action, reason: &str) -> String {
    // Steward's own wording puts the status first ("… answered 400: …", "… unavailable: HTTP
    // 503"), before anything the remote system said.
    let status = ["answered ", "HTTP "].iter().find_map(|word| {
        reason
            .match_indices(word)
            .filter_map(|(at, _)| reason[at + word.len()..].get(..3))
            .find(|code| code.bytes().all(|b| b.is_ascii_digit()))
    });
    let why = match status {
        _ if reason.contains(" now points to ") => format!(
            "{}'s address changed after it was proposed",
            action.kind.label()
        ),
        Some(code) => format!("{} answered HTTP {code}", action.kind.label()),
        None => format!("{} could not be reached", action.kind.label()),
    };
    format!(
        "Could not {}: {why}. The details are on Steward's Actions page.",
        action.kind.verb()
    )
}

async fn tell_thread(
    conn: &mut sqlx::AnyConnection,
    action: &Action,
    markdown: &str,
) -> Result<(), sqlx::Error> {
    queue_post(
        conn,
        &NewOutbox {
            event_id: None,
            draft_id: None,
            room_id: &action.room_id,
            parent_id: action.thread_id.as_deref(),
            markdown,
            card_json: None,
        },
    )
    .await?;
    Ok(())
}

/// The integration alert triage's Escalate button proposes to use, if an admin chose one.
pub async fn escalation_target(db: &Db) -> Result<Option<IntegrationKind>, ActionError> {
    let key = SettingKey::parse(ESCALATION_SETTING).expect("a valid key");
    Ok(settings::get(db, &key)
        .await?
        .and_then(|v| v.as_str().and_then(|s| s.parse().ok())))
}

/// Chooses the integration Escalate proposes to use (`None`: escalations are only recorded),
/// once it is set up. Returns whether the choice changed.
pub async fn set_escalation_target(
    db: &Db,
    kind: Option<IntegrationKind>,
    actor: &Actor,
) -> Result<bool, ActionError> {
    let key = SettingKey::parse(ESCALATION_SETTING).expect("a valid key");
    let mut tx = db.begin().await?;
    if let Some(kind) = kind
        && crate::integrations::load_in(&mut tx, kind).await?.is_none()
    {
        return Err(ActionError::NotSetUp(kind));
    }
    let value = kind.map_or(serde_json::Value::Null, |k| json!(k));
    let changed = settings::set_in(&mut tx, db, &key, value, actor).await?;
    tx.commit().await?;
    Ok(changed)
}

#[cfg(test)]
mod tests;
