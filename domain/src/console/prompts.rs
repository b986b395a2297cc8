//! The Prompts page: one function's versions with their authors and standing, its release, and
//! the difference between two versions.

use vocab::AgentFunction;

use crate::{
    Db,
    console::{Names, ReadError},
    graduation,
    prompts::{self, PromptDiff, Release, StoredPrompt},
};

/// What the Prompts page shows for one function.
#[derive(Clone, Debug, PartialEq)]
pub struct PromptsPage {
    /// The function.
    pub function: AgentFunction,
    /// Its release.
    pub release: Release,
    /// Who changed the release last, for people.
    pub release_by: String,
    /// Its versions, newest first.
    pub versions: Vec<VersionStatus>,
    /// The difference asked for: older version, newer version, and what changed.
    pub diff: Option<(i64, i64, PromptDiff)>,
}

/// A version with who wrote it and whether it graduated.
#[derive(Clone, Debug, PartialEq)]
pub struct VersionStatus {
    /// The version.
    pub prompt: StoredPrompt,
    /// Its author, for people.
    pub author: String,
    /// Whether it posts without review where its function is live.
    pub graduated: bool,
}

/// Reads the page for `function`, with the difference between the two versions of `compare`.
pub async fn page(
    db: &Db,
    function: AgentFunction,
    compare: Option<(i64, i64)>,
) -> Result<PromptsPage, ReadError> {
    let release = prompts::release(db, function).await?;
    let stored = prompts::versions(db, function).await?;
    let standings = graduation::standings(db).await?;
    let names = Names::of(
        db,
        stored
            .iter()
            .map(|p| &p.author)
            .chain([&release.updated_by]),
        [],
    )
    .await?;
    let diff = match compare {
        Some((from, to)) => {
            let find = |v: i64| {
                stored
                    .iter()
                    .find(|p| p.version == v)
                    .ok_or_else(|| ReadError::NotFound(format!("{function} has no version {v}.")))
            };
            Some((from, to, prompts::diff(find(from)?, find(to)?)))
        }
        None => None,
    };
    let versions = stored
        .into_iter()
        .map(|prompt| VersionStatus {
            author: names.actor(&prompt.author),
            graduated: standings
                .iter()
                .any(|s| s.function == function && s.version == prompt.version && s.graduated),
            prompt,
        })
        .collect();
    Ok(PromptsPage {
        function,
        release_by: names.actor(&release.updated_by),
        release,
        versions,
        diff,
    })
}
