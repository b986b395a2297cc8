//! SQL for agent policy: function switches, modes per space, and known spaces.

use sqlx::{Any, AnyConnection, Executor};

use crate::{
    Db,
    audit::Actor,
    db::parse_column,
    policy::{Mode, Space},
    time::now_ms,
};
use vocab::{AgentFunction, RoomKind};

const SPACE_COLUMNS: &str =
    "room_id, title, kind, bot_joined_ms, bot_left_ms, greeted_ms, first_seen_ms";

pub(crate) async fn mode<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    function: AgentFunction,
    room_id: &str,
) -> Result<Option<Mode>, sqlx::Error> {
    let mode: Option<String> =
        sqlx::query_scalar("SELECT mode FROM function_modes WHERE function = $1 AND room_id = $2")
            .bind(function.as_str())
            .bind(room_id)
            .fetch_optional(conn)
            .await?;
    mode.map(|m| parse_column("function_modes.mode", &m))
        .transpose()
}

/// The function's switch (1 on, 0 off) and rollout share, or `None` when it was never changed
/// (on, everywhere).
pub(crate) async fn switch<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    function: AgentFunction,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT enabled, rollout_percent FROM agent_functions WHERE function = $1")
        .bind(function.as_str())
        .fetch_optional(conn)
        .await
}

/// `(function, enabled, rollout percent)` of every function whose switch was ever changed.
pub(crate) async fn switches(db: &Db) -> Result<Vec<(AgentFunction, i64, i64)>, sqlx::Error> {
    let rows: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT function, enabled, rollout_percent FROM agent_functions")
            .fetch_all(db.reader())
            .await?;
    rows.into_iter()
        .map(|(function, enabled, percent)| {
            Ok((
                parse_column("agent_functions.function", &function)?,
                enabled,
                percent,
            ))
        })
        .collect()
}

/// The spaces with these room IDs.
pub(crate) async fn spaces_by_id(db: &Db, room_ids: &[&str]) -> Result<Vec<Space>, sqlx::Error> {
    if room_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {SPACE_COLUMNS} FROM spaces WHERE room_id IN ({})",
        crate::db::placeholders(1, room_ids.len())
    );
    let mut query = sqlx::query_as(&sql);
    for id in room_ids {
        query = query.bind(*id);
    }
    query.fetch_all(db.reader()).await
}

pub(crate) async fn upsert_mode(
    conn: &mut AnyConnection,
    function: AgentFunction,
    room_id: &str,
    mode: Mode,
    actor: &Actor,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO function_modes (function, room_id, mode, updated_by, updated_ms)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (function, room_id) DO UPDATE SET mode = excluded.mode,
             updated_by = excluded.updated_by, updated_ms = excluded.updated_ms",
    )
    .bind(function.as_str())
    .bind(room_id)
    .bind(mode.as_str())
    .bind(actor.to_string())
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn upsert_enabled(
    conn: &mut AnyConnection,
    function: AgentFunction,
    enabled: bool,
    actor: &Actor,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO agent_functions (function, enabled, updated_by, updated_ms)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (function) DO UPDATE SET enabled = excluded.enabled,
             updated_by = excluded.updated_by, updated_ms = excluded.updated_ms",
    )
    .bind(function.as_str())
    .bind(i64::from(enabled))
    .bind(actor.to_string())
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn upsert_rollout(
    conn: &mut AnyConnection,
    function: AgentFunction,
    percent: i64,
    actor: &Actor,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO agent_functions (function, enabled, rollout_percent, updated_by, updated_ms)
         VALUES ($1, 1, $2, $3, $4)
         ON CONFLICT (function) DO UPDATE SET rollout_percent = excluded.rollout_percent,
             updated_by = excluded.updated_by, updated_ms = excluded.updated_ms",
    )
    .bind(function.as_str())
    .bind(percent)
    .bind(actor.to_string())
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn any_mode(db: &Db) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM function_modes LIMIT 1")
        .fetch_optional(db.reader())
        .await?;
    Ok(found.is_some())
}

/// `(function, room ID, mode)` of every mode that is not `off`.
pub(crate) async fn all_modes(db: &Db) -> Result<Vec<(AgentFunction, String, Mode)>, sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT function, room_id, mode FROM function_modes WHERE mode <> 'off'
         ORDER BY function, room_id",
    )
    .fetch_all(db.reader())
    .await?;
    rows.into_iter()
        .map(|(function, room, mode)| {
            Ok((
                parse_column("function_modes.function", &function)?,
                room,
                parse_column("function_modes.mode", &mode)?,
            ))
        })
        .collect()
}

pub(crate) async fn spaces(db: &Db) -> Result<Vec<Space>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {SPACE_COLUMNS} FROM spaces ORDER BY title, room_id"
    ))
    .fetch_all(db.reader())
    .await
}

pub(crate) async fn space<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    room_id: &str,
) -> Result<Option<Space>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {SPACE_COLUMNS} FROM spaces WHERE room_id = $1"
    ))
    .bind(room_id)
    .fetch_optional(conn)
    .await
}

/// Records a space unless it is known; a known space gets its current title.
pub(crate) async fn insert_space(
    db: &Db,
    room_id: &str,
    title: &str,
    kind: RoomKind,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO spaces (room_id, title, kind, first_seen_ms) VALUES ($1, $2, $3, $4)
         ON CONFLICT (room_id) DO UPDATE SET title = excluded.title",
    )
    .bind(room_id)
    .bind(title)
    .bind(kind.as_str())
    .bind(now)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Records that the bot was added to (`joined`) or removed from a space at `at`.
pub(crate) async fn set_bot_membership(
    conn: &mut AnyConnection,
    room_id: &str,
    joined: bool,
    at: i64,
) -> Result<(), sqlx::Error> {
    let sql = if joined {
        "UPDATE spaces SET bot_joined_ms = $1, bot_left_ms = NULL WHERE room_id = $2"
    } else {
        "UPDATE spaces SET bot_left_ms = $1 WHERE room_id = $2"
    };
    sqlx::query(sql)
        .bind(at)
        .bind(room_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks the space as greeted; true only for the one call that did it.
pub(crate) async fn claim_greeting(
    conn: &mut AnyConnection,
    room_id: &str,
    at: i64,
) -> Result<bool, sqlx::Error> {
    let result =
        sqlx::query("UPDATE spaces SET greeted_ms = $1 WHERE room_id = $2 AND greeted_ms IS NULL")
            .bind(at)
            .bind(room_id)
            .execute(conn)
            .await?;
    Ok(result.rows_affected() == 1)
}
