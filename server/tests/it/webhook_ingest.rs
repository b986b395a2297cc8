//! `POST /webhooks/webex` against the real router: signature first, then parse, then commit, then
//! 200; bad input is refused with nothing written.

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode},
};
use domain::vocab::EventState;
use domain::{Db, db_test, inbox, queue, testing::register_webhook_secret, webex::signature::sign};
use serde_json::{Value, json};

use crate::helpers::{TestResponse, send, webhook_app};

const SECRET: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

fn envelope(resource: &str, event: &str, data_id: &str, person: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": "webhook-1", "name": "Steward firehose",
        "targetUrl": "http://steward.test/webhooks/webex",
        "resource": resource, "event": event, "orgId": "org", "createdBy": "bot",
        "appId": "app", "ownedBy": "creator", "status": "active",
        "created": "2026-02-25T19:19:04.231Z", "actorId": person,
        "data": {"id": data_id, "roomId": "room-1", "roomType": "group", "personId": person,
                 "personEmail": "sam.okafor@acme.example", "created": "2026-03-02T20:26:02.321Z"}
    }))
    .unwrap()
}

async fn deliver(app: &Router, body: Vec<u8>, signature: Option<String>) -> TestResponse {
    let mut request = Request::post("/webhooks/webex").header("content-type", "application/json");
    if let Some(signature) = signature {
        request = request.header("x-spark-signature", signature);
    }
    send(app, request.body(Body::from(body)).unwrap()).await
}

async fn signed(app: &Router, body: Vec<u8>) -> TestResponse {
    let signature = sign(SECRET.as_bytes(), &body);
    deliver(app, body, Some(signature)).await
}

async fn stored(db: &Db) -> (i64, i64) {
    let events: i64 = inbox::state_counts(db)
        .await
        .unwrap()
        .iter()
        .map(|(_, n)| n)
        .sum();
    let counts = queue::counts(db).await.unwrap();
    (
        events,
        counts.queued + counts.running + counts.done + counts.dead,
    )
}

db_test!(async fn a_signed_delivery_is_committed_with_its_job_before_the_200(db) {
    register_webhook_secret(&db, "webhook-1", SECRET).await;
    let (app, _ingest) = webhook_app(&db).await;

    let response = signed(&app, envelope("messages", "created", "m1", "sam")).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.json(), json!({ "outcome": "queued" }));
    assert!(response.headers.get("set-cookie").is_none(), "webhooks get no session");
    assert_eq!(stored(&db).await, (1, 1));
});

db_test!(async fn a_redelivery_of_the_same_event_writes_nothing_more(db) {
    register_webhook_secret(&db, "webhook-1", SECRET).await;
    let (app, _ingest) = webhook_app(&db).await;
    let body = envelope("messages", "created", "m1", "sam");
    assert_eq!(signed(&app, body.clone()).await.json()["outcome"], "queued");
    for _ in 0..3 {
        let again = signed(&app, body.clone()).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.json()["outcome"], "duplicate");
    }
    assert_eq!(stored(&db).await, (1, 1));
});

db_test!(async fn a_missing_or_wrong_signature_is_a_401_with_nothing_written(db) {
    register_webhook_secret(&db, "webhook-1", SECRET).await;
    let (app, _ingest) = webhook_app(&db).await;
    let body = envelope("messages", "created", "m1", "sam");

    let unsigned = deliver(&app, body.clone(), None).await;
    assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED);
    let wrong_secret = deliver(&app, body.clone(), Some(sign(b"not the secret", &body))).await;
    assert_eq!(wrong_secret.status, StatusCode::UNAUTHORIZED);
    let garbage = deliver(&app, body.clone(), Some("zz".repeat(20))).await;
    assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);
    assert!(unsigned.json()["error"].as_str().unwrap().contains("X-Spark-Signature"));
    assert_eq!(stored(&db).await, (0, 0));
});

db_test!(async fn a_re_serialised_body_does_not_verify(db) {
    register_webhook_secret(&db, "webhook-1", SECRET).await;
    let (app, _ingest) = webhook_app(&db).await;
    let body = envelope("messages", "created", "m1", "sam");
    let signature = sign(SECRET.as_bytes(), &body);
    let value: Value = serde_json::from_slice(&body).unwrap();
    let pretty = serde_json::to_vec_pretty(&value).unwrap();
    let response = deliver(&app, pretty, Some(signature)).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(stored(&db).await, (0, 0));
});

db_test!(async fn a_signed_body_that_is_not_an_envelope_is_a_400_with_nothing_written(db) {
    register_webhook_secret(&db, "webhook-1", SECRET).await;
    let (app, _ingest) = webhook_app(&db).await;
    for body in [
        b"{not json".to_vec(),
        br#"{"resource":"messages","event":"created","data":{}}"#.to_vec(),
    ] {
        let response = signed(&app, body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{}", response.body);
        assert!(response.json()["error"].as_str().unwrap().contains("not a Webex webhook envelope"));
    }
    assert_eq!(stored(&db).await, (0, 0));
});

db_test!(async fn an_oversized_body_is_a_413_with_nothing_written(db) {
    register_webhook_secret(&db, "webhook-1", SECRET).await;
    let (app, _ingest) = webhook_app(&db).await;
    let mut value: Value = serde_json::from_slice(&envelope("messages", "created", "m1", "sam")).unwrap();
    value["data"]["padding"] = json!("x".repeat(70 * 1024));
    let response = signed(&app, serde_json::to_vec(&value).unwrap()).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", response.body);
    assert_eq!(stored(&db).await, (0, 0));
});

db_test!(async fn authentic_events_steward_does_not_handle_are_acknowledged_and_recorded_as_ignored(db) {
    register_webhook_secret(&db, "webhook-1", SECRET).await;
    let (app, ingest) = webhook_app(&db).await;
    ingest.bot_id.set("bot".to_owned()).unwrap();
    for body in [
        envelope("rooms", "updated", "room-1", "sam"),
        envelope("messages", "created", "m-own", "bot"),
        envelope("meetings", "started", "meeting-1", "sam"),
        envelope("memberships", "created", "membership-1", "sam"),
    ] {
        let response = signed(&app, body).await;
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.json()["outcome"], "ignored");
    }
    assert_eq!(inbox::state_counts(&db).await.unwrap(), vec![(EventState::Ignored, 4)]);
    assert_eq!(stored(&db).await, (4, 0));
});

db_test!(async fn a_secret_registered_after_start_up_is_picked_up(db) {
    let (app, _ingest) = webhook_app(&db).await;
    // Another replica registers the webhooks after this one loaded its secrets.
    register_webhook_secret(&db, "webhook-1", SECRET).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let response = signed(&app, envelope("messages", "created", "m1", "sam")).await;
    assert_eq!(response.status, StatusCode::OK);
});

db_test!(async fn a_sign_in_flood_is_refused_cheaply_and_webhooks_still_go_through(db) {
    register_webhook_secret(&db, "webhook-1", SECRET).await;
    let (app, _ingest) = webhook_app(&db).await;
    let mut refused = 0;
    for _ in 0..200 {
        let response = send(&app, Request::get("/auth/login").body(Body::empty()).unwrap()).await;
        if response.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(response.headers.get("retry-after").is_some(), "a 429 says when to come back");
            refused += 1;
        }
    }
    // The burst of 100 passes; the rest of the flood is turned away before any handler.
    assert!(refused >= 80, "{refused} of 200 refused");
    assert!(domain::db::sessions::load(&db, "none", 0).await.unwrap().is_none());
    // Webhook deliveries have a limit of their own, far from reached.
    for n in 0..20 {
        let response = signed(&app, envelope("messages", "created", &format!("m{n}"), "sam")).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    }
    assert_eq!(stored(&db).await, (20, 20));
});
