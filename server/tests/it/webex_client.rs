//! The Webex client against the sandbox: reading, paging, and its handling of 429, 5xx and
//! unknown outcomes.

use std::time::{Duration, Instant};

use domain::{
    db_test,
    webex::{
        client::{ListMessages, RetryPolicy, WebexClient, WebexError},
        types::CreateMessage,
    },
};
use webex_sandbox::{Fault, FaultPlan, seed::PROJECT_SPACE};

use crate::sandbox_support::SandboxServer;

fn client(s: &SandboxServer, token: &str) -> WebexClient {
    let policy = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
        ..RetryPolicy::default()
    };
    WebexClient::new(reqwest::Client::new(), &s.base, token, policy).unwrap()
}

fn faults(next: Vec<Fault>) -> FaultPlan {
    FaultPlan {
        next: next.into(),
        ..FaultPlan::default()
    }
}

db_test!(async fn the_client_reads_the_bot_and_pages_through_every_message(db) {
    let s = SandboxServer::start(&db).await;
    let bot = client(&s, &s.seed.bot_token);
    assert_eq!(bot.me().await.unwrap().id, s.seed.bot_id);
    let rooms = collect_all(bot.rooms()).await.unwrap();
    let project = rooms.iter().find(|r| r.title == PROJECT_SPACE).unwrap();

    let sam = client(&s, &s.token_for("sam.okafor@acme.example").await);
    let all = collect_all(sam.messages(&ListMessages { room_id: project.id.clone(), max: Some(25), ..Default::default() })).await.unwrap();
    assert_eq!(all.len(), 151, "the sync note, the thread's root and its 149 replies");
    let thread = collect_all(sam.messages(&ListMessages { room_id: project.id.clone(), parent_id: all.iter().find(|m| m.text.starts_with("Falcon launch planning")).map(|m| m.id.clone()), max: Some(40), ..Default::default() })).await.unwrap();
    assert_eq!(thread.len(), 149);
    assert!(thread.iter().any(|m| m.text.starts_with("Decision: the Falcon beta launches on March 14")));
    assert!(thread.iter().any(|m| m.text == "Action item: Priya Shah will set up the falcon_beta flag in all three environments by Friday."));
});

db_test!(async fn rate_limits_wait_exactly_retry_after_and_do_not_count_as_failures(db) {
    let s = SandboxServer::start(&db).await;
    let bot = client(&s, &s.seed.bot_token);
    // Three 429s with max_attempts 3: had they counted as failures, the call would fail.
    s.sandbox.set_faults(faults(vec![Fault::RateLimit { retry_after_secs: 1 }; 3]));
    let started = Instant::now();
    let me = bot.me().await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(me.id, s.seed.bot_id);
    // Each retry waited its full second: an early retry would have consumed the next fault sooner.
    assert!(elapsed >= Duration::from_secs(3), "retried before Retry-After passed: {elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
});

db_test!(async fn server_errors_back_off_and_then_give_up(db) {
    let s = SandboxServer::start(&db).await;
    let bot = client(&s, &s.seed.bot_token);
    s.sandbox.set_faults(faults(vec![Fault::ServerError { status: 503 }, Fault::ServerError { status: 502 }]));
    assert_eq!(bot.me().await.unwrap().id, s.seed.bot_id, "two 5xx, then success on the third attempt");

    s.sandbox.set_faults(faults(vec![Fault::ServerError { status: 500 }; 3]));
    match bot.me().await {
        Err(WebexError::Unavailable { attempts, last }) => {
            assert_eq!(attempts, 3);
            assert!(last.contains("500"), "{last}");
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
});

db_test!(async fn a_post_with_an_unknown_outcome_is_reported_not_repeated(db) {
    let s = SandboxServer::start(&db).await;
    let sam_token = s.token_for("sam.okafor@acme.example").await;
    let sam = client(&s, &sam_token);
    let room = s.room_id(&sam_token, PROJECT_SPACE).await;
    let before = collect_all(sam.messages(&ListMessages { room_id: room.clone(), max: Some(100), ..Default::default() })).await.unwrap().len();
    s.sandbox.set_faults(faults(vec![Fault::ServerError { status: 504 }]));
    let request = CreateMessage { room_id: Some(room.clone()), text: Some("once".into()), ..Default::default() };
    assert!(matches!(sam.create_message(&request).await, Err(WebexError::OutcomeUnknown { .. })));
    let after = collect_all(sam.messages(&ListMessages { room_id: room, max: Some(100), ..Default::default() })).await.unwrap().len();
    assert_eq!(after, before, "the POST was not sent again");
    // A 429 on POST is safe to repeat: nothing was done.
    s.sandbox.set_faults(faults(vec![Fault::RateLimit { retry_after_secs: 1 }]));
    assert_eq!(sam.create_message(&request).await.unwrap().text, "once");
});

db_test!(async fn webex_errors_carry_status_message_and_tracking_id(db) {
    let s = SandboxServer::start(&db).await;
    let bot = client(&s, &s.seed.bot_token);
    match bot.message("does-not-exist").await {
        Err(WebexError::Api { status, message, tracking_id }) => {
            assert_eq!(status, 404);
            assert_eq!(message, "Unable to get message.");
            assert!(tracking_id.starts_with("ROUTER_"), "{tracking_id}");
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    let nobody = client(&s, "wrong-token");
    assert!(matches!(nobody.me().await, Err(WebexError::Api { status: 401, .. })));
});

db_test!(async fn time_outs_are_retried_for_reads_and_reported_for_posts(db) {
    let s = SandboxServer::start(&db).await;
    let policy = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
        request_timeout: Duration::from_millis(300),
        ..RetryPolicy::default()
    };
    let bot = WebexClient::new(reqwest::Client::new(), &s.base, &s.seed.bot_token, policy.clone()).unwrap();
    // The first call answers after a second: it times out and the read is tried again.
    s.sandbox.set_faults(faults(vec![Fault::Slow { millis: 1_000 }]));
    let started = Instant::now();
    assert_eq!(bot.me().await.unwrap().id, s.seed.bot_id);
    assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());

    let sam_token = s.token_for("sam.okafor@acme.example").await;
    let sam = WebexClient::new(reqwest::Client::new(), &s.base, sam_token.clone(), policy).unwrap();
    let room = s.room_id(&sam_token, PROJECT_SPACE).await;
    s.sandbox.set_faults(faults(vec![Fault::Slow { millis: 1_000 }]));
    let request = CreateMessage { room_id: Some(room), text: Some("slow".into()), ..Default::default() };
    assert!(matches!(sam.create_message(&request).await, Err(WebexError::OutcomeUnknown { .. })));
});

/// Collects a paginated stream.
async fn collect_all<T>(
    items: impl futures::Stream<Item = Result<T, WebexError>>,
) -> Result<Vec<T>, WebexError> {
    futures::TryStreamExt::try_collect(items).await
}
