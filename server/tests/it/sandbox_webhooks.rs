//! Webhook delivery from the sandbox: signatures, envelopes, bot visibility, card actions and
//! disabling after failures.

use std::sync::atomic::Ordering;

use domain::{
    db_test,
    webex::{markup::mention_person, signature::verify},
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use webex_sandbox::seed::PROJECT_SPACE;

use crate::sandbox_support::{Receiver, SandboxServer};

const SAM: &str = "sam.okafor@acme.example";

async fn hook(
    s: &SandboxServer,
    token: &str,
    target: &str,
    resource: &str,
    event: &str,
    secret: Option<&str>,
) -> Value {
    let mut body = json!({ "name": format!("{resource}/{event}"), "targetUrl": target, "resource": resource, "event": event });
    if let Some(secret) = secret {
        body["secret"] = json!(secret);
    }
    let response = s.post("/webhooks", token, body).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

db_test!(async fn deliveries_are_signed_over_the_exact_bytes_and_carry_no_text(db) {
    let s = SandboxServer::start(&db).await;
    let (receiver, addr) = Receiver::start().await;
    let webhook = hook(&s, &s.seed.bot_token, &format!("http://{addr}/hook"), "messages", "created", Some("shh")).await;

    let sam = s.token_for(SAM).await;
    let room = s.room_id(&sam, PROJECT_SPACE).await;
    let markdown = format!("{} summarize", mention_person(&s.seed.bot_id, "Steward"));
    let posted: Value = s.post("/messages", &sam, json!({ "roomId": room, "markdown": markdown })).send().await.unwrap().json().await.unwrap();

    let deliveries = receiver.wait_for(1).await;
    let (headers, body) = &deliveries[0];
    let signature = headers["x-spark-signature"].to_str().unwrap();
    assert_eq!(signature.len(), 40);
    assert!(verify(b"shh", body, signature), "signature over the raw bytes");
    let envelope: Value = serde_json::from_slice(body).unwrap();
    let pretty = serde_json::to_vec_pretty(&envelope).unwrap();
    assert!(!verify(b"shh", &pretty, signature), "the same JSON with other whitespace must not verify");
    let typed: domain::webex::types::Envelope = serde_json::from_slice(body).unwrap();
    assert_eq!(serde_json::to_vec(&typed).unwrap(), body.to_vec(), "deliveries are compact JSON in Webex's field order");

    assert_eq!(envelope["id"], webhook["id"], "the envelope id is the webhook's");
    assert_eq!(envelope["created"], webhook["created"], "created is the webhook's");
    assert_eq!((envelope["resource"].as_str(), envelope["event"].as_str()), (Some("messages"), Some("created")));
    assert_eq!(envelope["createdBy"], s.seed.bot_id);
    assert_eq!(envelope["actorId"], posted["personId"]);
    assert!(envelope.get("secret").is_none());
    assert_eq!(envelope["data"]["id"], posted["id"]);
    assert_eq!(envelope["data"]["personEmail"], SAM);
    assert!(envelope["data"].get("text").is_none() && envelope["data"].get("markdown").is_none(), "no content in deliveries");
});

db_test!(async fn bot_webhooks_fire_for_mentions_in_group_spaces_and_everything_in_1_1(db) {
    let s = SandboxServer::start(&db).await;
    let (receiver, addr) = Receiver::start().await;
    hook(&s, &s.seed.bot_token, &format!("http://{addr}/hook"), "all", "all", None).await;
    let sam = s.token_for(SAM).await;
    let room = s.room_id(&sam, PROJECT_SPACE).await;
    s.post("/messages", &sam, json!({ "roomId": room, "text": "no mention here" })).send().await.unwrap();
    s.post("/messages", &sam, json!({ "toPersonId": s.seed.bot_id, "text": "direct question" })).send().await.unwrap();
    s.post("/messages", &sam, json!({ "roomId": room, "markdown": mention_person(&s.seed.bot_id, "Steward") + " help" })).send().await.unwrap();
    let deliveries = receiver.wait_for(2).await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(receiver.count(), 2, "the unmentioned group message is not delivered to the bot");
    let first: Value = serde_json::from_slice(&deliveries[0].1).unwrap();
    assert_eq!(first["data"]["roomType"], "direct");

    // The bot's own posts in a group space fire its webhook too, as at Webex.
    s.post("/messages", &s.seed.bot_token, json!({ "roomId": room, "text": "Here is the summary." })).send().await.unwrap();
    let deliveries = receiver.wait_for(3).await;
    let own: Value = serde_json::from_slice(&deliveries[2].1).unwrap();
    assert_eq!(own["data"]["personId"], s.seed.bot_id);
    assert_eq!(own["actorId"], own["createdBy"]);
});

db_test!(async fn a_card_click_round_trips_to_the_cards_author_only(db) {
    let s = SandboxServer::start(&db).await;
    let (firehose, firehose_addr) = Receiver::start().await;
    let (cards, cards_addr) = Receiver::start().await;
    hook(&s, &s.seed.bot_token, &format!("http://{firehose_addr}/hook"), "all", "all", None).await;
    hook(&s, &s.seed.bot_token, &format!("http://{cards_addr}/hook"), "attachmentActions", "created", None).await;

    let sam = s.token_for(SAM).await;
    let direct: Value = s.post("/messages", &s.seed.bot_token, json!({ "toPersonEmail": SAM, "text": "Disk full on web-01",
        "attachments": [domain::webex::cards::AdaptiveCard::new().input_text("note", "Note").submit("Acknowledge", json!({ "action": "ack" })).into_attachment()] }))
        .send().await.unwrap().json().await.unwrap();
    let firehose_before = firehose.wait_for(1).await.len();

    let response = s.post("/attachment/actions", &sam, json!({ "type": "submit", "messageId": direct["id"], "inputs": { "note": "on it", "action": "ack" } })).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let action: Value = response.json().await.unwrap();

    let delivered = cards.wait_for(1).await;
    let envelope: Value = serde_json::from_slice(&delivered[0].1).unwrap();
    assert_eq!(envelope["resource"], "attachmentActions");
    assert_eq!(envelope["data"]["id"], action["id"]);
    assert!(envelope["data"].get("inputs").is_none(), "inputs are fetched, not delivered");
    let fetched: Value = s.get(&format!("/attachment/actions/{}", action["id"].as_str().unwrap()), &s.seed.bot_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(fetched["inputs"], json!({ "note": "on it", "action": "ack" }));
    assert_eq!(fetched["messageId"], direct["id"]);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(firehose.count(), firehose_before, "the resource=all firehose excludes attachmentActions");
});

db_test!(async fn a_target_failing_100_times_in_5_minutes_is_disabled_until_reactivated(db) {
    let s = SandboxServer::start(&db).await;
    let (receiver, addr) = Receiver::start().await;
    receiver.status.store(500, Ordering::SeqCst);
    let sam = s.token_for(SAM).await;
    let webhook = hook(&s, &sam, &format!("http://{addr}/hook"), "messages", "created", None).await;
    let room = s.room_id(&sam, PROJECT_SPACE).await;
    let caller = s.sandbox.authenticate(Some(&format!("Bearer {sam}"))).await.unwrap();
    for n in 0..105 {
        let request = domain::webex::types::CreateMessage { room_id: Some(room.clone()), text: Some(format!("m{n}")), ..Default::default() };
        s.sandbox.create_message(&caller, &request).await.unwrap();
    }
    let id = webhook["id"].as_str().unwrap();
    let mut status = String::new();
    for _ in 0..200 {
        let current: Value = s.get(&format!("/webhooks/{id}"), &sam).send().await.unwrap().json().await.unwrap();
        status = current["status"].as_str().unwrap().to_owned();
        let pending = s.sandbox.delivery_counts().await.unwrap().iter().any(|(state, _)| state == "pending");
        if status == "inactive" && !pending {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, "inactive");
    assert_eq!(receiver.count(), 100, "delivery stops at the 100th failure");

    // Re-activation works; a failure within five minutes of disabling disables it again at once.
    let update = json!({ "name": "again", "targetUrl": format!("http://{addr}/hook"), "status": "active" });
    let reactivated: Value = s.http.put(s.url(&format!("/webhooks/{id}"))).bearer_auth(&sam).json(&update).send().await.unwrap().json().await.unwrap();
    assert_eq!(reactivated["status"], "active");
    s.post("/messages", &sam, json!({ "roomId": room, "text": "after" })).send().await.unwrap();
    receiver.wait_for(101).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let current: Value = s.get(&format!("/webhooks/{id}"), &sam).send().await.unwrap().json().await.unwrap();
    assert_eq!(current["status"], "inactive");
});

db_test!(async fn deliveries_can_be_dropped_by_fault_injection(db) {
    let s = SandboxServer::start(&db).await;
    let (receiver, addr) = Receiver::start().await;
    let sam = s.token_for(SAM).await;
    hook(&s, &sam, &format!("http://{addr}/hook"), "messages", "created", None).await;
    let alex = s.token_for("alex.rivera@acme.example").await;
    s.http.put(s.url("/_faults")).bearer_auth(&alex).json(&json!({ "drop_next_deliveries": 1 })).send().await.unwrap();
    let room = s.room_id(&sam, PROJECT_SPACE).await;
    s.post("/messages", &sam, json!({ "roomId": room, "text": "dropped" })).send().await.unwrap();
    s.post("/messages", &sam, json!({ "roomId": room, "text": "delivered" })).send().await.unwrap();
    let deliveries = receiver.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(receiver.count(), 1);
    let envelope: Value = serde_json::from_slice(&deliveries[0].1).unwrap();
    let message: Value = s.get(&format!("/messages/{}", envelope["data"]["id"].as_str().unwrap()), &sam).send().await.unwrap().json().await.unwrap();
    assert_eq!(message["text"], "delivered");
    let counts = s.sandbox.delivery_counts().await.unwrap();
    assert!(counts.contains(&("dropped".to_owned(), 1)), "{counts:?}");
});
