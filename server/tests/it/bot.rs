//! The bot runtime end to end through the sandbox: a person speaks in Webex, the webhook arrives,
//! the pipeline decides, the reply appears in the thread, and the audit log says why.

use std::time::{Duration, Instant};

use domain::vocab::EventState;
use domain::{
    agents::AgentFunction,
    audit::{self, Actor},
    db_test, drafts, inbox,
    policy::{self, Mode},
};
use serde_json::{Value, json};
use webex_sandbox::seed::{ALERTS_SPACE, HELP_SPACE, PROJECT_SPACE};

use crate::bot_support::{ALEX, Bot, JORDAN, SAM, audit_actions, text};

async fn falcon_thread(bot: &Bot, room: &str) -> String {
    let token = bot.server.token_for(JORDAN).await;
    let page: Value = bot
        .server
        .get(&format!("/messages?roomId={room}&max=1000"), &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| {
            m["text"]
                .as_str()
                .unwrap()
                .starts_with("Falcon launch planning")
        })
        .expect("the seeded planning thread")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

db_test!(async fn summarize_in_the_project_thread_answers_in_the_thread_with_its_decisions(db) {
    let bot = Bot::start(&db).await;
    let room = bot.room(PROJECT_SPACE).await;
    let thread = falcon_thread(&bot, &room).await;

    let started = Instant::now();
    let asked = bot.say(JORDAN, &room, &format!("{} summarize", bot.mention()), Some(&thread)).await;
    let replies = bot.wait_for_replies(JORDAN, &room, Some(&thread), 1).await;
    let elapsed = started.elapsed();
    let summary = text(&replies[0]);

    assert!(summary.starts_with("Summary of the last 100 messages of this thread"), "{summary}");
    // Decisions of the last 100 messages, in their own words, attributed.
    for decision in [
        "The beta error budget is 99.5% availability per week. (Jordan Lee)",
        "Session recordings are kept for 30 days, then deleted. (Morgan Patel)",
        "The beta stays invite-only; a public announcement waits for GA. (Jordan Lee)",
    ] {
        assert!(summary.contains(decision), "missing {decision:?} in:\n{summary}");
    }
    // Action items with their owners and due dates.
    assert!(summary.contains("Morgan Patel: confirm the GA date with leadership, by end of month"), "{summary}");
    assert!(summary.contains("Jordan Lee: brief the support team on Falcon, by March 10"), "{summary}");
    // The open question nobody answered is listed; one a decision settled is not.
    assert!(summary.contains("What happens to beta feature flags after GA? (Priya Shah)"), "{summary}");
    assert!(!summary.contains("What error budget do we accept"), "{summary}");
    // A decision older than the last 100 messages is not.
    assert!(!summary.contains("EU customers are excluded"), "{summary}");
    assert!(replies[0]["markdown"].as_str().unwrap().len() <= 7439);
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");

    bot.settle().await;
    let event = audit_actions(&bot).await;
    let (_, reply) = event.iter().find(|(action, _)| action == "agent.reply").expect("an agent.reply entry");
    assert_eq!(reply["function"], "summarize");
    assert_eq!(reply["message_id"], asked["id"]);
    assert_eq!(reply["person_id"], asked["personId"]);
    assert_eq!(reply["prompt_version"], "summarize@v1");
    assert_eq!(reply["engine"], "local/extractive-1");
    assert!(reply["latency_ms"].as_i64().unwrap() >= 0);
    let (_, sent) = event.iter().find(|(action, _)| action == "reply.sent").expect("a reply.sent entry");
    assert_eq!(sent["message_id"], replies[0]["id"]);
    assert!(audit::verify(&bot.db).await.unwrap().is_intact());
    bot.stop().await;
});

db_test!(async fn summarize_at_the_top_of_a_space_reads_the_space(db) {
    let bot = Bot::start(&db).await;
    let room = bot.room(PROJECT_SPACE).await;
    let asked = bot.say(SAM, &room, &format!("{} summarize 20", bot.mention()), None).await;
    let asked_id = asked["id"].as_str().unwrap();
    let replies = bot.wait_for_replies(SAM, &room, Some(asked_id), 1).await;
    assert!(text(&replies[0]).starts_with("Summary of the last 20 messages of this space"), "{}", text(&replies[0]));
    bot.stop().await;
});

db_test!(async fn help_says_what_is_enabled_and_unknown_commands_get_help(db) {
    let bot = Bot::start(&db).await;
    let project = bot.room(PROJECT_SPACE).await;
    let asked = bot.say(SAM, &project, &format!("{} help", bot.mention()), None).await;
    let replies = bot.wait_for_replies(SAM, &project, asked["id"].as_str(), 1).await;
    assert!(text(&replies[0]).contains("Thread summaries: @Steward summarize [N]"), "{}", text(&replies[0]));
    assert!(!text(&replies[0]).contains("IT alert triage"));

    let hr = bot.room("HR Questions").await;
    let asked = bot.say(JORDAN, &hr, &format!("{} translate this", bot.mention()), None).await;
    let replies = bot.wait_for_replies(JORDAN, &hr, asked["id"].as_str(), 1).await;
    let answer = text(&replies[0]);
    assert!(answer.starts_with("I don't know how to answer \"translate this\" yet."), "{answer}");
    assert!(answer.contains("No Steward agent function is enabled in this space yet"), "{answer}");
    bot.stop().await;
});

db_test!(async fn in_shadow_mode_nothing_is_posted_and_the_output_is_kept(db) {
    let bot = Bot::start(&db).await;
    let room = bot.room(PROJECT_SPACE).await;
    policy::set_mode(&db, AgentFunction::Summarize, &room, Mode::Shadow, &Actor::User(1)).await.unwrap();
    let asked = bot.say(SAM, &room, &format!("{} summarize 30", bot.mention()), None).await;
    bot.settle().await;
    assert!(bot.bot_messages(SAM, &room, asked["id"].as_str()).await.is_empty());
    let shadowed = drafts::shadowed(&db, 0, 10).await.unwrap();
    assert_eq!(shadowed.len(), 1, "{:?}", inbox::state_counts(&db).await.unwrap());
    assert!(shadowed[0].markdown.starts_with("**Summary of the last 30 messages"));
    assert!(drafts::pending(&db, 0, 10).await.unwrap().is_empty());
    bot.stop().await;
});

db_test!(async fn a_switched_off_function_says_so_and_a_switched_off_alert_space_stays_quiet(db) {
    let bot = Bot::start(&db).await;
    let admin = Actor::User(1);
    policy::set_enabled(&db, AgentFunction::Summarize, false, &admin).await.unwrap();
    policy::set_enabled(&db, AgentFunction::AlertTriage, false, &admin).await.unwrap();

    let project = bot.room(PROJECT_SPACE).await;
    let asked = bot.say(SAM, &project, &format!("{} summarize", bot.mention()), None).await;
    let replies = bot.wait_for_replies(SAM, &project, asked["id"].as_str(), 1).await;
    assert!(text(&replies[0]).contains("Thread summaries are switched off for now"));

    let alerts = bot.room(ALERTS_SPACE).await;
    let alert = bot.say(SAM, &alerts, &format!("{} [Triggered] Disk full on web-01", bot.mention()), None).await;
    bot.settle().await;
    assert!(bot.bot_messages(SAM, &alerts, alert["id"].as_str()).await.is_empty());
    let states = inbox::state_counts(&db).await.unwrap();
    assert!(states.contains(&(EventState::Off, 1)), "{states:?}");
    bot.stop().await;
});

db_test!(async fn an_alert_is_triaged_with_a_card_and_a_click_is_recorded_in_its_thread(db) {
    let bot = Bot::start(&db).await;
    let room = bot.room(ALERTS_SPACE).await;
    let alert = bot
        .say(
            "datadog@acme.webex.bot",
            &room,
            &format!(
                "{} [Triggered] Disk usage above 95% on web-01 (/var): 99.1% used. service:checkout-api env:prod",
                bot.mention()
            ),
            None,
        )
        .await;
    let alert_id = alert["id"].as_str().unwrap();
    let cards = bot.wait_for_replies(SAM, &room, Some(alert_id), 1).await;
    let card_message = &cards[0];
    let fallback = text(card_message);
    assert!(fallback.starts_with("Critical alert: [Triggered] Disk usage above 95% on web-01"), "{fallback}");
    assert!(fallback.contains("Hosts: web-01"), "{fallback}");
    assert!(fallback.contains("Services: checkout-api"), "{fallback}");
    // The seeded history has the same alert three days ago.
    assert!(fallback.contains("Similar earlier alerts:"), "{fallback}");
    assert!(fallback.contains("Disk usage above 95% on web-01 (/var): 97.2% used"), "{fallback}");

    let card = &card_message["attachments"][0]["content"];
    assert_eq!(card["type"], "AdaptiveCard");
    let facts = card["body"].as_array().unwrap().iter().find(|e| e["type"] == "FactSet").unwrap();
    assert_eq!(facts["facts"][0], json!({ "title": "Severity", "value": "Critical" }));
    let titles: Vec<&str> = card["actions"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Acknowledge", "Escalate"]);

    // Sam clicks Acknowledge: Webex sends the click without its inputs; Steward reads them.
    let sam = bot.server.token_for(SAM).await;
    let acknowledge = card["actions"][0]["data"].clone();
    let click = |inputs: Value| {
        bot.server.post(
            "/attachment/actions",
            &sam,
            json!({ "type": "submit", "messageId": card_message["id"], "inputs": inputs }),
        )
    };
    assert_eq!(click(acknowledge.clone()).send().await.unwrap().status(), 202);
    let thread = bot.wait_for_replies(SAM, &room, Some(alert_id), 2).await;
    assert_eq!(text(&thread[1]), "Sam Okafor acknowledged this alert.");
    // A second click on the decided card says who decided.
    click(acknowledge).send().await.unwrap();
    let thread = bot.wait_for_replies(SAM, &room, Some(alert_id), 3).await;
    assert_eq!(text(&thread[2]), "This alert was already acknowledged by Sam Okafor.");
    // Escalating an acknowledged alert is still possible, once.
    let escalate = card["actions"][1]["data"].clone();
    click(escalate.clone()).send().await.unwrap();
    let thread = bot.wait_for_replies(SAM, &room, Some(alert_id), 4).await;
    assert_eq!(
        text(&thread[3]),
        "Sam Okafor escalated this alert. No integration takes escalations yet; an admin chooses one in Steward's Settings."
    );
    click(escalate).send().await.unwrap();
    let thread = bot.wait_for_replies(SAM, &room, Some(alert_id), 5).await;
    assert_eq!(text(&thread[4]), "This alert was already escalated by Sam Okafor.");

    bot.settle().await;
    let audit = audit_actions(&bot).await;
    let (_, acknowledged) = audit.iter().find(|(a, _)| a == "alert.acknowledge").expect("an alert.acknowledge entry");
    assert_eq!(acknowledged["state"], "acknowledged");
    assert_eq!(acknowledged["severity"], "critical");
    let (_, triaged) = audit.iter().find(|(a, _)| a == "agent.reply").unwrap();
    assert_eq!((triaged["function"].as_str(), triaged["severity"].as_str()), (Some("alert_triage"), Some("critical")));
    bot.stop().await;
});

db_test!(async fn a_space_where_nothing_is_enabled_is_told_so_once_when_the_bot_joins(db) {
    let bot = Bot::start(&db).await;
    let alex = bot.server.token_for(ALEX).await;
    let room: Value = bot.server.post("/rooms", &alex, json!({ "title": "Design reviews" })).send().await.unwrap().json().await.unwrap();
    let room_id = room["id"].as_str().unwrap();
    let added: Value = bot
        .server
        .post("/memberships", &alex, json!({ "roomId": room_id, "personId": bot.bot_id() }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let said = bot.wait_for_replies(ALEX, room_id, None, 1).await;
    assert!(text(&said[0]).starts_with("No Steward agent function is enabled in this space yet."));
    let space = policy::find_space(&db, "Design reviews").await.unwrap();
    assert_eq!(space.room_id, room_id);
    assert!(space.bot_joined_ms.is_some());

    // Removed and added again: the space already knows, so the bot does not repeat itself.
    let response = bot
        .server
        .http
        .delete(bot.server.url(&format!("/memberships/{}", added["id"].as_str().unwrap())))
        .bearer_auth(&alex)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    bot.server.post("/memberships", &alex, json!({ "roomId": room_id, "personId": bot.bot_id() })).send().await.unwrap();
    bot.settle().await;
    assert_eq!(bot.bot_messages(ALEX, room_id, None).await.len(), 1);
    bot.stop().await;
});

db_test!(async fn the_bots_own_messages_are_recorded_as_ignored(db) {
    let bot = Bot::start(&db).await;
    let room = bot.room(PROJECT_SPACE).await;
    let asked = bot.say(SAM, &room, &format!("{} help", bot.mention()), None).await;
    bot.wait_for_replies(SAM, &room, asked["id"].as_str(), 1).await;
    // The reply itself comes back over the webhook, as Webex does; it is not answered.
    for _ in 0..50 {
        if inbox::state_counts(&db).await.unwrap().iter().any(|(s, _)| *s == EventState::Ignored) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bot.settle().await;
    let states = inbox::state_counts(&db).await.unwrap();
    assert_eq!(states, vec![(EventState::Ignored, 1), (EventState::Replied, 1)]);
    assert_eq!(bot.bot_messages(SAM, &room, asked["id"].as_str()).await.len(), 1);
    bot.stop().await;
});

db_test!(async fn messages_missed_while_deliveries_failed_are_back_filled_and_answered(db) {
    let bot = Bot::start(&db).await;
    let room = bot.room(PROJECT_SPACE).await;
    // Webex loses the delivery (Steward was down): nothing arrives.
    bot.server.sandbox.set_faults(webex_sandbox::FaultPlan {
        drop_next_deliveries: 1,
        ..Default::default()
    });
    let asked = bot.say(SAM, &room, &format!("{} help", bot.mention()), None).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(bot.bot_messages(SAM, &room, asked["id"].as_str()).await.is_empty());

    let report = bot.runtime.backfill().await.unwrap();
    assert_eq!(report.queued, 1, "{report:?}");
    bot.wait_for_replies(SAM, &room, asked["id"].as_str(), 1).await;
    // A second pass finds nothing new.
    assert_eq!(bot.runtime.backfill().await.unwrap().queued, 0);
    bot.stop().await;
});

db_test!(async fn a_webhook_webex_disabled_is_reactivated_and_audited(db) {
    let bot = Bot::start(&db).await;
    let token = &bot.server.seed.bot_token;
    let hooks: Value = bot.server.get("/webhooks", token).send().await.unwrap().json().await.unwrap();
    let hooks = hooks["items"].as_array().unwrap().clone();
    let names: Vec<&str> = hooks.iter().map(|h| h["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Steward firehose", "Steward card actions"]);
    assert!(hooks.iter().all(|h| h["targetUrl"] == format!("{}/webhooks/webex", bot.server.origin)));
    let firehose = hooks[0]["id"].as_str().unwrap();

    // Nothing to do when all is well.
    let report = bot.runtime.sync_webhooks().await.unwrap();
    assert!(!report.changed(), "{report:?}");

    bot.server.sandbox.disable_webhook(firehose).await.unwrap();
    let report = bot.runtime.sync_webhooks().await.unwrap();
    assert_eq!(report.reactivated, 1, "{report:?}");
    let hook: Value = bot.server.get(&format!("/webhooks/{firehose}"), token).send().await.unwrap().json().await.unwrap();
    assert_eq!(hook["status"], "active");
    let audit = audit_actions(&bot).await;
    assert_eq!(audit[0].0, "webhook.reactivate");

    // And events flow again.
    let room = bot.room(PROJECT_SPACE).await;
    let asked = bot.say(SAM, &room, &format!("{} help", bot.mention()), None).await;
    bot.wait_for_replies(SAM, &room, asked["id"].as_str(), 1).await;
    bot.stop().await;
});

db_test!(async fn replies_of_a_space_are_posted_in_order_even_when_one_is_retried(db) {
    let bot = Bot::start(&db).await;
    let room = bot.room(HELP_SPACE).await;
    let first = bot.say(SAM, &room, &format!("{} summarize 5", bot.mention()), None).await;
    let second = bot.say(SAM, &room, &format!("{} summarize 6", bot.mention()), None).await;
    bot.settle().await;
    let pending = drafts::pending(&db, 0, 10).await.unwrap();
    let draft_of = |message: &Value| {
        pending
            .iter()
            .find(|d| d.trigger_message_id.as_deref() == message["id"].as_str())
            .unwrap()
            .id
    };
    // Webex fails the first post; the second waits for it rather than overtaking it.
    bot.server.sandbox.set_faults(webex_sandbox::FaultPlan {
        next: [webex_sandbox::Fault::ServerError { status: 503 }].into(),
        ..Default::default()
    });
    drafts::approve(&db, draft_of(&first), &Actor::User(7), None).await.unwrap();
    drafts::approve(&db, draft_of(&second), &Actor::User(7), None).await.unwrap();
    // Each thread first heard that a reviewer looks; then comes the answer.
    let one = bot.wait_for_replies(SAM, &room, first["id"].as_str(), 2).await;
    let two = bot.wait_for_replies(SAM, &room, second["id"].as_str(), 2).await;
    let created = |m: &Value| domain::webex::timestamp::parse_ms(m["created"].as_str().unwrap()).unwrap();
    assert!(created(&one[1]) <= created(&two[1]), "the second reply overtook the first");
    assert!(text(&one[1]).starts_with("Summary of the last 5 messages"), "{}", text(&one[1]));
    bot.settle().await;
    let sent: Vec<Value> = audit_actions(&bot)
        .await
        .into_iter()
        .filter(|(a, _)| a == "reply.sent")
        .map(|(_, after)| after)
        .collect();
    // Newest first: the second reply was sent last, and the first took a second attempt.
    assert_eq!(sent[1]["attempts"], 2, "{sent:?}");
    assert_eq!(sent[0]["attempts"], 1, "{sent:?}");
    bot.stop().await;
});

db_test!(async fn a_reply_webex_refuses_is_dead_lettered_with_the_reason_and_shown_on_the_overview(db) {
    let bot = Bot::start(&db).await;
    let room = bot.room(HELP_SPACE).await;
    let asked = bot.say(SAM, &room, &format!("{} summarize", bot.mention()), None).await;
    bot.settle().await;
    let draft = drafts::pending(&db, 0, 10).await.unwrap().remove(0);

    // The bot is removed from the space before a reviewer approves: Webex answers 404.
    let alex = bot.server.token_for(ALEX).await;
    let memberships: Value = bot
        .server
        .get(&format!("/memberships?roomId={room}&personId={}", bot.bot_id()), &alex)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let membership = memberships["items"][0]["id"].as_str().unwrap();
    bot.server
        .http
        .delete(bot.server.url(&format!("/memberships/{membership}")))
        .bearer_auth(&alex)
        .send()
        .await
        .unwrap();
    drafts::approve(&db, draft.id, &Actor::User(7), None).await.unwrap();
    bot.settle().await;

    let event = inbox::find_by_data_id(&db, "messages", "created", asked["id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(event.state, EventState::Dead);
    assert!(event.reason.as_deref().unwrap().contains("Webex refused the reply (404"), "{:?}", event.reason);
    let counts = domain::queue::counts(&db).await.unwrap();
    assert_eq!(counts.dead, 1, "a 4xx is not retried: {counts:?}");
    let audit = audit_actions(&bot).await;
    let (_, dead) = audit.iter().find(|(a, _)| a == "job.dead_letter").unwrap();
    assert_eq!(dead["kind"], "deliver");
    assert_eq!(dead["attempts"], 1);

    let cookie = crate::helpers::session_cookie(&db, ALEX, &[domain::users::Role::Admin], Duration::ZERO).await;
    let page = bot
        .server
        .http
        .get(format!("{}/", bot.server.origin))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Bot runtime"), "{page}");
    assert!(page.contains("1 events, 1 jobs"), "{page}");
    bot.stop().await;
});
