//! SQL for external actions.

use sqlx::{Any, AnyConnection, Executor};

/// An action as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct ActionRow {
    pub id: i64,
    pub kind: String,
    pub function: String,
    pub room_id: String,
    pub thread_id: Option<String>,
    pub subject: String,
    pub title: String,
    pub payload_json: String,
    pub state: String,
    pub proposed_by: String,
    pub proposed_ms: i64,
    pub decided_by: Option<String>,
    pub decided_ms: Option<i64>,
    pub reason: Option<String>,
    pub reference: Option<String>,
    pub link: Option<String>,
    pub error: Option<String>,
    pub finished_ms: Option<i64>,
}

const COLUMNS: &str = "id, kind, function, room_id, thread_id, subject, title, payload_json, \
     state, proposed_by, proposed_ms, decided_by, decided_ms, reason, reference, link, error, \
     finished_ms";

/// An action about to be stored.
pub(crate) struct NewAction<'a> {
    pub kind: &'a str,
    pub function: &'a str,
    pub room_id: &'a str,
    pub thread_id: Option<&'a str>,
    pub subject: &'a str,
    pub title: &'a str,
    pub payload_json: String,
    pub proposed_by: &'a str,
}

/// Stores a pending action; `None` when one of this kind is already proposed for the subject.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    a: &NewAction<'_>,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO actions (kind, function, room_id, thread_id, subject, title, payload_json,
             state, proposed_by, proposed_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9)
         ON CONFLICT (subject, kind) DO NOTHING
         RETURNING id",
    )
    .bind(a.kind)
    .bind(a.function)
    .bind(a.room_id)
    .bind(a.thread_id)
    .bind(a.subject)
    .bind(a.title)
    .bind(&a.payload_json)
    .bind(a.proposed_by)
    .bind(now)
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
        "SELECT {COLUMNS} FROM actions WHERE state = 'pending' AND id > $1 ORDER BY id LIMIT $2"
    ))
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
        "SELECT {COLUMNS} FROM actions WHERE state <> 'pending' ORDER BY id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Moves a pending action to `state` (approved or rejected); false when it was not pending.
pub(crate) async fn decide(
    conn: &mut AnyConnection,
    id: i64,
    state: &str,
    decided_by: &str,
    reason: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE actions SET state = $1, decided_by = $2, decided_ms = $3, reason = $4
         WHERE id = $5 AND state = 'pending'",
    )
    .bind(state)
    .bind(decided_by)
    .bind(now)
    .bind(reason)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(changed.rows_affected() == 1)
}

/// Records how an approved action ended; false when it was not approved (already finished).
pub(crate) async fn finish(
    conn: &mut AnyConnection,
    id: i64,
    finished: &Finished<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE actions SET state = $1, reference = $2, link = $3, error = $4, finished_ms = $5
         WHERE id = $6 AND state = 'approved'",
    )
    .bind(finished.state)
    .bind(finished.reference)
    .bind(finished.link)
    .bind(finished.error)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(changed.rows_affected() == 1)
}

/// How an action ended.
pub(crate) struct Finished<'a> {
    pub state: &'a str,
    pub reference: Option<&'a str>,
    pub link: Option<&'a str>,
    pub error: Option<&'a str>,
}
