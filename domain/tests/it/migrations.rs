use domain::{Backend, Db, db_test};

db_test!(async fn fresh_database_is_ready_after_migrating(db) {
    let readiness = db.readiness().await.unwrap();
    assert!(readiness.is_ready(), "{readiness:?}");
    assert!(readiness.migrations_known >= 1);
});

db_test!(async fn migrating_twice_changes_nothing(db) {
    db.migrate().await.unwrap();
    let readiness = db.readiness().await.unwrap();
    assert_eq!(readiness.migrations_applied, readiness.migrations_known);
});

#[tokio::test]
async fn unmigrated_database_is_not_ready() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}/fresh.db", dir.path().display()))
        .await
        .unwrap();
    assert_eq!(db.backend(), Backend::Sqlite);
    // Without the migrations table the readiness query fails: not ready, with a reason.
    assert!(db.readiness().await.is_err());
    db.migrate().await.unwrap();
    assert!(db.readiness().await.unwrap().is_ready());
}

#[tokio::test]
async fn sqlite_database_uses_wal_and_full_sync() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/data/steward.db", dir.path().display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    assert!(dir.path().join("data/steward.db").exists());
    assert!(
        dir.path().join("data/steward.db-wal").exists(),
        "WAL file expected"
    );
}
