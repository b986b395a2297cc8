//! Versioned prompts and releases.
//!
//! Each agent function has prompt versions: a template (what an LLM engine is told), the
//! `{{variables}}` it uses, engine settings (what the local engine tunes by), an author and a
//! note. Versions are immutable; a change is a new version. A release pins the version a
//! function runs, optionally splitting spaces between it and a candidate (sticky per space: a
//! space's side is a hash of its ID), and remembers the version before, so rollback is one
//! click. Every change is audited with before and after.

use std::{collections::BTreeSet, sync::LazyLock};

use regex::Regex;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use similar::{ChangeTag, TextDiff};
use vocab::AgentFunction;

use crate::{
    Db,
    ai::PromptVersion,
    audit::{self, Actor, NewEntry},
    db,
    time::now_ms,
};

/// Longest template accepted, in characters.
pub const MAX_TEMPLATE_CHARS: usize = 20_000;
/// Longest note accepted, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

static VARIABLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{\s*([a-z_]+)\s*\}\}").expect("valid pattern"));

/// A stored prompt version.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredPrompt {
    /// The agent function.
    pub function: AgentFunction,
    /// The version, from 1.
    pub version: i64,
    /// The template.
    pub template: String,
    /// The `{{variables}}` it uses.
    pub variables: Vec<String>,
    /// Engine settings.
    pub settings: serde_json::Value,
    /// Who wrote it.
    pub author: Actor,
    /// Why.
    pub note: String,
    /// When.
    pub created_ms: i64,
}

impl StoredPrompt {
    /// What the runtime runs.
    pub fn prompt(&self) -> PromptVersion {
        PromptVersion {
            function: self.function,
            version: self.version,
            template: self.template.clone(),
            settings: self.settings.clone(),
        }
    }

    /// `function@vN`.
    pub fn label(&self) -> String {
        crate::ai::label(self.function, self.version)
    }
}

/// A new version as an admin writes it.
#[derive(Clone, Debug, PartialEq)]
pub struct NewPrompt {
    /// The template.
    pub template: String,
    /// Engine settings, as JSON text.
    pub settings: String,
    /// Why this version exists.
    pub note: String,
}

/// Which version a function runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Release {
    /// The agent function.
    pub function: AgentFunction,
    /// The released version.
    pub version: i64,
    /// An A/B candidate and the share of spaces (0 to 100) that run it.
    pub candidate: Option<(i64, i64)>,
    /// The version rollback returns to.
    pub previous: Option<i64>,
    /// Who changed it last.
    pub updated_by: Actor,
    /// When.
    pub updated_ms: i64,
}

impl Release {
    /// The version a space runs: the candidate in its share of spaces, the release elsewhere.
    pub fn version_for(&self, room_id: &str) -> i64 {
        match self.candidate {
            Some((candidate, percent))
                if i64::from(bucket("ab", self.function, room_id)) < percent =>
            {
                candidate
            }
            _ => self.version,
        }
    }
}

/// Where a space falls, 0 to 99, for `purpose` (`ab`, `rollout`) and a function: a hash of the
/// three, the same in every process and release, so a space keeps its side.
pub fn bucket(purpose: &str, function: AgentFunction, room_id: &str) -> u8 {
    let digest = Sha256::digest(format!("{purpose}:{function}:{room_id}").as_bytes());
    let value = u16::from_be_bytes([digest[0], digest[1]]);
    u8::try_from(value % 100).expect("below 100")
}

/// Why a prompt or release change was refused.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    /// A field of a new version is wrong: the field, and what to fix.
    #[error("{1}")]
    Invalid(&'static str, String),
    /// The function has no such version.
    #[error("{0} has no version {1}")]
    NoSuchVersion(AgentFunction, i64),
    /// Rollback with nothing to roll back to.
    #[error("{0} has no earlier release to roll back to")]
    NothingToRollBack(AgentFunction),
    /// The database failed.
    #[error("prompt query failed")]
    Query(#[from] sqlx::Error),
}

/// Gives every function its version 1 and releases it, where it has none yet. Safe at every
/// start-up.
pub async fn seed_builtin(db: &Db) -> Result<(), PromptError> {
    for function in AgentFunction::ALL {
        if db::prompts::latest_version(db.reader(), function)
            .await?
            .is_some()
        {
            continue;
        }
        let builtin = crate::agents::builtin_prompt(function);
        let mut tx = db.begin().await?;
        db::prompts::insert(
            &mut tx,
            &StoredPrompt {
                function,
                version: 1,
                variables: variables_of(&builtin.template),
                template: builtin.template,
                settings: builtin.settings,
                author: Actor::system("builtin"),
                note: "Steward's built-in prompt.".to_owned(),
                created_ms: now_ms(),
            },
        )
        .await?;
        db::prompts::upsert_release(&mut tx, function, 1, None, None, &Actor::system("builtin"))
            .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Every version of a function, newest first.
pub async fn versions(db: &Db, function: AgentFunction) -> Result<Vec<StoredPrompt>, PromptError> {
    Ok(db::prompts::versions(db, function).await?)
}

/// One version.
pub async fn version(
    db: &Db,
    function: AgentFunction,
    version: i64,
) -> Result<StoredPrompt, PromptError> {
    db::prompts::version(db.reader(), function, version)
        .await?
        .ok_or(PromptError::NoSuchVersion(function, version))
}

/// Every function's release.
pub async fn releases(db: &Db) -> Result<Vec<Release>, PromptError> {
    Ok(db::prompts::releases(db).await?)
}

/// The function's release.
pub async fn release(db: &Db, function: AgentFunction) -> Result<Release, PromptError> {
    db::prompts::release(db.reader(), function)
        .await?
        .ok_or(PromptError::NoSuchVersion(function, 1))
}

/// The prompt a space runs for a function, by its release (and A/B split).
pub async fn for_space(
    db: &Db,
    function: AgentFunction,
    room_id: &str,
) -> Result<StoredPrompt, PromptError> {
    let release = release(db, function).await?;
    version(db, function, release.version_for(room_id)).await
}

/// The variables a template uses, each once, sorted.
pub fn variables_of(template: &str) -> Vec<String> {
    VARIABLE
        .captures_iter(template)
        .map(|c| c[1].to_owned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Checks a new version: a template within size using only the function's variables, settings the
/// engine accepts, a note.
pub fn validate(
    function: AgentFunction,
    new: &NewPrompt,
) -> Result<(Vec<String>, serde_json::Value), PromptError> {
    let template = new.template.trim();
    if template.is_empty() {
        return Err(PromptError::Invalid(
            "template",
            "Write the template.".into(),
        ));
    }
    if template.chars().count() > MAX_TEMPLATE_CHARS {
        return Err(PromptError::Invalid(
            "template",
            format!("The template is longer than {MAX_TEMPLATE_CHARS} characters."),
        ));
    }
    let variables = variables_of(template);
    let allowed = crate::agents::variables(function);
    if let Some(unknown) = variables.iter().find(|v| !allowed.contains(&v.as_str())) {
        return Err(PromptError::Invalid(
            "template",
            format!(
                "{{{{{unknown}}}}} is not a variable of {function}; use {}.",
                allowed
                    .iter()
                    .map(|v| format!("{{{{{v}}}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let settings: serde_json::Value = serde_json::from_str(new.settings.trim()).map_err(|e| {
        PromptError::Invalid("settings", format!("The settings are not JSON: {e}."))
    })?;
    crate::ai::local::validate_settings(function, &settings)
        .map_err(|problem| PromptError::Invalid("settings", problem))?;
    let note = new.note.trim();
    if note.is_empty() || note.chars().count() > MAX_NOTE_CHARS {
        return Err(PromptError::Invalid(
            "note",
            format!("Say in up to {MAX_NOTE_CHARS} characters why this version exists."),
        ));
    }
    Ok((variables, settings))
}

/// Stores a new version (the next number), audited as `prompt.create`. It runs nowhere until
/// it is released or tried as a candidate.
pub async fn create(
    db: &Db,
    function: AgentFunction,
    new: &NewPrompt,
    author: &Actor,
) -> Result<StoredPrompt, PromptError> {
    let (variables, settings) = validate(function, new)?;
    let mut tx = db.begin().await?;
    let next = db::prompts::latest_version(&mut *tx, function)
        .await?
        .unwrap_or(0)
        + 1;
    let stored = StoredPrompt {
        function,
        version: next,
        // Browsers send a textarea's line breaks as CRLF; versions compare and diff by line.
        template: new.template.trim().replace("\r\n", "\n"),
        variables,
        settings,
        author: author.clone(),
        note: new.note.trim().to_owned(),
        created_ms: now_ms(),
    };
    db::prompts::insert(&mut tx, &stored).await?;
    audit::append(
        &mut tx,
        db,
        NewEntry {
            actor: author.clone(),
            action: "prompt.create".into(),
            target: format!("prompt:{}", stored.label()),
            before: None,
            after: Some(json!({
                "function": function,
                "version": next,
                "note": stored.note,
                "variables": stored.variables,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(stored)
}

/// Releases `version`: every space runs it (any A/B split ends), and the version before becomes
/// what rollback returns to. Audited as `release.promote`.
pub async fn promote(
    db: &Db,
    function: AgentFunction,
    version: i64,
    actor: &Actor,
) -> Result<Release, PromptError> {
    let mut tx = db.begin().await?;
    db::prompts::version(&mut *tx, function, version)
        .await?
        .ok_or(PromptError::NoSuchVersion(function, version))?;
    let before = db::prompts::release(&mut *tx, function).await?;
    let previous = before.as_ref().map(|r| r.version).filter(|v| *v != version);
    let previous = previous.or(before.as_ref().and_then(|r| r.previous));
    db::prompts::upsert_release(&mut tx, function, version, None, previous, actor).await?;
    audit_release(
        &mut tx,
        db,
        function,
        actor,
        "release.promote",
        before.as_ref(),
    )
    .await?;
    tx.commit().await?;
    release(db, function).await
}

/// Returns to the release before the current one. Audited as `release.rollback`.
pub async fn rollback(
    db: &Db,
    function: AgentFunction,
    actor: &Actor,
) -> Result<Release, PromptError> {
    let mut tx = db.begin().await?;
    let before = db::prompts::release(&mut *tx, function)
        .await?
        .ok_or(PromptError::NothingToRollBack(function))?;
    let Some(previous) = before.previous else {
        return Err(PromptError::NothingToRollBack(function));
    };
    // Rolling back twice returns to where one started.
    db::prompts::upsert_release(
        &mut tx,
        function,
        previous,
        None,
        Some(before.version),
        actor,
    )
    .await?;
    audit_release(
        &mut tx,
        db,
        function,
        actor,
        "release.rollback",
        Some(&before),
    )
    .await?;
    tx.commit().await?;
    release(db, function).await
}

/// Runs `candidate` in `percent` of spaces (1 to 99) beside the release. Audited as
/// `release.split`.
pub async fn split(
    db: &Db,
    function: AgentFunction,
    candidate: i64,
    percent: i64,
    actor: &Actor,
) -> Result<Release, PromptError> {
    if !(1..=99).contains(&percent) {
        return Err(PromptError::Invalid(
            "percent",
            "Give the candidate a share of spaces from 1 to 99 percent.".into(),
        ));
    }
    let mut tx = db.begin().await?;
    db::prompts::version(&mut *tx, function, candidate)
        .await?
        .ok_or(PromptError::NoSuchVersion(function, candidate))?;
    let before = db::prompts::release(&mut *tx, function)
        .await?
        .ok_or(PromptError::NoSuchVersion(function, 1))?;
    if before.version == candidate {
        return Err(PromptError::Invalid(
            "candidate",
            format!("Version {candidate} is already the release; pick another to compare."),
        ));
    }
    db::prompts::upsert_release(
        &mut tx,
        function,
        before.version,
        Some((candidate, percent)),
        before.previous,
        actor,
    )
    .await?;
    audit_release(&mut tx, db, function, actor, "release.split", Some(&before)).await?;
    tx.commit().await?;
    release(db, function).await
}

/// Ends an A/B split: every space runs the release again. Audited as `release.unsplit`.
pub async fn end_split(
    db: &Db,
    function: AgentFunction,
    actor: &Actor,
) -> Result<Release, PromptError> {
    let mut tx = db.begin().await?;
    let before = db::prompts::release(&mut *tx, function)
        .await?
        .ok_or(PromptError::NoSuchVersion(function, 1))?;
    if before.candidate.is_some() {
        db::prompts::upsert_release(
            &mut tx,
            function,
            before.version,
            None,
            before.previous,
            actor,
        )
        .await?;
        audit_release(
            &mut tx,
            db,
            function,
            actor,
            "release.unsplit",
            Some(&before),
        )
        .await?;
    }
    tx.commit().await?;
    release(db, function).await
}

async fn audit_release(
    conn: &mut sqlx::AnyConnection,
    db: &Db,
    function: AgentFunction,
    actor: &Actor,
    action: &str,
    before: Option<&Release>,
) -> Result<(), sqlx::Error> {
    let after = db::prompts::release(&mut *conn, function).await?;
    let describe = |r: Option<&Release>| {
        r.map(|r| {
            json!({
                "function": function,
                "version": r.version,
                "candidate": r.candidate.map(|(v, p)| json!({ "version": v, "percent": p })),
                "previous": r.previous,
            })
        })
    };
    audit::append(
        conn,
        db,
        NewEntry {
            actor: actor.clone(),
            action: action.to_owned(),
            target: format!("release:{function}"),
            before: describe(before),
            after: describe(after.as_ref()),
        },
    )
    .await?;
    Ok(())
}

/// One line of a diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// `same`, `added` or `removed`.
    pub kind: &'static str,
    /// The line, without its newline.
    pub text: String,
}

/// What changed between two versions, template and settings, line by line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PromptDiff {
    /// The template's lines.
    pub template: Vec<DiffLine>,
    /// The settings' lines, as pretty-printed JSON.
    pub settings: Vec<DiffLine>,
}

/// The difference from `old` to `new`.
pub fn diff(old: &StoredPrompt, new: &StoredPrompt) -> PromptDiff {
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).expect("JSON prints");
    PromptDiff {
        template: diff_lines(&old.template, &new.template),
        settings: diff_lines(&pretty(&old.settings), &pretty(&new.settings)),
    }
}

fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|change| DiffLine {
            kind: match change.tag() {
                ChangeTag::Equal => "same",
                ChangeTag::Insert => "added",
                ChangeTag::Delete => "removed",
            },
            text: change.value().trim_end_matches('\n').to_owned(),
        })
        .collect()
}

/// How far an edit moved from the original: characters inserted plus characters deleted.
pub fn edit_distance(original: &str, edited: &str) -> i64 {
    let changed: usize = TextDiff::from_chars(original, edited)
        .iter_all_changes()
        .filter(|c| c.tag() != ChangeTag::Equal)
        .map(|c| c.value().chars().count())
        .sum();
    i64::try_from(changed).unwrap_or(i64::MAX)
}

impl crate::Classify for PromptError {
    fn is_transient(&self) -> bool {
        match self {
            Self::Query(e) => e.is_transient(),
            Self::Invalid(..) | Self::NoSuchVersion(..) | Self::NothingToRollBack(_) => false,
        }
    }

    fn refusal(&self) -> Option<String> {
        match self {
            Self::Invalid(..) | Self::NoSuchVersion(..) | Self::NothingToRollBack(_) => {
                Some(self.to_string())
            }
            Self::Query(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{bucket, edit_distance, variables_of};
    use vocab::AgentFunction;

    #[test]
    fn variables_are_found_once_each() {
        assert_eq!(
            variables_of("{{messages}} and {{ count }} and {{messages}} but not {single}"),
            ["count", "messages"]
        );
    }

    #[test]
    fn buckets_are_stable_and_spread() {
        let f = AgentFunction::Summarize;
        assert_eq!(bucket("ab", f, "room-1"), bucket("ab", f, "room-1"));
        let in_half = (0..1000)
            .filter(|n| bucket("ab", f, &format!("room-{n}")) < 50)
            .count();
        assert!((400..600).contains(&in_half), "{in_half}");
    }

    #[test]
    fn edit_distance_counts_changed_characters() {
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance("Hello world", "Hello, world!"), 2);
        assert_eq!(edit_distance("abc", ""), 3);
    }
}
