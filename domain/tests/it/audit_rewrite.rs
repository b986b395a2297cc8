//! Rewriting the audit log's history as someone with Steward's own database credentials could:
//! what the triggers refuse, and what only the audit key's seals and anchors reveal.

use domain::{
    Backend, Db,
    audit::{self, Actor, AnchorMismatch, AuditKey, ChainProblem, Entry, GENESIS_HASH, NewEntry},
    db_test,
};
use serde_json::json;
use sqlx::{AnyConnection, Connection, Executor};

fn key() -> AuditKey {
    AuditKey::new(b"0123456789abcdef0123456789abcdef-test-key".to_vec()).unwrap()
}

fn entry(n: usize) -> NewEntry {
    NewEntry {
        actor: Actor::User(7),
        action: "role.grant".into(),
        target: format!("user:person{n}@example.com"),
        before: None,
        after: Some(json!({ "role": "admin" })),
    }
}

async fn record(db: &Db, count: usize) {
    for n in 0..count {
        audit::record(db, entry(n)).await.unwrap();
    }
}

/// Runs `statements` on a connection of its own, with the same credentials Steward uses.
async fn run_sql(url: &str, statements: &[String]) -> Result<(), sqlx::Error> {
    let mut conn = AnyConnection::connect(url).await.unwrap();
    for sql in statements {
        conn.execute(sql.as_str()).await?;
    }
    conn.close().await.unwrap();
    Ok(())
}

fn text(value: Option<&str>) -> String {
    value.map_or_else(
        || "NULL".to_owned(),
        |v| format!("'{}'", v.replace('\'', "''")),
    )
}

/// The statements that replace the whole log with `entries` (recomputing every hash), after
/// getting the triggers out of the way, and point the head at the new end.
fn rewrite(backend: Backend, entries: &[Entry]) -> Vec<String> {
    let mut sql: Vec<String> = match backend {
        Backend::Postgres => vec![
            "ALTER TABLE audit_log DISABLE TRIGGER USER".into(),
            "TRUNCATE audit_log".into(),
        ],
        Backend::Sqlite => vec![
            "DROP TRIGGER IF EXISTS audit_log_no_delete".into(),
            "DELETE FROM audit_log".into(),
            "INSERT INTO audit_search (audit_search) VALUES ('delete-all')".into(),
        ],
    };
    for e in entries {
        sql.push(format!(
            "INSERT INTO audit_log (seq, at_ms, actor, action, target, before_json, after_json, \
             prev_hash, hash, seal) VALUES ({}, {}, '{}', '{}', '{}', {}, {}, '{}', '{}', {})",
            e.seq,
            e.at_ms,
            e.actor,
            e.action,
            e.target,
            text(e.before_json.as_deref()),
            text(e.after_json.as_deref()),
            e.prev_hash,
            e.hash,
            text(e.seal.as_deref()),
        ));
    }
    let last = entries.last().unwrap();
    sql.push(format!(
        "UPDATE audit_head SET seq = {}, hash = '{}' WHERE id = 1",
        last.seq, last.hash
    ));
    if backend == Backend::Postgres {
        sql.push("ALTER TABLE audit_log ENABLE TRIGGER USER".into());
    }
    sql
}

/// The log as it reads now, with `actor` as every entry's actor and every hash recomputed, so
/// that the chain is consistent; the original seals are kept.
fn forged(original: &[Entry], actor: &str) -> Vec<Entry> {
    let mut prev_hash = GENESIS_HASH.to_owned();
    original
        .iter()
        .map(|e| {
            let mut forged = e.clone();
            forged.actor = actor.to_owned();
            forged.prev_hash = prev_hash.clone();
            forged.hash = forged.expected_hash();
            prev_hash = forged.hash.clone();
            forged
        })
        .collect()
}

async fn whole_log(db: &Db) -> Vec<Entry> {
    let mut entries = audit::recent(db, 1_000).await.unwrap();
    entries.reverse();
    entries
}

db_test!(async fn ordinary_statements_cannot_truncate_the_log_or_move_its_head_back(db, url) {
    record(&db, 3).await;
    let refused = [
        "DELETE FROM audit_head",
        "UPDATE audit_head SET seq = seq - 1",
        "UPDATE audit_head SET id = 2",
    ];
    for sql in refused {
        let error = run_sql(&url, &[sql.to_owned()]).await.unwrap_err();
        assert!(error.to_string().contains("audit chain head"), "{sql}: {error}");
    }
    if db.backend() == Backend::Postgres {
        for table in ["audit_log", "audit_head"] {
            let error = run_sql(&url, &[format!("TRUNCATE {table}")]).await.unwrap_err();
            assert!(
                error.to_string().contains("append-only") || error.to_string().contains("cannot be removed"),
                "TRUNCATE {table}: {error}"
            );
        }
    }
    // Moving forward stays allowed: that is how entries are appended.
    record(&db, 1).await;
    assert!(audit::verify(&db).await.unwrap().is_intact());
});

db_test!(async fn history_rewritten_with_recomputed_hashes_is_caught_by_the_key_and_by_an_anchor(db, url) {
    let keyed = db.clone().with_audit_key(key());
    record(&keyed, 3).await;
    let anchor = audit::anchor(&keyed).await.unwrap();
    record(&keyed, 2).await;
    let original = whole_log(&db).await;
    assert!(original.iter().all(|e| e.seal.is_some()), "a keyed handle seals every entry");
    assert!(audit::verify(&keyed).await.unwrap().is_intact());

    // The attacker replaces every entry's actor, recomputes all hashes and keeps the old seals.
    run_sql(&url, &rewrite(db.backend(), &forged(&original, "user:999"))).await.unwrap();

    // The hashes alone cannot tell: that is the threat model, stated, not hidden.
    let unkeyed = audit::verify(&db).await.unwrap();
    assert!(unkeyed.is_intact(), "{unkeyed:?}");
    assert_eq!(unkeyed.key_id, None);

    // The key can: no seal fits the new hashes.
    let report = audit::verify(&keyed).await.unwrap();
    let broken = report.first_broken.unwrap();
    assert_eq!((broken.seq, broken.problem), (1, ChainProblem::SealForged));
    assert_eq!(report.key_id, Some(key().id()));

    // Nor can the attacker just leave the seals out.
    let mut unsealed = forged(&original, "user:999");
    for e in &mut unsealed {
        e.seal = None;
    }
    run_sql(&url, &rewrite(db.backend(), &unsealed)).await.unwrap();
    let broken = audit::verify(&keyed).await.unwrap().first_broken.unwrap();
    assert_eq!((broken.seq, broken.problem), (1, ChainProblem::Unsealed));

    // And an anchor taken before shows where history diverged, with or without the key.
    assert_eq!(
        audit::check_anchor(&db, &anchor).await.unwrap(),
        Err(AnchorMismatch::Diverges { seq: 3 })
    );
});

db_test!(async fn cutting_the_newest_entries_goes_past_the_key_but_not_an_anchor(db, url) {
    let keyed = db.clone().with_audit_key(key());
    record(&keyed, 5).await;
    let anchor = audit::anchor(&keyed).await.unwrap();
    assert_eq!(anchor.seq, 5);
    assert!(audit::check_anchor(&keyed, &anchor).await.unwrap().is_ok());

    // Someone who can drop triggers removes entries 4 and 5 and moves the head back to 3.
    let mut kept = whole_log(&db).await;
    kept.truncate(3);
    run_sql(&url, &[match db.backend() {
        Backend::Postgres => "ALTER TABLE audit_head DISABLE TRIGGER USER".to_owned(),
        Backend::Sqlite => "DROP TRIGGER audit_head_forward_only".to_owned(),
    }]).await.unwrap();
    run_sql(&url, &rewrite(db.backend(), &kept)).await.unwrap();

    // Every remaining entry is genuine and sealed, so the chain verifies even with the key…
    assert!(audit::verify(&keyed).await.unwrap().is_intact());
    // …but the anchor kept elsewhere says five entries existed.
    assert_eq!(
        audit::check_anchor(&keyed, &anchor).await.unwrap(),
        Err(AnchorMismatch::LogEndsBefore { len: 3, seq: 5 })
    );
});

db_test!(async fn an_altered_anchor_or_one_from_another_key_is_refused(db) {
    let keyed = db.clone().with_audit_key(key());
    record(&keyed, 2).await;
    let mut anchor = audit::anchor(&keyed).await.unwrap();
    assert_eq!(anchor.key_id, Some(key().id()));
    anchor.seq = 1;
    assert!(matches!(
        audit::check_anchor(&keyed, &anchor).await.unwrap(),
        Err(AnchorMismatch::BadSignature { .. })
    ));
    let other = db
        .clone()
        .with_audit_key(AuditKey::new(vec![7; 32]).unwrap());
    let anchor = audit::anchor(&other).await.unwrap();
    assert!(matches!(
        audit::check_anchor(&keyed, &anchor).await.unwrap(),
        Err(AnchorMismatch::BadSignature { .. })
    ));
});

db_test!(async fn a_log_that_adopts_a_key_later_is_checked_from_then_on(db) {
    record(&db, 2).await;
    let keyed = db.clone().with_audit_key(key().keyed_from(3));
    record(&keyed, 2).await;
    let report = audit::verify(&keyed).await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    // Claiming the key was there from the start does not hold.
    let strict = db.clone().with_audit_key(key());
    let broken = audit::verify(&strict).await.unwrap().first_broken.unwrap();
    assert_eq!((broken.seq, broken.problem), (1, ChainProblem::Unsealed));
});

db_test!(async fn the_search_index_is_checked_against_the_log(db, url) {
    record(&db, 3).await;
    if db.backend() == Backend::Sqlite {
        // An entry planted in the search index (or hidden from it) is found.
        run_sql(&url, &["INSERT INTO audit_search (rowid, body) VALUES (99, 'planted')".to_owned()])
            .await
            .unwrap();
        let broken = audit::verify(&db).await.unwrap().first_broken.unwrap();
        assert_eq!((broken.seq, broken.problem), (99, ChainProblem::SearchIndexDiffers));
    } else {
        // On PostgreSQL the index is a generated column of the log: there is nothing to plant.
        let error = run_sql(&url, &["UPDATE audit_log SET search = NULL".to_owned()]).await.unwrap_err();
        assert!(error.to_string().contains("can only be updated to DEFAULT"), "{error}");
        assert!(audit::verify(&db).await.unwrap().is_intact());
    }
});
