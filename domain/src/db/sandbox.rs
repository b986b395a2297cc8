//! SQL for the Webex sandbox's state.

use sqlx::{Any, AnyConnection, Executor};

use crate::Db;

/// A sandbox person or bot.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct PersonRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub org_id: String,
    pub kind: String,
    pub is_org_admin: i64,
    pub demo_role: Option<String>,
    pub created_ms: i64,
}

const PERSON_COLUMNS: &str = "id, email, display_name, first_name, last_name, org_id, kind, is_org_admin, demo_role, created_ms";

pub(crate) async fn insert_person(
    conn: &mut AnyConnection,
    p: &PersonRow,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO sandbox_people ({PERSON_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(&p.id)
    .bind(&p.email)
    .bind(&p.display_name)
    .bind(&p.first_name)
    .bind(&p.last_name)
    .bind(&p.org_id)
    .bind(&p.kind)
    .bind(p.is_org_admin)
    .bind(&p.demo_role)
    .bind(p.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn find_person<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    id: &str,
) -> Result<Option<PersonRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {PERSON_COLUMNS} FROM sandbox_people WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub(crate) async fn find_person_by_email<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    email: &str,
) -> Result<Option<PersonRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {PERSON_COLUMNS} FROM sandbox_people WHERE email = $1"
    ))
    .bind(email.to_lowercase())
    .fetch_optional(conn)
    .await
}

pub(crate) async fn list_people(db: &Db) -> Result<Vec<PersonRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {PERSON_COLUMNS} FROM sandbox_people ORDER BY kind DESC, display_name"
    ))
    .fetch_all(db.reader())
    .await
}

/// A token joined with its person's kind.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct TokenRow {
    pub person_id: String,
    pub kind: String,
    pub scope: String,
}

pub(crate) async fn find_access_token(
    db: &Db,
    token: &str,
    now_ms: i64,
) -> Result<Option<TokenRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT t.person_id, p.kind, t.scope FROM sandbox_tokens t
         JOIN sandbox_people p ON p.id = t.person_id
         WHERE t.token = $1 AND t.kind = 'access' AND t.revoked = 0
           AND (t.expires_ms IS NULL OR t.expires_ms > $2)",
    )
    .bind(token)
    .bind(now_ms)
    .fetch_optional(db.reader())
    .await
}

pub(crate) async fn insert_token(
    db: &Db,
    token: &str,
    kind: &str,
    person_id: &str,
    client_id: Option<&str>,
    scope: &str,
    expires_ms: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sandbox_tokens (token, kind, person_id, client_id, scope, expires_ms, created_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(token)
    .bind(kind)
    .bind(person_id)
    .bind(client_id)
    .bind(scope)
    .bind(expires_ms)
    .bind(crate::time::now_ms())
    .execute(db.writer())
    .await?;
    Ok(())
}

/// The oldest long-lived personal or bot token of a person.
pub(crate) async fn personal_token_of(
    db: &Db,
    person_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT token FROM sandbox_tokens
         WHERE person_id = $1 AND kind = 'access' AND client_id IS NULL AND expires_ms IS NULL AND revoked = 0
         ORDER BY created_ms LIMIT 1",
    )
    .bind(person_id)
    .fetch_optional(db.reader())
    .await
}

/// A space.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct RoomRow {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub is_locked: i64,
    pub creator_id: String,
    pub org_id: String,
    pub created_ms: i64,
    pub last_activity_ms: i64,
}

const ROOM_COLUMNS: &str =
    "id, title, kind, is_locked, creator_id, org_id, created_ms, last_activity_ms";

pub(crate) async fn insert_room(conn: &mut AnyConnection, r: &RoomRow) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO sandbox_rooms ({ROOM_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(&r.id)
    .bind(&r.title)
    .bind(&r.kind)
    .bind(r.is_locked)
    .bind(&r.creator_id)
    .bind(&r.org_id)
    .bind(r.created_ms)
    .bind(r.last_activity_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn find_room<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    id: &str,
) -> Result<Option<RoomRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ROOM_COLUMNS} FROM sandbox_rooms WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The rooms `person_id` belongs to, most recently active first.
pub(crate) async fn rooms_of(db: &Db, person_id: &str) -> Result<Vec<RoomRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.id, r.title, r.kind, r.is_locked, r.creator_id, r.org_id, r.created_ms, r.last_activity_ms
         FROM sandbox_rooms r JOIN sandbox_memberships m ON m.room_id = r.id
         WHERE m.person_id = $1 ORDER BY r.last_activity_ms DESC, r.id",
    )
    .bind(person_id)
    .fetch_all(db.reader())
    .await
}

pub(crate) async fn direct_room_between(
    conn: &mut AnyConnection,
    a: &str,
    b: &str,
) -> Result<Option<RoomRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.id, r.title, r.kind, r.is_locked, r.creator_id, r.org_id, r.created_ms, r.last_activity_ms
         FROM sandbox_rooms r
         JOIN sandbox_memberships ma ON ma.room_id = r.id AND ma.person_id = $1
         JOIN sandbox_memberships mb ON mb.room_id = r.id AND mb.person_id = $2
         WHERE r.kind = 'direct'",
    )
    .bind(a)
    .bind(b)
    .fetch_optional(conn)
    .await
}

pub(crate) async fn touch_room(
    conn: &mut AnyConnection,
    id: &str,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sandbox_rooms SET last_activity_ms = $1 WHERE id = $2")
        .bind(at_ms)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A membership joined with its person and room type.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct MembershipRow {
    pub id: String,
    pub room_id: String,
    pub person_id: String,
    pub is_moderator: i64,
    pub created_ms: i64,
    pub person_email: String,
    pub person_display_name: String,
    pub person_org_id: String,
    pub room_kind: String,
}

const MEMBERSHIP_SELECT: &str = "SELECT m.id, m.room_id, m.person_id, m.is_moderator, m.created_ms,
        p.email AS person_email, p.display_name AS person_display_name, p.org_id AS person_org_id,
        r.kind AS room_kind
     FROM sandbox_memberships m
     JOIN sandbox_people p ON p.id = m.person_id
     JOIN sandbox_rooms r ON r.id = m.room_id";

/// Returns false when the person is already a member.
pub(crate) async fn insert_membership(
    conn: &mut AnyConnection,
    id: &str,
    room_id: &str,
    person_id: &str,
    is_moderator: bool,
    created_ms: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO sandbox_memberships (id, room_id, person_id, is_moderator, created_ms)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (room_id, person_id) DO NOTHING",
    )
    .bind(id)
    .bind(room_id)
    .bind(person_id)
    .bind(i64::from(is_moderator))
    .bind(created_ms)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub(crate) async fn find_membership<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    id: &str,
) -> Result<Option<MembershipRow>, sqlx::Error> {
    sqlx::query_as(&format!("{MEMBERSHIP_SELECT} WHERE m.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub(crate) async fn membership_of<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    room_id: &str,
    person_id: &str,
) -> Result<Option<MembershipRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{MEMBERSHIP_SELECT} WHERE m.room_id = $1 AND m.person_id = $2"
    ))
    .bind(room_id)
    .bind(person_id)
    .fetch_optional(conn)
    .await
}

pub(crate) async fn memberships_of_room<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    room_id: &str,
) -> Result<Vec<MembershipRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{MEMBERSHIP_SELECT} WHERE m.room_id = $1 ORDER BY m.created_ms, m.id"
    ))
    .bind(room_id)
    .fetch_all(conn)
    .await
}

pub(crate) async fn memberships_of_person(
    db: &Db,
    person_id: &str,
) -> Result<Vec<MembershipRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{MEMBERSHIP_SELECT} WHERE m.person_id = $1 ORDER BY m.created_ms, m.id"
    ))
    .bind(person_id)
    .fetch_all(db.reader())
    .await
}

pub(crate) async fn delete_membership(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sandbox_memberships WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A message joined with its author's e-mail and its room's type.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct MessageRow {
    pub seq: i64,
    pub id: String,
    pub room_id: String,
    pub person_id: String,
    pub parent_id: Option<String>,
    pub text: String,
    pub markdown: Option<String>,
    pub html: Option<String>,
    pub files_json: Option<String>,
    pub attachments_json: Option<String>,
    pub mentioned_people_json: Option<String>,
    pub mentioned_groups_json: Option<String>,
    pub created_ms: i64,
    pub updated_ms: Option<i64>,
    pub edits: i64,
    pub person_email: String,
    pub room_kind: String,
}

const MESSAGE_SELECT: &str =
    "SELECT m.seq, m.id, m.room_id, m.person_id, m.parent_id, m.text, m.markdown,
        m.html, m.files_json, m.attachments_json, m.mentioned_people_json, m.mentioned_groups_json,
        m.created_ms, m.updated_ms, m.edits, p.email AS person_email, r.kind AS room_kind
     FROM sandbox_messages m
     JOIN sandbox_people p ON p.id = m.person_id
     JOIN sandbox_rooms r ON r.id = m.room_id";

/// What a new message stores.
#[derive(Clone, Debug, Default)]
pub(crate) struct NewMessage {
    pub id: String,
    pub room_id: String,
    pub person_id: String,
    pub parent_id: Option<String>,
    pub text: String,
    pub markdown: Option<String>,
    pub html: Option<String>,
    pub files_json: Option<String>,
    pub attachments_json: Option<String>,
    pub mentioned_people_json: Option<String>,
    pub mentioned_groups_json: Option<String>,
    pub created_ms: i64,
}

pub(crate) async fn insert_message(
    conn: &mut AnyConnection,
    m: &NewMessage,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sandbox_messages (id, room_id, person_id, parent_id, text, markdown, html, files_json,
             attachments_json, mentioned_people_json, mentioned_groups_json, created_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&m.id)
    .bind(&m.room_id)
    .bind(&m.person_id)
    .bind(&m.parent_id)
    .bind(&m.text)
    .bind(&m.markdown)
    .bind(&m.html)
    .bind(&m.files_json)
    .bind(&m.attachments_json)
    .bind(&m.mentioned_people_json)
    .bind(&m.mentioned_groups_json)
    .bind(m.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// A message that has not been deleted.
pub(crate) async fn find_message<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    id: &str,
) -> Result<Option<MessageRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{MESSAGE_SELECT} WHERE m.id = $1 AND m.deleted = 0"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Which messages of a room to list, newest first.
#[derive(Clone, Debug, Default)]
pub(crate) struct MessageFilter<'a> {
    pub room_id: &'a str,
    pub parent_id: Option<&'a str>,
    /// Only messages whose `mentioned_people` holds this person.
    pub mentioning: Option<&'a str>,
    /// Only messages before this position (the cursor).
    pub before_seq: Option<i64>,
    /// Only messages created before this time.
    pub before_ms: Option<i64>,
    pub limit: i64,
}

pub(crate) async fn list_messages(
    db: &Db,
    f: &MessageFilter<'_>,
) -> Result<Vec<MessageRow>, sqlx::Error> {
    // Mentions are stored as a JSON array of quoted ids, so a LIKE on the quoted id is exact.
    let mentioning = f.mentioning.map(|id| format!("%\"{id}\"%"));
    sqlx::query_as(&format!(
        "{MESSAGE_SELECT}
         WHERE m.room_id = $1 AND m.deleted = 0
           AND ($2 IS NULL OR m.parent_id = $2)
           AND ($3 IS NULL OR m.mentioned_people_json LIKE $3)
           AND ($4 IS NULL OR m.seq < $4)
           AND ($5 IS NULL OR m.created_ms < $5)
         ORDER BY m.seq DESC LIMIT $6"
    ))
    .bind(f.room_id)
    .bind(f.parent_id)
    .bind(mentioning)
    .bind(f.before_seq)
    .bind(f.before_ms)
    .bind(f.limit)
    .fetch_all(db.reader())
    .await
}

/// Replaces a message's content and counts the edit.
pub(crate) async fn update_message(
    conn: &mut AnyConnection,
    id: &str,
    content: &NewMessage,
    updated_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sandbox_messages SET text = $1, markdown = $2, html = $3, mentioned_people_json = $4,
             mentioned_groups_json = $5, updated_ms = $6, edits = edits + 1
         WHERE id = $7",
    )
    .bind(&content.text)
    .bind(&content.markdown)
    .bind(&content.html)
    .bind(&content.mentioned_people_json)
    .bind(&content.mentioned_groups_json)
    .bind(updated_ms)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn mark_message_deleted(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sandbox_messages SET deleted = 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

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

/// A stored card click.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct ActionRow {
    pub id: String,
    pub message_id: String,
    pub person_id: String,
    pub room_id: String,
    pub inputs_json: String,
    pub created_ms: i64,
}

pub(crate) async fn insert_action(
    conn: &mut AnyConnection,
    a: &ActionRow,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sandbox_attachment_actions (id, message_id, person_id, room_id, inputs_json, created_ms)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&a.id)
    .bind(&a.message_id)
    .bind(&a.person_id)
    .bind(&a.room_id)
    .bind(&a.inputs_json)
    .bind(a.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn find_action(db: &Db, id: &str) -> Result<Option<ActionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, message_id, person_id, room_id, inputs_json, created_ms FROM sandbox_attachment_actions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.reader())
    .await
}

pub(crate) async fn count_people(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM sandbox_people")
        .fetch_one(db.reader())
        .await
}

/// A registered OAuth client.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct OAuthClientRow {
    pub client_id: String,
    pub client_secret: String,
    pub name: String,
    pub redirect_uris: String,
}

pub(crate) async fn find_oauth_client(
    db: &Db,
    client_id: &str,
) -> Result<Option<OAuthClientRow>, sqlx::Error> {
    sqlx::query_as("SELECT client_id, client_secret, name, redirect_uris FROM sandbox_oauth_clients WHERE client_id = $1")
        .bind(client_id)
        .fetch_optional(db.reader())
        .await
}

pub(crate) async fn upsert_oauth_client(
    db: &Db,
    client_id: &str,
    secret: &str,
    name: &str,
    redirect_uri: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sandbox_oauth_clients (client_id, client_secret, name, redirect_uris) VALUES ($1, $2, $3, $4)
         ON CONFLICT (client_id) DO UPDATE SET client_secret = excluded.client_secret, name = excluded.name,
                                               redirect_uris = excluded.redirect_uris",
    )
    .bind(client_id)
    .bind(secret)
    .bind(name)
    .bind(redirect_uri)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// An authorization code.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct OAuthCode {
    pub code: String,
    pub client_id: String,
    pub person_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub code_challenge: Option<String>,
    pub expires_ms: i64,
}

pub(crate) async fn insert_oauth_code(db: &Db, c: &OAuthCode) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sandbox_oauth_codes (code, client_id, person_id, redirect_uri, scope, code_challenge,
             code_challenge_method, expires_ms, used)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)",
    )
    .bind(&c.code)
    .bind(&c.client_id)
    .bind(&c.person_id)
    .bind(&c.redirect_uri)
    .bind(&c.scope)
    .bind(&c.code_challenge)
    .bind(c.code_challenge.as_ref().map(|_| "S256"))
    .bind(c.expires_ms)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Marks an unexpired, unused code as used and returns it; `None` when it cannot be used.
pub(crate) async fn use_oauth_code(
    db: &Db,
    code: &str,
    now_ms: i64,
) -> Result<Option<OAuthCode>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE sandbox_oauth_codes SET used = 1 WHERE code = $1 AND used = 0 AND expires_ms > $2
         RETURNING code, client_id, person_id, redirect_uri, scope, code_challenge, expires_ms",
    )
    .bind(code)
    .bind(now_ms)
    .fetch_optional(db.writer())
    .await
}

/// A refresh token's person and scope.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct RefreshGrant {
    pub person_id: String,
    pub scope: String,
}

pub(crate) async fn find_refresh_token(
    db: &Db,
    token: &str,
    client_id: &str,
    now_ms: i64,
) -> Result<Option<RefreshGrant>, sqlx::Error> {
    sqlx::query_as(
        "SELECT person_id, scope FROM sandbox_tokens
         WHERE token = $1 AND kind = 'refresh' AND client_id = $2 AND revoked = 0 AND (expires_ms IS NULL OR expires_ms > $3)",
    )
    .bind(token)
    .bind(client_id)
    .bind(now_ms)
    .fetch_optional(db.reader())
    .await
}
