//! Console sessions stored in Steward's own database, through tower-sessions' store trait.
//!
//! The SQL lives in `domain::db::sessions`; this adapter only translates records, so `domain`
//! stays free of web frameworks and the same table serves SQLite and PostgreSQL.

use std::time::Duration;

use async_trait::async_trait;
use domain::{Db, db::sessions, time::now_ms};
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
    session_store::{Error, Result},
};

/// A tower-sessions store over [`Db`].
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    /// A store over `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Removes expired sessions every `period` until the task is dropped.
    pub async fn purge_expired_every(self, period: Duration) {
        let mut ticker = tokio::time::interval(period);
        loop {
            ticker.tick().await;
            match sessions::delete_expired(&self.db, now_ms()).await {
                Ok(0) => {}
                Ok(removed) => tracing::debug!(removed, "purged expired sessions"),
                Err(error) => {
                    tracing::warn!(error = %domain::error_chain(&error), "purging expired sessions failed")
                }
            }
        }
    }
}

fn expiry_ms(record: &Record) -> i64 {
    i64::try_from(record.expiry_date.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn encode(record: &Record) -> Result<String> {
    serde_json::to_string(record).map_err(|e| Error::Encode(e.to_string()))
}

fn backend(error: impl std::error::Error + 'static) -> Error {
    Error::Backend(domain::error_chain(&error))
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // Ids are 128 random bits, so a collision is practically impossible; if one happens anyway,
        // draw a new id rather than overwrite someone else's session.
        loop {
            let data = encode(record)?;
            if sessions::create(&self.db, &record.id.to_string(), &data, expiry_ms(record))
                .await
                .map_err(backend)?
            {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let data = encode(record)?;
        sessions::save(&self.db, &record.id.to_string(), &data, expiry_ms(record))
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let stored = sessions::load(&self.db, &id.to_string(), now_ms())
            .await
            .map_err(backend)?;
        stored
            .map(|data| serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string())))
            .transpose()
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        sessions::delete(&self.db, &id.to_string())
            .await
            .map_err(backend)
    }
}
