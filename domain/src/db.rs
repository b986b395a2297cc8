//! Storage: one handle over SQLite or PostgreSQL, chosen at run time by the database URL.
//!
//! All SQL in Steward lives in this module and its children, one file per aggregate. Queries are
//! portable (`$1` placeholders, integer milliseconds for time, `BIGINT`/`INTEGER` ids) and checked
//! at run time; the test suite runs every one of them on both backends.
//!
//! SQLite allows one writer at a time. Rather than letting connections race for the write lock
//! (and fail with `SQLITE_BUSY`), a SQLite [`Db`] keeps a single writer connection and a small
//! pool of readers; write transactions queue in-process. On PostgreSQL both are the same pool.

pub(crate) mod actions;
pub(crate) mod audit;
pub(crate) mod credentials;
pub(crate) mod drafts;
pub(crate) mod graduation;
pub(crate) mod inbox;
pub(crate) mod installation;
pub(crate) mod outbox;
pub(crate) mod people;
pub(crate) mod policy;
pub(crate) mod prompts;
pub(crate) mod queue;
pub(crate) mod retention;
pub mod sessions;
pub(crate) mod settings;
pub(crate) mod users;
pub(crate) mod webhooks;

use std::{collections::HashSet, fmt, path::Path, sync::Arc, time::Duration};

use crate::{audit::AuditKey, vault::Vault};

use sqlx::{
    Any, AnyPool, Executor, Transaction,
    any::AnyPoolOptions,
    migrate::{MigrateError, Migrator},
};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// How long a caller waits for a pooled connection before the operation fails.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a SQLite connection waits for a lock held by another process (e.g. `steward migrate`).
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;
const SQLITE_READERS: u32 = 4;
const POSTGRES_CONNECTIONS: u32 = 10;

/// The database engine behind a [`Db`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file (the default).
    Sqlite,
    /// A PostgreSQL server; needed to run several Steward replicas.
    Postgres,
}

impl Backend {
    /// Picks the backend from a database URL's scheme.
    pub fn from_url(url: &str) -> Result<Self, DbError> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" | "postgresql" => Ok(Self::Postgres),
            other => Err(DbError::UnsupportedScheme(other.to_owned())),
        }
    }

    /// Lower-case name, as shown in `/readyz` and the console.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    fn migrator(self) -> &'static Migrator {
        match self {
            Self::Sqlite => &SQLITE_MIGRATIONS,
            Self::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads a value stored as text (a term of the vocabulary, an actor), refusing one that is none
/// of its type's values with an error that names the column, as rows' `try_from` fields do.
pub(crate) fn parse_column<T>(column: &str, stored: &str) -> Result<T, sqlx::Error>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    stored.parse().map_err(|error| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: Box::new(error),
    })
}

/// The `state` of row `id` of `table`, if the row exists; a stored state that is none of `T`'s is
/// an error naming the column.
pub(crate) async fn state_of<T: vocab::Lifecycle>(
    conn: &mut sqlx::AnyConnection,
    table: &'static str,
    id: i64,
) -> Result<Option<T>, sqlx::Error> {
    let state: Option<String> =
        sqlx::query_scalar(&format!("SELECT state FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    state
        .map(|s| parse_column(&format!("{table}.state"), &s))
        .transpose()
}

/// `$first, $first+1, …`: the placeholders of an `IN (…)` list of `n` values.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `(key, value)` rows `select` (a query ending in `WHERE <column>`) finds with the column
/// among `keys`; none, without a query, for no keys.
pub(crate) async fn pairs_where_in(
    db: &Db,
    select: &str,
    keys: &[&str],
) -> Result<Vec<(String, String)>, sqlx::Error> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{select} IN ({})", placeholders(1, keys.len()));
    let mut query = sqlx::query_as(&sql);
    for key in keys {
        query = query.bind(*key);
    }
    query.fetch_all(db.reader()).await
}

/// Why the database could not be opened, migrated or queried.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names neither SQLite nor PostgreSQL.
    #[error(
        "unsupported database URL scheme `{0}:`; use sqlite://PATH or postgres://HOST/DATABASE"
    )]
    UnsupportedScheme(String),
    /// The directory for the SQLite file could not be created.
    #[error("cannot create the directory `{path}` for the SQLite database")]
    CreateDir {
        /// The directory Steward tried to create.
        path: String,
        /// What the file system said.
        #[source]
        source: std::io::Error,
    },
    /// The first connection failed.
    #[error("cannot connect to the {backend} database")]
    Connect {
        /// Which backend was being opened.
        backend: Backend,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// Applying migrations failed.
    #[error("database migration failed")]
    Migrate(#[from] MigrateError),
    /// A query failed.
    #[error("database query failed")]
    Query(#[from] sqlx::Error),
}

/// A handle to Steward's database. Cheap to clone; clones share the pools.
#[derive(Clone)]
pub struct Db {
    backend: Backend,
    reader: AnyPool,
    writer: AnyPool,
    /// The key that seals audit entries appended through this handle (never stored in it).
    audit_key: Option<Arc<AuditKey>>,
    /// The keys that seal stored secrets (never stored in it).
    vault: Option<Arc<Vault>>,
    /// Held while the audit chain is verified: a full walk reads every entry, so however many
    /// people ask at once, one walk runs at a time per process.
    verifying: Arc<tokio::sync::Mutex<()>>,
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry a password, so it is deliberately not part of the handle.
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// Whether the database can serve Steward: reachable, with every known migration applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readiness {
    /// The engine that answered.
    pub backend: Backend,
    /// How many of this binary's migrations the database has applied successfully.
    pub migrations_applied: usize,
    /// How many migrations this binary knows.
    pub migrations_known: usize,
}

impl Readiness {
    /// True when every migration this binary knows has been applied.
    pub fn is_ready(&self) -> bool {
        self.migrations_applied == self.migrations_known
    }
}

impl Db {
    /// Opens the database at `url` (`sqlite://PATH` or `postgres://…`), creating the SQLite file and
    /// its directory when missing. Does not run migrations; see [`Db::migrate`].
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        match backend {
            Backend::Sqlite => Self::connect_sqlite(url).await,
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(POSTGRES_CONNECTIONS)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect(url)
                    .await
                    .map_err(|source| DbError::Connect { backend, source })?;
                Ok(Self {
                    backend,
                    reader: pool.clone(),
                    writer: pool,
                    audit_key: None,
                    vault: None,
                    verifying: Arc::default(),
                })
            }
        }
    }

    async fn connect_sqlite(url: &str) -> Result<Self, DbError> {
        let backend = Backend::Sqlite;
        let (url, in_memory) = prepare_sqlite_url(url)?;
        let options = |max| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .after_connect(|conn, _meta| {
                    Box::pin(async move {
                        // WAL lets readers run beside the writer; FULL makes every commit durable
                        // before Steward acknowledges what it stored.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute(
                            format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}").as_str(),
                        )
                        .await?;
                        Ok(())
                    })
                })
        };
        let connect_error = |source| DbError::Connect { backend, source };
        let writer = options(1).connect(&url).await.map_err(connect_error)?;
        // An in-memory database exists once per connection, so readers must share the writer.
        let reader = if in_memory {
            writer.clone()
        } else {
            options(SQLITE_READERS)
                .connect(&url)
                .await
                .map_err(connect_error)?
        };
        Ok(Self {
            backend,
            reader,
            writer,
            audit_key: None,
            vault: None,
            verifying: Arc::default(),
        })
    }

    /// This handle, sealing every audit entry appended through it (or its clones) with `key`,
    /// and checking seals when it verifies the chain.
    pub fn with_audit_key(mut self, key: AuditKey) -> Self {
        self.audit_key = Some(Arc::new(key));
        self
    }

    /// The audit key this handle seals with, if any.
    pub fn audit_key(&self) -> Option<&AuditKey> {
        self.audit_key.as_deref()
    }

    /// This handle, sealing the secrets it stores (credentials, webhook secrets) with `vault`.
    pub fn with_vault(mut self, vault: Vault) -> Self {
        self.vault = Some(Arc::new(vault));
        self
    }

    /// The keys this handle seals secrets with, if any.
    pub fn vault(&self) -> Option<&Vault> {
        self.vault.as_deref()
    }

    /// Waits until no other audit verification runs through this handle or its clones.
    pub(crate) async fn verification_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.verifying.lock().await
    }

    /// The engine behind this handle.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies every migration this binary carries that the database has not seen yet, then
    /// the data every installation starts with (version 1 of each agent function's prompt).
    pub async fn migrate(&self) -> Result<(), DbError> {
        self.backend.migrator().run(&self.writer).await?;
        crate::prompts::seed_builtin(self)
            .await
            .map_err(|e| match e {
                crate::prompts::PromptError::Query(e) => DbError::Query(e),
                other => DbError::Query(sqlx::Error::Protocol(other.to_string())),
            })?;
        Ok(())
    }

    /// Checks that the database answers and that its schema is current.
    pub async fn readiness(&self) -> Result<Readiness, DbError> {
        let migrator = self.backend.migrator();
        let known: HashSet<i64> = migrator.iter().map(|m| m.version).collect();
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&self.reader)
                .await?;
        Ok(Readiness {
            backend: self.backend,
            migrations_applied: applied.iter().filter(|v| known.contains(v)).count(),
            migrations_known: known.len(),
        })
    }

    /// Brings the query planner's statistics up to date, so filters on large tables (the audit
    /// log) pick the right index. Cheap when little has changed; the server runs it hourly.
    pub async fn refresh_statistics(&self) -> Result<(), DbError> {
        let sql = match self.backend {
            // 0x10002: analyze every table whose statistics are missing or stale, not only the
            // ones this connection happened to query.
            Backend::Sqlite => "PRAGMA optimize=0x10002",
            Backend::Postgres => "ANALYZE",
        };
        self.writer.execute(sql).await?;
        Ok(())
    }

    /// Closes every connection; later queries fail.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    /// The pool for queries that only read. (Public for the sandbox crate, whose SQL is its own.)
    pub fn reader(&self) -> &AnyPool {
        &self.reader
    }

    /// The pool for single-statement writes.
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// Starts a write transaction. On SQLite this waits for the single writer connection.
    pub async fn begin(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        self.writer.begin().await
    }
}

/// Normalises a SQLite URL: creates the parent directory of the file and asks the driver to
/// create the file. Returns the URL and whether it names an in-memory database.
fn prepare_sqlite_url(url: &str) -> Result<(String, bool), DbError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or_default();
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory = path == ":memory:" || query.split('&').any(|p| p == "mode=memory");
    if !in_memory
        && let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDir {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let has_mode = query.split('&').any(|p| p.starts_with("mode="));
    let url = match (has_mode, query.is_empty()) {
        (true, _) => url.to_owned(),
        (false, true) => format!("{url}?mode=rwc"),
        (false, false) => format!("{url}&mode=rwc"),
    };
    Ok((url, in_memory))
}

impl crate::Classify for DbError {
    fn is_transient(&self) -> bool {
        match self {
            Self::UnsupportedScheme(_) | Self::CreateDir { .. } | Self::Migrate(_) => false,
            Self::Connect { source, .. } => source.is_transient(),
            Self::Query(e) => e.is_transient(),
        }
    }
}

#[cfg(test)]
mod tests;
