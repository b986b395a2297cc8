//! SQL for sandbox webhooks and their deliveries.

use sqlx::{Any, AnyConnection, Executor};

use domain::Db;

/// A webhook registration.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct WebhookRow {
    pub id: String,
    pub owner_id: String,
    pub name: String,
    pub target_url: String,
    pub resource: String,
    pub event: String,
    pub filter: Option<String>,
    pub secret: Option<String>,
    pub status: String,
    pub app_id: String,
    pub created_ms: i64,
    pub disabled_at_ms: Option<i64>,
}

const WEBHOOK_COLUMNS: &str = "id, owner_id, name, target_url, resource, event, filter, secret, status, app_id, created_ms, disabled_at_ms";

pub(crate) async fn insert_webhook(db: &Db, w: &WebhookRow) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO sandbox_webhooks ({WEBHOOK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))
    .bind(&w.id)
    .bind(&w.owner_id)
    .bind(&w.name)
    .bind(&w.target_url)
    .bind(&w.resource)
    .bind(&w.event)
    .bind(&w.filter)
    .bind(&w.secret)
    .bind(&w.status)
    .bind(&w.app_id)
    .bind(w.created_ms)
    .bind(w.disabled_at_ms)
    .execute(db.writer())
    .await?;
    Ok(())
}

pub(crate) async fn find_webhook<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    id: &str,
) -> Result<Option<WebhookRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {WEBHOOK_COLUMNS} FROM sandbox_webhooks WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub(crate) async fn webhooks_of(db: &Db, owner_id: &str) -> Result<Vec<WebhookRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {WEBHOOK_COLUMNS} FROM sandbox_webhooks WHERE owner_id = $1 ORDER BY seq"
    ))
    .bind(owner_id)
    .fetch_all(db.reader())
    .await
}

pub(crate) async fn active_webhooks(
    conn: &mut AnyConnection,
) -> Result<Vec<WebhookRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {WEBHOOK_COLUMNS} FROM sandbox_webhooks WHERE status = 'active' ORDER BY seq"
    ))
    .fetch_all(conn)
    .await
}

pub(crate) async fn update_webhook(db: &Db, w: &WebhookRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sandbox_webhooks SET name = $1, target_url = $2, secret = $3, status = $4, disabled_at_ms = $5
         WHERE id = $6",
    )
    .bind(&w.name)
    .bind(&w.target_url)
    .bind(&w.secret)
    .bind(&w.status)
    .bind(w.disabled_at_ms)
    .bind(&w.id)
    .execute(db.writer())
    .await?;
    Ok(())
}

pub(crate) async fn delete_webhook(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sandbox_webhooks WHERE id = $1")
        .bind(id)
        .execute(db.writer())
        .await?;
    Ok(())
}

pub(crate) async fn insert_delivery(
    conn: &mut AnyConnection,
    webhook_id: &str,
    body: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sandbox_deliveries (webhook_id, body, state, created_ms) VALUES ($1, $2, 'pending', $3)",
    )
    .bind(webhook_id)
    .bind(body)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// A delivery waiting to go out, with its webhook.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct PendingDelivery {
    pub seq: i64,
    pub webhook_id: String,
    pub body: String,
    pub target_url: String,
    pub secret: Option<String>,
}

pub(crate) async fn pending_deliveries(
    db: &Db,
    limit: i64,
) -> Result<Vec<PendingDelivery>, sqlx::Error> {
    sqlx::query_as(
        "SELECT d.seq, d.webhook_id, d.body, w.target_url, w.secret
         FROM sandbox_deliveries d JOIN sandbox_webhooks w ON w.id = d.webhook_id
         WHERE d.state = 'pending' ORDER BY d.seq LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.reader())
    .await
}

pub(crate) async fn finish_delivery(
    db: &Db,
    seq: i64,
    state: &str,
    status_code: Option<i64>,
    error: Option<&str>,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sandbox_deliveries SET state = $1, status_code = $2, error = $3, done_ms = $4 WHERE seq = $5")
        .bind(state)
        .bind(status_code)
        .bind(error)
        .bind(now_ms)
        .bind(seq)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Records a failed delivery and returns how many failures the webhook has had since `since_ms`.
pub(crate) async fn record_failure(
    db: &Db,
    webhook_id: &str,
    now_ms: i64,
    since_ms: i64,
) -> Result<i64, sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("INSERT INTO sandbox_webhook_failures (webhook_id, at_ms) VALUES ($1, $2)")
        .bind(webhook_id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sandbox_webhook_failures WHERE webhook_id = $1 AND at_ms > $2",
    )
    .bind(webhook_id)
    .bind(since_ms)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(count)
}

/// Delivery outcomes, for tests and the console: `(state, count)`.
pub(crate) async fn delivery_counts(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT state, COUNT(*) FROM sandbox_deliveries GROUP BY state ORDER BY state")
        .fetch_all(db.reader())
        .await
}
