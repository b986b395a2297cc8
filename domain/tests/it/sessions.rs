use domain::{db::sessions, db_test};

db_test!(async fn session_round_trip_until_expiry(db) {
    assert!(sessions::create(&db, "s1", r#"{"user":1}"#, 2_000).await.unwrap());
    assert_eq!(sessions::load(&db, "s1", 1_000).await.unwrap().as_deref(), Some(r#"{"user":1}"#));
    // Expired sessions are never loaded.
    assert_eq!(sessions::load(&db, "s1", 2_000).await.unwrap(), None);
});

db_test!(async fn creating_a_taken_id_is_refused_and_keeps_the_original(db) {
    assert!(sessions::create(&db, "s1", "{}", 2_000).await.unwrap());
    assert!(!sessions::create(&db, "s1", r#"{"other":true}"#, 2_000).await.unwrap());
    assert_eq!(sessions::load(&db, "s1", 0).await.unwrap().as_deref(), Some("{}"));
});

db_test!(async fn saving_replaces_and_deleting_removes_for_good(db) {
    sessions::create(&db, "s1", "{}", 2_000).await.unwrap();
    sessions::save(&db, "s1", r#"{"n":2}"#, 3_000).await.unwrap();
    assert_eq!(sessions::load(&db, "s1", 2_500).await.unwrap().as_deref(), Some(r#"{"n":2}"#));
    sessions::delete(&db, "s1").await.unwrap();
    assert_eq!(sessions::load(&db, "s1", 0).await.unwrap(), None);
    // Saving never creates: a session ended by signing out stays ended.
    sessions::save(&db, "s1", r#"{"n":3}"#, 3_000).await.unwrap();
    assert_eq!(sessions::load(&db, "s1", 0).await.unwrap(), None);
});

db_test!(async fn expired_sessions_are_purged(db) {
    sessions::create(&db, "old", "{}", 1_000).await.unwrap();
    sessions::create(&db, "new", "{}", 5_000).await.unwrap();
    assert_eq!(sessions::delete_expired(&db, 2_000).await.unwrap(), 1);
    assert!(sessions::load(&db, "new", 2_000).await.unwrap().is_some());
});
