//! SQL for prompt versions and releases.

use sqlx::{Any, AnyConnection, Executor};

use vocab::AgentFunction;

use crate::{
    Db,
    audit::Actor,
    prompts::{Release, StoredPrompt},
    time::now_ms,
};

#[derive(sqlx::FromRow)]
struct PromptRow {
    #[sqlx(try_from = "String")]
    function: AgentFunction,
    version: i64,
    template: String,
    variables_json: String,
    settings_json: String,
    #[sqlx(try_from = "String")]
    author: Actor,
    note: String,
    created_ms: i64,
}

/// A JSON column, refused with an error that names it when it is not what Steward wrote.
fn json_column<T: serde::de::DeserializeOwned>(column: &str, text: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(text).map_err(|error| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: Box::new(error),
    })
}

impl TryFrom<PromptRow> for StoredPrompt {
    type Error = sqlx::Error;

    fn try_from(row: PromptRow) -> Result<Self, Self::Error> {
        Ok(Self {
            function: row.function,
            version: row.version,
            template: row.template,
            variables: json_column("prompt_versions.variables_json", &row.variables_json)?,
            settings: json_column("prompt_versions.settings_json", &row.settings_json)?,
            author: row.author,
            note: row.note,
            created_ms: row.created_ms,
        })
    }
}

const PROMPT_COLUMNS: &str =
    "function, version, template, variables_json, settings_json, author, note, created_ms";

pub(crate) async fn latest_version<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    function: AgentFunction,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT MAX(version) FROM prompt_versions WHERE function = $1")
        .bind(function.as_str())
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
    .bind(prompt.author.to_string())
    .bind(&prompt.note)
    .bind(prompt.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn versions(
    db: &Db,
    function: AgentFunction,
) -> Result<Vec<StoredPrompt>, sqlx::Error> {
    let rows: Vec<PromptRow> = sqlx::query_as(&format!(
        "SELECT {PROMPT_COLUMNS} FROM prompt_versions WHERE function = $1 ORDER BY version DESC"
    ))
    .bind(function.as_str())
    .fetch_all(db.reader())
    .await?;
    rows.into_iter().map(StoredPrompt::try_from).collect()
}

pub(crate) async fn version<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    function: AgentFunction,
    version: i64,
) -> Result<Option<StoredPrompt>, sqlx::Error> {
    let row: Option<PromptRow> = sqlx::query_as(&format!(
        "SELECT {PROMPT_COLUMNS} FROM prompt_versions WHERE function = $1 AND version = $2"
    ))
    .bind(function.as_str())
    .bind(version)
    .fetch_optional(conn)
    .await?;
    row.map(StoredPrompt::try_from).transpose()
}

#[derive(sqlx::FromRow)]
struct ReleaseRow {
    #[sqlx(try_from = "String")]
    function: AgentFunction,
    version: i64,
    candidate_version: Option<i64>,
    candidate_percent: i64,
    previous_version: Option<i64>,
    #[sqlx(try_from = "String")]
    updated_by: Actor,
    updated_ms: i64,
}

pub(crate) async fn release<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    function: AgentFunction,
) -> Result<Option<Release>, sqlx::Error> {
    let row: Option<ReleaseRow> = sqlx::query_as(
        "SELECT function, version, candidate_version, candidate_percent, previous_version,
                updated_by, updated_ms
         FROM releases WHERE function = $1",
    )
    .bind(function.as_str())
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Release::from))
}

impl From<ReleaseRow> for Release {
    fn from(r: ReleaseRow) -> Self {
        Self {
            function: r.function,
            version: r.version,
            candidate: r.candidate_version.map(|v| (v, r.candidate_percent)),
            previous: r.previous_version,
            updated_by: r.updated_by,
            updated_ms: r.updated_ms,
        }
    }
}

pub(crate) async fn upsert_release(
    conn: &mut AnyConnection,
    function: AgentFunction,
    version: i64,
    candidate: Option<(i64, i64)>,
    previous: Option<i64>,
    updated_by: &Actor,
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
    .bind(function.as_str())
    .bind(version)
    .bind(candidate.map(|(v, _)| v))
    .bind(candidate.map_or(0, |(_, p)| p))
    .bind(previous)
    .bind(updated_by.to_string())
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

/// Every function's release.
pub(crate) async fn releases(db: &Db) -> Result<Vec<Release>, sqlx::Error> {
    let rows: Vec<ReleaseRow> = sqlx::query_as(
        "SELECT function, version, candidate_version, candidate_percent, previous_version,
                updated_by, updated_ms
         FROM releases ORDER BY function",
    )
    .fetch_all(db.reader())
    .await?;
    Ok(rows.into_iter().map(Release::from).collect())
}
