use domain::{
    Backend,
    audit::Actor,
    db_test, status,
    users::{self, EmailAddress, Role},
};

db_test!(async fn overview_counts_roles_and_audit_entries(db) {
    let admin = EmailAddress::parse("admin@example.com").unwrap();
    users::seed_admins(&db, &[admin]).await.unwrap();
    let reviewer = EmailAddress::parse("rev@example.com").unwrap();
    users::grant_role(&db, &reviewer, Role::Reviewer, &Actor::User(1)).await.unwrap();

    let overview = status::overview(&db).await.unwrap();
    assert!(overview.readiness.is_ready());
    assert_eq!(overview.readiness.backend, db.backend());
    assert!(matches!(overview.readiness.backend, Backend::Sqlite | Backend::Postgres));
    assert_eq!(overview.audit_entries, 2);
    assert_eq!(overview.role_counts, vec![(Role::Admin, 1), (Role::Reviewer, 1), (Role::Manager, 0)]);
    assert!(overview.events.is_empty());
    assert_eq!(overview.jobs, domain::queue::QueueCounts::default());
});
