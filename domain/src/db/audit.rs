//! SQL for the audit log and its chain head.

use sqlx::AnyConnection;

use crate::{
    Db,
    audit::{Content, Entry, NewEntry, content_hash},
    time::now_ms,
};

const ENTRY_COLUMNS: &str =
    "seq, at_ms, actor, action, target, before_json, after_json, prev_hash, hash";

/// Appends one entry. Advancing the head first takes its row lock (PostgreSQL) or the write lock
/// (SQLite), so concurrent appenders from any replica queue up and the chain never forks.
pub(crate) async fn append(
    conn: &mut AnyConnection,
    entry: NewEntry,
) -> Result<Entry, sqlx::Error> {
    let (seq, prev_hash): (i64, String) =
        sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *conn)
            .await?;
    let at_ms = now_ms();
    let before_json = entry.before.map(|v| v.to_string());
    let after_json = entry.after.map(|v| v.to_string());
    let hash = content_hash(
        &prev_hash,
        &Content {
            seq,
            at_ms,
            actor: entry.actor.as_str(),
            action: &entry.action,
            target: &entry.target,
            before_json: before_json.as_deref(),
            after_json: after_json.as_deref(),
        },
    );
    sqlx::query(
        "INSERT INTO audit_log (seq, at_ms, actor, action, target, before_json, after_json, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq)
    .bind(at_ms)
    .bind(entry.actor.as_str())
    .bind(&entry.action)
    .bind(&entry.target)
    .bind(before_json.as_deref())
    .bind(after_json.as_deref())
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(Entry {
        seq,
        at_ms,
        actor: entry.actor.to_string(),
        action: entry.action,
        target: entry.target,
        before_json,
        after_json,
        prev_hash,
        hash,
    })
}

/// The chain head: the last sequence number and its hash.
pub(crate) async fn head(db: &Db) -> Result<(i64, String), sqlx::Error> {
    sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(db.reader())
        .await
}

/// Up to `limit` entries with a sequence number above `after_seq`, in chain order.
pub(crate) async fn page_after(
    db: &Db,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
    ))
    .bind(after_seq)
    .bind(limit)
    .fetch_all(db.reader())
    .await
}

/// The newest `limit` entries, newest first.
pub(crate) async fn recent(db: &Db, limit: i64) -> Result<Vec<Entry>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db.reader())
    .await
}
