use domain::{
    audit::Actor,
    db_test,
    drafts::{self, DraftError},
};

db_test!(async fn oversized_reviewer_input_is_refused_before_it_is_read(db) {
    let reviewer = Actor::User(1);
    let too_many: Vec<i64> = (1..=101).collect();
    let refused = drafts::approve_each(&db, &too_many, &reviewer).await.unwrap_err();
    assert!(matches!(refused, DraftError::Invalid(m) if m.contains("at most 100")), "{refused:?}");
    let refused = drafts::reject(&db, 1, &reviewer, &"x".repeat(501)).await.unwrap_err();
    assert!(matches!(refused, DraftError::Invalid(m) if m.contains("500 characters")), "{refused:?}");
    // Within the bounds the request is judged on its merits: there is no draft 1.
    assert!(matches!(drafts::reject(&db, 1, &reviewer, "too long").await, Err(DraftError::NotFound(1))));
    assert_eq!(drafts::approve_each(&db, &[1, 2], &reviewer).await.unwrap(), 0);
});
