//! The state of the installation at a glance, for the console's Overview and for operators.

use crate::{
    Db, DbError, audit,
    db::Readiness,
    inbox,
    queue::{self, QueueCounts, QueueError},
    users::{self, Role},
};

/// What the Overview page shows about Steward itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overview {
    /// Database engine and schema state.
    pub readiness: Readiness,
    /// How many entries the audit log holds.
    pub audit_entries: i64,
    /// How many people hold each role.
    pub role_counts: Vec<(Role, i64)>,
    /// Received Webex events per state.
    pub events: Vec<(inbox::EventState, i64)>,
    /// Jobs per state.
    pub jobs: QueueCounts,
}

/// Why the overview could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// The database is unreachable or its schema unreadable.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The audit log could not be read.
    #[error(transparent)]
    Audit(#[from] audit::AuditError),
    /// People and roles could not be read.
    #[error(transparent)]
    Users(#[from] users::UsersError),
    /// The job queue could not be read.
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// Reads the overview.
pub async fn overview(db: &Db) -> Result<Overview, StatusError> {
    Ok(Overview {
        readiness: db.readiness().await?,
        audit_entries: audit::len(db).await?,
        role_counts: users::role_counts(db).await?,
        events: inbox::state_counts(db).await.map_err(DbError::Query)?,
        jobs: queue::counts(db).await?,
    })
}

impl crate::Classify for StatusError {
    fn is_transient(&self) -> bool {
        match self {
            Self::Db(e) => e.is_transient(),
            Self::Audit(e) => e.is_transient(),
            Self::Users(e) => e.is_transient(),
            Self::Queue(e) => e.is_transient(),
        }
    }
}
