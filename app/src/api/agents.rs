//! Server functions of the Agents page: each agent function's mode per space, its switch and
//! rollout, and the graduation of its prompt versions. Everyone with a role may look; admins
//! change.

use std::collections::HashMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::ConsoleError;

/// Everything the Agents page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentsView {
    /// The agent functions.
    pub functions: Vec<FunctionView>,
    /// The spaces Steward knows, with each function's mode (in `functions` order).
    pub spaces: Vec<SpaceView>,
    /// When versions graduate and are demoted.
    pub thresholds: ThresholdsView,
    /// Whether the viewer may change anything (admins).
    pub can_edit: bool,
    /// Why the list of spaces may be out of date, if it may.
    pub notice: Option<String>,
}

/// An agent function's switch, rollout and release.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunctionView {
    /// The stored name, e.g. `summarize`.
    pub name: String,
    /// The name shown, e.g. `Thread summaries`.
    pub label: String,
    /// Switched on.
    pub enabled: bool,
    /// Share of spaces it acts in.
    pub rollout_percent: i64,
    /// The graduation of the released version, and of the A/B candidate if there is one.
    pub versions: Vec<StandingView>,
    /// The candidate's share of spaces, when an A/B split runs.
    pub candidate_percent: Option<i64>,
}

/// How far a prompt version is from posting without review.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StandingView {
    /// The version.
    pub version: i64,
    /// Whether it is the A/B candidate rather than the release.
    pub candidate: bool,
    /// Graduated.
    pub graduated: bool,
    /// Approvals since its last change of state.
    pub approvals: i64,
    /// Rejections since its last change of state.
    pub rejections: i64,
    /// Rejections in a row.
    pub rejection_streak: i64,
}

impl StandingView {
    /// `"92%"`, or `"–"` before any decision.
    pub fn approval_rate(&self) -> String {
        let decided = self.approvals + self.rejections;
        if decided == 0 {
            "–".to_owned()
        } else {
            format!("{}%", (100 * self.approvals + decided / 2) / decided)
        }
    }
}

/// A space and the mode of each function in it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpaceView {
    /// The Webex room ID.
    pub room_id: String,
    /// Its title.
    pub title: String,
    /// `direct` or `group`.
    pub kind: String,
    /// Whether the bot is still a member.
    pub bot_present: bool,
    /// The mode of each function, in the order of [`AgentsView::functions`].
    pub modes: Vec<String>,
}

/// The graduation thresholds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThresholdsView {
    /// Approvals needed.
    pub min_approvals: i64,
    /// Approval rate needed, in percent.
    pub min_rate_percent: i64,
    /// Rejections in a row that demote.
    pub demote_after: i64,
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::{agents::AgentFunction, users::Role};

    use crate::{error::ConsoleError, state::CurrentUser};

    pub fn admin() -> Result<CurrentUser, ConsoleError> {
        crate::state::require_role(&[Role::Admin])
    }

    pub fn function(name: &str) -> Result<AgentFunction, ConsoleError> {
        name.parse()
            .map_err(|e: domain::agents::UnknownFunction| ConsoleError::invalid(e.to_string()))
    }

    /// A whole number from a form field, or an error next to that field.
    pub fn number(field: &str, text: &str, what: &str) -> Result<i64, ConsoleError> {
        text.trim()
            .parse()
            .map_err(|_| ConsoleError::field(field, format!("{what} must be a whole number.")))
    }
}

/// Reads the page. Refreshes the bot's spaces from Webex at most once a minute.
#[server(prefix = "/api", endpoint = "load_agents")]
pub async fn load_agents() -> Result<AgentsView, ConsoleError> {
    use domain::{graduation, policy, prompts, users::Role};
    let user = crate::state::require_role(&Role::ALL)?;
    let state = crate::state::app_state()?;
    let db = &state.db;
    let unavailable = |e: &(dyn std::error::Error + 'static)| ConsoleError::unavailable(e);
    let notice = match &state.spaces {
        Some(directory) => match directory.refresh().await {
            Ok(_) => None,
            Err(error) => {
                tracing::warn!(%error, "cannot list the bot's spaces at Webex");
                Some(
                    "Webex could not be reached; the spaces below are those Steward knew."
                        .to_owned(),
                )
            }
        },
        None => {
            Some("Steward has no Webex bot configured; only spaces it met before show.".to_owned())
        }
    };
    let grid = policy::grid(db).await.map_err(|e| unavailable(&e))?;
    let mut functions = Vec::new();
    for switch in &grid.functions {
        let release = prompts::release(db, switch.function)
            .await
            .map_err(|e| unavailable(&e))?;
        let mut versions = vec![(release.version, false)];
        versions.extend(release.candidate.map(|(v, _)| (v, true)));
        let mut standings = Vec::new();
        for (version, candidate) in versions {
            let s = graduation::standing(db, switch.function, version)
                .await
                .map_err(|e| unavailable(&e))?;
            standings.push(StandingView {
                version,
                candidate,
                graduated: s.graduated,
                approvals: s.approvals,
                rejections: s.rejections,
                rejection_streak: s.rejection_streak,
            });
        }
        functions.push(FunctionView {
            name: switch.function.to_string(),
            label: switch.function.label().to_owned(),
            enabled: switch.enabled,
            rollout_percent: switch.rollout_percent,
            versions: standings,
            candidate_percent: release.candidate.map(|(_, p)| p),
        });
    }
    let spaces = grid
        .spaces
        .iter()
        .map(|space| SpaceView {
            room_id: space.room_id.clone(),
            title: space.title.clone(),
            kind: space.kind.clone(),
            bot_present: space.bot_left_ms.is_none(),
            modes: grid
                .functions
                .iter()
                .map(|switch| {
                    grid.modes
                        .iter()
                        .find(|(f, room, _)| *f == switch.function && *room == space.room_id)
                        .map_or_else(|| "off".to_owned(), |(_, _, mode)| mode.to_string())
                })
                .collect(),
        })
        .collect();
    let thresholds = graduation::thresholds(db)
        .await
        .map_err(|e| unavailable(&e))?;
    Ok(AgentsView {
        functions,
        spaces,
        thresholds: ThresholdsView {
            min_approvals: thresholds.min_approvals,
            min_rate_percent: thresholds.min_rate_percent,
            demote_after: thresholds.demote_after,
        },
        can_edit: user.roles.contains(&Role::Admin),
        notice,
    })
}

/// Sets the modes of the grid. `modes` maps `function|room ID` to `off`, `shadow`, `review` or
/// `live`; only changes are stored (and audited).
#[server(prefix = "/api", endpoint = "save_modes")]
pub async fn save_modes(
    /// `function|room` → mode.
    modes: Option<HashMap<String, String>>,
) -> Result<usize, ConsoleError> {
    use domain::policy::{self, Mode};
    let admin = ssr::admin()?;
    let state = crate::state::app_state()?;
    // Every cell is checked before any is stored, so a bad one changes nothing.
    let mut cells = Vec::new();
    for (cell, mode) in modes.unwrap_or_default() {
        let (function, room) = cell.split_once('|').ok_or_else(|| {
            ConsoleError::invalid(format!("`{cell}` names no function and space."))
        })?;
        let function = ssr::function(function)?;
        let mode: Mode = mode
            .parse()
            .map_err(|e: policy::UnknownMode| ConsoleError::invalid(e.to_string()))?;
        let space = policy::find_space(&state.db, room)
            .await
            .map_err(|e| match e {
                policy::PolicyError::UnknownSpace(_) => ConsoleError::invalid(e.to_string()),
                other => ConsoleError::unavailable(&other),
            })?;
        cells.push((function, space.room_id, mode));
    }
    let mut changed = 0;
    for (function, room_id, mode) in cells {
        let stored = policy::set_mode(
            &state.db,
            function,
            &room_id,
            mode,
            &crate::state::actor(&admin),
        )
        .await
        .map_err(|e| ConsoleError::unavailable(&e))?;
        changed += usize::from(stored);
    }
    Ok(changed)
}

/// Switches a function on or off everywhere.
#[server(prefix = "/api", endpoint = "switch_function")]
pub async fn switch_function(
    /// The function.
    function: String,
    /// On or off.
    enabled: bool,
) -> Result<(), ConsoleError> {
    let admin = ssr::admin()?;
    let function = ssr::function(&function)?;
    let state = crate::state::app_state()?;
    domain::policy::set_enabled(&state.db, function, enabled, &crate::state::actor(&admin))
        .await
        .map_err(|e| ConsoleError::unavailable(&e))?;
    Ok(())
}

/// Sets the share of spaces a function acts in.
#[server(prefix = "/api", endpoint = "set_rollout")]
pub async fn set_rollout(
    /// The function.
    function: String,
    /// 0 to 100.
    percent: String,
) -> Result<(), ConsoleError> {
    use domain::policy::{self, PolicyError};
    let admin = ssr::admin()?;
    let parsed = ssr::function(&function)?;
    let field = format!("percent.{function}");
    let percent = ssr::number(&field, &percent, "The rollout")?;
    let state = crate::state::app_state()?;
    match policy::set_rollout(&state.db, parsed, percent, &crate::state::actor(&admin)).await {
        Ok(_) => Ok(()),
        Err(error @ PolicyError::InvalidRollout(_)) => {
            Err(ConsoleError::field(&field, error.to_string()))
        }
        Err(error) => Err(ConsoleError::unavailable(&error)),
    }
}

/// Sets when versions graduate and when they are demoted.
#[server(prefix = "/api", endpoint = "set_graduation_thresholds")]
pub async fn set_graduation_thresholds(
    /// Approvals needed.
    min_approvals: String,
    /// Approval rate needed, in percent.
    min_rate_percent: String,
    /// Rejections in a row that demote.
    demote_after: String,
) -> Result<(), ConsoleError> {
    use domain::graduation::{self, GraduationError, Thresholds};
    let admin = ssr::admin()?;
    let thresholds = Thresholds {
        min_approvals: ssr::number("min_approvals", &min_approvals, "Approvals needed")?,
        min_rate_percent: ssr::number("min_rate_percent", &min_rate_percent, "The approval rate")?,
        demote_after: ssr::number("demote_after", &demote_after, "Rejections in a row")?,
    };
    let state = crate::state::app_state()?;
    match graduation::set_thresholds(&state.db, thresholds, &crate::state::actor(&admin)).await {
        Ok(_) => Ok(()),
        Err(GraduationError::Invalid(field, message)) => Err(ConsoleError::field(field, message)),
        Err(error) => Err(ConsoleError::unavailable(&error)),
    }
}

/// Lets a version post without review from now on.
#[server(prefix = "/api", endpoint = "graduate_version")]
pub async fn graduate_version(
    /// The function.
    function: String,
    /// The version.
    version: i64,
) -> Result<(), ConsoleError> {
    let admin = ssr::admin()?;
    let function = ssr::function(&function)?;
    let state = crate::state::app_state()?;
    match domain::prompts::version(&state.db, function, version).await {
        Ok(_) => {}
        Err(error @ domain::prompts::PromptError::NoSuchVersion(..)) => {
            return Err(ConsoleError::invalid(error.to_string()));
        }
        Err(error) => return Err(ConsoleError::unavailable(&error)),
    }
    domain::graduation::graduate_now(&state.db, function, version, &crate::state::actor(&admin))
        .await
        .map_err(|e| ConsoleError::unavailable(&e))?;
    Ok(())
}
