//! Test support: a fresh, migrated, isolated database per test on either backend, removed
//! afterwards whether the test passed or panicked.
//!
//! SQLite tests get a file in a temporary directory. PostgreSQL tests get a schema of their own in
//! the database named by `STEWARD_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), selected through the connection's `search_path`.
//! This module is compiled only with the `testing` feature and is the one place in `domain` that
//! reads the environment.

pub mod audit_log;

use std::{future::Future, panic};

use sqlx::{AnyConnection, Connection, Executor};

use crate::{Backend, Db};

/// The environment variable naming the PostgreSQL database tests create their schemas in.
pub const POSTGRES_URL_VAR: &str = "STEWARD_TEST_POSTGRES_URL";
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A migrated database that exists for one test.
pub struct TestDb {
    db: Db,
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(
        #[expect(
            dead_code,
            reason = "held so the directory lives as long as the database"
        )]
        tempfile::TempDir,
    ),
    Postgres {
        admin_url: String,
        schema: String,
    },
}

impl TestDb {
    /// Creates and migrates a fresh database. Panics with the reason when that is impossible,
    /// e.g. PostgreSQL is not running.
    pub async fn new(backend: Backend) -> Self {
        let (url, cleanup) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("create a temporary directory for SQLite");
                let url = format!("sqlite://{}", dir.path().join("steward.db").display());
                (url, Cleanup::Sqlite(dir))
            }
            Backend::Postgres => {
                let admin_url = postgres_url();
                let schema = format!("test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = connect_admin(&admin_url).await;
                admin
                    .execute(format!("CREATE SCHEMA {schema}").as_str())
                    .await
                    .expect("create a test schema");
                admin.close().await.ok();
                let separator = if admin_url.contains('?') { '&' } else { '?' };
                let url = format!("{admin_url}{separator}options=-c%20search_path%3D{schema}");
                (url, Cleanup::Postgres { admin_url, schema })
            }
        };
        let db = Db::connect(&url)
            .await
            .expect("connect to the test database");
        db.migrate().await.expect("migrate the test database");
        Self { db, url, cleanup }
    }

    /// The database handle.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// A URL that opens this database, e.g. for a `steward` process under test.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Closes the pools and removes the database.
    pub async fn cleanup(self) {
        self.db.close().await;
        if let Cleanup::Postgres { admin_url, schema } = self.cleanup {
            let mut admin = connect_admin(&admin_url).await;
            admin
                .execute(format!("DROP SCHEMA {schema} CASCADE").as_str())
                .await
                .expect("drop the test schema");
            admin.close().await.ok();
        }
    }
}

fn postgres_url() -> String {
    std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

async fn connect_admin(url: &str) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(url).await.unwrap_or_else(|e| {
        panic!("cannot reach PostgreSQL for tests at {url} (set {POSTGRES_URL_VAR}): {e}")
    })
}

/// Runs `test` against a fresh database of `backend`, then removes the database, then re-raises
/// the test's panic if it had one.
/// The test receives the database handle and a URL that opens the same database.
pub async fn with_db<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Db, String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let test_db = TestDb::new(backend).await;
    let outcome = tokio::spawn(test(test_db.db().clone(), test_db.url().to_owned())).await;
    test_db.cleanup().await;
    if let Err(error) = outcome {
        match error.try_into_panic() {
            Ok(payload) => panic::resume_unwind(payload),
            Err(error) => panic!("test task did not finish: {error}"),
        }
    }
}

/// Defines a test that runs once on SQLite and once on PostgreSQL, as `NAME::sqlite` and
/// `NAME::postgres`, each with a fresh database bound to the given name (and optionally the
/// database URL, for tests that must reach the database behind Steward's back).
///
/// ```ignore
/// domain::db_test!(async fn granting_a_role_is_audited(db) {
///     /* … use `db: Db` … */
/// });
/// domain::db_test!(async fn tampering_is_detected(db, url) { /* … */ });
/// ```
#[macro_export]
macro_rules! db_test {
    ($(#[$meta:meta])* async fn $name:ident($db:ident) $body:block) => {
        $crate::db_test!($(#[$meta])* async fn $name($db, _url) $body);
    };
    ($(#[$meta:meta])* async fn $name:ident($db:ident, $url:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::testing::with_db($crate::Backend::Sqlite, |$db: $crate::Db, $url: String| async move $body)
                    .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::testing::with_db($crate::Backend::Postgres, |$db: $crate::Db, $url: String| async move $body)
                    .await;
            }
        }
    };
}

/// Stores a webhook secret as if Steward had registered webhook `id` at Webex with it, so a test
/// can sign deliveries without a Webex (or sandbox) round trip.
pub async fn register_webhook_secret(db: &Db, id: &str, secret: &str) {
    let now = crate::time::now_ms();
    let mut tx = db.begin().await.expect("begin a transaction");
    crate::db::webhooks::upsert(
        &mut tx,
        &crate::db::webhooks::WebhookRow {
            webhook_id: id.to_owned(),
            name: "Steward firehose".to_owned(),
            resource: "all".to_owned(),
            event: "all".to_owned(),
            target_url: "http://steward.test/webhooks/webex".to_owned(),
            secret: secret.to_owned(),
            status: "active".to_owned(),
            registered_ms: now,
            checked_ms: now,
        },
    )
    .await
    .expect("store the webhook secret");
    tx.commit().await.expect("commit the webhook secret");
}
