//! SQL for the inbox of received events.

use std::collections::HashMap;

use sqlx::{Any, AnyConnection, Executor};

use vocab::{EventState, Lifecycle};

use crate::{
    Db,
    db::{parse_column, placeholders},
    inbox::{Disposition, InboxEvent, NewInboxEvent},
};

const EVENT_COLUMNS: &str = "id, resource, event, data_id, source, webhook_id, actor_id, room_id, \
     person_id, parent_id, created_ms, data_json, state, reason, received_ms";

/// Most events in one INSERT: 15 parameters each stays far below SQLite's limit of 32766.
const ROWS_PER_INSERT: usize = 500;

/// Stores events, skipping any with the same resource, event and data id as one already stored
/// (or earlier in `events`). Returns, for each event in order, its new id or `None` for a
/// duplicate. One statement per 500 events: on SQLite the per-statement cost, not the data,
/// bounds ingest.
pub(crate) async fn insert_many(
    conn: &mut AnyConnection,
    events: &[NewInboxEvent],
    now: i64,
) -> Result<Vec<Option<i64>>, sqlx::Error> {
    let mut ids = Vec::with_capacity(events.len());
    for chunk in events.chunks(ROWS_PER_INSERT) {
        let values = (0..chunk.len())
            .map(|row| {
                let p = |n: usize| format!("${}", row * 14 + n);
                format!(
                    "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                    p(1),
                    p(2),
                    p(3),
                    p(4),
                    p(5),
                    p(6),
                    p(7),
                    p(8),
                    p(9),
                    p(10),
                    p(11),
                    p(12),
                    p(13),
                    p(14),
                    p(14)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO inbox_events (resource, event, data_id, source, webhook_id, actor_id,
                 room_id, person_id, parent_id, created_ms, data_json, state, reason, received_ms,
                 updated_ms)
             VALUES {values}
             ON CONFLICT (resource, event, data_id) DO NOTHING
             RETURNING id, resource, event, data_id"
        );
        let mut query = sqlx::query_as::<_, (i64, String, String, String)>(&sql);
        for new in chunk {
            let e = &new.event;
            let (state, reason) = match new.disposition {
                Disposition::Queue => (EventState::Queued, None),
                Disposition::Ignore(reason) => (EventState::Ignored, Some(reason)),
            };
            query = query
                .bind(e.resource.clone())
                .bind(e.event.clone())
                .bind(e.data_id().unwrap_or_default().to_owned())
                .bind(new.source)
                .bind(e.webhook_id.clone())
                .bind(e.actor_id.clone())
                .bind(e.room_id().map(str::to_owned))
                .bind(e.person_id().map(str::to_owned))
                .bind(e.parent_id().map(str::to_owned))
                .bind(e.created_ms())
                .bind(e.data.to_string())
                .bind(state.as_str())
                .bind(reason)
                .bind(now);
        }
        let mut inserted: HashMap<(String, String, String), i64> = query
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(id, resource, event, data_id)| ((resource, event, data_id), id))
            .collect();
        ids.extend(chunk.iter().map(|new| {
            let e = &new.event;
            // The first of several copies in one batch is the one stored.
            inserted.remove(&(
                e.resource.clone(),
                e.event.clone(),
                e.data_id().unwrap_or_default().to_owned(),
            ))
        }));
    }
    Ok(ids)
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

/// Moves an event to `to` if its state may become it. Returns whether it moved.
pub(crate) async fn move_state(
    conn: &mut AnyConnection,
    id: i64,
    to: EventState,
    reason: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let from = EventState::ways_into(to);
    if from.is_empty() {
        // Nothing becomes `to`: it is a state things start in.
        return Ok(false);
    }
    let sql = format!(
        "UPDATE inbox_events SET state = $1, reason = $2, updated_ms = $3
         WHERE id = $4 AND state IN ({})",
        placeholders(5, from.len())
    );
    let mut query = sqlx::query(&sql)
        .bind(to.as_str())
        .bind(reason)
        .bind(crate::time::now_ms())
        .bind(id);
    for state in from {
        query = query.bind(state.as_str());
    }
    Ok(query.execute(conn).await?.rows_affected() == 1)
}

/// The state of an inbox_events row, if it exists.
pub(crate) async fn state_of(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<EventState>, sqlx::Error> {
    crate::db::state_of(conn, "inbox_events", id).await
}

pub(crate) async fn state_counts(db: &Db) -> Result<Vec<(EventState, i64)>, sqlx::Error> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM inbox_events GROUP BY state ORDER BY state")
            .fetch_all(db.reader())
            .await?;
    rows.into_iter()
        .map(|(state, n)| Ok((parse_column("inbox_events.state", &state)?, n)))
        .collect()
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
