use domain::{
    audit::{self, Actor},
    db_test,
    settings::{self, SettingKey},
};
use serde_json::json;

db_test!(async fn unset_setting_reads_as_none(db) {
    let key = SettingKey::parse("retention.message_text_days").unwrap();
    assert_eq!(settings::get(&db, &key).await.unwrap(), None);
});

db_test!(async fn changing_a_setting_is_stored_and_audited_with_before_and_after(db) {
    let key = SettingKey::parse("retention.message_text_days").unwrap();
    assert!(settings::set(&db, &key, json!(7), &Actor::User(4)).await.unwrap());
    assert!(settings::set(&db, &key, json!(30), &Actor::User(4)).await.unwrap());
    assert_eq!(settings::get(&db, &key).await.unwrap(), Some(json!(30)));

    let entries = audit::recent(&db, 2).await.unwrap();
    assert_eq!(entries[0].action, "setting.update");
    assert_eq!(entries[0].target, "setting:retention.message_text_days");
    assert_eq!(entries[0].before_json.as_deref(), Some("7"));
    assert_eq!(entries[0].after_json.as_deref(), Some("30"));
    assert_eq!(entries[1].before_json, None);
});

db_test!(async fn setting_the_same_value_writes_no_audit_entry(db) {
    let key = SettingKey::parse("reviewer.space").unwrap();
    let value = json!({ "room_id": "abc" });
    assert!(settings::set(&db, &key, value.clone(), &Actor::User(1)).await.unwrap());
    assert!(!settings::set(&db, &key, value, &Actor::User(1)).await.unwrap());
    assert_eq!(audit::len(&db).await.unwrap(), 1);
});
