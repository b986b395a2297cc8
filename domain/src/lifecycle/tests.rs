//! Each aggregate's one state-changing function against a real database: legal moves go
//! through, illegal ones are refused and leave the row as it was.

use serde_json::json;
use vocab::{ActionState, AgentFunction, DraftState, EventState, IntegrationKind, OutboxState};

use crate::{
    Db,
    actions::{self, ActionError, Proposal},
    audit::Actor,
    db::{self, drafts::NewDraft, outbox::NewOutbox},
    db_test,
    drafts::{self, DraftError},
    inbox::{self, Disposition, NewInboxEvent, ReceivedEvent},
    lifecycle::MoveError,
    outbox::{self, Settled},
};

/// Stores one queued event and returns its id.
async fn queued_event(db: &Db, data_id: &str) -> i64 {
    let event = ReceivedEvent::parse(
        json!({"id": "w", "resource": "messages", "event": "created",
               "data": {"id": data_id, "roomId": "r1", "personId": "p1"}})
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    let mut tx = db.begin().await.unwrap();
    let ids = db::inbox::insert_many(
        &mut tx,
        &[NewInboxEvent {
            event,
            source: "webhook",
            disposition: Disposition::Queue,
        }],
        0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    ids[0].unwrap()
}

async fn move_event(db: &Db, id: i64, to: EventState) -> Result<(), MoveError> {
    let mut tx = db.begin().await.unwrap();
    let moved = inbox::move_event(&mut tx, id, to, None).await;
    tx.commit().await.unwrap();
    moved
}

async fn event_state(db: &Db, id: i64) -> EventState {
    inbox::find(db, id).await.unwrap().unwrap().state
}

db_test!(async fn an_event_moves_forward_and_never_back(db) {
    let id = queued_event(&db, "m1").await;
    move_event(&db, id, EventState::Replying).await.unwrap();
    move_event(&db, id, EventState::Replied).await.unwrap();
    for back in [EventState::Queued, EventState::Replying, EventState::Dead] {
        let refused = move_event(&db, id, back).await.unwrap_err();
        assert!(matches!(refused, MoveError::Illegal(_)), "{refused}");
        assert_eq!(
            refused.to_string(),
            format!("event {id} cannot go from replied to {back}")
        );
    }
    assert_eq!(event_state(&db, id).await, EventState::Replied);
    let missing = move_event(&db, id + 100, EventState::Replying).await.unwrap_err();
    assert!(matches!(missing, MoveError::NotFound { what: "event", .. }), "{missing}");
});

db_test!(async fn a_drafted_event_is_answered_only_through_its_draft(db) {
    let id = queued_event(&db, "m2").await;
    move_event(&db, id, EventState::Drafted).await.unwrap();
    assert!(move_event(&db, id, EventState::Replied).await.is_err());
    assert!(move_event(&db, id, EventState::Shadowed).await.is_err());
    move_event(&db, id, EventState::Replying).await.unwrap();
    assert_eq!(event_state(&db, id).await, EventState::Replying);
});

db_test!(async fn a_stored_value_steward_does_not_know_is_an_error_naming_the_column(db) {
    let id = draft(&db, DraftState::Pending).await;
    sqlx::query("UPDATE drafts SET decided_by = 'robot:1' WHERE id = $1")
        .bind(id)
        .execute(db.writer())
        .await
        .unwrap();
    let error = drafts::find(&db, id).await.unwrap_err();
    let text = crate::error_chain(&error);
    assert!(text.contains("drafts.decided_by") && text.contains("`robot:1` is not an actor"), "{text}");
});

async fn draft(db: &Db, state: DraftState) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = db::drafts::insert(
        &mut tx,
        &NewDraft {
            event_id: None,
            function: AgentFunction::Summarize,
            room_id: "r1",
            parent_id: None,
            trigger_message_id: None,
            trigger_person_id: None,
            prompt_version: "summarize@v1",
            engine: "local",
            markdown: "**Decisions**",
            card_json: None,
            state,
            context: &[],
        },
        0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

db_test!(async fn a_draft_is_decided_once_and_a_shadow_draft_never_posts(db) {
    let reviewer = Actor::User(1);
    let shadow = draft(&db, DraftState::Shadow).await;
    let refused = drafts::approve(&db, shadow, &reviewer, None).await.unwrap_err();
    assert!(matches!(refused, DraftError::Illegal(_)), "{refused}");
    assert_eq!(drafts::find(&db, shadow).await.unwrap().state, DraftState::Shadow);

    let pending = draft(&db, DraftState::Pending).await;
    drafts::reject(&db, pending, &reviewer, "off topic").await.unwrap();
    let again = drafts::approve(&db, pending, &reviewer, None).await.unwrap_err();
    assert!(matches!(again, DraftError::AlreadyDecided(_)), "{again}");
    let stored = drafts::find(&db, pending).await.unwrap();
    assert_eq!((stored.state, stored.decided_by), (DraftState::Rejected, Some(reviewer)));
});

db_test!(async fn an_action_is_sent_only_once_approved_and_finishes_once(db) {
    let reviewer = Actor::User(1);
    let proposal = Proposal {
        kind: IntegrationKind::Webhook,
        function: AgentFunction::AlertTriage,
        room_id: "r1",
        thread_id: None,
        subject: "alert:1",
        title: "Escalate",
        payload: json!({}),
        proposed_by: &reviewer,
        destination: "https://hooks.example.com",
    };
    let mut tx = db.begin().await.unwrap();
    let id = actions::propose_in(&mut tx, &db, &proposal).await.unwrap().unwrap();
    tx.commit().await.unwrap();

    let mut tx = db.begin().await.unwrap();
    actions::failed_in(&mut tx, &db, id, "too early").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(actions::find(&db, id).await.unwrap().state, ActionState::Pending);

    actions::approve(&db, id, &reviewer, "Riley").await.unwrap();
    let twice = actions::reject(&db, id, &reviewer, "Riley", "no").await.unwrap_err();
    assert!(matches!(twice, ActionError::AlreadyDecided(_)), "{twice}");

    for reason in ["down", "still down"] {
        let mut tx = db.begin().await.unwrap();
        actions::failed_in(&mut tx, &db, id, reason).await.unwrap();
        tx.commit().await.unwrap();
    }
    let failed = actions::find(&db, id).await.unwrap();
    assert_eq!((failed.state, failed.error.as_deref()), (ActionState::Failed, Some("down")));
});

db_test!(async fn an_outbox_message_is_settled_once(db) {
    let mut tx = db.begin().await.unwrap();
    let id = outbox::queue_post(
        &mut tx,
        &NewOutbox {
            event_id: None,
            draft_id: None,
            room_id: "r1",
            parent_id: None,
            markdown: "hello",
            card_json: None,
        },
    )
    .await
    .unwrap();
    outbox::settle(&mut tx, id, Settled::Sent { message_id: "m9", at: 1 }).await.unwrap();
    let refused = outbox::settle(&mut tx, id, Settled::Dead("late")).await.unwrap_err();
    tx.commit().await.unwrap();
    assert_eq!(
        refused.to_string(),
        format!("outbox message {id} cannot go from sent to dead")
    );
    let row = db::outbox::find(db.reader(), id).await.unwrap().unwrap();
    assert_eq!(row.state, OutboxState::Sent);
});
