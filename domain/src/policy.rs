//! Governance of the agent functions: the mode of each function in each space, the kill switch of
//! each function, and the spaces Steward knows. Every change is audited with before and after.
//!
//! The pipeline reads these tables for every job, so a change reaches every worker, in every
//! replica, with the next job it runs.

use serde::Serialize;
use serde_json::json;

use vocab::{AgentFunction, RoomKind};

use crate::{
    Db,
    audit::{self, Actor, NewEntry},
    db,
};

pub use vocab::Mode;

/// Whether and how a function may act in a space right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Effective {
    /// The function's mode in the space.
    pub mode: Mode,
    /// Whether the function's kill switch is on (it is switched on).
    pub enabled: bool,
    /// Whether the space is within the function's rollout.
    pub in_rollout: bool,
}

impl Effective {
    /// The mode that applies: `off` whenever the function is switched off or the space is not in
    /// its rollout yet.
    pub fn mode(self) -> Mode {
        if self.enabled && self.in_rollout {
            self.mode
        } else {
            Mode::Off
        }
    }
}

/// A function's switch and rollout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Switch {
    /// The function.
    pub function: AgentFunction,
    /// Switched on.
    pub enabled: bool,
    /// The share of spaces it acts in, 0 to 100.
    pub rollout_percent: i64,
}

impl Switch {
    /// Whether a space is within the rollout: a stable hash of the space puts it in or out, so
    /// growing the share only adds spaces.
    pub fn covers(&self, room_id: &str) -> bool {
        i64::from(crate::prompts::bucket("rollout", self.function, room_id)) < self.rollout_percent
    }
}

impl Switch {
    /// The switch as stored, or on everywhere when it was never changed.
    fn from_stored(function: AgentFunction, stored: Option<(i64, i64)>) -> Self {
        Self {
            function,
            enabled: stored.is_none_or(|(enabled, _)| enabled == 1),
            rollout_percent: stored.map_or(100, |(_, percent)| percent),
        }
    }
}

/// A function's switch and rollout.
pub async fn switch(db: &Db, function: AgentFunction) -> Result<Switch, PolicyError> {
    let stored = db::policy::switch(db.reader(), function).await?;
    Ok(Switch::from_stored(function, stored))
}

/// Every function's switch and rollout, in [`AgentFunction::ALL`] order.
pub async fn switches(db: &Db) -> Result<Vec<Switch>, PolicyError> {
    let stored = db::policy::switches(db).await?;
    Ok(AgentFunction::ALL
        .into_iter()
        .map(|function| {
            let found = stored
                .iter()
                .find(|(f, _, _)| *f == function)
                .map(|(_, enabled, percent)| (*enabled, *percent));
            Switch::from_stored(function, found)
        })
        .collect())
}

/// A space Steward knows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Space {
    /// The Webex room ID.
    pub room_id: String,
    /// Its title (for a 1:1 space, the other person's name).
    pub title: String,
    /// A 1:1 space or a group.
    #[sqlx(try_from = "String")]
    pub kind: RoomKind,
    /// When the bot was added, if Steward saw it.
    pub bot_joined_ms: Option<i64>,
    /// When the bot was removed, if it was.
    pub bot_left_ms: Option<i64>,
    /// When the bot said that nothing is enabled here yet.
    pub greeted_ms: Option<i64>,
    /// When Steward first met the space.
    pub first_seen_ms: i64,
}

/// Why a policy change failed.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// No space with that ID or title.
    #[error("Steward knows no space `{0}`")]
    UnknownSpace(String),
    /// A rollout share outside 0 to 100.
    #[error("a rollout is a share of spaces from 0 to 100 percent, not {0}")]
    InvalidRollout(i64),
    /// Several spaces have that title.
    #[error("several spaces are called `{0}`; use the space's ID")]
    AmbiguousSpace(String),
    /// The database failed.
    #[error("policy query failed")]
    Query(#[from] sqlx::Error),
}

/// The mode and switch of `function` in a space.
pub async fn effective(
    db: &Db,
    function: AgentFunction,
    room_id: &str,
) -> Result<Effective, PolicyError> {
    let switch = switch(db, function).await?;
    Ok(Effective {
        mode: db::policy::mode(db.reader(), function, room_id)
            .await?
            .unwrap_or_default(),
        enabled: switch.enabled,
        in_rollout: switch.covers(room_id),
    })
}

/// The functions that act in a space (switched on, not off), with their modes.
pub async fn active_in(db: &Db, room_id: &str) -> Result<Vec<(AgentFunction, Mode)>, PolicyError> {
    let mut active = Vec::new();
    for function in AgentFunction::ALL {
        let mode = effective(db, function, room_id).await?.mode();
        if mode != Mode::Off {
            active.push((function, mode));
        }
    }
    Ok(active)
}

/// Sets the mode of `function` in a space, audited as `policy.mode`. Returns whether it changed.
pub async fn set_mode(
    db: &Db,
    function: AgentFunction,
    room_id: &str,
    mode: Mode,
    actor: &Actor,
) -> Result<bool, PolicyError> {
    let mut tx = db.begin().await?;
    let changed = set_mode_in(&mut tx, db, function, room_id, mode, actor).await?;
    tx.commit().await?;
    Ok(changed)
}

/// Sets several modes in one transaction. Every space (by ID or unique title) is found before
/// anything is stored, so one bad cell changes nothing. Returns how many modes changed.
pub async fn set_modes(
    db: &Db,
    cells: &[(AgentFunction, String, Mode)],
    actor: &Actor,
) -> Result<usize, PolicyError> {
    let mut found = Vec::with_capacity(cells.len());
    for (function, space, mode) in cells {
        found.push((*function, find_space(db, space).await?.room_id, *mode));
    }
    let mut tx = db.begin().await?;
    let mut changed = 0;
    for (function, room_id, mode) in &found {
        changed += usize::from(set_mode_in(&mut tx, db, *function, room_id, *mode, actor).await?);
    }
    tx.commit().await?;
    Ok(changed)
}

async fn set_mode_in(
    conn: &mut sqlx::AnyConnection,
    db: &Db,
    function: AgentFunction,
    room_id: &str,
    mode: Mode,
    actor: &Actor,
) -> Result<bool, PolicyError> {
    let before = db::policy::mode(&mut *conn, function, room_id)
        .await?
        .unwrap_or_default();
    if before == mode {
        return Ok(false);
    }
    db::policy::upsert_mode(conn, function, room_id, mode, actor).await?;
    audit::append(
        conn,
        db,
        NewEntry {
            actor: actor.clone(),
            action: "policy.mode".into(),
            target: format!("space:{room_id}"),
            before: Some(json!({ "function": function, "mode": before })),
            after: Some(json!({ "function": function, "mode": mode })),
        },
    )
    .await?;
    Ok(true)
}

/// Switches `function` on or off everywhere, audited as `policy.switch`. Returns whether it
/// changed.
pub async fn set_enabled(
    db: &Db,
    function: AgentFunction,
    enabled: bool,
    actor: &Actor,
) -> Result<bool, PolicyError> {
    let mut tx = db.begin().await?;
    let before = db::policy::switch(&mut *tx, function)
        .await?
        .is_none_or(|(e, _)| e == 1);
    if before == enabled {
        return Ok(false);
    }
    db::policy::upsert_enabled(&mut tx, function, enabled, actor).await?;
    audit::append(
        &mut tx,
        db,
        NewEntry {
            actor: actor.clone(),
            action: "policy.switch".into(),
            target: format!("function:{function}"),
            before: Some(json!({ "enabled": before })),
            after: Some(json!({ "enabled": enabled })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Sets the share of spaces (0 to 100) a function acts in, audited as `policy.rollout`. Returns
/// whether it changed.
pub async fn set_rollout(
    db: &Db,
    function: AgentFunction,
    percent: i64,
    actor: &Actor,
) -> Result<bool, PolicyError> {
    if !(0..=100).contains(&percent) {
        return Err(PolicyError::InvalidRollout(percent));
    }
    let mut tx = db.begin().await?;
    let before = db::policy::switch(&mut *tx, function)
        .await?
        .map_or(100, |(_, p)| p);
    if before == percent {
        return Ok(false);
    }
    db::policy::upsert_rollout(&mut tx, function, percent, actor).await?;
    audit::append(
        &mut tx,
        db,
        NewEntry {
            actor: actor.clone(),
            action: "policy.rollout".into(),
            target: format!("function:{function}"),
            before: Some(json!({ "rollout_percent": before })),
            after: Some(json!({ "rollout_percent": percent })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Sets modes in bulk unless any mode was ever set: the starting policy of a new installation
/// (the sandbox's demo). Returns whether it applied them.
pub async fn apply_initial(
    db: &Db,
    modes: &[(AgentFunction, String, Mode)],
    actor: &Actor,
) -> Result<bool, PolicyError> {
    if db::policy::any_mode(db).await? {
        return Ok(false);
    }
    for (function, room_id, mode) in modes {
        set_mode(db, *function, room_id, *mode, actor).await?;
    }
    Ok(true)
}

/// Every function's switch, every space and every mode that is not `off`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grid {
    /// Each function's switch and rollout.
    pub functions: Vec<Switch>,
    /// The spaces Steward knows, by title.
    pub spaces: Vec<Space>,
    /// `(function, room id, mode)` for every mode set.
    pub modes: Vec<(AgentFunction, String, Mode)>,
}

/// Reads the whole policy.
pub async fn grid(db: &Db) -> Result<Grid, PolicyError> {
    let functions = switches(db).await?;
    let modes = db::policy::all_modes(db).await?;
    Ok(Grid {
        functions,
        spaces: db::policy::spaces(db).await?,
        modes,
    })
}

/// A space by its room ID, or by its exact title when that is unique.
pub async fn find_space(db: &Db, id_or_title: &str) -> Result<Space, PolicyError> {
    if let Some(space) = db::policy::space(db.reader(), id_or_title).await? {
        return Ok(space);
    }
    let mut matches: Vec<Space> = db::policy::spaces(db)
        .await?
        .into_iter()
        .filter(|s| s.title == id_or_title)
        .collect();
    match matches.len() {
        0 => Err(PolicyError::UnknownSpace(id_or_title.to_owned())),
        1 => Ok(matches.remove(0)),
        _ => Err(PolicyError::AmbiguousSpace(id_or_title.to_owned())),
    }
}

/// Every space Steward knows.
pub async fn spaces(db: &Db) -> Result<Vec<Space>, PolicyError> {
    Ok(db::policy::spaces(db).await?)
}

/// Records a space Steward met (by the bot being added, or a message in it); keeps what is known.
pub async fn remember_space(
    db: &Db,
    room_id: &str,
    title: &str,
    kind: RoomKind,
) -> Result<(), PolicyError> {
    db::policy::insert_space(db, room_id, title, kind, crate::time::now_ms()).await?;
    Ok(())
}

/// The spaces the bot is in, as Webex lists them, copied into the spaces Steward knows at most
/// once a minute: the Agents page asks on every view, Webex need not answer every time.
#[derive(Clone, Debug)]
pub struct SpaceDirectory {
    db: Db,
    client: crate::webex::client::WebexClient,
    refreshed: std::sync::Arc<tokio::sync::Mutex<Option<std::time::Instant>>>,
}

/// How long a listing of the bot's spaces is trusted.
const SPACES_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(60);

impl SpaceDirectory {
    /// A directory that lists spaces with `client` (the bot's).
    pub fn new(db: Db, client: crate::webex::client::WebexClient) -> Self {
        Self {
            db,
            client,
            refreshed: std::sync::Arc::default(),
        }
    }

    /// Lists the bot's spaces at Webex, unless that was done in the last minute, and remembers
    /// each. Returns whether it asked Webex.
    pub async fn refresh(&self) -> Result<bool, SpaceDirectoryError> {
        use futures::TryStreamExt;
        let mut refreshed = self.refreshed.lock().await;
        if refreshed.is_some_and(|at| at.elapsed() < SPACES_FRESH_FOR) {
            return Ok(false);
        }
        let rooms: Vec<crate::webex::types::Room> = self.client.rooms().try_collect().await?;
        for room in rooms {
            remember_space(&self.db, &room.id, &room.title, room.kind).await?;
        }
        *refreshed = Some(std::time::Instant::now());
        Ok(true)
    }
}

/// Why the bot's spaces could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum SpaceDirectoryError {
    /// Webex did not answer.
    #[error(transparent)]
    Webex(#[from] crate::webex::client::WebexError),
    /// Steward's database failed.
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

impl crate::Classify for PolicyError {
    fn is_transient(&self) -> bool {
        match self {
            Self::Query(e) => e.is_transient(),
            Self::UnknownSpace(_) | Self::InvalidRollout(_) | Self::AmbiguousSpace(_) => false,
        }
    }

    fn refusal(&self) -> Option<String> {
        match self {
            Self::UnknownSpace(_) | Self::InvalidRollout(_) | Self::AmbiguousSpace(_) => {
                Some(self.to_string())
            }
            Self::Query(_) => None,
        }
    }
}

impl crate::Classify for SpaceDirectoryError {
    fn is_transient(&self) -> bool {
        match self {
            Self::Webex(e) => e.is_transient(),
            Self::Policy(e) => e.is_transient(),
        }
    }
}
