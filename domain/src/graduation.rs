//! Graduation: a new prompt version earns the right to post without review.
//!
//! Where its function is live, a version on probation still holds each draft for a reviewer.
//! Approvals count towards graduation: once a version has at least `min_approvals` approvals at an
//! approval rate of at least `min_rate_percent`, it graduates and posts directly. A graduated
//! version that collects `demote_after` rejections in a row goes back on probation and counts
//! afresh. Admins set the thresholds, and may graduate a version at once; every change is audited.

use serde::{Deserialize, Serialize};
use serde_json::json;

use vocab::AgentFunction;

use crate::{
    Db,
    audit::{self, Actor, NewEntry},
    db,
    settings::{self, SettingKey, SettingsError},
};

/// The setting that holds the thresholds.
pub const THRESHOLDS_SETTING: &str = "graduation.thresholds";

/// When a version graduates, and when it is demoted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Approvals needed, at least 1.
    pub min_approvals: i64,
    /// Approval rate needed, in percent (1 to 100).
    pub min_rate_percent: i64,
    /// Rejections in a row that demote a graduated version, at least 1.
    pub demote_after: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            min_approvals: 100,
            min_rate_percent: 95,
            demote_after: 3,
        }
    }
}

/// A version's standing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Standing {
    /// The agent function.
    pub function: AgentFunction,
    /// The prompt version.
    pub version: i64,
    /// Whether it posts without review where its function is live.
    pub graduated: bool,
    /// Approvals since it last changed state.
    pub approvals: i64,
    /// Rejections since it last changed state.
    pub rejections: i64,
    /// Rejections in a row.
    pub rejection_streak: i64,
    /// Approvals ever.
    pub total_approvals: i64,
    /// Rejections ever.
    pub total_rejections: i64,
}

impl Standing {
    /// Approvals as a share of decisions since the last change of state, in percent.
    pub fn approval_rate(&self) -> Option<f64> {
        let decided = self.approvals + self.rejections;
        (decided > 0).then(|| 100.0 * self.approvals as f64 / decided as f64)
    }
}

/// Why graduation could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum GraduationError {
    /// A threshold is out of range: the field, and what to fix.
    #[error("{1}")]
    Invalid(&'static str, String),
    /// The stored thresholds cannot be read.
    #[error("the stored graduation thresholds cannot be read: {0}")]
    Corrupt(String),
    /// The version does not exist.
    #[error("{0} has no version {1}")]
    NoSuchVersion(AgentFunction, i64),
    /// The setting could not be read or written.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The database failed.
    #[error("graduation query failed")]
    Query(#[from] sqlx::Error),
}

/// The thresholds in force.
pub async fn thresholds(db: &Db) -> Result<Thresholds, GraduationError> {
    let key = SettingKey::parse(THRESHOLDS_SETTING).expect("a valid key");
    match settings::get(db, &key).await? {
        None => Ok(Thresholds::default()),
        Some(value) => {
            serde_json::from_value(value).map_err(|e| GraduationError::Corrupt(e.to_string()))
        }
    }
}

/// Changes the thresholds (audited as a settings change). Returns whether they changed.
pub async fn set_thresholds(
    db: &Db,
    thresholds: Thresholds,
    actor: &Actor,
) -> Result<bool, GraduationError> {
    if !(1..=100_000).contains(&thresholds.min_approvals) {
        return Err(GraduationError::Invalid(
            "min_approvals",
            "Approvals needed must be a whole number from 1 to 100000.".into(),
        ));
    }
    if !(1..=100).contains(&thresholds.min_rate_percent) {
        return Err(GraduationError::Invalid(
            "min_rate_percent",
            "The approval rate must be between 1 and 100 percent.".into(),
        ));
    }
    if !(1..=1_000).contains(&thresholds.demote_after) {
        return Err(GraduationError::Invalid(
            "demote_after",
            "Rejections in a row must be a whole number from 1 to 1000.".into(),
        ));
    }
    let key = SettingKey::parse(THRESHOLDS_SETTING).expect("a valid key");
    let value = serde_json::to_value(thresholds).expect("thresholds serialise");
    Ok(settings::set(db, &key, value, actor).await?)
}

/// Every version's standing, for every function; versions nobody decided on yet are missing
/// (they are on probation with nothing counted).
pub async fn standings(db: &Db) -> Result<Vec<Standing>, GraduationError> {
    Ok(db::graduation::all(db).await?)
}

/// A version's standing; a version nobody decided on yet is on probation with nothing counted.
pub async fn standing(
    db: &Db,
    function: AgentFunction,
    version: i64,
) -> Result<Standing, GraduationError> {
    Ok(db::graduation::find(db.reader(), function, version)
        .await?
        .unwrap_or_else(|| Standing::new(function, version)))
}

impl Standing {
    /// A version nobody decided on yet: on probation, nothing counted.
    pub fn new(function: AgentFunction, version: i64) -> Self {
        Self {
            function,
            version,
            graduated: false,
            approvals: 0,
            rejections: 0,
            rejection_streak: 0,
            total_approvals: 0,
            total_rejections: 0,
        }
    }
}

/// Graduates a version at once (e.g. a version already proven elsewhere). Audited as
/// `agent.graduate`.
pub async fn graduate_now(
    db: &Db,
    function: AgentFunction,
    version: i64,
    actor: &Actor,
) -> Result<(), GraduationError> {
    let mut tx = db.begin().await?;
    if db::prompts::version(&mut *tx, function, version)
        .await?
        .is_none()
    {
        return Err(GraduationError::NoSuchVersion(function, version));
    }
    let mut standing = db::graduation::find(&mut *tx, function, version)
        .await?
        .unwrap_or_else(|| Standing::new(function, version));
    if standing.graduated {
        return Ok(());
    }
    let before = json!({ "graduated": false, "approvals": standing.approvals });
    standing.graduated = true;
    standing.approvals = 0;
    standing.rejections = 0;
    standing.rejection_streak = 0;
    db::graduation::upsert(&mut tx, &standing).await?;
    audit::append(
        &mut tx,
        db,
        NewEntry {
            actor: actor.clone(),
            action: "agent.graduate".into(),
            target: format!("prompt:{}", crate::ai::label(function, version)),
            before: Some(before),
            after: Some(json!({ "graduated": true, "by": "admin" })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Counts a reviewer's decision on a draft of `function@version`, inside the caller's
/// transaction, and graduates or demotes the version when the thresholds say so (audited as
/// `agent.graduate` or `agent.demote`).
pub(crate) async fn record_decision(
    conn: &mut sqlx::AnyConnection,
    db: &Db,
    function: AgentFunction,
    version: i64,
    approved: bool,
    thresholds: Thresholds,
) -> Result<(), sqlx::Error> {
    let mut standing = db::graduation::find(&mut *conn, function, version)
        .await?
        .unwrap_or_else(|| Standing::new(function, version));
    if approved {
        standing.approvals += 1;
        standing.total_approvals += 1;
        standing.rejection_streak = 0;
    } else {
        standing.rejections += 1;
        standing.total_rejections += 1;
        standing.rejection_streak += 1;
    }
    let rate_ok = standing
        .approval_rate()
        .is_some_and(|rate| rate >= thresholds.min_rate_percent as f64);
    let change = if !standing.graduated && standing.approvals >= thresholds.min_approvals && rate_ok
    {
        Some("agent.graduate")
    } else if standing.graduated && standing.rejection_streak >= thresholds.demote_after {
        Some("agent.demote")
    } else {
        None
    };
    if let Some(action) = change {
        let before = json!({
            "graduated": standing.graduated,
            "approvals": standing.approvals,
            "rejections": standing.rejections,
            "rejection_streak": standing.rejection_streak,
        });
        standing.graduated = action == "agent.graduate";
        standing.approvals = 0;
        standing.rejections = 0;
        standing.rejection_streak = 0;
        audit::append(
            conn,
            db,
            NewEntry {
                actor: Actor::system("graduation"),
                action: action.into(),
                target: format!("prompt:{}", crate::ai::label(function, version)),
                before: Some(before),
                after: Some(json!({ "graduated": standing.graduated, "thresholds": thresholds })),
            },
        )
        .await?;
    }
    db::graduation::upsert(conn, &standing).await
}

impl crate::Classify for GraduationError {
    fn is_transient(&self) -> bool {
        match self {
            Self::Settings(e) => e.is_transient(),
            Self::Query(e) => e.is_transient(),
            Self::Invalid(..) | Self::Corrupt(_) | Self::NoSuchVersion(..) => false,
        }
    }

    fn refusal(&self) -> Option<String> {
        match self {
            Self::Invalid(..) | Self::NoSuchVersion(..) => Some(self.to_string()),
            Self::Corrupt(_) | Self::Settings(_) | Self::Query(_) => None,
        }
    }
}
