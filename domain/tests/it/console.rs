//! The console's read models: each page's data from one call, with names resolved.

use domain::{
    agents::AgentFunction,
    audit::{self, Actor, Filter, NewEntry},
    console::{self, agents::SpacesNotice},
    db_test, graduation,
    policy::{self, Mode},
    prompts,
    users::{self, EmailAddress, Role, WebexProfile},
    webex::types::RoomKind,
};

db_test!(async fn the_agents_page_shows_every_function_and_every_space_with_its_modes(db) {
    let admin = Actor::User(1);
    policy::remember_space(&db, "r1", "Falcon", RoomKind::Group).await.unwrap();
    policy::remember_space(&db, "r2", "Ops", RoomKind::Group).await.unwrap();
    policy::set_mode(&db, AgentFunction::Summarize, "r2", Mode::Review, &admin).await.unwrap();
    policy::set_enabled(&db, AgentFunction::AlertTriage, false, &admin).await.unwrap();
    graduation::graduate_now(&db, AgentFunction::Summarize, 1, &admin).await.unwrap();

    let page = console::agents::page(&db, None).await.unwrap();
    assert_eq!(page.notice, Some(SpacesNotice::NoBot));
    let functions: Vec<_> = page.functions.iter().map(|f| f.switch.function).collect();
    assert_eq!(functions, AgentFunction::ALL);
    let triage = &page.functions[0];
    assert!(!triage.switch.enabled);
    let summarize = &page.functions[1];
    assert_eq!(summarize.release.version, 1);
    assert!(summarize.versions[0].graduated);
    let modes: Vec<(&str, Vec<Mode>)> =
        page.spaces.iter().map(|(s, m)| (s.title.as_str(), m.clone())).collect();
    assert_eq!(
        modes,
        [("Falcon", vec![Mode::Off, Mode::Off]), ("Ops", vec![Mode::Off, Mode::Review])]
    );
});

db_test!(async fn several_modes_are_saved_together_or_not_at_all(db) {
    let admin = Actor::User(1);
    policy::remember_space(&db, "r1", "Falcon", RoomKind::Group).await.unwrap();
    let cells = [
        (AgentFunction::Summarize, "Falcon".to_owned(), Mode::Live),
        (AgentFunction::AlertTriage, "Nowhere".to_owned(), Mode::Live),
    ];
    let refused = policy::set_modes(&db, &cells, &admin).await.unwrap_err();
    assert_eq!(refused.to_string(), "Steward knows no space `Nowhere`");
    let unchanged = policy::effective(&db, AgentFunction::Summarize, "r1").await.unwrap();
    assert_eq!(unchanged.mode, Mode::Off);
    assert_eq!(policy::set_modes(&db, &cells[..1], &admin).await.unwrap(), 1);
    assert_eq!(policy::set_modes(&db, &cells[..1], &admin).await.unwrap(), 0);
});

db_test!(async fn the_prompts_page_names_authors_and_refuses_a_diff_with_a_missing_version(db) {
    let page = console::prompts::page(&db, AgentFunction::Summarize, None).await.unwrap();
    assert_eq!(page.versions.len(), 1);
    assert_eq!(page.versions[0].author, "Steward (builtin)");
    assert_eq!(page.release_by, "Steward (builtin)");
    let missing = console::prompts::page(&db, AgentFunction::Summarize, Some((1, 9)))
        .await
        .unwrap_err();
    assert_eq!(missing.to_string(), "summarize has no version 9.");
    let same = console::prompts::page(&db, AgentFunction::Summarize, Some((1, 1))).await.unwrap();
    assert!(same.diff.is_some());
    assert_eq!(prompts::versions(&db, AgentFunction::Summarize).await.unwrap().len(), 1);
});

db_test!(async fn the_audit_page_names_people_and_spaces(db) {
    let alex = EmailAddress::parse("alex@acme.example").unwrap();
    let (user, _) = users::sign_in(
        &db,
        &WebexProfile {
            email: alex.clone(),
            display_name: "Alex Rivera".into(),
            person_id: "person-alex".into(),
            org_id: "org".into(),
        },
    )
    .await
    .unwrap();
    users::grant_role(&db, &alex, Role::Admin, &Actor::system("config")).await.unwrap();
    policy::remember_space(&db, "r1", "Falcon", RoomKind::Group).await.unwrap();
    audit::record(
        &db,
        NewEntry {
            actor: Actor::webex("person-alex"),
            action: "space.bot_added".into(),
            target: "space:r1".into(),
            before: None,
            after: None,
        },
    )
    .await
    .unwrap();
    let page = console::audit::page(&db, &Filter::default(), None, 2).await.unwrap();
    let rows: Vec<(&str, &str)> = page
        .entries
        .items
        .iter()
        .map(|r| (r.actor.as_str(), r.target.as_str()))
        .collect();
    assert_eq!(rows, [("Alex Rivera", "space Falcon"), ("Steward (config)", "user:alex@acme.example")]);
    assert_eq!(page.entries.next, Some(2));
    assert_eq!(page.total, 3);
    let mine = Filter {
        actor: Some(Actor::User(user.id)),
        ..Filter::default()
    };
    let signed_in = console::audit::page(&db, &mine, None, 10).await.unwrap();
    assert_eq!(signed_in.entries.items.len(), 1);
    assert_eq!(signed_in.entries.items[0].actor, "Alex Rivera");

    // The Actor filter takes a name or an e-mail, in any case, or an actor as stored.
    let me = Some(Actor::User(user.id));
    assert_eq!(console::audit::find_actor(&db, "alex rivera").await.unwrap(), me);
    assert_eq!(console::audit::find_actor(&db, " ALEX@acme.example ").await.unwrap(), me);
    assert_eq!(console::audit::find_actor(&db, &format!("user:{}", user.id)).await.unwrap(), me);
    assert_eq!(
        console::audit::find_actor(&db, "system:runtime").await.unwrap(),
        Some(Actor::system("runtime"))
    );
    assert_eq!(console::audit::find_actor(&db, "Nobody Here").await.unwrap(), None);
});
