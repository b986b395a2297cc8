//! Secrets at rest: the credentials admins enter (integration secrets, the AI key) and the
//! signing secrets of Steward's webhooks are stored encrypted with a key that is not in the
//! database (`STEWARD_SECRETS_KEY`, or `_FILE`), so a dump of the database alone reveals none.
//!
//! Each value is sealed with AES-256-GCM under a fresh random nonce, with what it is (e.g.
//! `credential:integration.jira`) as associated data, so a sealed value copied into another row
//! does not open. Stored form: `v1:<key id>:<base64 of nonce and ciphertext>`. A value without
//! that prefix is a plaintext one written before a key was configured; it is still read, and
//! [`rotate`] seals it. Rotation re-seals every value with the current key, opening old ones with
//! the previous keys.

use std::fmt;

use aes_gcm::{
    Aes256Gcm, Key, Nonce,
    aead::{Aead, KeyInit, Payload},
};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{
    Db,
    audit::{self, Actor, NewEntry},
    db,
};

/// The prefix of a sealed value.
const PREFIX: &str = "v1:";
/// The shortest key text accepted.
pub const MIN_KEY_CHARS: usize = 32;

/// Why a secret could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The key text is too short to be a secret.
    #[error(
        "the secrets key must be at least {MIN_KEY_CHARS} characters (e.g. `openssl rand -hex 32`)"
    )]
    ShortKey,
    /// A sealed value names a key Steward was not given.
    #[error(
        "a stored secret was sealed with key {0}, which is not configured; give it as \
         STEWARD_SECRETS_KEY_PREVIOUS and run `steward secrets rotate`"
    )]
    UnknownKey(String),
    /// A sealed value was changed, moved to another row, or is not one.
    #[error("a stored secret does not open: it was altered or copied from elsewhere")]
    Corrupt,
    /// The database failed.
    #[error("secrets query failed")]
    Query(#[from] sqlx::Error),
}

struct SealingKey {
    id: String,
    cipher: Aes256Gcm,
}

impl SealingKey {
    fn from_text(text: &str) -> Result<Self, VaultError> {
        if text.chars().count() < MIN_KEY_CHARS {
            return Err(VaultError::ShortKey);
        }
        // The text (hex, base64 or a passphrase from a secrets manager) is hashed to the
        // 256 bits AES wants; its ID is a hash of a different input, safe to show.
        let key = Sha256::digest(text.as_bytes());
        let id = hex::encode(
            &Sha256::digest([b"steward secrets key id\n", text.as_bytes()].concat())[..4],
        );
        Ok(Self {
            id,
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
        })
    }
}

/// The current key and the previous ones, for opening values sealed before a rotation.
pub struct Vault {
    current: SealingKey,
    previous: Vec<SealingKey>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vault")
            .field("key", &self.current.id)
            .field(
                "previous",
                &self.previous.iter().map(|k| &k.id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Vault {
    /// A vault sealing with the key `text`.
    pub fn new(text: &str) -> Result<Self, VaultError> {
        Ok(Self {
            current: SealingKey::from_text(text)?,
            previous: Vec::new(),
        })
    }

    /// This vault, able to open values sealed with the earlier key `text` too.
    pub fn with_previous(mut self, text: &str) -> Result<Self, VaultError> {
        self.previous.push(SealingKey::from_text(text)?);
        Ok(self)
    }

    /// The ID of the key new values are sealed with.
    pub fn key_id(&self) -> &str {
        &self.current.id
    }

    /// `plain`, sealed for the slot `context`.
    pub fn seal(&self, context: &str, plain: &str) -> String {
        let nonce_bytes: [u8; 12] = rand::random();
        let sealed = self
            .current
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce_bytes),
                Payload {
                    msg: plain.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("AES-GCM seals any message of a secret's size");
        let mut bytes = nonce_bytes.to_vec();
        bytes.extend(sealed);
        format!("{PREFIX}{}:{}", self.current.id, STANDARD.encode(bytes))
    }

    /// Whether `stored` is already sealed with the current key.
    pub fn is_current(&self, stored: &str) -> bool {
        stored
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(id, _)| id == self.current.id)
    }
}

/// The plain value of `stored` (for the slot `context`): opened with `vault` when sealed, as it
/// is when it is a plaintext value from before a key was configured.
pub fn open(vault: Option<&Vault>, context: &str, stored: &str) -> Result<String, VaultError> {
    let Some(rest) = stored.strip_prefix(PREFIX) else {
        return Ok(stored.to_owned());
    };
    let (id, sealed) = rest.split_once(':').ok_or(VaultError::Corrupt)?;
    let key = vault
        .and_then(|v| {
            std::iter::once(&v.current)
                .chain(&v.previous)
                .find(|k| k.id == id)
        })
        .ok_or_else(|| VaultError::UnknownKey(id.to_owned()))?;
    let bytes = STANDARD.decode(sealed).map_err(|_| VaultError::Corrupt)?;
    if bytes.len() < 12 {
        return Err(VaultError::Corrupt);
    }
    let (nonce, ciphertext) = bytes.split_at(12);
    let plain = key
        .cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: context.as_bytes(),
            },
        )
        .map_err(|_| VaultError::Corrupt)?;
    String::from_utf8(plain).map_err(|_| VaultError::Corrupt)
}

/// `plain` as it is stored: sealed when `vault` is given, as it is otherwise.
pub fn seal(vault: Option<&Vault>, context: &str, plain: &str) -> String {
    match vault {
        Some(vault) => vault.seal(context, plain),
        None => plain.to_owned(),
    }
}

/// The slot of a credential, as the associated data of its sealed value.
pub(crate) fn credential_context(name: &str) -> String {
    format!("credential:{name}")
}

/// The slot of a webhook's signing secret.
pub(crate) fn webhook_context(webhook_id: &str) -> String {
    format!("webhook:{webhook_id}")
}

/// What [`rotate`] re-sealed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rotation {
    /// Credentials sealed with the current key now.
    pub credentials: u64,
    /// Webhook secrets sealed with the current key now.
    pub webhooks: u64,
}

/// Re-seals every stored secret that is not sealed with `db`'s current key (plaintext ones
/// included), in one transaction with its audit entry. Run with the new key as the current one
/// and the old as previous; afterwards the old key is no longer needed.
pub async fn rotate(db: &Db, actor: &Actor) -> Result<Rotation, VaultError> {
    let vault = db
        .vault()
        .ok_or_else(|| VaultError::UnknownKey("none configured".to_owned()))?;
    let mut tx = db.begin().await?;
    let mut rotation = Rotation::default();
    for (name, stored) in db::credentials::all(&mut tx).await? {
        if vault.is_current(&stored) {
            continue;
        }
        let context = credential_context(&name);
        let plain = open(Some(vault), &context, &stored)?;
        db::credentials::replace_value(&mut tx, &name, &vault.seal(&context, &plain)).await?;
        rotation.credentials += 1;
    }
    for (webhook_id, stored) in db::webhooks::secrets_in(&mut tx).await? {
        if vault.is_current(&stored) {
            continue;
        }
        let context = webhook_context(&webhook_id);
        let plain = open(Some(vault), &context, &stored)?;
        db::webhooks::replace_secret(&mut tx, &webhook_id, &vault.seal(&context, &plain)).await?;
        rotation.webhooks += 1;
    }
    audit::append(
        &mut tx,
        db,
        NewEntry {
            actor: actor.clone(),
            action: "secrets.rotate".into(),
            target: format!("secrets-key:{}", vault.key_id()),
            before: None,
            after: Some(json!({
                "key": vault.key_id(),
                "credentials": rotation.credentials,
                "webhooks": rotation.webhooks,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(rotation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_in_its_own_slot_with_its_key() {
        let vault = Vault::new(&"a".repeat(32)).unwrap();
        let sealed = vault.seal("credential:integration.jira", "api-token-123");
        assert!(
            sealed.starts_with("v1:") && !sealed.contains("api-token-123"),
            "{sealed}"
        );
        assert_ne!(
            sealed,
            vault.seal("credential:integration.jira", "api-token-123"),
            "fresh nonce"
        );
        assert_eq!(
            open(Some(&vault), "credential:integration.jira", &sealed).unwrap(),
            "api-token-123"
        );
        assert!(matches!(
            open(Some(&vault), "credential:integration.servicenow", &sealed),
            Err(VaultError::Corrupt)
        ));
        assert!(matches!(
            open(None, "credential:integration.jira", &sealed),
            Err(VaultError::UnknownKey(_))
        ));
        let other = Vault::new(&"b".repeat(32)).unwrap();
        assert!(matches!(
            open(Some(&other), "credential:integration.jira", &sealed),
            Err(VaultError::UnknownKey(_))
        ));
        let rotated = Vault::new(&"b".repeat(32))
            .unwrap()
            .with_previous(&"a".repeat(32))
            .unwrap();
        assert_eq!(
            open(Some(&rotated), "credential:integration.jira", &sealed).unwrap(),
            "api-token-123"
        );
        assert!(!rotated.is_current(&sealed));
        // A plaintext value from before a key existed still reads.
        assert_eq!(open(Some(&vault), "x", "legacy").unwrap(), "legacy");
        assert!(matches!(Vault::new("short"), Err(VaultError::ShortKey)));
        assert!(!format!("{vault:?}").contains("aaaa"));
    }
}
