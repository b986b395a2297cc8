//! The console's Sandbox page and its server functions.

use std::time::Duration;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use domain::{db_test, users::Role};
use webex_sandbox::{Sandbox, seed::PROJECT_SPACE};

use crate::helpers::{ORIGIN, app, get_as, send, session_cookie};

async fn ids(db: &domain::Db) -> (String, String) {
    let sandbox = Sandbox::new(db.clone());
    sandbox.seed_demo().await.unwrap();
    let sam = sandbox
        .people()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.display_name == "Sam Okafor")
        .unwrap()
        .id;
    let caller = sandbox.act_as(&sam).await.unwrap();
    let space = sandbox
        .spaces(&caller)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.title == PROJECT_SPACE)
        .unwrap()
        .id;
    (sam, space)
}

fn post(cookie: &str, form: &str) -> Request<Body> {
    Request::post("/api/post_sandbox_message")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, ORIGIN)
        .header(header::COOKIE, cookie)
        .body(Body::from(form.to_owned()))
        .unwrap()
}

db_test!(async fn admins_read_a_space_as_a_demo_person(db) {
    let (sam, space) = ids(&db).await;
    let admin = session_cookie(&db, "admin@example.com", &[Role::Admin], Duration::ZERO).await;
    let response = get_as(&app(&db), &format!("/sandbox?person={sam}&space={space}"), &admin).await;
    assert_eq!(response.status, StatusCode::OK);
    let html = response.body;
    assert!(html.contains("<title>Sandbox · Steward</title>"), "{html}");
    assert!(html.contains("Open question: what happens to beta feature flags after GA?"), "the newest messages are shown");
    assert!(html.contains(r#"<a href="/sandbox""#), "admins see the Sandbox link");
});

db_test!(async fn without_a_choice_the_page_opens_on_a_person_and_one_of_their_spaces(db) {
    ids(&db).await;
    let admin = session_cookie(&db, "admin@example.com", &[Role::Admin], Duration::ZERO).await;
    let html = get_as(&app(&db), "/sandbox", &admin).await.body;
    assert!(html.contains(r#"aria-label="Messages""#), "a thread is open: {html}");
    assert_eq!(html.matches(" selected>").count(), 2, "a person and a space are chosen: {html}");
});

db_test!(async fn markdown_is_shown_rendered_and_replies_follow_their_message(db) {
    let (sam, space) = ids(&db).await;
    let sandbox = Sandbox::new(db.clone());
    let caller = sandbox.act_as(&sam).await.unwrap();
    // With a mention, the console posts markdown, as Webex clients do.
    let first = sandbox.post_as(&caller, &space, "@Sam Okafor **Decided**: ship <b>it</b>", None).await.unwrap();
    sandbox.post_as(&caller, &space, "Unrelated, later", None).await.unwrap();
    sandbox.post_as(&caller, &space, "- a reply for @Sam Okafor", Some(first.id.clone())).await.unwrap();
    let admin = session_cookie(&db, "admin@example.com", &[Role::Admin], Duration::ZERO).await;
    let html = get_as(&app(&db), &format!("/sandbox?person={sam}&space={space}"), &admin).await.body;
    assert!(html.contains("<strong>Decided</strong>: ship &lt;b&gt;it&lt;/b&gt;"), "{html}");
    let (decided, reply, later) = (
        html.find("<strong>Decided</strong>").unwrap(),
        html.find("<li>a reply for").unwrap(),
        html.find(r#"<p class="text">Unrelated, later"#).unwrap(),
    );
    assert!(decided < reply && reply < later, "the reply comes right after its message");
});

db_test!(async fn posting_with_an_at_name_mentions_that_person(db) {
    let (sam, space) = ids(&db).await;
    let admin = session_cookie(&db, "admin@example.com", &[Role::Admin], Duration::ZERO).await;
    let response = send(&app(&db), post(&admin, &format!("person={sam}&space={space}&text=%40Steward+summarize+20"))).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let sandbox = Sandbox::new(db.clone());
    let caller = sandbox.act_as(&sam).await.unwrap();
    let newest = sandbox.recent_messages(&caller, &space, 1).await.unwrap().pop().unwrap();
    assert_eq!(newest.text, "Steward summarize 20");
    let bot = sandbox.seed_demo().await.unwrap().bot_id;
    assert_eq!(newest.mentioned_people, Some(vec![bot]));
});

db_test!(async fn only_admins_may_use_the_sandbox_page(db) {
    let (sam, space) = ids(&db).await;
    let manager = session_cookie(&db, "m@example.com", &[Role::Manager], Duration::ZERO).await;
    let response = send(&app(&db), post(&manager, &format!("person={sam}&space={space}&text=hi"))).await;
    assert!(response.body.contains("Forbidden"), "{}", response.body);
    let page = get_as(&app(&db), "/sandbox", &manager).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("Your role does not allow this."), "{}", page.body);
    assert!(!page.body.contains(r#"<a href="/sandbox""#), "no Sandbox link for managers");
});

db_test!(async fn an_empty_message_is_a_field_error_and_posts_nothing(db) {
    let (sam, space) = ids(&db).await;
    let admin = session_cookie(&db, "admin@example.com", &[Role::Admin], Duration::ZERO).await;
    let sandbox = Sandbox::new(db.clone());
    let caller = sandbox.act_as(&sam).await.unwrap();
    let before = sandbox.recent_messages(&caller, &space, 200).await.unwrap().len();
    let response = send(&app(&db), post(&admin, &format!("person={sam}&space={space}&text=+++"))).await;
    assert!(response.body.contains("Write a message first."), "{}", response.body);
    assert_eq!(sandbox.recent_messages(&caller, &space, 200).await.unwrap().len(), before);
});

db_test!(async fn clicking_a_card_button_sends_the_inputs_merged_with_the_button_data(db) {
    let (sam, space) = ids(&db).await;
    let sandbox = Sandbox::new(db.clone());
    let seed = sandbox.seed_demo().await.unwrap();
    let bot = sandbox.authenticate(Some(&format!("Bearer {}", seed.bot_token))).await.unwrap();
    let card = domain::webex::cards::AdaptiveCard::new()
        .heading("Disk full on web-01")
        .input_text("note", "Note")
        .submit("Acknowledge", serde_json::json!({ "action": "ack" }))
        .submit("Escalate", serde_json::json!({ "action": "escalate" }))
        .into_attachment();
    let request = domain::webex::types::CreateMessage {
        room_id: Some(space.clone()),
        text: Some("Disk full on web-01".into()),
        attachments: Some(vec![card]),
        ..Default::default()
    };
    let message = sandbox.create_message(&bot, &request).await.unwrap();

    let admin = session_cookie(&db, "admin@example.com", &[Role::Admin], Duration::ZERO).await;
    let page = get_as(&app(&db), &format!("/sandbox?person={sam}&space={space}"), &admin).await.body;
    assert!(page.contains(">Escalate</button>") && page.contains(r#"name="inputs[note]""#), "the card is shown with its input and buttons");

    let form = format!("person={sam}&message={}&button=1&inputs%5Bnote%5D=on+it", message.id);
    let request = Request::post("/api/click_sandbox_card")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, ORIGIN)
        .header(header::COOKIE, &admin)
        .body(Body::from(form))
        .unwrap();
    let response = send(&app(&db), request).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let action_id: String = serde_json::from_str(&response.body).unwrap();
    let action = sandbox.attachment_action(&bot, &action_id).await.unwrap();
    assert_eq!(serde_json::Value::Object(action.inputs), serde_json::json!({ "note": "on it", "action": "escalate" }));
    assert_eq!(action.person_id, sam);
});
