use serde_json::json;

use super::{Disposition, ReceivedEvent, classify};

fn envelope(resource: &str, event: &str, data: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": "webhook-1", "name": "steward", "targetUrl": "https://steward.example/webhooks/webex",
        "resource": resource, "event": event, "orgId": "org", "createdBy": "bot", "appId": "app",
        "ownedBy": "creator", "status": "active", "created": "2026-02-25T19:19:04.231Z",
        "actorId": "person-1", "data": data
    }))
    .unwrap()
}

#[test]
fn a_real_envelope_parses_with_its_routing_fields() {
    let body = envelope(
        "messages",
        "created",
        json!({"id": "m1", "roomId": "r1", "roomType": "group", "personId": "p1",
               "personEmail": "a@b.c", "created": "2026-03-02T20:26:02.321Z", "parentId": "root"}),
    );
    let event = ReceivedEvent::parse(&body).unwrap();
    assert_eq!(event.resource, "messages");
    assert_eq!(event.event, "created");
    assert_eq!(event.webhook_id.as_deref(), Some("webhook-1"));
    assert_eq!(event.actor_id.as_deref(), Some("person-1"));
    assert_eq!(event.data_id(), Some("m1"));
    assert_eq!(event.room_id(), Some("r1"));
    assert_eq!(event.person_id(), Some("p1"));
    assert_eq!(event.parent_id(), Some("root"));
    assert_eq!(event.created_ms(), Some(1_772_483_162_321));
}

#[test]
fn bodies_that_are_not_envelopes_are_refused_with_the_reason() {
    for (body, expected) in [
        (b"not json".to_vec(), "expected"),
        (
            br#"{"resource":"messages","event":"created"}"#.to_vec(),
            "data",
        ),
        (
            br#"{"resource":"messages","event":"created","data":{"roomId":"r"}}"#.to_vec(),
            "`data.id` is missing",
        ),
        (
            br#"{"resource":"","event":"created","data":{"id":"m"}}"#.to_vec(),
            "must not be empty",
        ),
    ] {
        let error = ReceivedEvent::parse(&body).unwrap_err().to_string();
        assert!(error.contains(expected), "{error}");
    }
}

#[test]
fn steward_handles_messages_card_clicks_and_its_own_memberships() {
    let event = |resource: &str, name: &str, person: &str| {
        ReceivedEvent::parse(&envelope(
            resource,
            name,
            json!({"id": "x", "personId": person, "roomId": "r"}),
        ))
        .unwrap()
    };
    let bot = Some("bot");
    assert_eq!(
        classify(&event("messages", "created", "p1"), bot),
        Disposition::Queue
    );
    assert_eq!(
        classify(&event("messages", "created", "bot"), bot),
        Disposition::Ignore("the bot's own message")
    );
    assert!(matches!(
        classify(&event("messages", "deleted", "p1"), bot),
        Disposition::Ignore(_)
    ));
    assert_eq!(
        classify(&event("attachmentActions", "created", "p1"), bot),
        Disposition::Queue
    );
    assert_eq!(
        classify(&event("memberships", "created", "bot"), bot),
        Disposition::Queue
    );
    assert_eq!(
        classify(&event("memberships", "deleted", "bot"), bot),
        Disposition::Queue
    );
    assert!(matches!(
        classify(&event("memberships", "created", "p1"), bot),
        Disposition::Ignore(_)
    ));
    assert!(matches!(
        classify(&event("rooms", "updated", "p1"), bot),
        Disposition::Ignore(_)
    ));
    assert!(matches!(
        classify(&event("meetings", "started", "p1"), bot),
        Disposition::Ignore(_)
    ));
    // Before the bot's identity is known, the pipeline decides.
    assert_eq!(
        classify(&event("memberships", "created", "p1"), None),
        Disposition::Queue
    );
}
