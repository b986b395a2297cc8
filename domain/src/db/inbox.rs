//! SQL for the inbox of received events.

use sqlx::{Any, AnyConnection, Executor};

use crate::{
    Db,
    inbox::{Disposition, InboxEvent, NewInboxEvent},
};

const EVENT_COLUMNS: &str = "id, resource, event, data_id, source, webhook_id, actor_id, room_id, \
     person_id, parent_id, created_ms, data_json, state, reason, received_ms";

/// Stores an event unless one with the same resource, event and data id exists. Returns the new
/// row's id, or `None` for a duplicate.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    new: &NewInboxEvent,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let e = &new.event;
    let (state, reason) = match new.disposition {
        Disposition::Queue => ("queued", None),
        Disposition::Ignore(reason) => ("ignored", Some(reason)),
    };
    sqlx::query_scalar(
        "INSERT INTO inbox_events (resource, event, data_id, source, webhook_id, actor_id, room_id,
             person_id, parent_id, created_ms, data_json, state, reason, received_ms, updated_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
         ON CONFLICT (resource, event, data_id) DO NOTHING
         RETURNING id",
    )
    .bind(&e.resource)
    .bind(&e.event)
    .bind(e.data_id().unwrap_or_default())
    .bind(new.source)
    .bind(e.webhook_id.as_deref())
    .bind(e.actor_id.as_deref())
    .bind(e.room_id())
    .bind(e.person_id())
    .bind(e.parent_id())
    .bind(e.created_ms())
    .bind(e.data.to_string())
    .bind(state)
    .bind(reason)
    .bind(now)
    .fetch_optional(conn)
    .await
}

pub(crate) async fn find<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    id: i64,
) -> Result<Option<InboxEvent>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {EVENT_COLUMNS} FROM inbox_events WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Moves an event to `state`.
pub(crate) async fn set_state(
    conn: &mut AnyConnection,
    id: i64,
    state: &str,
    reason: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE inbox_events SET state = $1, reason = $2, updated_ms = $3 WHERE id = $4")
        .bind(state)
        .bind(reason)
        .bind(crate::time::now_ms())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) async fn state_counts(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT state, COUNT(*) FROM inbox_events GROUP BY state ORDER BY state")
        .fetch_all(db.reader())
        .await
}

/// IDs of the bot's own messages in a space (and thread) that Webex announced since `since_ms`:
/// the evidence that a post whose answer was lost did reach Webex.
pub(crate) async fn own_messages_since(
    db: &Db,
    room_id: &str,
    parent_id: Option<&str>,
    bot_id: &str,
    since_ms: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT data_id FROM inbox_events
         WHERE resource = 'messages' AND event = 'created' AND room_id = $1
           AND person_id = $2 AND received_ms >= $3
           AND (($4 IS NULL AND parent_id IS NULL) OR parent_id = $4)
         ORDER BY id",
    )
    .bind(room_id)
    .bind(bot_id)
    .bind(since_ms)
    .bind(parent_id)
    .fetch_all(db.reader())
    .await
}

/// The creation time of the newest message Steward received in a space, from anyone but the bot.
pub(crate) async fn last_message_ms(
    db: &Db,
    room_id: &str,
    bot_id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT MAX(created_ms) FROM inbox_events
         WHERE resource = 'messages' AND event = 'created' AND room_id = $1 AND person_id <> $2",
    )
    .bind(room_id)
    .bind(bot_id)
    .fetch_one(db.reader())
    .await
}

pub(crate) async fn find_by_data_id(
    db: &Db,
    resource: &str,
    event: &str,
    data_id: &str,
) -> Result<Option<InboxEvent>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {EVENT_COLUMNS} FROM inbox_events
         WHERE resource = $1 AND event = $2 AND data_id = $3"
    ))
    .bind(resource)
    .bind(event)
    .bind(data_id)
    .fetch_optional(db.reader())
    .await
}
