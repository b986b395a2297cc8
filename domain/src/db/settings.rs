//! SQL for settings.

use sqlx::{Any, AnyConnection, Executor};

use crate::{audit::Actor, time::now_ms};

/// The stored JSON text of a setting.
pub(crate) async fn get<'c, E>(conn: E, key: &str) -> Result<Option<String>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await
}

pub(crate) async fn upsert(
    conn: &mut AnyConnection,
    key: &str,
    value_json: &str,
    actor: &Actor,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO settings (key, value, updated_by, updated_at_ms) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by,
                                         updated_at_ms = excluded.updated_at_ms",
    )
    .bind(key)
    .bind(value_json)
    .bind(actor.to_string())
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
