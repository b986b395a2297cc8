//! SQL for console sessions. The `server` crate adapts these to tower-sessions' store trait;
//! keeping the SQL here means `domain` stays free of web frameworks.

use crate::Db;

/// The session's JSON record, unless it is missing or expired at `now_ms`.
pub async fn load(db: &Db, id: &str, now_ms: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT data FROM sessions WHERE id = $1 AND expiry_ms > $2")
        .bind(id)
        .bind(now_ms)
        .fetch_optional(db.reader())
        .await
}

/// Stores a new session. Returns false, storing nothing, when the id is taken.
pub async fn create(db: &Db, id: &str, data: &str, expiry_ms: i64) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO sessions (id, data, expiry_ms) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(data)
    .bind(expiry_ms)
    .execute(db.writer())
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Updates a stored session. A session that is gone (signed out, or expired and purged) stays
/// gone: a request still in flight when its person signed out cannot bring it back.
pub async fn save(db: &Db, id: &str, data: &str, expiry_ms: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET data = $2, expiry_ms = $3 WHERE id = $1")
        .bind(id)
        .bind(data)
        .bind(expiry_ms)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Ends a session.
pub async fn delete(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(id)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Removes sessions that expired before `now_ms`; returns how many.
pub async fn delete_expired(db: &Db, now_ms: i64) -> Result<u64, sqlx::Error> {
    let result = sqlx::query("DELETE FROM sessions WHERE expiry_ms <= $1")
        .bind(now_ms)
        .execute(db.writer())
        .await?;
    Ok(result.rows_affected())
}
