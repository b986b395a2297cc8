//! Server functions of the Prompts page: versions, diffs, releases, A/B splits and rollback.
//! Admins and reviewers read; admins change.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::ConsoleError;

/// Everything the Prompts page shows for one function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromptsView {
    /// Every function, as `(name, label)`, for switching between them.
    pub functions: Vec<(String, String)>,
    /// The function shown.
    pub function: String,
    /// Its label.
    pub label: String,
    /// Its release.
    pub release: ReleaseView,
    /// Its versions, newest first.
    pub versions: Vec<VersionView>,
    /// The diff asked for, if any.
    pub diff: Option<DiffView>,
    /// The variables its templates may use.
    pub variables: Vec<String>,
    /// Whether the viewer may change anything (admins).
    pub can_edit: bool,
}

/// A release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseView {
    /// The released version.
    pub version: i64,
    /// An A/B candidate and its share of spaces.
    pub candidate: Option<(i64, i64)>,
    /// The version rollback returns to.
    pub previous: Option<i64>,
    /// Who changed it last.
    pub updated_by: String,
    /// When, as ISO time.
    pub updated: String,
}

/// A prompt version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionView {
    /// The version.
    pub version: i64,
    /// Why it exists.
    pub note: String,
    /// Who wrote it.
    pub author: String,
    /// When, as ISO time.
    pub created: String,
    /// The template.
    pub template: String,
    /// The engine settings, pretty-printed JSON.
    pub settings: String,
    /// The variables it uses.
    pub variables: Vec<String>,
    /// Graduated (posts without review where its function is live).
    pub graduated: bool,
}

/// The difference between two versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffView {
    /// The older side.
    pub from: i64,
    /// The newer side.
    pub to: i64,
    /// The template's lines: `(kind, text)` with kind `same`, `added` or `removed`.
    pub template: Vec<(String, String)>,
    /// The settings' lines, likewise.
    pub settings: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::{agents::AgentFunction, prompts::PromptError, users::Role};

    use crate::{error::ConsoleError, state::CurrentUser};

    pub fn admin() -> Result<CurrentUser, ConsoleError> {
        crate::state::require_role(&[Role::Admin])
    }

    pub fn function(name: &str) -> Result<AgentFunction, ConsoleError> {
        name.parse()
            .map_err(|e: domain::agents::UnknownFunction| ConsoleError::invalid(e.to_string()))
    }

    /// Refusals are the admin's to fix; anything else is Steward's failure.
    pub fn from_prompt(error: PromptError) -> ConsoleError {
        match error {
            PromptError::Invalid(field, message) => ConsoleError::field(field, message),
            PromptError::NoSuchVersion(..) | PromptError::NothingToRollBack(_) => {
                ConsoleError::invalid(error.to_string())
            }
            PromptError::Query(_) => ConsoleError::unavailable(&error),
        }
    }
}

/// Reads the page for `function` (the first one when absent), with the diff `from` → `to` when
/// both are given.
#[server(prefix = "/api", endpoint = "load_prompts")]
pub async fn load_prompts(
    /// The function.
    function: Option<String>,
    /// The older version to compare.
    from: Option<i64>,
    /// The newer version to compare.
    to: Option<i64>,
) -> Result<PromptsView, ConsoleError> {
    use domain::{
        agents::AgentFunction, graduation, prompts, users, users::Role, webex::timestamp::format_ms,
    };
    let viewer = crate::state::require_role(&[Role::Admin, Role::Reviewer])?;
    let state = crate::state::app_state()?;
    let db = &state.db;
    let function = match function.as_deref().filter(|f| !f.is_empty()) {
        Some(name) => ssr::function(name)?,
        None => AgentFunction::ALL[0],
    };
    let release = prompts::release(db, function)
        .await
        .map_err(ssr::from_prompt)?;
    let stored = prompts::versions(db, function)
        .await
        .map_err(ssr::from_prompt)?;
    let mut versions = Vec::with_capacity(stored.len());
    for prompt in &stored {
        let graduated = graduation::standing(db, function, prompt.version)
            .await
            .map_err(|e| ConsoleError::unavailable(&e))?
            .graduated;
        versions.push(VersionView {
            version: prompt.version,
            note: prompt.note.clone(),
            author: users::describe_actor(db, &prompt.author)
                .await
                .map_err(|e| ConsoleError::unavailable(&e))?,
            created: format_ms(prompt.created_ms),
            template: prompt.template.clone(),
            settings: serde_json::to_string_pretty(&prompt.settings).unwrap_or_default(),
            variables: prompt.variables.clone(),
            graduated,
        });
    }
    let diff = match (from, to) {
        (Some(from), Some(to)) => {
            let find = |v: i64| {
                stored
                    .iter()
                    .find(|p| p.version == v)
                    .ok_or_else(|| ConsoleError::invalid(format!("{function} has no version {v}.")))
            };
            let d = prompts::diff(find(from)?, find(to)?);
            let lines = |lines: Vec<prompts::DiffLine>| {
                lines
                    .into_iter()
                    .map(|l| (l.kind.to_owned(), l.text))
                    .collect()
            };
            Some(DiffView {
                from,
                to,
                template: lines(d.template),
                settings: lines(d.settings),
            })
        }
        _ => None,
    };
    Ok(PromptsView {
        functions: AgentFunction::ALL
            .iter()
            .map(|f| (f.to_string(), f.label().to_owned()))
            .collect(),
        function: function.to_string(),
        label: function.label().to_owned(),
        release: ReleaseView {
            version: release.version,
            candidate: release.candidate,
            previous: release.previous,
            updated_by: users::describe_actor(db, &release.updated_by)
                .await
                .map_err(|e| ConsoleError::unavailable(&e))?,
            updated: format_ms(release.updated_ms),
        },
        versions,
        diff,
        variables: function
            .variables()
            .iter()
            .map(|v| (*v).to_owned())
            .collect(),
        can_edit: viewer.roles.contains(&Role::Admin),
    })
}

/// Saves a new version; it runs nowhere until it is released or tried in an A/B split.
#[server(prefix = "/api", endpoint = "create_prompt_version")]
pub async fn create_prompt_version(
    /// The function.
    function: String,
    /// The template.
    template: String,
    /// Engine settings, as JSON.
    settings: String,
    /// Why this version exists.
    note: String,
) -> Result<i64, ConsoleError> {
    use domain::prompts::{self, NewPrompt};
    let admin = ssr::admin()?;
    let function = ssr::function(&function)?;
    let state = crate::state::app_state()?;
    let new = NewPrompt {
        template,
        settings,
        note,
    };
    let stored = prompts::create(&state.db, function, &new, &crate::state::actor(&admin))
        .await
        .map_err(ssr::from_prompt)?;
    Ok(stored.version)
}

/// Releases a version to every space.
#[server(prefix = "/api", endpoint = "promote_version")]
pub async fn promote_version(
    /// The function.
    function: String,
    /// The version.
    version: i64,
) -> Result<(), ConsoleError> {
    let admin = ssr::admin()?;
    let function = ssr::function(&function)?;
    let state = crate::state::app_state()?;
    domain::prompts::promote(&state.db, function, version, &crate::state::actor(&admin))
        .await
        .map_err(ssr::from_prompt)?;
    Ok(())
}

/// Runs a version in a share of spaces beside the release.
#[server(prefix = "/api", endpoint = "split_version")]
pub async fn split_version(
    /// The function.
    function: String,
    /// The candidate version.
    version: i64,
    /// Its share of spaces, 1 to 99.
    percent: String,
) -> Result<(), ConsoleError> {
    let admin = ssr::admin()?;
    let function = ssr::function(&function)?;
    let percent: i64 = percent.trim().parse().map_err(|_| {
        ConsoleError::field(
            "percent",
            "Give the candidate a share of spaces from 1 to 99 percent.",
        )
    })?;
    let state = crate::state::app_state()?;
    domain::prompts::split(
        &state.db,
        function,
        version,
        percent,
        &crate::state::actor(&admin),
    )
    .await
    .map_err(ssr::from_prompt)?;
    Ok(())
}

/// Ends an A/B split.
#[server(prefix = "/api", endpoint = "end_split")]
pub async fn end_split(
    /// The function.
    function: String,
) -> Result<(), ConsoleError> {
    let admin = ssr::admin()?;
    let function = ssr::function(&function)?;
    let state = crate::state::app_state()?;
    domain::prompts::end_split(&state.db, function, &crate::state::actor(&admin))
        .await
        .map_err(ssr::from_prompt)?;
    Ok(())
}

/// Returns to the previous release.
#[server(prefix = "/api", endpoint = "rollback_release")]
pub async fn rollback_release(
    /// The function.
    function: String,
) -> Result<i64, ConsoleError> {
    let admin = ssr::admin()?;
    let function = ssr::function(&function)?;
    let state = crate::state::app_state()?;
    let release = domain::prompts::rollback(&state.db, function, &crate::state::actor(&admin))
        .await
        .map_err(ssr::from_prompt)?;
    Ok(release.version)
}
