//! Keying the audit chain with a secret that is not in the database, and anchors.
//!
//! The hash chain alone shows that entries were changed, removed or inserted, but anyone who can
//! write to the database can also recompute every hash after a change. An [`AuditKey`], kept in
//! a file or the environment, seals each entry with an HMAC over its hash; without the key
//! nobody can seal a rewritten entry. An [`Anchor`] is the chain's head `(seq, hash, time)`
//! signed with the key and kept elsewhere (a ticket, a log service, a printout): a log that
//! no longer extends an anchor was rewritten, even by someone who had the key.

use std::fmt;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The shortest key accepted, in bytes: as long as the hash it keys.
pub const MIN_KEY_BYTES: usize = 32;

/// The secret that seals audit entries and signs anchors. Its `Debug` never shows it.
#[derive(Clone)]
pub struct AuditKey {
    secret: Vec<u8>,
    keyed_from: i64,
}

/// Why a key was refused.
#[derive(Debug, thiserror::Error)]
pub enum AuditKeyError {
    /// Too short to resist guessing.
    #[error(
        "the audit key must be at least {MIN_KEY_BYTES} bytes long (e.g. `openssl rand -hex 32`), got {0}"
    )]
    TooShort(usize),
}

impl AuditKey {
    /// A key from its secret bytes; entries from the first on must be sealed with it.
    pub fn new(secret: impl Into<Vec<u8>>) -> Result<Self, AuditKeyError> {
        let secret = secret.into();
        if secret.len() < MIN_KEY_BYTES {
            return Err(AuditKeyError::TooShort(secret.len()));
        }
        Ok(Self {
            secret,
            keyed_from: 1,
        })
    }

    /// This key, for a log whose entries before `seq` were written before the key existed (an
    /// installation that adopted a key later): verification requires seals from `seq` on.
    pub fn keyed_from(mut self, seq: i64) -> Self {
        self.keyed_from = seq.max(1);
        self
    }

    /// The first entry that must carry a seal.
    pub fn first_keyed_seq(&self) -> i64 {
        self.keyed_from
    }

    /// A short, public name of the key, so an anchor says which key signed it.
    pub fn id(&self) -> String {
        hex::encode(&self.mac(&[b"steward audit key id"])[..8])
    }

    /// The seal of an entry with this hash.
    pub fn seal(&self, hash: &str) -> String {
        hex::encode(self.mac(&[b"steward audit entry\n", hash.as_bytes()]))
    }

    /// Whether `seal` is this key's seal of `hash`, compared in constant time.
    pub fn seals(&self, hash: &str, seal: &str) -> bool {
        let Ok(given) = hex::decode(seal) else {
            return false;
        };
        self.hmac(&[b"steward audit entry\n", hash.as_bytes()])
            .verify_slice(&given)
            .is_ok()
    }

    fn anchor_message(seq: i64, hash: &str, at_ms: i64) -> String {
        format!("steward audit anchor\n{seq}\n{hash}\n{at_ms}")
    }

    fn hmac(&self, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC accepts a key of any length");
        for part in parts {
            mac.update(part);
        }
        mac
    }

    fn mac(&self, parts: &[&[u8]]) -> Vec<u8> {
        self.hmac(parts).finalize().into_bytes().to_vec()
    }
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditKey")
            .field("id", &self.id())
            .field("keyed_from", &self.keyed_from)
            .finish_non_exhaustive()
    }
}

/// The chain's head at one moment, to be kept outside Steward's database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    /// The last entry's sequence number.
    pub seq: i64,
    /// The last entry's hash.
    pub hash: String,
    /// When the anchor was taken, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// Which key signed it, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// HMAC-SHA256 over the three fields above, hex, when a key signed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl Anchor {
    /// The head `(seq, hash)` at `at_ms`, signed when a key is given.
    pub fn new(seq: i64, hash: String, at_ms: i64, key: Option<&AuditKey>) -> Self {
        let signature = key.map(|key| {
            hex::encode(key.mac(&[AuditKey::anchor_message(seq, &hash, at_ms).as_bytes()]))
        });
        Self {
            seq,
            hash,
            at_ms,
            key_id: key.map(AuditKey::id),
            signature,
        }
    }

    /// Whether `key` signed this anchor as it reads now.
    pub fn signed_by(&self, key: &AuditKey) -> bool {
        let Some(given) = self.signature.as_deref().and_then(|s| hex::decode(s).ok()) else {
            return false;
        };
        key.hmac(&[AuditKey::anchor_message(self.seq, &self.hash, self.at_ms).as_bytes()])
            .verify_slice(&given)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> AuditKey {
        AuditKey::new(vec![byte; 32]).unwrap()
    }

    #[test]
    fn a_short_key_is_refused_and_a_key_never_prints() {
        assert!(matches!(
            AuditKey::new(b"short".to_vec()),
            Err(AuditKeyError::TooShort(5))
        ));
        let printed = format!("{:?}", AuditKey::new("k".repeat(40)).unwrap());
        assert!(!printed.contains("kkkk"), "{printed}");
    }

    #[test]
    fn a_seal_belongs_to_its_hash_and_its_key() {
        let seal = key(1).seal("abc");
        assert!(key(1).seals("abc", &seal));
        assert!(!key(1).seals("abd", &seal));
        assert!(!key(2).seals("abc", &seal));
        assert!(!key(1).seals("abc", "not hex"));
        assert_ne!(key(1).id(), key(2).id());
    }

    #[test]
    fn an_anchor_signature_covers_every_field() {
        let anchor = Anchor::new(7, "h".repeat(64), 1_000, Some(&key(1)));
        assert!(anchor.signed_by(&key(1)));
        assert!(!anchor.signed_by(&key(2)));
        let changes: [fn(&mut Anchor); 3] =
            [|a| a.seq += 1, |a| a.hash.push('0'), |a| a.at_ms += 1];
        for change in changes {
            let mut changed = anchor.clone();
            change(&mut changed);
            assert!(!changed.signed_by(&key(1)));
        }
        assert!(!Anchor::new(7, "h".repeat(64), 1_000, None).signed_by(&key(1)));
    }
}
