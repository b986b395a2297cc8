//! SQL for prompt versions and releases.

use sqlx::{Any, AnyConnection, Executor};

use crate::{
    Db,
    prompts::{Release, StoredPrompt},
    time::now_ms,
};

#[derive(sqlx::FromRow)]
struct PromptRow {
    function: String,
    version: i64,
    template: String,
    variables_json: String,
    settings_json: String,
    author: String,
    note: String,
    created_ms: i64,
}

impl PromptRow {
    fn into_prompt(self) -> Option<StoredPrompt> {
        Some(StoredPrompt {
            function: self.function.parse().ok()?,
            version: self.version,
            template: self.template,
            variables: serde_json::from_str(&self.variables_json).unwrap_or_default(),
            settings: serde_json::from_str(&self.settings_json).unwrap_or_default(),
            author: self.author,
            note: self.note,
            created_ms: self.created_ms,
        })
    }
}

const PROMPT_COLUMNS: &str =
    "function, version, template, variables_json, settings_json, author, note, created_ms";

pub(crate) async fn latest_version<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    function: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT MAX(version) FROM prompt_versions WHERE function = $1")
        .bind(function)
        .fetch_one(conn)
        .await
}

pub(crate) async fn insert(
    conn: &mut AnyConnection,
    prompt: &StoredPrompt,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO prompt_versions ({PROMPT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(prompt.function.as_str())
    .bind(prompt.version)
    .bind(&prompt.template)
    .bind(serde_json::to_string(&prompt.variables).expect("strings serialise"))
    .bind(prompt.settings.to_string())
    .bind(&prompt.author)
    .bind(&prompt.note)
    .bind(prompt.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn versions(db: &Db, function: &str) -> Result<Vec<StoredPrompt>, sqlx::Error> {
    let rows: Vec<PromptRow> = sqlx::query_as(&format!(
        "SELECT {PROMPT_COLUMNS} FROM prompt_versions WHERE function = $1 ORDER BY version DESC"
    ))
    .bind(function)
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(PromptRow::into_prompt)
        .collect())
}

pub(crate) async fn version<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    function: &str,
    version: i64,
) -> Result<Option<StoredPrompt>, sqlx::Error> {
    let row: Option<PromptRow> = sqlx::query_as(&format!(
        "SELECT {PROMPT_COLUMNS} FROM prompt_versions WHERE function = $1 AND version = $2"
    ))
    .bind(function)
    .bind(version)
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(PromptRow::into_prompt))
}

#[derive(sqlx::FromRow)]
struct ReleaseRow {
    function: String,
    version: i64,
    candidate_version: Option<i64>,
    candidate_percent: i64,
    previous_version: Option<i64>,
    updated_by: String,
    updated_ms: i64,
}

pub(crate) async fn release<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    function: &str,
) -> Result<Option<Release>, sqlx::Error> {
    let row: Option<ReleaseRow> = sqlx::query_as(
        "SELECT function, version, candidate_version, candidate_percent, previous_version,
                updated_by, updated_ms
         FROM releases WHERE function = $1",
    )
    .bind(function)
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|r| {
        Some(Release {
            function: r.function.parse().ok()?,
            version: r.version,
            candidate: r.candidate_version.map(|v| (v, r.candidate_percent)),
            previous: r.previous_version,
            updated_by: r.updated_by,
            updated_ms: r.updated_ms,
        })
    }))
}

pub(crate) async fn upsert_release(
    conn: &mut AnyConnection,
    function: &str,
    version: i64,
    candidate: Option<(i64, i64)>,
    previous: Option<i64>,
    updated_by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO releases (function, version, candidate_version, candidate_percent,
             previous_version, updated_by, updated_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (function) DO UPDATE SET version = excluded.version,
             candidate_version = excluded.candidate_version,
             candidate_percent = excluded.candidate_percent,
             previous_version = excluded.previous_version,
             updated_by = excluded.updated_by, updated_ms = excluded.updated_ms",
    )
    .bind(function)
    .bind(version)
    .bind(candidate.map(|(v, _)| v))
    .bind(candidate.map_or(0, |(_, p)| p))
    .bind(previous)
    .bind(updated_by)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}
