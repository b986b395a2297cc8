use std::sync::Arc;

use domain::{
    Db, db_test,
    inbox::{self, Disposition, EventState, IngestOutcome, Ingestor, ReceivedEvent},
    queue,
};
use serde_json::json;
use tokio::sync::Notify;

fn ingestor(db: &Db) -> Ingestor {
    let (ingestor, writer) = Ingestor::new(db.clone(), Arc::new(Notify::new()));
    if let Some(writer) = writer {
        tokio::spawn(writer.run());
    }
    ingestor
}

fn message_event(id: &str) -> ReceivedEvent {
    ReceivedEvent::parse(
        json!({
            "id": "webhook-1", "resource": "messages", "event": "created", "actorId": "p1",
            "data": {"id": id, "roomId": "room-1", "roomType": "group", "personId": "p1",
                     "personEmail": "p1@acme.example", "created": "2026-03-02T20:26:02.321Z"}
        })
        .to_string()
        .as_bytes(),
    )
    .unwrap()
}

db_test!(async fn an_event_is_stored_with_its_job_and_a_redelivery_changes_nothing(db) {
    let ingestor = ingestor(&db);
    let outcome = ingestor.ingest(message_event("m1"), Disposition::Queue).await.unwrap();
    let IngestOutcome::Queued(id) = outcome else { panic!("{outcome:?}") };
    assert_eq!(
        ingestor.ingest(message_event("m1"), Disposition::Queue).await.unwrap(),
        IngestOutcome::Duplicate
    );

    let stored = inbox::find(&db, id).await.unwrap().unwrap();
    assert_eq!((stored.resource.as_str(), stored.event.as_str()), ("messages", "created"));
    assert_eq!(stored.data_id, "m1");
    assert_eq!(stored.room_id.as_deref(), Some("room-1"));
    assert_eq!(stored.person_id.as_deref(), Some("p1"));
    assert_eq!(stored.webhook_id.as_deref(), Some("webhook-1"));
    assert_eq!(stored.created_ms, Some(1_772_483_162_321));
    assert_eq!(stored.state, EventState::Queued);
    assert_eq!(stored.source, "webhook");
    assert_eq!(queue::counts(&db).await.unwrap().queued, 1);
});

db_test!(async fn ignored_events_are_stored_without_a_job(db) {
    let ingestor = ingestor(&db);
    let outcome = ingestor
        .ingest(message_event("m2"), Disposition::Ignore("the bot's own message"))
        .await
        .unwrap();
    assert_eq!(outcome, IngestOutcome::Ignored("the bot's own message"));
    assert_eq!(inbox::state_counts(&db).await.unwrap(), vec![(EventState::Ignored, 1)]);
    assert_eq!(queue::counts(&db).await.unwrap().queued, 0);
});

db_test!(async fn concurrent_deliveries_are_each_stored_once(db) {
    let ingestor = ingestor(&db);
    // 32 senders, 20 events each, every event delivered twice.
    let mut tasks = Vec::new();
    for sender in 0..32 {
        let ingestor = ingestor.clone();
        tasks.push(tokio::spawn(async move {
            let mut queued = 0;
            for n in 0..40 {
                let id = format!("m-{sender}-{}", n / 2);
                if let IngestOutcome::Queued(_) =
                    ingestor.ingest(message_event(&id), Disposition::Queue).await.unwrap()
                {
                    queued += 1;
                }
            }
            queued
        }));
    }
    let mut queued = 0;
    for task in tasks {
        queued += task.await.unwrap();
    }
    assert_eq!(queued, 32 * 20);
    assert_eq!(queue::counts(&db).await.unwrap().queued, 32 * 20);
    assert_eq!(inbox::state_counts(&db).await.unwrap(), vec![(EventState::Queued, 32 * 20)]);
});
