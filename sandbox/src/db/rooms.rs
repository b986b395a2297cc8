//! SQL for sandbox spaces and memberships.

use sqlx::{Any, AnyConnection, Executor};

use domain::{Db, webex::types::RoomKind};

/// A space.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct RoomRow {
    pub id: String,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub kind: RoomKind,
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
    .bind(r.kind.as_str())
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
    #[sqlx(try_from = "String")]
    pub room_kind: RoomKind,
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
