//! SQL for sandbox people and their tokens.

use sqlx::{Any, AnyConnection, Executor};

use domain::Db;

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
    pub is_compliance_officer: i64,
}

const PERSON_COLUMNS: &str = "id, email, display_name, first_name, last_name, org_id, kind, is_org_admin, demo_role, created_ms, is_compliance_officer";

pub(crate) async fn insert_person(
    conn: &mut AnyConnection,
    p: &PersonRow,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO sandbox_people ({PERSON_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
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
    .bind(p.is_compliance_officer)
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
    pub org_id: String,
    pub is_compliance_officer: i64,
}

pub(crate) async fn find_access_token(
    db: &Db,
    token: &str,
    now_ms: i64,
) -> Result<Option<TokenRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT t.person_id, p.kind, t.scope, p.org_id, p.is_compliance_officer FROM sandbox_tokens t
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
    .bind(domain::time::now_ms())
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

/// The oldest long-lived token of a person that carries `scope`.
pub(crate) async fn personal_token_with_scope(
    db: &Db,
    person_id: &str,
    scope: &str,
) -> Result<Option<String>, sqlx::Error> {
    let tokens: Vec<(String, String)> = sqlx::query_as(
        "SELECT token, scope FROM sandbox_tokens
         WHERE person_id = $1 AND kind = 'access' AND client_id IS NULL AND expires_ms IS NULL AND revoked = 0
         ORDER BY created_ms",
    )
    .bind(person_id)
    .fetch_all(db.reader())
    .await?;
    Ok(tokens
        .into_iter()
        .find(|(_, scopes)| scopes.split_whitespace().any(|s| s == scope))
        .map(|(token, _)| token))
}

pub(crate) async fn count_people(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM sandbox_people")
        .fetch_one(db.reader())
        .await
}
