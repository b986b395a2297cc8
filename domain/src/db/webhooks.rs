//! SQL for the webhooks Steward registered at Webex.

use sqlx::AnyConnection;

use crate::Db;

/// A registration as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct WebhookRow {
    pub webhook_id: String,
    pub name: String,
    pub resource: String,
    pub event: String,
    pub target_url: String,
    pub secret: String,
    pub status: String,
    pub registered_ms: i64,
    pub checked_ms: i64,
}

const COLUMNS: &str =
    "webhook_id, name, resource, event, target_url, secret, status, registered_ms, checked_ms";

pub(crate) async fn secrets(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT webhook_id, secret FROM webex_webhooks ORDER BY registered_ms")
        .fetch_all(db.reader())
        .await
}

/// [`secrets`], inside the caller's transaction.
pub(crate) async fn secrets_in(
    conn: &mut AnyConnection,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT webhook_id, secret FROM webex_webhooks ORDER BY registered_ms")
        .fetch_all(conn)
        .await
}

/// Replaces a webhook's stored secret: re-sealing.
pub(crate) async fn replace_secret(
    conn: &mut AnyConnection,
    webhook_id: &str,
    secret: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE webex_webhooks SET secret = $1 WHERE webhook_id = $2")
        .bind(secret)
        .bind(webhook_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) async fn list(db: &Db) -> Result<Vec<WebhookRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM webex_webhooks ORDER BY registered_ms"
    ))
    .fetch_all(db.reader())
    .await
}

pub(crate) async fn upsert(conn: &mut AnyConnection, row: &WebhookRow) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO webex_webhooks ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (webhook_id) DO UPDATE SET name = excluded.name,
             resource = excluded.resource, event = excluded.event,
             target_url = excluded.target_url, secret = excluded.secret,
             status = excluded.status, checked_ms = excluded.checked_ms"
    ))
    .bind(&row.webhook_id)
    .bind(&row.name)
    .bind(&row.resource)
    .bind(&row.event)
    .bind(&row.target_url)
    .bind(&row.secret)
    .bind(&row.status)
    .bind(row.registered_ms)
    .bind(row.checked_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn delete(conn: &mut AnyConnection, webhook_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM webex_webhooks WHERE webhook_id = $1")
        .bind(webhook_id)
        .execute(conn)
        .await?;
    Ok(())
}
