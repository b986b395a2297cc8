use domain::db_test;
use server::sessions::DbSessionStore;
use time::{Duration, OffsetDateTime};
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
};

fn record(expires_in: Duration) -> Record {
    let mut data = std::collections::HashMap::new();
    data.insert("user_id".to_owned(), serde_json::json!(42));
    Record {
        id: Id::default(),
        data,
        expiry_date: OffsetDateTime::now_utc() + expires_in,
    }
}

db_test!(async fn sessions_survive_a_round_trip_through_the_store(db) {
    let store = DbSessionStore::new(db.clone());
    let mut record = record(Duration::hours(1));
    store.create(&mut record).await.unwrap();
    let loaded = store.load(&record.id).await.unwrap().expect("stored");
    assert_eq!(loaded.data["user_id"], 42);
    assert_eq!(loaded.id, record.id);

    record.data.insert("csrf".to_owned(), serde_json::json!("abc"));
    store.save(&record).await.unwrap();
    assert_eq!(store.load(&record.id).await.unwrap().unwrap().data["csrf"], "abc");

    store.delete(&record.id).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none());

    // A request that was still running when its person signed out saves its session at the
    // end; the session must not come back.
    store.save(&record).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none());
});

db_test!(async fn expired_sessions_are_not_loaded(db) {
    let store = DbSessionStore::new(db.clone());
    let mut record = record(Duration::seconds(-1));
    store.create(&mut record).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none());
});

db_test!(async fn a_colliding_session_id_gets_a_new_id_instead_of_overwriting(db) {
    let store = DbSessionStore::new(db.clone());
    let mut first = record(Duration::hours(1));
    store.create(&mut first).await.unwrap();
    let mut second = record(Duration::hours(1));
    second.id = first.id;
    second.data.insert("user_id".to_owned(), serde_json::json!(7));
    store.create(&mut second).await.unwrap();
    assert_ne!(second.id, first.id);
    assert_eq!(store.load(&first.id).await.unwrap().unwrap().data["user_id"], 42);
    assert_eq!(store.load(&second.id).await.unwrap().unwrap().data["user_id"], 7);
});
