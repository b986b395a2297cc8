use domain::{
    Backend, Db,
    audit::{self, Actor, ChainProblem, NewEntry},
    db_test,
    vocab::{AgentFunction, Decision},
};
use serde_json::json;
use sqlx::{AnyConnection, Connection, Executor};

fn entry(n: usize) -> NewEntry {
    NewEntry {
        actor: Actor::User(7),
        action: "setting.update".into(),
        target: format!("setting:item_{n}"),
        before: Some(json!({ "value": n })),
        after: Some(json!({ "value": n + 1 })),
    }
}

async fn append_entries(db: &Db, count: usize) {
    for n in 0..count {
        audit::record(db, entry(n)).await.unwrap();
    }
}

/// Runs statements on a raw connection that bypasses Steward, the way someone with direct database
/// access would: first removing the append-only triggers, then `statements`.
async fn tamper(db: &Db, db_url: &str, statements: &[&str]) {
    let drop_triggers: &[&str] = match db.backend() {
        Backend::Sqlite => &[
            "DROP TRIGGER IF EXISTS audit_log_no_update",
            "DROP TRIGGER IF EXISTS audit_log_no_delete",
        ],
        Backend::Postgres => &["DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log"],
    };
    let mut conn = AnyConnection::connect(db_url).await.unwrap();
    for sql in drop_triggers.iter().chain(statements) {
        conn.execute(*sql).await.unwrap();
    }
    conn.close().await.unwrap();
}

db_test!(async fn appended_entries_form_an_intact_chain(db) {
    append_entries(&db, 5).await;
    let report = audit::verify(&db).await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.entries_checked, 5);
    assert_eq!(audit::len(&db).await.unwrap(), 5);

    let recent = audit::recent(&db, 2).await.unwrap();
    assert_eq!(recent.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![5, 4]);
    assert_eq!(recent[1].hash, recent[0].prev_hash);
    assert_eq!(recent[0].before_json.as_deref(), Some(r#"{"value":4}"#));
});

db_test!(async fn empty_log_verifies(db) {
    let report = audit::verify(&db).await.unwrap();
    assert_eq!(report.entries_checked, 0);
    assert!(report.is_intact());
});

db_test!(async fn verification_reads_past_one_batch(db) {
    append_entries(&db, 1_203).await;
    let report = audit::verify(&db).await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.entries_checked, 1_203);
});

db_test!(async fn concurrent_appends_never_fork_the_chain(db) {
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let db = db.clone();
            tokio::spawn(async move {
                for n in 0..10 {
                    audit::record(&db, entry(w * 100 + n)).await.unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let report = audit::verify(&db).await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.entries_checked, 80);
});

db_test!(async fn ordinary_updates_and_deletes_are_refused(db, url) {
    append_entries(&db, 1).await;
    let mut conn = AnyConnection::connect(&url).await.unwrap();
    let err = conn.execute("UPDATE audit_log SET actor = 'someone else'").await.unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = conn.execute("DELETE FROM audit_log").await.unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    conn.close().await.unwrap();
    assert!(audit::verify(&db).await.unwrap().is_intact());
});

db_test!(
    /// Every column of every row, changed one at a time, is caught at exactly that row.
    async fn changing_any_column_of_any_row_is_detected_at_that_row(db, url) {
    append_entries(&db, 4).await;
    let originals = audit::recent(&db, 4).await.unwrap();
    let changes = [
        "at_ms = at_ms + 1",
        "actor = 'user:999'",
        "action = 'role.grant'",
        "target = 'setting:other'",
        "before_json = NULL",
        r#"after_json = '{"value":0}'"#,
    ];
    for original in &originals {
        let seq = original.seq;
        for change in changes {
            tamper(&db, &url, &[format!("UPDATE audit_log SET {change} WHERE seq = {seq}").as_str()]).await;
            let report = audit::verify(&db).await.unwrap();
            let broken = report.first_broken.expect("tampering went unnoticed");
            assert_eq!((broken.seq, broken.problem), (seq, ChainProblem::ContentChanged), "{change} at {seq}");
            assert_eq!(report.entries_checked, seq - 1);

            // Put the row back so the next change is judged on its own.
            let restore = format!(
                "UPDATE audit_log SET at_ms = {}, actor = '{}', action = '{}', target = '{}', \
                 before_json = {}, after_json = {} WHERE seq = {seq}",
                original.at_ms,
                original.actor,
                original.action,
                original.target,
                sql_text(original.before_json.as_deref()),
                sql_text(original.after_json.as_deref()),
            );
            tamper(&db, &url, &[restore.as_str()]).await;
            assert!(audit::verify(&db).await.unwrap().is_intact());
        }
    }
});

fn sql_text(value: Option<&str>) -> String {
    value.map_or_else(
        || "NULL".to_owned(),
        |v| format!("'{}'", v.replace('\'', "''")),
    )
}

db_test!(async fn rehashing_a_changed_row_breaks_the_next_link(db, url) {
    append_entries(&db, 3).await;
    tamper(&db, &url, &["UPDATE audit_log SET actor = 'user:999', hash = 'ab' WHERE seq = 2"]).await;
    let broken = audit::verify(&db).await.unwrap().first_broken.unwrap();
    // Row 2 no longer matches its (forged) hash.
    assert_eq!((broken.seq, broken.problem), (2, ChainProblem::ContentChanged));
});

db_test!(async fn removing_a_row_is_detected(db, url) {
    append_entries(&db, 5).await;
    tamper(&db, &url, &["DELETE FROM audit_log WHERE seq = 3"]).await;
    let report = audit::verify(&db).await.unwrap();
    let broken = report.first_broken.unwrap();
    assert_eq!((broken.seq, broken.problem), (3, ChainProblem::Missing));
    assert_eq!(report.entries_checked, 2);
});

db_test!(async fn removing_the_newest_rows_is_detected(db, url) {
    append_entries(&db, 5).await;
    tamper(&db, &url, &["DELETE FROM audit_log WHERE seq >= 4"]).await;
    let broken = audit::verify(&db).await.unwrap().first_broken.unwrap();
    assert_eq!((broken.seq, broken.problem), (4, ChainProblem::TruncatedEnd));
});

db_test!(async fn a_forged_row_with_a_valid_own_hash_breaks_the_link(db, url) {
    append_entries(&db, 3).await;
    let rows = audit::recent(&db, 3).await.unwrap();
    let mut forged = rows.iter().find(|e| e.seq == 2).unwrap().clone();
    forged.actor = "user:999".into();
    forged.prev_hash = "f".repeat(64);
    forged.hash = forged.expected_hash();
    tamper(
        &db,
        &url,
        &[format!(
            "UPDATE audit_log SET actor = '{}', prev_hash = '{}', hash = '{}' WHERE seq = 2",
            forged.actor, forged.prev_hash, forged.hash
        )
        .as_str()],
    )
    .await;
    let broken = audit::verify(&db).await.unwrap().first_broken.unwrap();
    assert_eq!((broken.seq, broken.problem), (2, ChainProblem::LinkBroken));
});

async fn decision(db: &Db, room: &str, function: &str, decision: &str, actor: Actor) {
    audit::record(
        db,
        NewEntry {
            actor,
            action: format!("agent.{decision}"),
            target: format!("space:{room}"),
            before: None,
            after: Some(json!({ "function": function, "decision": decision, "message_id": format!("msg-{room}-{decision}") })),
        },
    )
    .await
    .unwrap();
}

db_test!(async fn entries_are_found_by_actor_function_space_decision_and_words(db) {
    decision(&db, "falcon", "summarize", "reply", Actor::system("runtime")).await;
    decision(&db, "alerts", "alert_triage", "reply", Actor::system("runtime")).await;
    decision(&db, "help", "summarize", "draft", Actor::system("runtime")).await;
    audit::record(&db, entry(1)).await.unwrap();
    let seqs = |entries: Vec<audit::Entry>| entries.into_iter().map(|e| e.seq).collect::<Vec<_>>();
    let search = |filter: audit::Filter| {
        let db = db.clone();
        async move { seqs(audit::search(&db, &filter, None, 50).await.unwrap()) }
    };

    assert_eq!(search(audit::Filter::default()).await, [4, 3, 2, 1]);
    assert_eq!(search(audit::Filter { function: Some(AgentFunction::Summarize), ..Default::default() }).await, [3, 1]);
    assert_eq!(search(audit::Filter { space: Some("alerts".into()), ..Default::default() }).await, [2]);
    assert_eq!(search(audit::Filter { decision: Some(Decision::Reply), ..Default::default() }).await, [2, 1]);
    assert_eq!(search(audit::Filter { actor: Some(Actor::User(7)), ..Default::default() }).await, [4]);
    assert_eq!(
        search(audit::Filter { function: Some(AgentFunction::Summarize), decision: Some(Decision::Draft), ..Default::default() }).await,
        [3]
    );
    // Words match as prefixes, in any field, all of them.
    assert_eq!(search(audit::Filter { text: Some("msg-falcon".into()), ..Default::default() }).await, [1]);
    assert_eq!(search(audit::Filter { text: Some("ALERT_tri".into()), ..Default::default() }).await, [2]);
    assert_eq!(search(audit::Filter { text: Some("summarize draft".into()), ..Default::default() }).await, [3]);
    assert_eq!(search(audit::Filter { text: Some("nothing-like-this".into()), ..Default::default() }).await, Vec::<i64>::new());
    // Characters that mean something to a search engine are only text.
    assert_eq!(search(audit::Filter { text: Some("\"'*:&|()".into()), ..Default::default() }).await, [4, 3, 2, 1]);

    // Keyset pages.
    let first = audit::search(&db, &audit::Filter::default(), None, 2).await.unwrap();
    assert_eq!(seqs(first.clone()), [4, 3]);
    assert_eq!(seqs(audit::search(&db, &audit::Filter::default(), Some(first[1].seq), 2).await.unwrap()), [2, 1]);
});

db_test!(async fn a_time_range_selects_the_entries_written_in_it(db) {
    append_entries(&db, 3).await;
    let all = audit::recent(&db, 3).await.unwrap();
    let (first, last) = (all[2].at_ms, all[0].at_ms);
    let filter = audit::Filter { from_ms: Some(first), to_ms: Some(last), ..Default::default() };
    assert_eq!(audit::search(&db, &filter, None, 50).await.unwrap().len(), 3);
    let filter = audit::Filter { to_ms: Some(first - 1), ..Default::default() };
    assert!(audit::search(&db, &filter, None, 50).await.unwrap().is_empty());
    let filter = audit::Filter { from_ms: Some(last + 1), ..Default::default() };
    assert!(audit::search(&db, &filter, None, 50).await.unwrap().is_empty());
});

db_test!(async fn changing_a_filter_column_to_hide_an_entry_is_detected(db, url) {
    decision(&db, "falcon", "summarize", "reply", Actor::system("runtime")).await;
    decision(&db, "falcon", "summarize", "draft", Actor::system("runtime")).await;
    tamper(&db, &url, &["UPDATE audit_log SET space = 'elsewhere' WHERE seq = 2"]).await;
    let report = audit::verify(&db).await.unwrap();
    let broken = report.first_broken.unwrap();
    assert_eq!((broken.seq, broken.problem), (2, ChainProblem::ContentChanged));
});

db_test!(async fn entries_appended_together_chain_like_entries_appended_alone(db) {
    audit::record(&db, entry(0)).await.unwrap();
    let stored = audit::record_all(&db, (1..=900).map(entry).collect()).await.unwrap();
    assert_eq!((stored[0].seq, stored[899].seq), (2, 901));
    audit::record(&db, entry(901)).await.unwrap();
    let report = audit::verify(&db).await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.entries_checked, 902);
    let found = audit::search(&db, &audit::Filter { text: Some("item_450".into()), ..Default::default() }, None, 5)
        .await
        .unwrap();
    assert_eq!(found.iter().map(|e| e.seq).collect::<Vec<_>>(), [451]);
});
