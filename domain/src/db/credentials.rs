//! SQL for credentials.

use crate::audit::Actor;
use sqlx::{Any, AnyConnection, Executor};

pub(crate) async fn get<'c, E>(conn: E, name: &str) -> Result<Option<String>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar("SELECT value FROM credentials WHERE name = $1")
        .bind(name)
        .fetch_optional(conn)
        .await
}

/// The names of the credentials that are set.
pub(crate) async fn names<'c, E>(conn: E) -> Result<Vec<String>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar("SELECT name FROM credentials ORDER BY name")
        .fetch_all(conn)
        .await
}

pub(crate) async fn upsert(
    conn: &mut AnyConnection,
    name: &str,
    value: &str,
    actor: &Actor,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO credentials (name, value, updated_by, updated_ms) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by,
                                          updated_ms = excluded.updated_ms",
    )
    .bind(name)
    .bind(value)
    .bind(actor.to_string())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn delete(conn: &mut AnyConnection, name: &str) -> Result<bool, sqlx::Error> {
    let deleted = sqlx::query("DELETE FROM credentials WHERE name = $1")
        .bind(name)
        .execute(conn)
        .await?;
    Ok(deleted.rows_affected() > 0)
}

/// Every credential as stored (sealed or, from before a key, plain): for re-sealing.
pub(crate) async fn all(conn: &mut AnyConnection) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT name, value FROM credentials ORDER BY name")
        .fetch_all(conn)
        .await
}

/// Replaces a credential's stored value without touching who set it or when: re-sealing.
pub(crate) async fn replace_value(
    conn: &mut AnyConnection,
    name: &str,
    value: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE credentials SET value = $1 WHERE name = $2")
        .bind(value)
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}
