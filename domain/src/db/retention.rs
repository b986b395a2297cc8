//! SQL for retention: blanking message text older than a cut-off.

use sqlx::AnyConnection;
use vocab::{DraftState, OutboxState};

/// Blanks decided drafts created before `cutoff`; returns how many.
pub(crate) async fn purge_drafts(
    conn: &mut AnyConnection,
    cutoff: i64,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE drafts SET markdown = '', final_markdown = NULL, context_json = NULL,
                card_json = NULL, purged_ms = $1
         WHERE state <> $3 AND created_ms < $2 AND purged_ms IS NULL",
    )
    .bind(now)
    .bind(cutoff)
    .bind(DraftState::Pending.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Blanks replies that were sent or dead-lettered before `cutoff`; returns how many.
pub(crate) async fn purge_outbox(
    conn: &mut AnyConnection,
    cutoff: i64,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET markdown = '', card_json = NULL, purged_ms = $1
         WHERE state <> $3 AND created_ms < $2 AND purged_ms IS NULL",
    )
    .bind(now)
    .bind(cutoff)
    .bind(OutboxState::Pending.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Blanks the titles of alerts triaged before `cutoff`; returns how many.
pub(crate) async fn purge_alerts(
    conn: &mut AnyConnection,
    cutoff: i64,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE alerts SET title = '', purged_ms = $1
         WHERE created_ms < $2 AND purged_ms IS NULL",
    )
    .bind(now)
    .bind(cutoff)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
