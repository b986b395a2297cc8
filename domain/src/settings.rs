//! Product settings that admins change in the console, stored as JSON values by key.
//!
//! Every change is audited with the value before and after, in the same transaction.

use std::fmt;

use crate::{
    Db,
    audit::{self, Actor, NewEntry},
    db,
};

/// A setting's name: 1 to 64 characters of `a-z`, `0-9`, `_` and `.`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SettingKey(String);

impl SettingKey {
    /// Parses a key.
    pub fn parse(raw: &str) -> Result<Self, SettingsError> {
        let valid = (1..=64).contains(&raw.len())
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(SettingsError::InvalidKey(raw.to_owned()))
        }
    }

    /// The key as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SettingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why reading or changing a setting failed.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The key breaks the naming rule.
    #[error("`{0}` is not a valid setting name; use 1 to 64 characters of a-z, 0-9, `_` and `.`")]
    InvalidKey(String),
    /// A stored value is not JSON (someone edited the table by hand).
    #[error("the stored value of setting `{key}` is not valid JSON")]
    Corrupt {
        /// The setting.
        key: String,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The database failed.
    #[error("settings query failed")]
    Query(#[from] sqlx::Error),
}

/// The current value, or `None` when it was never set.
pub async fn get(db: &Db, key: &SettingKey) -> Result<Option<serde_json::Value>, SettingsError> {
    let stored = db::settings::get(db.reader(), key.as_str()).await?;
    stored.map(|text| parse_stored(key, &text)).transpose()
}

/// Sets the value and audits the change as `setting.update`. Setting the value it already has
/// changes nothing and writes no audit entry. Returns whether the value changed.
pub async fn set(
    db: &Db,
    key: &SettingKey,
    value: serde_json::Value,
    actor: &Actor,
) -> Result<bool, SettingsError> {
    let mut tx = db.begin().await?;
    let changed = set_in(&mut tx, db, key, value, actor).await?;
    tx.commit().await?;
    Ok(changed)
}

/// [`set`], inside the caller's transaction.
pub(crate) async fn set_in(
    conn: &mut sqlx::AnyConnection,
    db: &Db,
    key: &SettingKey,
    value: serde_json::Value,
    actor: &Actor,
) -> Result<bool, SettingsError> {
    let before = db::settings::get(&mut *conn, key.as_str())
        .await?
        .map(|text| parse_stored(key, &text))
        .transpose()?;
    if before.as_ref() == Some(&value) {
        return Ok(false);
    }
    db::settings::upsert(conn, key.as_str(), &value.to_string(), actor).await?;
    let (mut before, mut after) = (before, value);
    // The log keeps what changed, never a password or key written into an address.
    if let Some(before) = &mut before {
        crate::outbound::redact_urls_in(before);
    }
    crate::outbound::redact_urls_in(&mut after);
    audit::append(
        conn,
        db,
        NewEntry {
            actor: actor.clone(),
            action: "setting.update".into(),
            target: format!("setting:{key}"),
            before,
            after: Some(after),
        },
    )
    .await?;
    Ok(true)
}

/// The current value inside the caller's transaction.
pub(crate) async fn get_in(
    conn: &mut sqlx::AnyConnection,
    key: &SettingKey,
) -> Result<Option<serde_json::Value>, SettingsError> {
    let stored = db::settings::get(conn, key.as_str()).await?;
    stored.map(|text| parse_stored(key, &text)).transpose()
}

fn parse_stored(key: &SettingKey, text: &str) -> Result<serde_json::Value, SettingsError> {
    serde_json::from_str(text).map_err(|source| SettingsError::Corrupt {
        key: key.to_string(),
        source,
    })
}

impl crate::Classify for SettingsError {
    fn is_transient(&self) -> bool {
        match self {
            Self::Query(e) => e.is_transient(),
            Self::InvalidKey(_) | Self::Corrupt { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SettingKey;

    #[test]
    fn setting_keys_follow_the_naming_rule() {
        assert!(SettingKey::parse("retention.message_text_days").is_ok());
        for bad in ["", "Retention", "has space", "semi;colon", &"x".repeat(65)] {
            assert!(SettingKey::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
