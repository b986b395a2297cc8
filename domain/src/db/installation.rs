//! The `installation` row: what the database was set up for.

use vocab::InstallationKind;

use crate::{Db, db::parse_column, time::now_ms};

/// The kind the database is marked with, if it is marked.
pub(crate) async fn kind(db: &Db) -> Result<Option<InstallationKind>, sqlx::Error> {
    let stored: Option<String> = sqlx::query_scalar("SELECT kind FROM installation WHERE id = 1")
        .fetch_optional(db.writer())
        .await?;
    stored
        .map(|kind| parse_column("installation.kind", &kind))
        .transpose()
}

/// Whether the built-in sandbox has ever seeded its demo organization here.
pub(crate) async fn has_sandbox_people(db: &Db) -> Result<bool, sqlx::Error> {
    let any: Option<i64> = sqlx::query_scalar("SELECT 1 FROM sandbox_people LIMIT 1")
        .fetch_optional(db.writer())
        .await?;
    Ok(any.is_some())
}

/// Marks the database as `kind` unless it is marked already (by another replica that won the
/// race, say); returns the kind it is marked with afterwards.
pub(crate) async fn mark(db: &Db, kind: InstallationKind) -> Result<InstallationKind, sqlx::Error> {
    sqlx::query(
        "INSERT INTO installation (id, kind, marked_ms) VALUES (1, $1, $2)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(kind.as_str())
    .bind(now_ms())
    .execute(db.writer())
    .await?;
    Ok(self::kind(db).await?.unwrap_or(kind))
}
