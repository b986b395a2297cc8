//! SQL for the outbox, drafts, alerts and usage counters: what the pipeline writes when it
//! decides.

use sqlx::{Any, AnyConnection, Executor};

use vocab::{Decision, OutboxState};

use crate::{Db, outbox::Settled, usage::Usage};

/// A message Steward is to post, or has posted.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct OutboxRow {
    pub id: i64,
    pub event_id: Option<i64>,
    pub draft_id: Option<i64>,
    pub room_id: String,
    pub parent_id: Option<String>,
    pub markdown: String,
    pub card_json: Option<String>,
    #[sqlx(try_from = "String")]
    pub state: OutboxState,
    pub attempted_ms: Option<i64>,
    pub message_id: Option<String>,
    pub created_ms: i64,
}

/// What is about to be posted.
pub(crate) struct NewOutbox<'a> {
    pub event_id: Option<i64>,
    pub draft_id: Option<i64>,
    pub room_id: &'a str,
    pub parent_id: Option<&'a str>,
    pub markdown: &'a str,
    pub card_json: Option<String>,
}

pub(crate) async fn insert(
    conn: &mut AnyConnection,
    new: &NewOutbox<'_>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO outbox (event_id, draft_id, room_id, parent_id, markdown, card_json, state, created_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(new.event_id)
    .bind(new.draft_id)
    .bind(new.room_id)
    .bind(new.parent_id)
    .bind(new.markdown)
    .bind(new.card_json.as_deref())
    .bind(OutboxState::Pending.as_str())
    .bind(now)
    .fetch_one(conn)
    .await
}

pub(crate) async fn find<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    id: i64,
) -> Result<Option<OutboxRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, event_id, draft_id, room_id, parent_id, markdown, card_json, state,
                attempted_ms, message_id, created_ms
         FROM outbox WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Records that a POST is about to be sent: from now on its outcome may be unknown.
pub(crate) async fn mark_attempted(db: &Db, id: i64, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outbox SET attempted_ms = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Moves a pending message to sent or dead. False when it was not pending.
pub(crate) async fn settle(
    conn: &mut AnyConnection,
    id: i64,
    settled: &Settled<'_>,
) -> Result<bool, sqlx::Error> {
    let query = match settled {
        Settled::Sent { message_id, at } => sqlx::query(
            "UPDATE outbox SET state = $1, message_id = $2, sent_ms = $3
             WHERE id = $4 AND state = $5",
        )
        .bind(OutboxState::Sent.as_str())
        .bind(*message_id)
        .bind(*at),
        Settled::Dead(error) => {
            sqlx::query("UPDATE outbox SET state = $1, error = $2 WHERE id = $3 AND state = $4")
                .bind(OutboxState::Dead.as_str())
                .bind(*error)
        }
    };
    let result = query
        .bind(id)
        .bind(OutboxState::Pending.as_str())
        .execute(conn)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// The state of an outbox row, if it exists.
pub(crate) async fn state_of(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<OutboxState>, sqlx::Error> {
    crate::db::state_of(conn, "outbox", id).await
}

/// Whether a Webex message is already accounted for by another outbox row.
pub(crate) async fn claimed_message(db: &Db, message_id: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM outbox WHERE message_id = $1")
        .bind(message_id)
        .fetch_optional(db.reader())
        .await?;
    Ok(found.is_some())
}

/// Adds one event and its latency to today's usage counter.
pub(crate) async fn count_usage(
    conn: &mut AnyConnection,
    day_ms: i64,
    function: &str,
    room_id: &str,
    decision: Decision,
    latency_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO usage_daily (day_ms, function, room_id, decision, events, latency_ms_total)
         VALUES ($1, $2, $3, $4, 1, $5)
         ON CONFLICT (day_ms, function, room_id, decision) DO UPDATE
         SET events = usage_daily.events + 1,
             latency_ms_total = usage_daily.latency_ms_total + excluded.latency_ms_total",
    )
    .bind(day_ms)
    .bind(function)
    .bind(room_id)
    .bind(decision.as_str())
    .bind(latency_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn usage_since(db: &Db, day_ms: i64) -> Result<Vec<Usage>, sqlx::Error> {
    sqlx::query_as(
        "SELECT day_ms, function, room_id, decision, events, latency_ms_total FROM usage_daily
         WHERE day_ms >= $1 ORDER BY day_ms, function, room_id, decision",
    )
    .bind(day_ms)
    .fetch_all(db.reader())
    .await
}
