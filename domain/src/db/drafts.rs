//! SQL for drafts (shadow outputs and the review queue) and triaged alerts.

use sqlx::{Any, AnyConnection, Executor};

use crate::{Db, drafts::Draft};

const DRAFT_COLUMNS: &str = "id, event_id, function, room_id, parent_id, trigger_message_id, \
     trigger_person_id, prompt_version, engine, markdown, card_json, state, decided_by, decided_ms, \
     reason, final_markdown, created_ms, context_json, edit_distance";

/// A draft about to be stored.
pub(crate) struct NewDraft<'a> {
    pub event_id: Option<i64>,
    pub function: &'a str,
    pub room_id: &'a str,
    pub parent_id: Option<&'a str>,
    pub trigger_message_id: Option<&'a str>,
    pub trigger_person_id: Option<&'a str>,
    pub prompt_version: &'a str,
    pub engine: &'a str,
    pub markdown: &'a str,
    pub card_json: Option<String>,
    pub state: &'a str,
    pub context_json: Option<String>,
}

pub(crate) async fn insert(
    conn: &mut AnyConnection,
    d: &NewDraft<'_>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO drafts (event_id, function, room_id, parent_id, trigger_message_id,
             trigger_person_id, prompt_version, engine, markdown, card_json, state, created_ms,
             context_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(d.event_id)
    .bind(d.function)
    .bind(d.room_id)
    .bind(d.parent_id)
    .bind(d.trigger_message_id)
    .bind(d.trigger_person_id)
    .bind(d.prompt_version)
    .bind(d.engine)
    .bind(d.markdown)
    .bind(d.card_json.as_deref())
    .bind(d.state)
    .bind(now)
    .bind(d.context_json.as_deref())
    .fetch_one(conn)
    .await
}

pub(crate) async fn find<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    id: i64,
) -> Result<Option<Draft>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Drafts in `state`, oldest first, after id `after` (keyset pagination).
pub(crate) async fn list(
    db: &Db,
    state: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<Draft>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {DRAFT_COLUMNS} FROM drafts WHERE state = $1 AND id > $2 ORDER BY id LIMIT $3"
    ))
    .bind(state)
    .bind(after)
    .bind(limit)
    .fetch_all(db.reader())
    .await
}

/// A reviewer's decision on a draft.
pub(crate) struct Decision<'a> {
    pub state: &'a str,
    pub decided_by: &'a str,
    pub reason: Option<&'a str>,
    pub final_markdown: Option<&'a str>,
    pub edit_distance: Option<i64>,
}

/// Decides a pending draft; false when it was no longer pending.
pub(crate) async fn decide(
    conn: &mut AnyConnection,
    id: i64,
    decision: &Decision<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE drafts SET state = $1, decided_by = $2, reason = $3, final_markdown = $4,
             edit_distance = $5, decided_ms = $6
         WHERE id = $7 AND state = 'pending'",
    )
    .bind(decision.state)
    .bind(decision.decided_by)
    .bind(decision.reason)
    .bind(decision.final_markdown)
    .bind(decision.edit_distance)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// An alert as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct AlertRow {
    pub id: i64,
    pub room_id: String,
    pub message_id: String,
    pub thread_id: String,
    pub severity: String,
    pub title: String,
    pub state: String,
    pub acted_by: Option<String>,
    pub created_ms: i64,
    pub entities_json: String,
}

const ALERT_COLUMNS: &str = "id, room_id, message_id, thread_id, severity, title, state, acted_by, created_ms, entities_json";

/// An alert about to be stored.
pub(crate) struct NewAlert<'a> {
    pub event_id: Option<i64>,
    pub room_id: &'a str,
    pub message_id: &'a str,
    pub thread_id: &'a str,
    pub severity: &'a str,
    pub title: &'a str,
    pub entities_json: String,
}

pub(crate) async fn insert_alert(
    conn: &mut AnyConnection,
    a: &NewAlert<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO alerts (event_id, room_id, message_id, thread_id, severity, title,
             entities_json, state, created_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8)
         ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(a.event_id)
    .bind(a.room_id)
    .bind(a.message_id)
    .bind(a.thread_id)
    .bind(a.severity)
    .bind(a.title)
    .bind(&a.entities_json)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn find_alert(db: &Db, message_id: &str) -> Result<Option<AlertRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ALERT_COLUMNS} FROM alerts WHERE message_id = $1"
    ))
    .bind(message_id)
    .fetch_optional(db.reader())
    .await
}

/// The newest alerts of a space before `before_ms`, for similarity when history is unreadable.
pub(crate) async fn recent_alerts(
    db: &Db,
    room_id: &str,
    before_ms: i64,
    limit: i64,
) -> Result<Vec<AlertRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ALERT_COLUMNS} FROM alerts WHERE room_id = $1 AND created_ms < $2
         ORDER BY id DESC LIMIT $3"
    ))
    .bind(room_id)
    .bind(before_ms)
    .bind(limit)
    .fetch_all(db.reader())
    .await
}

/// Moves an alert from one of `from` to `to`; false when it was in another state.
pub(crate) async fn act_on_alert(
    conn: &mut AnyConnection,
    id: i64,
    from: &[&str],
    to: &str,
    person_id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let placeholders = (0..from.len())
        .map(|i| format!("${}", i + 5))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "UPDATE alerts SET state = $1, acted_by = $2, acted_ms = $3
         WHERE id = $4 AND state IN ({placeholders})"
    );
    let mut query = sqlx::query(&sql)
        .bind(to)
        .bind(person_id)
        .bind(now)
        .bind(id);
    for state in from {
        query = query.bind(*state);
    }
    Ok(query.execute(conn).await?.rows_affected() == 1)
}
