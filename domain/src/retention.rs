//! Retention: message text Steward keeps (drafts, replies, alert titles) is blanked once it is
//! older than the days an admin sets, by a job every worker process runs hourly. Each purge that
//! blanks anything is audited with the counts. What stays: ids, times, decisions and who made
//! them, so usage charts and the audit trail keep working. Audit entries themselves are never
//! rewritten; the hash chain forbids it.

use serde::Serialize;
use serde_json::json;

use crate::{
    Db,
    audit::{self, Actor, NewEntry},
    db,
    settings::{self, SettingKey, SettingsError},
    time::now_ms,
};

/// The setting with the number of days.
pub const SETTING: &str = "retention.days";
/// The longest retention an admin can set: ten years.
pub const MAX_DAYS: u32 = 3650;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// What one purge blanked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    /// Decided drafts.
    pub drafts: u64,
    /// Sent or dead-lettered replies.
    pub replies: u64,
    /// Alert titles.
    pub alerts: u64,
}

impl PurgeReport {
    /// Whether nothing was blanked.
    pub fn is_empty(&self) -> bool {
        self.drafts + self.replies + self.alerts == 0
    }
}

/// Why retention could not be set or applied.
#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    /// The number of days is out of range.
    #[error("keep message text between 1 and {MAX_DAYS} days, or leave it empty to keep it")]
    OutOfRange,
    /// The setting could not be read or written.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The database failed.
    #[error("retention query failed")]
    Query(#[from] sqlx::Error),
}

fn key() -> SettingKey {
    SettingKey::parse(SETTING).expect("a valid key")
}

/// How many days message text is kept; `None`: for ever.
pub async fn days(db: &Db) -> Result<Option<u32>, SettingsError> {
    Ok(settings::get(db, &key())
        .await?
        .and_then(|v| v.as_u64())
        .and_then(|d| u32::try_from(d).ok()))
}

/// Sets the retention (`None`: keep for ever); audited. Returns whether it changed.
pub async fn set_days(db: &Db, days: Option<u32>, actor: &Actor) -> Result<bool, RetentionError> {
    if days.is_some_and(|d| !(1..=MAX_DAYS).contains(&d)) {
        return Err(RetentionError::OutOfRange);
    }
    let value = days.map_or(serde_json::Value::Null, |d| json!(d));
    Ok(settings::set(db, &key(), value, actor).await?)
}

/// Blanks message text older than the retention, as of `now` (ms), in one transaction with its
/// audit entry. Does nothing when no retention is set.
pub async fn purge(db: &Db, now: i64) -> Result<PurgeReport, RetentionError> {
    let Some(days) = days(db).await? else {
        return Ok(PurgeReport::default());
    };
    let cutoff = now - i64::from(days) * DAY_MS;
    let mut tx = db.begin().await?;
    let report = PurgeReport {
        drafts: db::retention::purge_drafts(&mut tx, cutoff, now).await?,
        replies: db::retention::purge_outbox(&mut tx, cutoff, now).await?,
        alerts: db::retention::purge_alerts(&mut tx, cutoff, now).await?,
    };
    if report.is_empty() {
        return Ok(report);
    }
    audit::append(
        &mut tx,
        db,
        NewEntry {
            actor: Actor::system("retention"),
            action: "retention.purge".into(),
            target: format!("retention:{days}d"),
            before: None,
            after: Some(json!({
                "days": days,
                "older_than_ms": cutoff,
                "drafts": report.drafts,
                "replies": report.replies,
                "alerts": report.alerts,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// [`purge`] as of now.
pub async fn purge_now(db: &Db) -> Result<PurgeReport, RetentionError> {
    purge(db, now_ms()).await
}

impl crate::Classify for RetentionError {
    fn is_transient(&self) -> bool {
        match self {
            Self::OutOfRange => false,
            Self::Settings(e) => e.is_transient(),
            Self::Query(e) => e.is_transient(),
        }
    }

    fn refusal(&self) -> Option<String> {
        matches!(self, Self::OutOfRange).then(|| self.to_string())
    }
}
