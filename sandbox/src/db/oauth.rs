//! SQL for the sandbox's OAuth clients and codes.

use domain::Db;

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
