//! SQL for the audit log and its chain head.

use sqlx::AnyConnection;

use crate::{
    Backend, Db,
    audit::{AuditKey, Content, Entry, Filter, NewEntry, content_hash, index_fields},
    time::now_ms,
};

const ENTRY_COLUMNS: &str = "seq, at_ms, actor, action, target, before_json, after_json, \
     prev_hash, hash, seal, function, space, decision";

/// Appends one entry. Advancing the head first takes its row lock (PostgreSQL) or the write lock
/// (SQLite), so concurrent appenders from any replica queue up and the chain never forks. With
/// a `key`, each entry is sealed with it.
pub(crate) async fn append(
    conn: &mut AnyConnection,
    key: Option<&AuditKey>,
    entry: NewEntry,
) -> Result<Entry, sqlx::Error> {
    Ok(append_all(conn, key, vec![entry])
        .await?
        .pop()
        .expect("one entry in, one out"))
}

/// Columns written per entry.
const COLUMNS_PER_ROW: usize = 13;

/// Rows per INSERT: 13 parameters each stays within every backend's limit.
const ROWS_PER_INSERT: usize = 400;

/// Appends entries in order, chained (and sealed with `key`), with one INSERT per 400.
pub(crate) async fn append_all(
    conn: &mut AnyConnection,
    key: Option<&AuditKey>,
    entries: Vec<NewEntry>,
) -> Result<Vec<Entry>, sqlx::Error> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let count = i64::try_from(entries.len()).unwrap_or(i64::MAX);
    let (last_seq, mut prev_hash): (i64, String) =
        sqlx::query_as("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
            .bind(count)
            .fetch_one(&mut *conn)
            .await?;
    let at_ms = now_ms();
    let mut stored = Vec::with_capacity(entries.len());
    for (offset, entry) in (0..).zip(entries) {
        let seq = last_seq - count + 1 + offset;
        let before_json = entry.before.map(|v| v.to_string());
        let after_json = entry.after.map(|v| v.to_string());
        let actor = entry.actor.to_string();
        let hash = content_hash(
            &prev_hash,
            &Content {
                seq,
                at_ms,
                actor: &actor,
                action: &entry.action,
                target: &entry.target,
                before_json: before_json.as_deref(),
                after_json: after_json.as_deref(),
            },
        );
        let (function, space, decision) =
            index_fields(&entry.target, before_json.as_deref(), after_json.as_deref());
        stored.push(Entry {
            seq,
            at_ms,
            actor,
            action: entry.action,
            target: entry.target,
            before_json,
            after_json,
            prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
            seal: key.map(|key| key.seal(&hash)),
            hash,
            function,
            space,
            decision,
        });
    }
    for chunk in stored.chunks(ROWS_PER_INSERT) {
        let values = (0..chunk.len())
            .map(|row| {
                let p: Vec<String> = (1..=COLUMNS_PER_ROW)
                    .map(|n| format!("${}", row * COLUMNS_PER_ROW + n))
                    .collect();
                format!("({})", p.join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("INSERT INTO audit_log ({ENTRY_COLUMNS}) VALUES {values}");
        let mut query = sqlx::query(&sql);
        for e in chunk {
            query = query
                .bind(e.seq)
                .bind(e.at_ms)
                .bind(e.actor.clone())
                .bind(e.action.clone())
                .bind(e.target.clone())
                .bind(e.before_json.clone())
                .bind(e.after_json.clone())
                .bind(e.prev_hash.clone())
                .bind(e.hash.clone())
                .bind(e.seal.clone())
                .bind(e.function.clone())
                .bind(e.space.clone())
                .bind(e.decision.clone());
        }
        query.execute(&mut *conn).await?;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev_hash)
        .execute(&mut *conn)
        .await?;
    Ok(stored)
}

/// The chain head: the last sequence number and its hash.
pub(crate) async fn head(db: &Db) -> Result<(i64, String), sqlx::Error> {
    sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(db.reader())
        .await
}

/// The hash of entry `seq`, if the log holds it.
pub(crate) async fn hash_of(db: &Db, seq: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
        .bind(seq)
        .fetch_optional(db.reader())
        .await
}

/// The first sequence number that the full-text index and the log disagree on (an entry the
/// index lacks, or an index row with no entry), if any. On PostgreSQL the index is a generated
/// column of the log itself, so they cannot disagree.
pub(crate) async fn search_index_mismatch(db: &Db) -> Result<Option<i64>, sqlx::Error> {
    if db.backend() == Backend::Postgres {
        return Ok(None);
    }
    sqlx::query_scalar(
        "SELECT MIN(seq) FROM (
             SELECT seq FROM audit_log WHERE seq NOT IN (SELECT rowid FROM audit_search)
             UNION ALL
             SELECT rowid FROM audit_search WHERE rowid NOT IN (SELECT seq FROM audit_log)
         )",
    )
    .fetch_one(db.reader())
    .await
}

/// Up to `limit` entries with a sequence number above `after_seq`, in chain order.
pub(crate) async fn page_after(
    db: &Db,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
    ))
    .bind(after_seq)
    .bind(limit)
    .fetch_all(db.reader())
    .await
}

/// The newest `limit` entries, newest first.
pub(crate) async fn recent(db: &Db, limit: i64) -> Result<Vec<Entry>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db.reader())
    .await
}

/// Entries matching `filter`, newest first, below `before`. Only the conditions given enter the
/// SQL, so each can use its index; a time range becomes a range of sequence numbers (entries are
/// appended in time order), and text search runs on the backend's own full-text index.
pub(crate) async fn search(
    db: &Db,
    filter: &Filter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    let mut upper = before.map_or(i64::MAX, |b| b - 1);
    let mut lower = 1;
    if let Some(to) = filter.to_ms {
        let last: Option<i64> = sqlx::query_scalar(
            "SELECT seq FROM audit_log WHERE at_ms <= $1 ORDER BY at_ms DESC, seq DESC LIMIT 1",
        )
        .bind(to)
        .fetch_optional(db.reader())
        .await?;
        upper = upper.min(last.unwrap_or(0));
    }
    if let Some(from) = filter.from_ms {
        let first: Option<i64> = sqlx::query_scalar(
            "SELECT seq FROM audit_log WHERE at_ms >= $1 ORDER BY at_ms, seq LIMIT 1",
        )
        .bind(from)
        .fetch_optional(db.reader())
        .await?;
        lower = first.unwrap_or(i64::MAX);
    }
    if lower > upper {
        return Ok(Vec::new());
    }
    let words = filter.words();
    let columns = ENTRY_COLUMNS
        .split(", ")
        .map(|c| format!("a.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut binds: Vec<String> = Vec::new();
    let mut conditions = vec!["a.seq <= $1".to_owned(), "a.seq >= $2".to_owned()];
    for (column, value) in [
        ("actor", filter.actor.as_ref().map(ToString::to_string)),
        ("function", filter.function.map(|f| f.as_str().to_owned())),
        ("space", filter.space.clone()),
        ("decision", filter.decision.map(|d| d.as_str().to_owned())),
    ] {
        if let Some(value) = value {
            binds.push(value);
            conditions.push(format!("a.{column} = ${}", binds.len() + 2));
        }
    }
    let from = if words.is_empty() {
        "audit_log a".to_owned()
    } else {
        match db.backend() {
            Backend::Sqlite => {
                // Each word as a quoted prefix: "word"*; FTS5 reads rowids newest first.
                let query = words
                    .iter()
                    .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
                    .collect::<Vec<_>>()
                    .join(" ");
                binds.push(query);
                conditions.push(format!("audit_search MATCH ${}", binds.len() + 2));
                // Bounds and order on the FTS rowid let FTS5 walk its index newest first.
                conditions[0] = "s.rowid <= $1".to_owned();
                conditions[1] = "s.rowid >= $2".to_owned();
                "audit_search s JOIN audit_log a ON a.seq = s.rowid".to_owned()
            }
            Backend::Postgres => {
                let query = words
                    .iter()
                    .map(|w| format!("'{}':*", w.replace('\'', "''")))
                    .collect::<Vec<_>>()
                    .join(" & ");
                binds.push(query);
                conditions.push(format!(
                    "a.search @@ to_tsquery('simple', ${})",
                    binds.len() + 2
                ));
                "audit_log a".to_owned()
            }
        }
    };
    let order = if conditions[0].starts_with("s.") {
        "s.rowid"
    } else {
        "a.seq"
    };
    let sql = format!(
        "SELECT {columns} FROM {from} WHERE {} ORDER BY {order} DESC LIMIT ${}",
        conditions.join(" AND "),
        binds.len() + 3
    );
    // Not a cached prepared statement: PostgreSQL then plans each search with its actual values,
    // and how many entries a word matches decides between walking newest first (a common word)
    // and the word index (a rare one). A cached generic plan is wrong for one of the two.
    let mut query = sqlx::query_as::<_, Entry>(&sql)
        .persistent(false)
        .bind(upper)
        .bind(lower);
    for value in &binds {
        query = query.bind(value.clone());
    }
    query.bind(limit).fetch_all(db.reader()).await
}
