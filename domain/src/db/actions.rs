//! SQL for external actions.

use sqlx::{Any, AnyConnection, Executor};
use vocab::{ActionState, Actor, AgentFunction, IntegrationKind, Lifecycle};

use crate::db::{parse_column, placeholders};

/// An action as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct ActionRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: IntegrationKind,
    #[sqlx(try_from = "String")]
    pub function: AgentFunction,
    pub room_id: String,
    pub thread_id: Option<String>,
    pub subject: String,
    pub title: String,
    pub payload_json: String,
    #[sqlx(try_from = "String")]
    pub state: ActionState,
    #[sqlx(try_from = "String")]
    pub proposed_by: Actor,
    pub proposed_ms: i64,
    pub decided_by: Option<String>,
    pub decided_ms: Option<i64>,
    pub reason: Option<String>,
    pub reference: Option<String>,
    pub link: Option<String>,
    pub error: Option<String>,
    pub finished_ms: Option<i64>,
    pub destination: Option<String>,
}

const COLUMNS: &str = "id, kind, function, room_id, thread_id, subject, title, payload_json, \
     state, proposed_by, proposed_ms, decided_by, decided_ms, reason, reference, link, error, \
     finished_ms, destination";

impl ActionRow {
    /// Who approved or rejected it.
    pub(crate) fn decided_by(&self) -> Result<Option<Actor>, sqlx::Error> {
        self.decided_by
            .as_deref()
            .map(|actor| parse_column("actions.decided_by", actor))
            .transpose()
    }
}

/// An action about to be stored.
pub(crate) struct NewAction<'a> {
    pub kind: IntegrationKind,
    pub function: AgentFunction,
    pub room_id: &'a str,
    pub thread_id: Option<&'a str>,
    pub subject: &'a str,
    pub title: &'a str,
    pub payload_json: String,
    pub proposed_by: &'a Actor,
    pub destination: &'a str,
}

/// Stores a pending action; `None` when one of this kind is already proposed for the subject.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    a: &NewAction<'_>,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO actions (kind, function, room_id, thread_id, subject, title, payload_json,
             state, proposed_by, proposed_ms, destination)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (subject, kind) DO NOTHING
         RETURNING id",
    )
    .bind(a.kind.as_str())
    .bind(a.function.as_str())
    .bind(a.room_id)
    .bind(a.thread_id)
    .bind(a.subject)
    .bind(a.title)
    .bind(&a.payload_json)
    .bind(ActionState::Pending.as_str())
    .bind(a.proposed_by.to_string())
    .bind(now)
    .bind(a.destination)
    .fetch_optional(conn)
    .await
}

pub(crate) async fn find<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    id: i64,
) -> Result<Option<ActionRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM actions WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Pending actions after `after`, oldest first.
pub(crate) async fn pending<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    after: i64,
    limit: i64,
) -> Result<Vec<ActionRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM actions WHERE state = $1 AND id > $2 ORDER BY id LIMIT $3"
    ))
    .bind(ActionState::Pending.as_str())
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Actions past pending, most recently proposed first.
pub(crate) async fn decided<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    limit: i64,
) -> Result<Vec<ActionRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM actions WHERE state <> $1 ORDER BY id DESC LIMIT $2"
    ))
    .bind(ActionState::Pending.as_str())
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// How an action moves: decided by a person, or finished by its job.
pub(crate) enum Move<'a> {
    /// Approved or rejected.
    Decided {
        by: &'a Actor,
        reason: Option<&'a str>,
    },
    /// Succeeded or failed.
    Finished {
        reference: Option<&'a str>,
        link: Option<&'a str>,
        error: Option<&'a str>,
    },
}

/// Moves an action to `to` if its state may become it. Returns whether it moved.
pub(crate) async fn move_state(
    conn: &mut AnyConnection,
    id: i64,
    to: ActionState,
    change: &Move<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let from = ActionState::ways_into(to);
    if from.is_empty() {
        // Nothing becomes `to`: it is a state things start in.
        return Ok(false);
    }
    let (set, first) = match change {
        Move::Decided { .. } => ("decided_by = $2, reason = $3, decided_ms = $4", 6),
        Move::Finished { .. } => ("reference = $2, link = $3, error = $4, finished_ms = $5", 7),
    };
    let id_param = first - 1;
    let sql = format!(
        "UPDATE actions SET state = $1, {set} WHERE id = ${id_param} AND state IN ({})",
        placeholders(first, from.len())
    );
    let mut query = sqlx::query(&sql).bind(to.as_str());
    query = match change {
        Move::Decided { by, reason } => query.bind(by.to_string()).bind(*reason).bind(now),
        Move::Finished {
            reference,
            link,
            error,
        } => query.bind(*reference).bind(*link).bind(*error).bind(now),
    };
    query = query.bind(id);
    for state in from {
        query = query.bind(state.as_str());
    }
    Ok(query.execute(conn).await?.rows_affected() == 1)
}

/// The state of an actions row, if it exists.
pub(crate) async fn state_of(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<ActionState>, sqlx::Error> {
    crate::db::state_of(conn, "actions", id).await
}
