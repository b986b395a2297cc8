//! Server functions of the Agents page: each agent function's mode per space, its switch and
//! rollout, and the graduation of its prompt versions. Everyone with a role may look; admins
//! change.

use std::collections::HashMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use vocab::{AgentFunction, Mode, RoomKind};

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
    /// The function.
    pub function: AgentFunction,
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
    /// 1:1 or group.
    pub kind: RoomKind,
    /// Whether the bot is still a member.
    pub bot_present: bool,
    /// The mode of each function, in the order of [`AgentsView::functions`].
    pub modes: Vec<Mode>,
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
    use domain::users::Role;

    use crate::{error::ConsoleError, state::CurrentUser};

    pub fn admin() -> Result<CurrentUser, ConsoleError> {
        crate::state::require_role(&[Role::Admin])
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
    use domain::users::Role;
    let user = crate::state::require_role(&Role::ALL)?;
    let state = crate::state::app_state()?;
    let page = domain::console::agents::page(&state.db, state.spaces.as_ref()).await?;
    Ok(AgentsView::new(page, user.roles.contains(&Role::Admin)))
}

#[cfg(feature = "ssr")]
impl AgentsView {
    fn new(page: domain::console::agents::AgentsPage, can_edit: bool) -> Self {
        use domain::console::agents::SpacesNotice;
        let notice = page.notice.map(|notice| match notice {
            SpacesNotice::WebexUnreachable => {
                "Webex could not be reached; the spaces below are those Steward knew."
            }
            SpacesNotice::NoBot => {
                "Steward has no Webex bot configured; only spaces it met before show."
            }
        });
        Self {
            functions: page.functions.into_iter().map(FunctionView::new).collect(),
            spaces: page
                .spaces
                .into_iter()
                .map(|(space, modes)| SpaceView {
                    bot_present: space.bot_left_ms.is_none(),
                    room_id: space.room_id,
                    title: space.title,
                    kind: space.kind,
                    modes,
                })
                .collect(),
            thresholds: ThresholdsView {
                min_approvals: page.thresholds.min_approvals,
                min_rate_percent: page.thresholds.min_rate_percent,
                demote_after: page.thresholds.demote_after,
            },
            can_edit,
            notice: notice.map(str::to_owned),
        }
    }
}

#[cfg(feature = "ssr")]
impl FunctionView {
    fn new(status: domain::console::agents::FunctionStatus) -> Self {
        let released = status.release.version;
        Self {
            function: status.switch.function,
            enabled: status.switch.enabled,
            rollout_percent: status.switch.rollout_percent,
            candidate_percent: status.release.candidate.map(|(_, p)| p),
            versions: status
                .versions
                .into_iter()
                .map(|s| StandingView {
                    candidate: s.version != released,
                    version: s.version,
                    graduated: s.graduated,
                    approvals: s.approvals,
                    rejections: s.rejections,
                    rejection_streak: s.rejection_streak,
                })
                .collect(),
        }
    }
}

/// Sets the modes of the grid, all or none. `modes` maps `function|room ID` to `off`, `shadow`,
/// `review` or `live`; only changes are stored (and audited).
#[server(prefix = "/api", endpoint = "save_modes")]
pub async fn save_modes(
    /// `function|room` → mode.
    modes: Option<HashMap<String, String>>,
) -> Result<usize, ConsoleError> {
    let admin = ssr::admin()?;
    let state = crate::state::app_state()?;
    let mut cells = Vec::new();
    for (cell, mode) in modes.unwrap_or_default() {
        let (function, room) = cell.split_once('|').ok_or_else(|| {
            ConsoleError::invalid(format!("`{cell}` names no function and space."))
        })?;
        cells.push((
            crate::api::term::<AgentFunction>(function)?,
            room.to_owned(),
            crate::api::term::<Mode>(&mode)?,
        ));
    }
    let changed =
        domain::policy::set_modes(&state.db, &cells, &crate::state::actor(&admin)).await?;
    crate::state::confirm(&match changed {
        0 => "Nothing changed.".to_owned(),
        1 => "Saved 1 change.".to_owned(),
        n => format!("Saved {n} changes."),
    });
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
    let function = crate::api::term(&function)?;
    let state = crate::state::app_state()?;
    domain::policy::set_enabled(&state.db, function, enabled, &crate::state::actor(&admin)).await?;
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
    let parsed = crate::api::term(&function)?;
    let field = format!("percent.{function}");
    let percent = ssr::number(&field, &percent, "The rollout")?;
    let state = crate::state::app_state()?;
    match policy::set_rollout(&state.db, parsed, percent, &crate::state::actor(&admin)).await {
        Ok(_) => Ok(()),
        Err(error @ PolicyError::InvalidRollout(_)) => {
            Err(ConsoleError::field(&field, error.to_string()))
        }
        Err(error) => Err(error.into()),
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
        Err(error) => Err(error.into()),
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
    let function = crate::api::term(&function)?;
    let state = crate::state::app_state()?;
    domain::graduation::graduate_now(&state.db, function, version, &crate::state::actor(&admin))
        .await?;
    Ok(())
}
