use domain::{
    agents::AgentFunction,
    audit::{self, Actor},
    db_test,
    policy::{self, Mode, PolicyError},
    webex::types::RoomKind,
};

db_test!(async fn a_function_is_off_in_a_space_until_an_admin_sets_a_mode(db) {
    let effective = policy::effective(&db, AgentFunction::Summarize, "room-1").await.unwrap();
    assert_eq!(effective.mode(), Mode::Off);
    assert!(policy::active_in(&db, "room-1").await.unwrap().is_empty());

    let admin = Actor::User(1);
    assert!(policy::set_mode(&db, AgentFunction::Summarize, "room-1", Mode::Review, &admin).await.unwrap());
    assert!(!policy::set_mode(&db, AgentFunction::Summarize, "room-1", Mode::Review, &admin).await.unwrap());
    assert_eq!(
        policy::active_in(&db, "room-1").await.unwrap(),
        vec![(AgentFunction::Summarize, Mode::Review)]
    );
    assert!(policy::active_in(&db, "room-2").await.unwrap().is_empty());

    let entries = audit::recent(&db, 10).await.unwrap();
    assert_eq!(entries.len(), 1, "setting the same mode twice is audited once");
    assert_eq!(entries[0].action, "policy.mode");
    assert_eq!(entries[0].target, "space:room-1");
    assert_eq!(entries[0].before_json.as_deref(), Some(r#"{"function":"summarize","mode":"off"}"#));
    assert_eq!(entries[0].after_json.as_deref(), Some(r#"{"function":"summarize","mode":"review"}"#));
});

db_test!(async fn the_kill_switch_turns_a_function_off_everywhere_and_back(db) {
    let admin = Actor::User(1);
    policy::set_mode(&db, AgentFunction::AlertTriage, "alerts", Mode::Live, &admin).await.unwrap();
    assert!(policy::set_enabled(&db, AgentFunction::AlertTriage, false, &admin).await.unwrap());
    let effective = policy::effective(&db, AgentFunction::AlertTriage, "alerts").await.unwrap();
    assert_eq!((effective.mode, effective.enabled, effective.mode()), (Mode::Live, false, Mode::Off));
    assert!(policy::active_in(&db, "alerts").await.unwrap().is_empty());

    assert!(policy::set_enabled(&db, AgentFunction::AlertTriage, true, &admin).await.unwrap());
    assert_eq!(policy::effective(&db, AgentFunction::AlertTriage, "alerts").await.unwrap().mode(), Mode::Live);
    let actions: Vec<String> = audit::recent(&db, 3).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["policy.switch", "policy.switch", "policy.mode"]);
});

db_test!(async fn spaces_are_found_by_id_or_unique_title(db) {
    policy::remember_space(&db, "r1", "Project Falcon", RoomKind::Group).await.unwrap();
    policy::remember_space(&db, "r2", "Standup", RoomKind::Group).await.unwrap();
    policy::remember_space(&db, "r3", "Standup", RoomKind::Group).await.unwrap();
    // Meeting a known space again keeps when it was first seen and takes the new title.
    let first_seen = policy::find_space(&db, "r1").await.unwrap().first_seen_ms;
    policy::remember_space(&db, "r1", "Falcon", RoomKind::Group).await.unwrap();
    let renamed = policy::find_space(&db, "Falcon").await.unwrap();
    assert_eq!((renamed.room_id.as_str(), renamed.first_seen_ms), ("r1", first_seen));

    assert!(matches!(policy::find_space(&db, "Standup").await, Err(PolicyError::AmbiguousSpace(_))));
    assert!(matches!(policy::find_space(&db, "Nowhere").await, Err(PolicyError::UnknownSpace(_))));
    assert_eq!(policy::spaces(&db).await.unwrap().len(), 3);
});

db_test!(async fn an_initial_policy_applies_only_to_a_new_installation(db) {
    let sandbox = Actor::system("sandbox");
    let initial = [(AgentFunction::Summarize, "r1".to_owned(), Mode::Live)];
    assert!(policy::apply_initial(&db, &initial, &sandbox).await.unwrap());
    policy::set_mode(&db, AgentFunction::Summarize, "r1", Mode::Shadow, &Actor::User(1)).await.unwrap();
    assert!(!policy::apply_initial(&db, &initial, &sandbox).await.unwrap());
    assert_eq!(policy::effective(&db, AgentFunction::Summarize, "r1").await.unwrap().mode, Mode::Shadow);
});
