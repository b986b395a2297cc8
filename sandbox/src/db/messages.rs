//! SQL for sandbox messages and card actions.

use sqlx::{Any, AnyConnection, Executor};

use domain::{Db, webex::types::RoomKind};

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
    #[sqlx(try_from = "String")]
    pub room_kind: RoomKind,
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
