//! SQL for people and their roles.

use sqlx::{Any, AnyConnection, Executor};

use crate::{
    Db,
    audit::Actor,
    db::{pairs_where_in, parse_column, placeholders},
    time::now_ms,
    users::{EmailAddress, Role, User},
};

const USER_COLUMNS: &str = "id, email, display_name, webex_person_id, webex_org_id, created_at_ms";

/// The person with this address, created on first sight.
pub(crate) async fn upsert_by_email(
    conn: &mut AnyConnection,
    email: &EmailAddress,
) -> Result<User, sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (email, created_at_ms) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING",
    )
    .bind(email.as_str())
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    find_by_email(&mut *conn, email)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

pub(crate) async fn find_by_email<'c, E>(
    conn: E,
    email: &EmailAddress,
) -> Result<Option<User>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE email = $1"
    ))
    .bind(email.as_str())
    .fetch_optional(conn)
    .await
}

pub(crate) async fn find_by_id<'c, E>(conn: E, id: i64) -> Result<Option<User>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub(crate) async fn update_profile(
    conn: &mut AnyConnection,
    id: i64,
    display_name: &str,
    person_id: &str,
    org_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET display_name = $1, webex_person_id = $2, webex_org_id = $3 WHERE id = $4",
    )
    .bind(display_name)
    .bind(person_id)
    .bind(org_id)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The person's roles, in [`Role::ALL`] order.
pub(crate) async fn roles_of<'c, E>(conn: E, user_id: i64) -> Result<Vec<Role>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let names: Vec<String> = sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(conn)
        .await?;
    let mut roles = names
        .iter()
        .map(|name| parse_column("user_roles.role", name))
        .collect::<Result<Vec<Role>, _>>()?;
    roles.sort();
    Ok(roles)
}

/// Returns false when the person already had the role.
pub(crate) async fn insert_role(
    conn: &mut AnyConnection,
    user_id: i64,
    role: Role,
    granted_by: &Actor,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO user_roles (user_id, role, granted_by, granted_at_ms) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, role) DO NOTHING",
    )
    .bind(user_id)
    .bind(role.as_str())
    .bind(granted_by.to_string())
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Returns false when the person did not have the role.
pub(crate) async fn delete_role(
    conn: &mut AnyConnection,
    user_id: i64,
    role: Role,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query("DELETE FROM user_roles WHERE user_id = $1 AND role = $2")
        .bind(user_id)
        .bind(role.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// `(role, people holding it)` for every role held by anyone.
pub(crate) async fn role_counts(db: &Db) -> Result<Vec<(Role, i64)>, sqlx::Error> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT role, COUNT(*) FROM user_roles GROUP BY role")
            .fetch_all(db.reader())
            .await?;
    rows.into_iter()
        .map(|(role, n)| Ok((parse_column("user_roles.role", &role)?, n)))
        .collect()
}

pub(crate) async fn count_with_role<'c, E>(conn: E, role: Role) -> Result<i64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar("SELECT COUNT(*) FROM user_roles WHERE role = $1")
        .bind(role.as_str())
        .fetch_one(conn)
        .await
}

pub(crate) async fn all(db: &Db) -> Result<Vec<User>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY email"))
        .fetch_all(db.reader())
        .await
}

/// `(user id, role)` of every grant.
pub(crate) async fn all_roles(db: &Db) -> Result<Vec<(i64, Role)>, sqlx::Error> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT user_id, role FROM user_roles ORDER BY user_id, role")
            .fetch_all(db.reader())
            .await?;
    rows.into_iter()
        .map(|(user, role)| Ok((user, parse_column("user_roles.role", &role)?)))
        .collect()
}

pub(crate) async fn find_by_person_id<'c, E>(
    conn: E,
    person_id: &str,
) -> Result<Option<User>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE webex_person_id = $1"
    ))
    .bind(person_id)
    .fetch_optional(conn)
    .await
}

/// `(id, name)` of the people with these ids: the display name, or else the e-mail.
pub(crate) async fn names_by_id(db: &Db, ids: &[i64]) -> Result<Vec<(i64, String)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, COALESCE(display_name, email) FROM users WHERE id IN ({})",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query_as(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    query.fetch_all(db.reader()).await
}

/// `(person ID, name)` of the people who signed in with these Webex person IDs.
pub(crate) async fn names_by_person_id(
    db: &Db,
    person_ids: &[&str],
) -> Result<Vec<(String, String)>, sqlx::Error> {
    pairs_where_in(
        db,
        "SELECT webex_person_id, COALESCE(display_name, email) FROM users WHERE webex_person_id",
        person_ids,
    )
    .await
}

/// The id of the console user with this e-mail or display name (ignoring case), if exactly one
/// has it.
pub(crate) async fn find_id_by_name_or_email(
    db: &Db,
    text: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let found: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM users WHERE LOWER(email) = LOWER($1) OR LOWER(display_name) = LOWER($1)
         LIMIT 2",
    )
    .bind(text)
    .fetch_all(db.reader())
    .await?;
    Ok(match found.as_slice() {
        [(id,)] => Some(*id),
        _ => None,
    })
}
