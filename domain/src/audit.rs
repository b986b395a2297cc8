//! The tamper-evident audit log.
//!
//! Every change Steward makes on someone's behalf appends an [`Entry`]. Entries form a hash chain:
//! entry `n` stores the hash of entry `n - 1` and a SHA-256 over that hash and its own content, and
//! the single-row chain head stores the last sequence number and hash. [`verify`] walks the chain
//! and names the first entry that was changed, removed or inserted behind Steward's back.
//!
//! What that proves depends on what the verifier holds (ARCHITECTURE.md states the threat
//! model). Triggers refuse `UPDATE`, `DELETE` and `TRUNCATE` and keep the chain head moving
//! forward, which stops mistakes and anyone limited to ordinary statements. Someone who can also
//! drop triggers (the database's owner, so also Steward's own credentials) can rewrite history
//! and recompute every hash: with an [`AuditKey`] configured, each entry carries a seal that
//! cannot be recomputed without the key, and an [`Anchor`] kept elsewhere proves the log still
//! extends an earlier head even against someone holding the key.

use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

use crate::{Db, db, time::now_ms};

mod seal;
pub use seal::{Anchor, AuditKey, AuditKeyError, MIN_KEY_BYTES};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How many entries [`verify`] reads per query.
const VERIFY_BATCH: i64 = 1_000;

pub use vocab::Actor;
use vocab::{AgentFunction, Decision};

/// What is about to be recorded.
#[derive(Clone, Debug)]
pub struct NewEntry {
    /// Who did it.
    pub actor: Actor,
    /// What was done, as `noun.verb`, e.g. `role.grant`.
    pub action: String,
    /// What it was done to, e.g. `user:alice@example.com`.
    pub target: String,
    /// The state before, when the action changed something.
    pub before: Option<serde_json::Value>,
    /// The state after.
    pub after: Option<serde_json::Value>,
}

/// One stored audit entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Entry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When it was recorded, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// Who did it (see [`Actor`]).
    pub actor: String,
    /// What was done.
    pub action: String,
    /// What it was done to.
    pub target: String,
    /// The state before, as JSON.
    pub before_json: Option<String>,
    /// The state after, as JSON.
    pub after_json: Option<String>,
    /// The hash of the previous entry.
    pub prev_hash: String,
    /// SHA-256 over `prev_hash` and this entry's content, lower-case hex.
    pub hash: String,
    /// HMAC of `hash` with the audit key, when the writer held one (see [`AuditKey`]).
    pub seal: Option<String>,
    /// The agent function the entry concerns, derived from its content (not hashed).
    pub function: Option<String>,
    /// The space the entry concerns, derived from its content (not hashed).
    pub space: Option<String>,
    /// The agent's decision the entry records, derived from its content (not hashed).
    pub decision: Option<String>,
}

impl Entry {
    /// Recomputes the hash this entry should carry given its stored content.
    pub fn expected_hash(&self) -> String {
        content_hash(
            &self.prev_hash,
            &Content {
                seq: self.seq,
                at_ms: self.at_ms,
                actor: &self.actor,
                action: &self.action,
                target: &self.target,
                before_json: self.before_json.as_deref(),
                after_json: self.after_json.as_deref(),
            },
        )
    }
}

/// The filter columns of an entry, derived from its content: `(function, space, decision)`.
///
/// - function: `function` in the after or before JSON, or the function a `function:`,
///   `release:` or `prompt:function@vN` target names;
/// - space: the room of a `space:` target, or `room_id` in the after JSON;
/// - decision: `decision` in the after JSON.
///
/// Migration 0005 applies the same rules in SQL to entries written before it.
pub fn index_fields(
    target: &str,
    before_json: Option<&str>,
    after_json: Option<&str>,
) -> (Option<String>, Option<String>, Option<String>) {
    let parse =
        |json: Option<&str>| json.and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok());
    let (before, after) = (parse(before_json), parse(after_json));
    let field = |value: &Option<serde_json::Value>, name: &str| {
        value
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let function = field(&after, "function")
        .or_else(|| field(&before, "function"))
        .or_else(|| {
            target
                .strip_prefix("function:")
                .or_else(|| target.strip_prefix("release:"))
                .or_else(|| {
                    target
                        .strip_prefix("prompt:")?
                        .split_once('@')
                        .map(|(f, _)| f)
                })
                .map(str::to_owned)
        });
    let space = target_room(target)
        .map(str::to_owned)
        .or_else(|| field(&after, "room_id"));
    (function, space, field(&after, "decision"))
}

/// The room ID a `space:<room ID>` target names.
pub fn target_room(target: &str) -> Option<&str> {
    target.strip_prefix("space:")
}

/// The hashed fields of an entry, in their stored form.
pub(crate) struct Content<'a> {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub before_json: Option<&'a str>,
    pub after_json: Option<&'a str>,
}

/// SHA-256 over the previous hash and the entry's content. The content is encoded as a JSON
/// array of the stored values, so there is exactly one byte string per entry and no field can
/// bleed into its neighbour.
pub(crate) fn content_hash(prev_hash: &str, content: &Content<'_>) -> String {
    let encoded = serde_json::to_string(&(
        content.seq,
        content.at_ms,
        content.actor,
        content.action,
        content.target,
        content.before_json,
        content.after_json,
    ))
    .expect("a tuple of strings and integers always serialises");
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(encoded.as_bytes());
    hex::encode(hasher.finalize())
}

/// Why the audit log could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The database failed.
    #[error("audit log query failed")]
    Query(#[from] sqlx::Error),
}

/// Appends `entry` inside the caller's transaction, so a change and its audit entry commit or
/// roll back together.
/// `db` is the handle the transaction came from; its [`AuditKey`], if any, seals the entry.
pub(crate) async fn append(
    conn: &mut AnyConnection,
    db: &Db,
    entry: NewEntry,
) -> Result<Entry, sqlx::Error> {
    db::audit::append(conn, db.audit_key(), entry).await
}

/// Appends `entry` in a transaction of its own.
pub async fn record(db: &Db, entry: NewEntry) -> Result<Entry, AuditError> {
    let mut tx = db.begin().await?;
    let entry = append(&mut tx, db, entry).await?;
    tx.commit().await?;
    Ok(entry)
}

/// Appends `entries` in order, in one transaction (an import, or a benchmark's million rows).
pub async fn record_all(db: &Db, entries: Vec<NewEntry>) -> Result<Vec<Entry>, AuditError> {
    let mut tx = db.begin().await?;
    let stored = db::audit::append_all(&mut tx, db.audit_key(), entries).await?;
    tx.commit().await?;
    Ok(stored)
}

/// The newest entries, newest first.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<Entry>, AuditError> {
    Ok(db::audit::recent(db, limit).await?)
}

/// Which entries to list. Every condition given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Entries by this actor.
    pub actor: Option<Actor>,
    /// Entries about this agent function.
    pub function: Option<AgentFunction>,
    /// Entries about this space (room ID).
    pub space: Option<String>,
    /// Entries recording this agent decision.
    pub decision: Option<Decision>,
    /// Entries written at or after this time (ms).
    pub from_ms: Option<i64>,
    /// Entries written at or before this time (ms).
    pub to_ms: Option<i64>,
    /// Words the entry contains (each as a word prefix) in its action, actor, target or content.
    pub text: Option<String>,
}

impl Filter {
    /// The words of the text search, lower-cased, without characters that mean something to a
    /// search engine.
    pub(crate) fn words(&self) -> Vec<String> {
        self.text
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '@' | '_' | '-'))
                    .collect::<String>()
                    .to_lowercase()
            })
            .filter(|w| !w.is_empty())
            .take(8)
            .collect()
    }
}

/// Entries matching `filter`, newest first, with a sequence number below `before` (keyset
/// pagination: pass the last `seq` of a page to get the next).
pub async fn search(
    db: &Db,
    filter: &Filter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>, AuditError> {
    Ok(db::audit::search(db, filter, before, limit).await?)
}

/// How many entries the chain holds, according to its head.
pub async fn len(db: &Db) -> Result<i64, AuditError> {
    Ok(db::audit::head(db).await?.0)
}

/// The outcome of [`verify`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// How many entries were read.
    pub entries_checked: i64,
    /// The first place where the chain does not hold, if any.
    pub first_broken: Option<BrokenLink>,
    /// Whether seals were checked with the audit key (the ID of the key), which proves that
    /// nobody without the key rewrote the log; without a key, only the hashes were checked.
    pub key_id: Option<String>,
}

impl ChainReport {
    /// True when every entry is intact and in place.
    pub fn is_intact(&self) -> bool {
        self.first_broken.is_none()
    }
}

/// Where and how the chain is broken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    /// The sequence number of the first entry that does not check out.
    pub seq: i64,
    /// What is wrong with it.
    pub problem: ChainProblem,
}

/// What verification found wrong at a [`BrokenLink`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainProblem {
    /// The entry's content no longer matches its hash: it was changed.
    ContentChanged,
    /// The entry does not point at the hash of the entry before it: something was inserted,
    /// replaced or re-hashed before it.
    LinkBroken,
    /// The entry with this sequence number is missing (removed), or an entry appears out of order.
    Missing,
    /// The chain head records more entries than the log holds: entries were removed from the end.
    TruncatedEnd,
    /// The entry has no seal although the audit key was in use when it was written: it was
    /// written (or rewritten) by someone without the key.
    Unsealed,
    /// The entry's seal is not the audit key's: it was forged or the entry re-hashed.
    SealForged,
    /// The full-text search index does not list exactly the log's entries: an entry was hidden
    /// from, or planted in, the Audit page's search.
    SearchIndexDiffers,
}

impl fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ContentChanged => "its content was changed after it was written",
            Self::LinkBroken => "it does not follow the entry before it",
            Self::Missing => "it is missing",
            Self::TruncatedEnd => "it and the entries after it were removed",
            Self::Unsealed => "it lacks the audit key's seal, so it was written without the key",
            Self::SealForged => "its seal is not the audit key's, so it was forged or re-hashed",
            Self::SearchIndexDiffers => "the search index does not list it as the log does",
        })
    }
}

/// Walks the whole chain in order and reports the first entry that does not check out: its
/// hashes, its seals when `db` holds the audit key, the chain head and the search index.
///
/// Walks run one at a time per process (others wait their turn), so a burst of requests to
/// verify cannot multiply the cost of reading the whole log.
pub async fn verify(db: &Db) -> Result<ChainReport, AuditError> {
    let _turn = db.verification_turn().await;
    let key = db.audit_key();
    let report = |entries_checked, first_broken| ChainReport {
        entries_checked,
        first_broken,
        key_id: key.map(AuditKey::id),
    };
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS_HASH.to_owned();
    loop {
        let batch = db::audit::page_after(db, expected_seq - 1, VERIFY_BATCH).await?;
        let batch_len = batch.len();
        for entry in batch {
            let problem = if entry.seq != expected_seq {
                Some(ChainProblem::Missing)
            } else if entry.prev_hash != prev_hash {
                Some(ChainProblem::LinkBroken)
            } else if entry.expected_hash() != entry.hash
                || index_fields(
                    &entry.target,
                    entry.before_json.as_deref(),
                    entry.after_json.as_deref(),
                ) != (
                    entry.function.clone(),
                    entry.space.clone(),
                    entry.decision.clone(),
                )
            {
                Some(ChainProblem::ContentChanged)
            } else {
                key.and_then(|key| seal_problem(key, &entry))
            };
            if let Some(problem) = problem {
                return Ok(report(
                    expected_seq - 1,
                    Some(BrokenLink {
                        seq: expected_seq,
                        problem,
                    }),
                ));
            }
            prev_hash = entry.hash;
            expected_seq += 1;
        }
        if i64::try_from(batch_len).unwrap_or(i64::MAX) < VERIFY_BATCH {
            break;
        }
    }
    let entries_checked = expected_seq - 1;
    let (head_seq, head_hash) = db::audit::head(db).await?;
    let first_broken = if head_seq > entries_checked {
        Some(BrokenLink {
            seq: entries_checked + 1,
            problem: ChainProblem::TruncatedEnd,
        })
    } else if head_hash != prev_hash {
        // The head lags behind or points elsewhere: the last entry was replaced wholesale.
        Some(BrokenLink {
            seq: entries_checked.max(1),
            problem: ChainProblem::LinkBroken,
        })
    } else {
        db::audit::search_index_mismatch(db)
            .await?
            .map(|seq| BrokenLink {
                seq,
                problem: ChainProblem::SearchIndexDiffers,
            })
    };
    Ok(report(entries_checked, first_broken))
}

/// What is wrong with `entry`'s seal under `key`, if anything. Entries written before the key
/// was adopted need none, but one they carry must still be the key's.
fn seal_problem(key: &AuditKey, entry: &Entry) -> Option<ChainProblem> {
    match entry.seal.as_deref() {
        Some(seal) if key.seals(&entry.hash, seal) => None,
        Some(_) => Some(ChainProblem::SealForged),
        None if entry.seq < key.first_keyed_seq() => None,
        None => Some(ChainProblem::Unsealed),
    }
}

/// The chain's head now, signed with the audit key when `db` holds one: what `steward audit
/// anchor` prints, to be kept outside the database.
pub async fn anchor(db: &Db) -> Result<Anchor, AuditError> {
    let (seq, hash) = db::audit::head(db).await?;
    Ok(Anchor::new(seq, hash, now_ms(), db.audit_key()))
}

/// Why the log does not extend an [`Anchor`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnchorMismatch {
    /// The anchor's signature is not the audit key's: the anchor was altered, or another key
    /// signed it.
    #[error(
        "the anchor's signature is not this audit key's (anchor key {anchor_key}, this key {key})"
    )]
    BadSignature {
        /// The key the anchor names.
        anchor_key: String,
        /// The key Steward holds.
        key: String,
    },
    /// The log ends before the anchored entry: entries were removed.
    #[error("the log ends at entry {len}, before the anchored entry {seq}: entries were removed")]
    LogEndsBefore {
        /// How many entries the log holds.
        len: i64,
        /// The anchored entry.
        seq: i64,
    },
    /// The anchored entry has another hash now: history up to it was rewritten.
    #[error("entry {seq} no longer has the anchored hash: the log was rewritten up to it")]
    Diverges {
        /// The anchored entry.
        seq: i64,
    },
}

/// Checks that the log still extends `anchor`: its signature (when `db` holds the audit key and
/// the anchor is signed) and the anchored entry's hash. Together with an intact [`verify`], this
/// proves the log's history up to the anchor is the anchored one.
pub async fn check_anchor(
    db: &Db,
    anchor: &Anchor,
) -> Result<Result<(), AnchorMismatch>, AuditError> {
    if let (Some(key), Some(_)) = (db.audit_key(), &anchor.signature)
        && !anchor.signed_by(key)
    {
        return Ok(Err(AnchorMismatch::BadSignature {
            anchor_key: anchor.key_id.clone().unwrap_or_else(|| "none".to_owned()),
            key: key.id(),
        }));
    }
    if anchor.seq == 0 {
        return Ok(Ok(()));
    }
    Ok(match db::audit::hash_of(db, anchor.seq).await? {
        None => Err(AnchorMismatch::LogEndsBefore {
            len: db::audit::head(db).await?.0,
            seq: anchor.seq,
        }),
        Some(hash) if hash != anchor.hash => Err(AnchorMismatch::Diverges { seq: anchor.seq }),
        Some(_) => Ok(()),
    })
}

impl crate::Classify for AuditError {
    fn is_transient(&self) -> bool {
        match self {
            Self::Query(e) => e.is_transient(),
        }
    }
}

#[cfg(test)]
mod tests;
