use crate::audit::{Content, Entry, GENESIS_HASH, content_hash, verify};

fn entry(seq: i64, prev_hash: &str) -> Entry {
    let mut entry = Entry {
        seq,
        at_ms: 1_700_000_000_000 + seq,
        actor: "system:test".into(),
        action: "setting.update".into(),
        target: "setting:retention_days".into(),
        before_json: Some("7".into()),
        after_json: Some("30".into()),
        prev_hash: prev_hash.into(),
        hash: String::new(),
        seal: None,
        function: None,
        space: None,
        decision: None,
    };
    entry.hash = entry.expected_hash();
    entry
}

#[test]
fn hash_is_lowercase_sha256_hex() {
    let e = entry(1, GENESIS_HASH);
    assert_eq!(e.hash.len(), 64);
    assert!(
        e.hash
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    );
}

#[test]
fn hash_covers_every_field_and_the_previous_hash() {
    let base = entry(1, GENESIS_HASH);
    let changes: [fn(&mut Entry); 8] = [
        |e| e.seq += 1,
        |e| e.at_ms += 1,
        |e| e.actor.push('x'),
        |e| e.action.push('x'),
        |e| e.target.push('x'),
        |e| e.before_json = None,
        |e| e.after_json = Some("31".into()),
        |e| e.prev_hash = "1".repeat(64),
    ];
    for change in changes {
        let mut changed = base.clone();
        change(&mut changed);
        assert_ne!(changed.expected_hash(), base.hash);
    }
}

#[test]
fn fields_cannot_bleed_into_each_other() {
    // "ab" + "c" and "a" + "bc" must not hash alike.
    let one = Content {
        seq: 1,
        at_ms: 1,
        actor: "ab",
        action: "c",
        target: "t",
        before_json: None,
        after_json: None,
    };
    let two = Content {
        actor: "a",
        action: "bc",
        ..one
    };
    assert_ne!(
        content_hash(GENESIS_HASH, &one),
        content_hash(GENESIS_HASH, &two)
    );
}

#[test]
fn filter_columns_are_derived_from_the_entry() {
    use crate::audit::index_fields;
    assert_eq!(
        index_fields(
            "space:room-1",
            None,
            Some(r#"{"function":"summarize","decision":"reply","room_id":"other"}"#)
        ),
        (
            Some("summarize".into()),
            Some("room-1".into()),
            Some("reply".into())
        )
    );
    assert_eq!(
        index_fields(
            "prompt:alert_triage@v3",
            None,
            Some(r#"{"graduated":true}"#)
        ),
        (Some("alert_triage".into()), None, None)
    );
    assert_eq!(
        index_fields("function:summarize", Some(r#"{"enabled":true}"#), None),
        (Some("summarize".into()), None, None)
    );
    assert_eq!(
        index_fields("alert:4", None, Some(r#"{"room_id":"room-9"}"#)),
        (None, Some("room-9".into()), None)
    );
    assert_eq!(
        index_fields("user:a@b.c", None, Some("[1]")),
        (None, None, None)
    );
}

crate::db_test!(async fn a_verification_waits_for_the_one_running(db) {
    let turn = db.verification_turn().await;
    let waiting = tokio::spawn({
        let db = db.clone();
        async move { verify(&db).await.unwrap() }
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "a second walk ran beside the first");
    drop(turn);
    assert!(waiting.await.unwrap().is_intact());
});
