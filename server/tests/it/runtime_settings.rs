//! What admins set in Settings, as the runtime sees it: the AI provider (an OpenAI-compatible
//! API served by a local test server), redaction rules, and retention.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use domain::vocab::EventState;
use domain::{
    ai::openai::{self, AiProvider},
    audit::Actor,
    db_test, drafts, inbox,
    redact::{RedactionRules, rules},
    retention,
    time::now_ms,
};
use serde_json::{Value, json};
use webex_sandbox::seed::{HELP_SPACE, PROJECT_SPACE};

use crate::bot_support::{Bot, SAM, audit_actions, text};

/// A stand-in for an OpenAI-compatible API: `POST /v1/chat/completions` answers with `answer`
/// as the first choice's content when the bearer token is `test-key`, and 401 with OpenAI's
/// error body otherwise. It keeps the request bodies.
#[derive(Clone, Default)]
struct FakeModel {
    requests: Arc<Mutex<Vec<Value>>>,
}

async fn completions(
    State(model): State<FakeModel>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    model.requests.lock().unwrap().push(body.clone());
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer test-key") {
        let error = json!({ "error": { "message": "Incorrect API key provided.", "type": "invalid_request_error", "code": "invalid_api_key" } });
        return (StatusCode::UNAUTHORIZED, Json(error)).into_response();
    }
    // The conversation is one JSON object per message; the answer cites the first, and tries to
    // put words in someone else's mouth, which Steward must not take from it.
    let transcript = body["messages"][1]["content"].as_str().unwrap_or_default();
    let first: Value =
        serde_json::from_str(transcript.lines().next().unwrap_or("{}")).unwrap_or_default();
    let answer = json!({
        "decisions": [{ "text": "Falcon ships to beta on March 14", "message": 1, "author": "The CEO" }],
        "action_items": [{ "task": "Book the launch review", "message": 1, "owners": [first["author"], "Mallory Forged"], "due": "Friday" }],
        "open_questions": [{ "text": "Cites no message", "author": "The CEO" }],
    });
    Json(json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": body["model"],
        "choices": [{ "index": 0, "finish_reason": "stop", "message": { "role": "assistant", "content": answer.to_string() } }],
        "usage": { "prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20 },
    }))
    .into_response()
}

async fn start_fake_model() -> (FakeModel, SocketAddr) {
    let model = FakeModel::default();
    let app = Router::new()
        .route("/v1/chat/completions", post(completions))
        .with_state(model.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (model, addr)
}

db_test!(async fn an_openai_compatible_provider_writes_summaries_and_a_wrong_key_is_not_retried(db) {
    let (model, addr) = start_fake_model().await;
    let bot = Bot::start(&db).await;
    let admin = Actor::User(1);
    let provider = AiProvider::OpenAi { base_url: format!("http://{addr}/v1/"), model: "test-model".into() };
    // The key is required the first time.
    let missing = openai::set_provider(&db, provider.clone(), None, &admin).await.unwrap_err();
    assert!(matches!(missing, openai::ProviderError::Invalid { field: "api_key", .. }), "{missing:?}");
    openai::set_provider(&db, provider.clone(), Some("test-key"), &admin).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let room = bot.room(PROJECT_SPACE).await;
    let asked = bot.say(SAM, &room, &format!("{} summarize 10", bot.mention()), None).await;
    let replies = bot.wait_for_replies(SAM, &room, asked["id"].as_str(), 1).await;
    let summary = text(&replies[0]);
    let request = model.requests.lock().unwrap()[0].clone();
    let transcript = request["messages"][1]["content"].as_str().unwrap();
    let first: Value = serde_json::from_str(transcript.lines().next().unwrap()).unwrap();
    let author = first["author"].as_str().unwrap();
    assert!(summary.contains(&format!("Falcon ships to beta on March 14 ({author})")), "{summary}");
    assert!(summary.contains(&format!("{author}: book the launch review, by Friday")), "{summary}");
    for forged in ["The CEO", "Mallory Forged", "Cites no message"] {
        assert!(!summary.contains(forged), "{forged} in {summary}");
    }
    assert_eq!(request["model"], "test-model");
    assert_eq!(request["response_format"]["type"], "json_object");
    assert!(request["messages"][0]["content"].as_str().unwrap().starts_with("Summarize the last 10 messages"));
    assert_eq!(request["messages"][1]["content"].as_str().unwrap().lines().count(), 10);
    bot.settle().await;
    let audit = audit_actions(&bot).await;
    let (_, reply) = audit.iter().find(|(a, _)| a == "agent.reply").unwrap();
    assert_eq!(reply["engine"], "openai/test-model");
    assert!(!serde_json::to_string(&audit).unwrap().contains("test-key"), "the key reached the audit log");

    // A key the API refuses: the job fails at once with the API's words, and nothing is posted.
    openai::set_provider(&db, provider, Some("wrong-key"), &admin).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let asked = bot.say(SAM, &room, &format!("{} summarize 10", bot.mention()), None).await;
    bot.settle().await;
    let event = inbox::find_by_data_id(&db, "messages", "created", asked["id"].as_str().unwrap()).await.unwrap().unwrap();
    assert_eq!(event.state, EventState::Dead);
    let reason = event.reason.unwrap_or_default();
    assert!(reason.contains("the AI engine refused the request: HTTP 401: Incorrect API key provided."), "{reason}");
    assert!(bot.bot_messages(SAM, &room, asked["id"].as_str()).await.is_empty());
    bot.stop().await;
});

db_test!(async fn custom_redaction_rules_reach_every_job_within_a_second(db) {
    let bot = Bot::start(&db).await;
    let room = bot.room(PROJECT_SPACE).await;
    let admin = Actor::User(1);
    let custom = rules::parse_custom("[launch date] = (?i)march \\d{1,2}").unwrap();
    rules::set_rules(&db, &RedactionRules { custom, ..Default::default() }, &admin).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let asked = bot.say(SAM, &room, &format!("{} summarize", bot.mention()), None).await;
    let replies = bot.wait_for_replies(SAM, &room, asked["id"].as_str(), 1).await;
    let summary = text(&replies[0]);
    assert!(summary.contains("[launch date]"), "{summary}");
    assert!(!summary.to_lowercase().contains("march 1"), "{summary}");
    bot.stop().await;
});

db_test!(async fn retention_blanks_old_message_text_once_and_audits_it(db) {
    let bot = Bot::start(&db).await;
    let admin = Actor::User(1);
    // A draft waits in IT Help; a reply is sent in the project space.
    let help = bot.room(HELP_SPACE).await;
    bot.say(SAM, &help, &format!("{} summarize", bot.mention()), None).await;
    let project = bot.room(PROJECT_SPACE).await;
    let asked = bot.say(SAM, &project, &format!("{} summarize 5", bot.mention()), None).await;
    bot.wait_for_replies(SAM, &project, asked["id"].as_str(), 1).await;
    bot.settle().await;
    let pending = drafts::pending(&db, 0, 10).await.unwrap();
    assert_eq!(pending.len(), 1);

    assert!(matches!(retention::set_days(&db, Some(0), &admin).await, Err(retention::RetentionError::OutOfRange)));
    // No retention set: nothing is purged however old.
    assert!(retention::purge(&db, now_ms() + 400 * 86_400_000).await.unwrap().is_empty());

    retention::set_days(&db, Some(30), &admin).await.unwrap();
    assert!(retention::purge(&db, now_ms()).await.unwrap().is_empty(), "nothing is 30 days old yet");
    let later = now_ms() + 31 * 86_400_000;
    let report = retention::purge(&db, later).await.unwrap();
    // The project's answer, and the word to the asker in IT Help that a reviewer looks first.
    assert_eq!((report.drafts, report.replies), (0, 2), "{report:?}");
    // The draft still waiting for a reviewer keeps its text.
    assert_eq!(drafts::pending(&db, 0, 10).await.unwrap()[0].markdown, pending[0].markdown);
    assert!(retention::purge(&db, later).await.unwrap().is_empty(), "a second purge finds nothing");

    let audit = audit_actions(&bot).await;
    let purges: Vec<&Value> = audit.iter().filter(|(a, _)| a == "retention.purge").map(|(_, after)| after).collect();
    assert_eq!(purges.len(), 1);
    assert_eq!(purges[0]["replies"], 2);
    assert_eq!(purges[0]["days"], 30);
    bot.stop().await;
});
