//! Server functions of the Prompts page: versions, diffs, releases, A/B splits and rollback.
//! Admins and reviewers read; admins change.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use vocab::AgentFunction;

use crate::error::ConsoleError;

/// Everything the Prompts page shows for one function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromptsView {
    /// The function shown.
    pub function: AgentFunction,
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
    /// Which parts of a version the local engine reads for this function.
    pub local_engine_reads: String,
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
    use domain::{prompts::PromptError, users::Role};

    use crate::{error::ConsoleError, state::CurrentUser};

    pub fn admin() -> Result<CurrentUser, ConsoleError> {
        crate::state::require_role(&[Role::Admin])
    }

    /// A template, settings or note the admin must fix is shown next to its field.
    pub fn from_prompt(error: PromptError) -> ConsoleError {
        match error {
            PromptError::Invalid(field, message) => ConsoleError::field(field, message),
            other => other.into(),
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
    use domain::users::Role;
    let viewer = crate::state::require_role(&[Role::Admin, Role::Reviewer])?;
    let state = crate::state::app_state()?;
    let function = match function.as_deref().filter(|f| !f.is_empty()) {
        Some(name) => crate::api::term(name)?,
        None => AgentFunction::ALL[0],
    };
    let compare = from.zip(to);
    let page = domain::console::prompts::page(&state.db, function, compare).await?;
    Ok(PromptsView::new(page, viewer.roles.contains(&Role::Admin)))
}

#[cfg(feature = "ssr")]
impl PromptsView {
    fn new(page: domain::console::prompts::PromptsPage, can_edit: bool) -> Self {
        use domain::{prompts::DiffLine, webex::timestamp::format_ms};
        let lines = |lines: Vec<DiffLine>| {
            lines
                .into_iter()
                .map(|l| (l.kind.to_owned(), l.text))
                .collect()
        };
        Self {
            function: page.function,
            release: ReleaseView {
                version: page.release.version,
                candidate: page.release.candidate,
                previous: page.release.previous,
                updated_by: page.release_by,
                updated: format_ms(page.release.updated_ms),
            },
            versions: page
                .versions
                .into_iter()
                .map(|v| VersionView {
                    version: v.prompt.version,
                    note: v.prompt.note,
                    author: v.author,
                    created: format_ms(v.prompt.created_ms),
                    template: v.prompt.template,
                    settings: serde_json::to_string_pretty(&v.prompt.settings).unwrap_or_default(),
                    variables: v.prompt.variables,
                    graduated: v.graduated,
                })
                .collect(),
            diff: page.diff.map(|(from, to, diff)| DiffView {
                from,
                to,
                template: lines(diff.template),
                settings: lines(diff.settings),
            }),
            variables: domain::agents::variables(page.function)
                .iter()
                .map(|v| (*v).to_owned())
                .collect(),
            local_engine_reads: domain::ai::local::reads(page.function).to_owned(),
            can_edit,
        }
    }
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
    let function = crate::api::term(&function)?;
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
    let function = crate::api::term(&function)?;
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
    let function = crate::api::term(&function)?;
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
    let function = crate::api::term(&function)?;
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
    let function = crate::api::term(&function)?;
    let state = crate::state::app_state()?;
    let release = domain::prompts::rollback(&state.db, function, &crate::state::actor(&admin))
        .await
        .map_err(ssr::from_prompt)?;
    Ok(release.version)
}
