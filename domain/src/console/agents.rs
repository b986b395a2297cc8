//! The Agents page: every function's switch, rollout and release standing, and its mode in every
//! space Steward knows.

use vocab::AgentFunction;

use crate::{
    Db,
    console::ReadError,
    graduation::{self, Standing, Thresholds},
    policy::{self, Mode, Space, SpaceDirectory, Switch},
    prompts::{self, Release},
};

/// What the Agents page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentsPage {
    /// Every function, in [`AgentFunction::ALL`] order.
    pub functions: Vec<FunctionStatus>,
    /// The spaces Steward knows, by title, each with a mode per function (in `functions` order).
    pub spaces: Vec<(Space, Vec<Mode>)>,
    /// When versions graduate and are demoted.
    pub thresholds: Thresholds,
    /// Why the list of spaces may be out of date.
    pub notice: Option<SpacesNotice>,
}

/// A function's switch, release and the standing of the versions it runs.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionStatus {
    /// Its switch and rollout.
    pub switch: Switch,
    /// Its release.
    pub release: Release,
    /// The released version's standing, then the A/B candidate's if there is one.
    pub versions: Vec<Standing>,
}

/// Why the spaces shown may not be all the bot's spaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpacesNotice {
    /// Webex did not answer; these are the spaces Steward knew.
    WebexUnreachable,
    /// No bot is configured; only spaces Steward met before show.
    NoBot,
}

/// Reads the page. With a `directory`, first refreshes the bot's spaces from Webex (at most once
/// a minute).
pub async fn page(db: &Db, directory: Option<&SpaceDirectory>) -> Result<AgentsPage, ReadError> {
    let notice = match directory {
        Some(directory) => match directory.refresh().await {
            Ok(_) => None,
            Err(error) => {
                tracing::warn!(error = %crate::error_chain(&error), "cannot list the bot's spaces at Webex");
                Some(SpacesNotice::WebexUnreachable)
            }
        },
        None => Some(SpacesNotice::NoBot),
    };
    let grid = policy::grid(db).await?;
    let releases = prompts::releases(db).await?;
    let standings = graduation::standings(db).await?;
    let standing = |function: AgentFunction, version: i64| {
        standings
            .iter()
            .find(|s| s.function == function && s.version == version)
            .cloned()
            .unwrap_or_else(|| Standing::new(function, version))
    };
    let mut functions = Vec::with_capacity(grid.functions.len());
    for switch in grid.functions {
        let release = releases
            .iter()
            .find(|r| r.function == switch.function)
            .cloned()
            .ok_or_else(|| ReadError::NotFound(format!("{} has no release", switch.function)))?;
        let mut versions = vec![standing(switch.function, release.version)];
        versions.extend(
            release
                .candidate
                .map(|(candidate, _)| standing(switch.function, candidate)),
        );
        functions.push(FunctionStatus {
            switch,
            release,
            versions,
        });
    }
    let spaces = grid
        .spaces
        .into_iter()
        .map(|space| {
            let modes = functions
                .iter()
                .map(|f| {
                    grid.modes
                        .iter()
                        .find(|(function, room, _)| {
                            *function == f.switch.function && *room == space.room_id
                        })
                        .map_or(Mode::Off, |(_, _, mode)| *mode)
                })
                .collect();
            (space, modes)
        })
        .collect();
    Ok(AgentsPage {
        functions,
        spaces,
        thresholds: graduation::thresholds(db).await?,
        notice,
    })
}
