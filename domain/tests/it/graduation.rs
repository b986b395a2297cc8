use domain::{
    agents::AgentFunction,
    audit::{self, Actor},
    db_test,
    graduation::{self, GraduationError, Thresholds},
};

db_test!(async fn a_new_version_is_on_probation_until_an_admin_or_approvals_graduate_it(db) {
    let f = AgentFunction::Summarize;
    let standing = graduation::standing(&db, f, 1).await.unwrap();
    assert!(!standing.graduated);
    assert_eq!(graduation::thresholds(&db).await.unwrap(), Thresholds { min_approvals: 100, min_rate_percent: 95, demote_after: 3 });

    graduation::graduate_now(&db, f, 1, &Actor::User(1)).await.unwrap();
    assert!(graduation::standing(&db, f, 1).await.unwrap().graduated);
    assert!(!graduation::standing(&db, f, 2).await.unwrap().graduated, "each version earns it");
    let entry = &audit::recent(&db, 1).await.unwrap()[0];
    assert_eq!((entry.action.as_str(), entry.target.as_str()), ("agent.graduate", "prompt:summarize@v1"));
});

db_test!(async fn thresholds_out_of_range_are_refused(db) {
    let admin = Actor::User(1);
    let bad = Thresholds { min_approvals: 0, ..Thresholds::default() };
    assert!(matches!(graduation::set_thresholds(&db, bad, &admin).await, Err(GraduationError::Invalid("min_approvals", _))));
    let bad = Thresholds { min_rate_percent: 101, ..Thresholds::default() };
    assert!(matches!(graduation::set_thresholds(&db, bad, &admin).await, Err(GraduationError::Invalid("min_rate_percent", _))));
    let good = Thresholds { min_approvals: 2, min_rate_percent: 60, demote_after: 2 };
    assert!(graduation::set_thresholds(&db, good, &admin).await.unwrap());
    assert_eq!(graduation::thresholds(&db).await.unwrap(), good);
});
