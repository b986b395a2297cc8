//! Usage counters: how many events each agent function handled per day, space and decision, and
//! how long it took. The pipeline counts in the same transaction as it decides.

use serde::Serialize;

use crate::{Db, db};

/// One day's count for one function, space and decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Usage {
    /// Midnight UTC of the day, in milliseconds.
    pub day_ms: i64,
    /// The agent function, or `help` for Steward's own answers.
    pub function: String,
    /// The space.
    pub room_id: String,
    /// `reply`, `draft`, `shadow`, `off` or `builtin`.
    pub decision: String,
    /// How many events.
    pub events: i64,
    /// Their processing time, summed, in milliseconds.
    pub latency_ms_total: i64,
}

/// Every counter from the day of `since_ms` on.
pub async fn since(db: &Db, since_ms: i64) -> Result<Vec<Usage>, sqlx::Error> {
    const DAY_MS: i64 = 24 * 60 * 60 * 1000;
    db::outbox::usage_since(db, since_ms - since_ms.rem_euclid(DAY_MS)).await
}
