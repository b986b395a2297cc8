use domain::{
    audit::{self, Actor},
    db_test,
    users::{self, EmailAddress, Role},
};

fn email(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

db_test!(async fn granting_a_role_creates_the_person_and_audits_it(db) {
    let alice = email("Alice@Example.com");
    let granted = users::grant_role(&db, &alice, Role::Reviewer, &Actor::User(1)).await.unwrap();
    assert!(granted);

    let (user, roles) = users::find_with_roles(&db, &alice).await.unwrap().unwrap();
    assert_eq!(user.email, "alice@example.com");
    assert_eq!(roles, vec![Role::Reviewer]);

    let entry = &audit::recent(&db, 1).await.unwrap()[0];
    assert_eq!(entry.actor, "user:1");
    assert_eq!(entry.action, "role.grant");
    assert_eq!(entry.target, "user:alice@example.com");
    assert_eq!(entry.before_json.as_deref(), Some(r#"{"roles":[]}"#));
    assert_eq!(entry.after_json.as_deref(), Some(r#"{"roles":["reviewer"]}"#));
});

db_test!(async fn granting_a_role_twice_changes_and_audits_nothing(db) {
    let bob = email("bob@example.com");
    assert!(users::grant_role(&db, &bob, Role::Manager, &Actor::User(1)).await.unwrap());
    assert!(!users::grant_role(&db, &bob, Role::Manager, &Actor::User(1)).await.unwrap());
    assert_eq!(audit::len(&db).await.unwrap(), 1);
});

db_test!(async fn revoking_a_role_keeps_the_others_and_audits_before_and_after(db) {
    let carol = email("carol@example.com");
    // Another admin, so Carol is not the last one.
    users::grant_role(&db, &email("dan@example.com"), Role::Admin, &Actor::User(1)).await.unwrap();
    users::grant_role(&db, &carol, Role::Admin, &Actor::User(1)).await.unwrap();
    users::grant_role(&db, &carol, Role::Manager, &Actor::User(1)).await.unwrap();

    assert!(users::revoke_role(&db, &carol, Role::Admin, &Actor::User(2)).await.unwrap());
    let (_, roles) = users::find_with_roles(&db, &carol).await.unwrap().unwrap();
    assert_eq!(roles, vec![Role::Manager]);

    let entry = &audit::recent(&db, 1).await.unwrap()[0];
    assert_eq!(entry.action, "role.revoke");
    assert_eq!(entry.before_json.as_deref(), Some(r#"{"roles":["admin","manager"]}"#));
    assert_eq!(entry.after_json.as_deref(), Some(r#"{"roles":["manager"]}"#));

    // Revoking what is not held, or from someone unknown, is a no-op.
    assert!(!users::revoke_role(&db, &carol, Role::Admin, &Actor::User(2)).await.unwrap());
    assert!(!users::revoke_role(&db, &email("nobody@example.com"), Role::Admin, &Actor::User(2)).await.unwrap());
    assert_eq!(audit::len(&db).await.unwrap(), 4);
});

db_test!(async fn the_last_admin_keeps_the_admin_role(db) {
    let only = email("only@example.com");
    users::grant_role(&db, &only, Role::Admin, &Actor::User(1)).await.unwrap();
    let refused = users::revoke_role(&db, &only, Role::Admin, &Actor::User(1)).await.unwrap_err();
    assert_eq!(refused.to_string(), "only@example.com is the last admin; make someone else an admin first");
    assert_eq!(users::role_counts(&db).await.unwrap()[0], (Role::Admin, 1));
    assert_eq!(audit::len(&db).await.unwrap(), 1);
});

db_test!(async fn everyone_is_listed_with_their_roles(db) {
    users::grant_role(&db, &email("b@example.com"), Role::Reviewer, &Actor::User(1)).await.unwrap();
    users::grant_role(&db, &email("b@example.com"), Role::Admin, &Actor::User(1)).await.unwrap();
    users::grant_role(&db, &email("a@example.com"), Role::Manager, &Actor::User(1)).await.unwrap();
    let listed: Vec<(String, Vec<Role>)> = users::list(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|(u, roles)| (u.email, roles))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("a@example.com".to_owned(), vec![Role::Manager]),
            ("b@example.com".to_owned(), vec![Role::Admin, Role::Reviewer]),
        ]
    );
});

db_test!(async fn seeding_admins_is_idempotent(db) {
    let admins = [email("root@example.com"), email("ops@example.com")];
    assert_eq!(users::seed_admins(&db, &admins).await.unwrap(), 2);
    assert_eq!(users::seed_admins(&db, &admins).await.unwrap(), 0);

    let entry = &audit::recent(&db, 1).await.unwrap()[0];
    assert_eq!(entry.actor, "system:config");
    let counts = users::role_counts(&db).await.unwrap();
    assert_eq!(counts, vec![(Role::Admin, 2), (Role::Reviewer, 0), (Role::Manager, 0)]);
});

db_test!(async fn unknown_people_have_no_roles(db) {
    assert!(users::find_with_roles(&db, &email("stranger@example.com")).await.unwrap().is_none());
});
