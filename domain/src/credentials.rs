//! Credentials admins enter in Settings: the passwords, tokens and keys of integrations and of
//! the AI provider.
//!
//! A credential can be set, replaced or cleared, never read back by the console: pages show only
//! whether one is set. Its value is never logged ([`Secret`]'s `Debug` hides it) and never
//! written to the audit log, which records that it changed and who changed it. Values are stored
//! in Steward's database as entered; whoever can read that database can read them, as they can
//! read everything else Steward keeps.

use std::{collections::HashSet, fmt};

use serde_json::json;

use crate::{
    Db,
    audit::{self, Actor, NewEntry},
    db,
    time::now_ms,
};

/// The longest credential accepted, in bytes.
pub const MAX_BYTES: usize = 4096;

/// A credential's value. `Debug` and `Display` print `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Why a credential could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// The value is empty, too long, or has line breaks.
    #[error("{0}")]
    Invalid(&'static str),
    /// The database failed.
    #[error("credentials query failed")]
    Query(#[from] sqlx::Error),
    /// A stored credential does not open (the secrets key is missing or another, or it was
    /// altered).
    #[error(transparent)]
    Sealed(#[from] crate::vault::VaultError),
}

/// The credential called `name`, if it is set.
pub async fn get(db: &Db, name: &str) -> Result<Option<Secret>, CredentialError> {
    db::credentials::get(db.reader(), name)
        .await?
        .map(|stored| {
            crate::vault::open(db.vault(), &crate::vault::credential_context(name), &stored)
                .map(Secret)
        })
        .transpose()
        .map_err(CredentialError::from)
}

/// The names of the credentials that are set.
pub async fn set_names(db: &Db) -> Result<HashSet<String>, CredentialError> {
    Ok(db::credentials::names(db.reader())
        .await?
        .into_iter()
        .collect())
}

/// Stores `value` as the credential `name` and audits that it changed (not the value).
pub async fn set(db: &Db, name: &str, value: &str, actor: &Actor) -> Result<(), CredentialError> {
    let mut tx = db.begin().await?;
    set_in(&mut tx, db, name, value, actor).await?;
    tx.commit().await?;
    Ok(())
}

/// [`set`], inside the caller's transaction.
pub(crate) async fn set_in(
    conn: &mut sqlx::AnyConnection,
    db: &Db,
    name: &str,
    value: &str,
    actor: &Actor,
) -> Result<(), CredentialError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(CredentialError::Invalid(
            "enter a value, or clear it instead",
        ));
    }
    if value.len() > MAX_BYTES {
        return Err(CredentialError::Invalid("that is longer than 4096 bytes"));
    }
    if value.contains(['\r', '\n']) {
        return Err(CredentialError::Invalid("a credential is one line"));
    }
    let before = db::credentials::get(&mut *conn, name).await?.is_some();
    let sealed = crate::vault::seal(db.vault(), &crate::vault::credential_context(name), value);
    db::credentials::upsert(conn, name, &sealed, actor, now_ms()).await?;
    audit::append(
        conn,
        db,
        NewEntry {
            actor: actor.clone(),
            action: "credential.set".into(),
            target: format!("credential:{name}"),
            before: Some(json!({ "set": before })),
            after: Some(json!({ "set": true })),
        },
    )
    .await?;
    Ok(())
}

/// Whose credential: an integration's, or the AI provider's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialOwner {
    /// The credential of an integration.
    Integration(vocab::IntegrationKind),
    /// The OpenAI-compatible provider's API key.
    AiProvider,
}

impl std::str::FromStr for CredentialOwner {
    type Err = CredentialError;

    /// `ai`, or an integration's stored name (`servicenow`, `jira`, …).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "ai" => Ok(Self::AiProvider),
            other => other
                .parse()
                .map(Self::Integration)
                .map_err(|_| CredentialError::Invalid("no such credential")),
        }
    }
}

impl CredentialOwner {
    /// The credential's stored name.
    pub fn credential_name(self) -> String {
        match self {
            Self::Integration(kind) => crate::integrations::credential_name(kind),
            Self::AiProvider => crate::ai::openai::KEY_CREDENTIAL.to_owned(),
        }
    }
}

/// Removes `owner`'s credential, so nothing uses it until someone enters it again; audited
/// when there was one. Returns whether there was.
pub async fn clear_for(
    db: &Db,
    owner: CredentialOwner,
    actor: &Actor,
) -> Result<bool, CredentialError> {
    clear(db, &owner.credential_name(), actor).await
}

/// Removes the credential `name`; audited when there was one. Returns whether there was.
pub async fn clear(db: &Db, name: &str, actor: &Actor) -> Result<bool, CredentialError> {
    let mut tx = db.begin().await?;
    if !db::credentials::delete(&mut tx, name).await? {
        return Ok(false);
    }
    audit::append(
        &mut tx,
        db,
        NewEntry {
            actor: actor.clone(),
            action: "credential.clear".into(),
            target: format!("credential:{name}"),
            before: Some(json!({ "set": true })),
            after: Some(json!({ "set": false })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

impl crate::Classify for CredentialError {
    fn is_transient(&self) -> bool {
        match self {
            Self::Query(e) => e.is_transient(),
            Self::Invalid(_) | Self::Sealed(_) => false,
        }
    }

    fn refusal(&self) -> Option<String> {
        match self {
            Self::Invalid(_) => Some(self.to_string()),
            Self::Query(_) | Self::Sealed(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn a_secret_never_prints_its_value() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?} {secret}"), "[redacted] [redacted]");
        assert_eq!(secret.expose(), "hunter2");
    }
}
