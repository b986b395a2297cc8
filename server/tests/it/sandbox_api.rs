//! Conformance of the sandbox with the Webex Messaging API contract, over HTTP.

use domain::{db_test, webex::markup::mention_person};
use reqwest::StatusCode;
use serde_json::{Value, json};
use webex_sandbox::seed::{BOT_EMAIL, PROJECT_SPACE};

use crate::sandbox_support::SandboxServer;

const ALEX: &str = "alex.rivera@acme.example";
const SAM: &str = "sam.okafor@acme.example";

async fn json(response: reqwest::Response) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, headers, body)
}

fn assert_webex_error(
    status: StatusCode,
    headers: &reqwest::header::HeaderMap,
    body: &Value,
    expected: StatusCode,
    message: &str,
) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(headers["content-type"], "application/json;charset=UTF-8");
    assert_eq!(body["message"], message, "{body}");
    assert_eq!(body["errors"][0]["description"], message);
    assert_eq!(body["trackingId"], headers["trackingid"].to_str().unwrap());
}

db_test!(async fn requests_without_a_valid_token_get_401_in_webex_shape(db) {
    let s = SandboxServer::start(&db).await;
    for request in [s.http.get(s.url("/people/me")), s.get("/people/me", "not-a-token"), s.http.get(s.url("/people/me")).header("authorization", "Basic x")] {
        let (status, headers, body) = json(request.send().await.unwrap()).await;
        assert_webex_error(status, &headers, &body, StatusCode::UNAUTHORIZED,
            "The request requires a valid access token set in the Authorization request header.");
        assert!(headers["trackingid"].to_str().unwrap().starts_with("ROUTER_"));
    }
});

db_test!(async fn tracking_ids_are_echoed_and_people_me_describes_the_bot(db) {
    let s = SandboxServer::start(&db).await;
    let response = s.get("/people/me", &s.seed.bot_token).header("trackingid", "MY_TRACE_1").send().await.unwrap();
    assert_eq!(response.headers()["trackingid"], "MY_TRACE_1");
    let (status, headers, me) = json(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json;charset=UTF-8");
    assert_eq!(me["type"], "bot");
    assert_eq!(me["emails"][0], BOT_EMAIL);
    assert_eq!(me["id"], s.seed.bot_id);
    assert!(me["id"].as_str().unwrap().bytes().all(|b| b.is_ascii_alphanumeric()));
    // Optional fields are omitted, never null.
    assert!(me.as_object().unwrap().values().all(|v| !v.is_null()), "{me}");

    let alex = s.token_for(ALEX).await;
    let (_, _, person) = json(s.get("/people/me", &alex).send().await.unwrap()).await;
    assert_eq!(person["displayName"], "Alex Rivera");
    assert_eq!(person["roles"][0], "Y2lzY29zcGFyazovL3VzL1JPTEUvaWRfZnVsbF9hZG1pbg");
    let (status, _, other) = json(s.get(&format!("/people/{}", s.seed.bot_id), &alex).send().await.unwrap()).await;
    assert_eq!((status, other["displayName"].as_str()), (StatusCode::OK, Some("Steward")));
    let (status, headers, body) = json(s.get("/people/nobody", &alex).send().await.unwrap()).await;
    assert_webex_error(status, &headers, &body, StatusCode::NOT_FOUND, "Person not found.");
});

db_test!(async fn rooms_list_the_callers_spaces_and_direct_spaces_carry_the_other_name(db) {
    let s = SandboxServer::start(&db).await;
    let sam = s.token_for(SAM).await;
    let (status, _, rooms) = json(s.get("/rooms", &sam).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let titles: Vec<&str> = rooms["items"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap()).collect();
    for title in ["IT Alerts", "IT Help", PROJECT_SPACE, "Steward"] {
        assert!(titles.contains(&title), "{title} missing from {titles:?}");
    }
    assert!(!titles.contains(&"HR Questions"), "Sam is not in HR Questions");
    let (_, _, direct) = json(s.get("/rooms?type=direct", &s.seed.bot_token).send().await.unwrap()).await;
    let direct_titles: Vec<&str> = direct["items"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap()).collect();
    assert_eq!(direct_titles.len(), 2);
    assert!(direct_titles.contains(&"Sam Okafor") && direct_titles.contains(&"Alex Rivera"));

    let hr_id = s.room_id(&s.seed.bot_token, "HR Questions").await;
    let (status, headers, body) = json(s.get(&format!("/rooms/{hr_id}"), &sam).send().await.unwrap()).await;
    assert_webex_error(status, &headers, &body, StatusCode::NOT_FOUND, "Could not find a room with provided ID.");
});

db_test!(async fn bots_see_only_mentions_in_group_spaces(db) {
    let s = SandboxServer::start(&db).await;
    let room = s.room_id(&s.seed.bot_token, "IT Help").await;
    let (status, headers, body) = json(s.get(&format!("/messages?roomId={room}"), &s.seed.bot_token).send().await.unwrap()).await;
    assert_webex_error(status, &headers, &body, StatusCode::FORBIDDEN, "Failed to get activity.");

    let (status, _, mentions) = json(s.get(&format!("/messages?roomId={room}&mentionedPeople=me"), &s.seed.bot_token).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let items = mentions["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "three seeded IT Help questions mention Steward");
    assert!(items.iter().all(|m| m["mentionedPeople"].as_array().unwrap().contains(&json!(s.seed.bot_id))));

    // People see everything; the bot cannot fetch a message that does not mention it.
    let sam = s.token_for(SAM).await;
    let (_, _, all) = json(s.get(&format!("/messages?roomId={room}"), &sam).send().await.unwrap()).await;
    let unmentioned = all["items"].as_array().unwrap().iter().find(|m| m.get("mentionedPeople").is_none()).unwrap();
    let (status, _, _) = json(s.get(&format!("/messages/{}", unmentioned["id"].as_str().unwrap()), &s.seed.bot_token).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

db_test!(async fn markdown_mentions_render_into_text_html_and_mentioned_people(db) {
    let s = SandboxServer::start(&db).await;
    let sam = s.token_for(SAM).await;
    let room = s.room_id(&sam, PROJECT_SPACE).await;
    let markdown = format!("{} **summarize** 20", mention_person(&s.seed.bot_id, "Steward"));
    let (status, _, message) = json(s.post("/messages", &sam, json!({ "roomId": room, "markdown": markdown })).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "POST /messages answers 200, not 201");
    assert_eq!(message["text"], "Steward summarize 20");
    assert_eq!(message["markdown"], markdown);
    assert_eq!(
        message["html"],
        format!(r#"<p><spark-mention data-object-type="person" data-object-id="{}">Steward</spark-mention> <strong>summarize</strong> 20</p>"#, s.seed.bot_id)
    );
    assert_eq!(message["mentionedPeople"], json!([s.seed.bot_id]));
    assert_eq!(message["roomType"], "group");
    assert_eq!(message["personEmail"], SAM);
    assert!(message["created"].as_str().unwrap().ends_with('Z'));
    // The bot can read it, because it is mentioned.
    let (status, _, fetched) = json(s.get(&format!("/messages/{}", message["id"].as_str().unwrap()), &s.seed.bot_token).send().await.unwrap()).await;
    assert_eq!((status, &fetched), (StatusCode::OK, &message));

    // Plain text is stored as sent, without html.
    let (_, _, plain) = json(s.post("/messages", &sam, json!({ "roomId": room, "text": "just text" })).send().await.unwrap()).await;
    assert_eq!(plain["text"], "just text");
    assert!(plain.get("html").is_none() && plain.get("markdown").is_none());
});

db_test!(async fn message_rules_are_enforced_with_400s(db) {
    let s = SandboxServer::start(&db).await;
    let sam = s.token_for(SAM).await;
    let room = s.room_id(&sam, PROJECT_SPACE).await;
    let post = |body: Value| s.post("/messages", &sam, body).send();

    let (status, _, root) = json(post(json!({ "roomId": room, "text": "root" })).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let root_id = root["id"].as_str().unwrap();
    let (status, _, reply) = json(post(json!({ "roomId": room, "text": "reply", "parentId": root_id })).await.unwrap()).await;
    assert_eq!((status, reply["parentId"].as_str()), (StatusCode::OK, Some(root_id)));

    let cases = [
        (json!({ "roomId": room, "text": "x", "parentId": reply["id"] }), "Cannot reply to a reply; use the thread's root message as parentId."),
        (json!({ "roomId": room }), "Both text and file cannot be empty."),
        (json!({ "roomId": room, "toPersonEmail": ALEX, "text": "x" }), "Exactly one of roomId, toPersonId or toPersonEmail is required."),
        (json!({ "text": "x" }), "Exactly one of roomId, toPersonId or toPersonEmail is required."),
        (json!({ "roomId": room, "text": "x".repeat(7440) }), "text exceeds the maximum length of 7439 bytes."),
        (json!({ "roomId": room, "markdown": "é".repeat(3720) }), "markdown exceeds the maximum length of 7439 bytes."),
        (json!({ "roomId": room, "text": "x", "files": ["https://a/1", "https://a/2"] }), "Only one file can be attached to a message."),
        (json!({ "roomId": room, "text": "x", "attachments": [{ "contentType": "text/plain", "content": {} }] }),
            "Unsupported attachment contentType; use application/vnd.microsoft.card.adaptive."),
    ];
    for (body, message) in cases {
        let (status, headers, error) = json(post(body.clone()).await.unwrap()).await;
        assert_webex_error(status, &headers, &error, StatusCode::BAD_REQUEST, message);
    }
    // Exactly 7439 bytes is allowed.
    let (status, _, _) = json(post(json!({ "roomId": room, "text": "x".repeat(7439) })).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);

    // Listing a thread returns its replies.
    let (_, _, thread) = json(s.get(&format!("/messages?roomId={room}&parentId={root_id}"), &sam).send().await.unwrap()).await;
    assert_eq!(thread["items"].as_array().unwrap().len(), 1);
});

db_test!(async fn direct_messages_by_email_create_a_1_1_space_and_echo_the_recipient(db) {
    let s = SandboxServer::start(&db).await;
    let (status, _, message) = json(s.post("/messages", &s.seed.bot_token, json!({ "toPersonEmail": "casey.novak@acme.example", "text": "hello" })).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(message["toPersonEmail"], "casey.novak@acme.example");
    assert_eq!(message["roomType"], "direct");
    let casey = s.token_for("casey.novak@acme.example").await;
    let (_, _, rooms) = json(s.get("/rooms?type=direct", &casey).send().await.unwrap()).await;
    assert_eq!(rooms["items"][0]["title"], "Steward");
    // The second message goes to the same space; in 1:1 spaces bots see everything.
    let (_, _, again) = json(s.post("/messages", &casey, json!({ "toPersonId": s.seed.bot_id, "text": "hi back" })).send().await.unwrap()).await;
    assert_eq!(again["roomId"], message["roomId"]);
    let (status, _, listed) = json(s.get(&format!("/messages?roomId={}", message["roomId"].as_str().unwrap()), &s.seed.bot_token).send().await.unwrap()).await;
    assert_eq!((status, listed["items"].as_array().unwrap().len()), (StatusCode::OK, 2));
});

db_test!(async fn messages_can_be_edited_ten_times_and_deleted_with_204(db) {
    let s = SandboxServer::start(&db).await;
    let sam = s.token_for(SAM).await;
    let room = s.room_id(&sam, PROJECT_SPACE).await;
    let (_, _, message) = json(s.post("/messages", &sam, json!({ "roomId": room, "text": "v0" })).send().await.unwrap()).await;
    let id = message["id"].as_str().unwrap();
    for n in 1..=10 {
        let (status, _, edited) = json(s.http.put(s.url(&format!("/messages/{id}"))).bearer_auth(&sam).json(&json!({ "roomId": room, "text": format!("v{n}") })).send().await.unwrap()).await;
        assert_eq!((status, edited["text"].as_str()), (StatusCode::OK, Some(format!("v{n}").as_str())));
        assert!(edited["updated"].is_string());
    }
    let (status, headers, error) = json(s.http.put(s.url(&format!("/messages/{id}"))).bearer_auth(&sam).json(&json!({ "roomId": room, "text": "v11" })).send().await.unwrap()).await;
    assert_webex_error(status, &headers, &error, StatusCode::BAD_REQUEST, "A message can be edited at most 10 times.");

    let response = s.http.delete(s.url(&format!("/messages/{id}"))).bearer_auth(&sam).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.bytes().await.unwrap().is_empty());
    let (status, _, _) = json(s.get(&format!("/messages/{id}"), &sam).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

db_test!(async fn pagination_walks_1000_messages_through_single_next_links(db) {
    let s = SandboxServer::start(&db).await;
    let sam = s.token_for(SAM).await;
    let caller = s.sandbox.authenticate(Some(&format!("Bearer {sam}"))).await.unwrap();
    let room = s.sandbox.create_room(&caller, &webex_sandbox::CreateRoom { title: Some("Paging".into()) }).await.unwrap();
    for n in 0..1000 {
        let request = domain::webex::types::CreateMessage { room_id: Some(room.id.clone()), text: Some(format!("message {n}")), ..Default::default() };
        s.sandbox.create_message(&caller, &request).await.unwrap();
    }
    let mut url = s.url(&format!("/messages?roomId={}&max=100", room.id));
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let response = s.http.get(&url).bearer_auth(&sam).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let links: Vec<_> = response.headers().get_all("link").iter().collect();
        assert!(links.len() <= 1, "one Link header at most");
        let next = links.first().map(|l| l.to_str().unwrap().to_owned());
        let body: Value = response.json().await.unwrap();
        seen.extend(body["items"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap().to_owned()));
        pages += 1;
        let Some(next) = next else { break };
        assert!(next.ends_with("; rel=\"next\""), "{next}");
        assert!(!next.contains(','), "a single link: {next}");
        url = next.trim_start_matches('<').split('>').next().unwrap().to_owned();
        assert!(url.contains("cursor=") && url.contains("max=100") && !url.contains("beforeMessage"), "{url}");
    }
    assert_eq!(pages, 10);
    let expected: Vec<String> = (0..1000).rev().map(|n| format!("message {n}")).collect();
    assert_eq!(seen, expected, "every message once, newest first");
});

db_test!(async fn bad_input_gets_webex_errors_never_a_500(db) {
    let s = SandboxServer::start(&db).await;
    let sam = s.token_for(SAM).await;
    let cases: Vec<(reqwest::RequestBuilder, StatusCode, &str)> = vec![
        (s.http.post(s.url("/messages")).bearer_auth(&sam).header("content-type", "application/json").body("{not json"), StatusCode::BAD_REQUEST, ""),
        (s.http.post(s.url("/messages")).bearer_auth(&sam).header("content-type", "text/plain").body("hi"), StatusCode::UNSUPPORTED_MEDIA_TYPE, "Content type 'text/plain' not supported"),
        (s.get("/messages/unknown", &sam), StatusCode::NOT_FOUND, "Unable to get message."),
        (s.get("/messages", &sam), StatusCode::BAD_REQUEST, "Required String parameter 'roomId' is not present"),
        (s.get("/messages?roomId=nope", &sam), StatusCode::NOT_FOUND, "Could not find a room with provided ID."),
        (s.get("/rooms?max=abc", &sam), StatusCode::BAD_REQUEST, ""),
        (s.get("/no/such/endpoint", &sam), StatusCode::NOT_FOUND, "The requested resource could not be found."),
        (s.http.patch(s.url("/messages")).bearer_auth(&sam), StatusCode::METHOD_NOT_ALLOWED, "The requested method is not supported for this resource."),
    ];
    for (request, expected, message) in cases {
        let (status, headers, body) = json(request.send().await.unwrap()).await;
        assert_eq!(status, expected, "{body}");
        assert_eq!(body["trackingId"], headers["trackingid"].to_str().unwrap(), "{body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
        if !message.is_empty() {
            assert_eq!(body["message"], message);
        }
    }
});

db_test!(async fn memberships_are_listed_added_once_and_removed(db) {
    let s = SandboxServer::start(&db).await;
    let alex = s.token_for(ALEX).await;
    let room = s.room_id(&alex, PROJECT_SPACE).await;
    let (status, _, members) = json(s.get(&format!("/memberships?roomId={room}"), &alex).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(members["items"].as_array().unwrap().len(), 7);
    let (status, _, added) = json(s.post("/memberships", &alex, json!({ "roomId": room, "personEmail": "taylor.brooks@acme.example" })).send().await.unwrap()).await;
    assert_eq!((status, added["personDisplayName"].as_str()), (StatusCode::OK, Some("Taylor Brooks")));
    let (status, headers, body) = json(s.post("/memberships", &alex, json!({ "roomId": room, "personEmail": "taylor.brooks@acme.example" })).send().await.unwrap()).await;
    assert_webex_error(status, &headers, &body, StatusCode::CONFLICT, "Person is already in the room.");
    let response = s.http.delete(s.url(&format!("/memberships/{}", added["id"].as_str().unwrap()))).bearer_auth(&alex).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, _, members) = json(s.get(&format!("/memberships?roomId={room}&personEmail=taylor.brooks@acme.example"), &alex).send().await.unwrap()).await;
    assert!(members["items"].as_array().unwrap().is_empty());
});

db_test!(async fn injected_faults_answer_429_with_retry_after_and_5xx(db) {
    let s = SandboxServer::start(&db).await;
    let alex = s.token_for(ALEX).await;
    let plan = json!({ "next": [{ "kind": "rate_limit", "retry_after_secs": 7 }, { "kind": "server_error", "status": 503 }] });
    let response = s.http.put(s.url("/_faults")).bearer_auth(&alex).json(&plan).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let first = s.get("/people/me", &alex).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(first.headers()["retry-after"], "7");
    assert_eq!(s.get("/people/me", &alex).send().await.unwrap().status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(s.get("/people/me", &alex).send().await.unwrap().status(), StatusCode::OK);
    // Only org admins may inject faults.
    let sam = s.token_for(SAM).await;
    let response = s.http.put(s.url("/_faults")).bearer_auth(&sam).json(&plan).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
});

db_test!(async fn webhooks_are_created_listed_reactivated_and_deleted(db) {
    let s = SandboxServer::start(&db).await;
    let bot = &s.seed.bot_token;
    let create = json!({ "name": "firehose", "targetUrl": "http://127.0.0.1:9/hook", "resource": "all", "event": "all", "secret": "s3cret" });
    let (status, _, hook) = json(s.post("/webhooks", bot, create).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((hook["status"].as_str(), hook["secret"].as_str(), hook["createdBy"].as_str()), (Some("active"), Some("s3cret"), Some(s.seed.bot_id.as_str())));
    let id = hook["id"].as_str().unwrap();
    let (_, _, list) = json(s.get("/webhooks", bot).send().await.unwrap()).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    let update = json!({ "name": "renamed", "targetUrl": "http://127.0.0.1:9/hook2", "status": "active" });
    let (status, _, updated) = json(s.http.put(s.url(&format!("/webhooks/{id}"))).bearer_auth(bot).json(&update).send().await.unwrap()).await;
    assert_eq!((status, updated["name"].as_str()), (StatusCode::OK, Some("renamed")));
    let deactivate = json!({ "name": "renamed", "targetUrl": "http://127.0.0.1:9/hook2", "status": "inactive" });
    let (status, _, _) = json(s.http.put(s.url(&format!("/webhooks/{id}"))).bearer_auth(bot).json(&deactivate).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "PUT cannot deactivate");

    let bad_filter = json!({ "name": "x", "targetUrl": "http://127.0.0.1:9/", "resource": "messages", "event": "created", "filter": "colour=blue" });
    let (status, headers, body) = json(s.post("/webhooks", bot, bad_filter).send().await.unwrap()).await;
    assert_webex_error(status, &headers, &body, StatusCode::BAD_REQUEST, "invalid value for filter: colour");

    let response = s.http.delete(s.url(&format!("/webhooks/{id}"))).bearer_auth(bot).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _, _) = json(s.get(&format!("/webhooks/{id}"), bot).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});
