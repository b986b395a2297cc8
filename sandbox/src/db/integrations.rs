//! SQL for what the sandbox's stand-in ServiceNow, PagerDuty, Jira and webhook receiver took.

use sqlx::{Any, Executor};

use domain::Db;

/// One record a stand-in made: an incident, an event, an issue or a delivery.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct IntegrationRecordRow {
    pub id: i64,
    pub system: String,
    pub reference: String,
    pub correlation: Option<String>,
    pub body_json: String,
    pub created_ms: i64,
}

const RECORD_COLUMNS: &str = "id, system, reference, correlation, body_json, created_ms";

/// Inserts a record whose reference is made from its number among `system`'s records
/// (`INC0010007`, `OPS-7`), in one transaction so no one sees it without one.
pub(crate) async fn insert_integration_record(
    db: &Db,
    system: &str,
    correlation: Option<&str>,
    body_json: &str,
    now: i64,
    reference: impl FnOnce(i64) -> String,
) -> Result<IntegrationRecordRow, sqlx::Error> {
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sandbox_integration_records (system, reference, correlation, body_json, created_ms)
         VALUES ($1, '', $2, $3, $4) RETURNING id",
    )
    .bind(system)
    .bind(correlation)
    .bind(body_json)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let number: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sandbox_integration_records WHERE system = $1 AND id <= $2",
    )
    .bind(system)
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let reference = reference(number);
    sqlx::query("UPDATE sandbox_integration_records SET reference = $1 WHERE id = $2")
        .bind(&reference)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(IntegrationRecordRow {
        id,
        system: system.to_owned(),
        reference,
        correlation: correlation.map(str::to_owned),
        body_json: body_json.to_owned(),
        created_ms: now,
    })
}

/// The oldest record of `system` with this correlation id.
pub(crate) async fn find_integration_record<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    system: &str,
    correlation: &str,
) -> Result<Option<IntegrationRecordRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {RECORD_COLUMNS} FROM sandbox_integration_records
         WHERE system = $1 AND correlation = $2 ORDER BY id LIMIT 1"
    ))
    .bind(system)
    .bind(correlation)
    .fetch_optional(conn)
    .await
}

/// Every record of `system`, oldest first.
pub(crate) async fn integration_records<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    system: &str,
) -> Result<Vec<IntegrationRecordRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {RECORD_COLUMNS} FROM sandbox_integration_records WHERE system = $1 ORDER BY id"
    ))
    .bind(system)
    .fetch_all(conn)
    .await
}

/// The record of `system` with this id.
pub(crate) async fn find_integration_record_by_id<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    system: &str,
    id: i64,
) -> Result<Option<IntegrationRecordRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {RECORD_COLUMNS} FROM sandbox_integration_records WHERE system = $1 AND id = $2"
    ))
    .bind(system)
    .bind(id)
    .fetch_optional(conn)
    .await
}
