//! Review through the runtime: drafts held in review mode or while a prompt version is on
//! probation, what the asker hears, graduation and demotion, rollbacks, and draft cards decided
//! in the reviewer space.

use domain::{agents::AgentFunction, audit::Actor, db_test, drafts};
use serde_json::{Value, json};
use webex_sandbox::seed::{HELP_SPACE, PROJECT_SPACE};

use crate::bot_support::{ALEX, Bot, SAM, audit_actions, text};

db_test!(async fn in_review_mode_a_summary_waits_for_a_reviewer_who_approves_an_edit(db) {
    let bot = Bot::start(&db).await;
    let room = bot.room(HELP_SPACE).await;
    let asked = bot.say(SAM, &room, &format!("{} summarize", bot.mention()), None).await;
    let asked_id = asked["id"].as_str().unwrap();
    bot.settle().await;
    // Nothing of the answer is posted before review; the asker hears that a reviewer looks first.
    let said = bot.bot_messages(SAM, &room, Some(asked_id)).await;
    assert_eq!(said.iter().map(text).collect::<Vec<_>>(), [drafts::HELD_FOR_REVIEW]);

    // Sam never signed in to the console, yet it names him as Webex does, and finds him by name.
    let sam = Actor::Webex(asked["personId"].as_str().unwrap().to_owned());
    assert_eq!(domain::users::describe_actor(&db, &sam).await.unwrap(), "Sam Okafor");
    assert_eq!(domain::console::audit::find_actor(&db, "sam okafor").await.unwrap(), Some(sam));

    let pending = drafts::pending(&db, 0, 10).await.unwrap();
    assert_eq!(pending.len(), 1);
    let draft = &pending[0];
    assert_eq!((draft.function.as_str(), draft.state.as_str()), ("summarize", "pending"));
    assert_eq!(draft.trigger_message_id.as_deref(), Some(asked_id));
    assert_eq!(draft.prompt_version, "summarize@v1");
    assert!(draft.markdown.contains("Summary of the last"), "{}", draft.markdown);

    // As a browser sends a textarea: CRLF line breaks.
    let edited = format!("{}\r\n\r\nReviewed by Riley.", draft.markdown.replace('\n', "\r\n"));
    drafts::approve(&db, draft.id, &Actor::User(7), Some(&edited)).await.unwrap();
    let replies = bot.wait_for_replies(SAM, &room, Some(asked_id), 2).await;
    assert!(replies.iter().any(|r| text(r).ends_with("Reviewed by Riley.")), "{replies:?}");
    assert!(matches!(
        drafts::approve(&db, draft.id, &Actor::User(7), None).await,
        Err(drafts::DraftError::AlreadyDecided(_))
    ));
    bot.settle().await;
    let actions: Vec<String> = audit_actions(&bot).await.into_iter().map(|(a, _)| a).collect();
    assert!(actions.contains(&"agent.draft".to_owned()));
    assert_eq!(actions[0], "reply.sent");
    let entries = audit_actions(&bot).await;
    let (_, approved) = entries.iter().find(|(a, _)| a == "draft.approve").unwrap();
    assert_eq!(approved["markdown"], format!("{}\n\nReviewed by Riley.", draft.markdown));
    assert_eq!(approved["edit_distance"], "\n\nReviewed by Riley.".chars().count());
    assert_eq!(approved["room_id"], room.as_str());
    bot.stop().await;
});

fn second_summary_prompt() -> domain::prompts::NewPrompt {
    domain::prompts::NewPrompt {
        template: "Summarize {{messages}}".into(),
        settings: domain::agents::summarize::default_settings().to_string(),
        note: "A second version".into(),
    }
}

db_test!(async fn a_new_version_holds_live_answers_for_review_until_it_graduates_and_a_rejection_streak_demotes_it(db) {
    use domain::graduation::{self, Thresholds};
    let bot = Bot::start(&db).await;
    let admin = Actor::User(1);
    let reviewer = Actor::User(7);
    graduation::set_thresholds(&db, Thresholds { min_approvals: 2, min_rate_percent: 60, demote_after: 2 }, &admin)
        .await
        .unwrap();
    domain::prompts::create(&db, AgentFunction::Summarize, &second_summary_prompt(), &admin).await.unwrap();
    domain::prompts::promote(&db, AgentFunction::Summarize, 2, &admin).await.unwrap();
    let live = bot.room(PROJECT_SPACE).await;
    let ask = |room: String| {
        let bot = &bot;
        async move {
            let asked = bot.say(SAM, &room, &format!("{} summarize 5", bot.mention()), None).await;
            bot.settle().await;
            asked
        }
    };

    // On probation: the live space's answers wait for a reviewer.
    for _ in 0..2 {
        let asked = ask(live.clone()).await;
        assert_eq!(held_only(&bot, &live, &asked).await, vec![drafts::HELD_FOR_REVIEW]);
        let draft = drafts::pending(&db, 0, 10).await.unwrap().remove(0);
        assert_eq!(draft.prompt_version, "summarize@v2");
        drafts::approve(&db, draft.id, &reviewer, None).await.unwrap();
        bot.settle().await;
    }
    assert!(graduation::standing(&db, AgentFunction::Summarize, 2).await.unwrap().graduated);
    let audit = audit_actions(&bot).await;
    assert!(audit.iter().any(|(a, after)| a == "agent.graduate" && after["graduated"] == true));

    // Graduated: it answers directly.
    let asked = ask(live.clone()).await;
    assert_eq!(bot.bot_messages(SAM, &live, asked["id"].as_str()).await.len(), 1);

    // Two rejections in a row (from a space in review) put it back on probation; the askers
    // hear that their answers were declined.
    let review = bot.room(HELP_SPACE).await;
    for _ in 0..2 {
        let asked = ask(review.clone()).await;
        let draft = drafts::pending(&db, 0, 10).await.unwrap().remove(0);
        drafts::reject(&db, draft.id, &reviewer, "Misses the point").await.unwrap();
        let said = bot.wait_for_replies(SAM, &review, asked["id"].as_str(), 2).await;
        let said: Vec<&str> = said.iter().map(text).collect();
        assert_eq!(said, [drafts::HELD_FOR_REVIEW, drafts::DECLINED]);
    }
    assert!(!graduation::standing(&db, AgentFunction::Summarize, 2).await.unwrap().graduated);
    let asked = ask(live.clone()).await;
    assert_eq!(held_only(&bot, &live, &asked).await, vec![drafts::HELD_FOR_REVIEW]);
    assert_eq!(drafts::pending(&db, 0, 10).await.unwrap().len(), 1);
    bot.stop().await;
});

db_test!(async fn after_a_rollback_the_next_draft_comes_from_the_earlier_version(db) {
    let bot = Bot::start(&db).await;
    let admin = Actor::User(1);
    let room = bot.room(HELP_SPACE).await;
    domain::prompts::create(&db, AgentFunction::Summarize, &second_summary_prompt(), &admin).await.unwrap();
    domain::prompts::promote(&db, AgentFunction::Summarize, 2, &admin).await.unwrap();
    bot.say(SAM, &room, &format!("{} summarize 5", bot.mention()), None).await;
    bot.settle().await;
    domain::prompts::rollback(&db, AgentFunction::Summarize, &admin).await.unwrap();
    bot.say(SAM, &room, &format!("{} summarize 5", bot.mention()), None).await;
    bot.settle().await;
    let versions: Vec<String> = drafts::pending(&db, 0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.prompt_version)
        .collect();
    assert_eq!(versions, ["summarize@v2", "summarize@v1"]);
    let audit = audit_actions(&bot).await;
    let drafted: Vec<&Value> = audit.iter().filter(|(a, _)| a == "agent.draft").map(|(_, after)| after).collect();
    assert_eq!(drafted[0]["prompt_version"], "summarize@v1");
    assert_eq!(drafted[1]["prompt_version"], "summarize@v2");
    bot.stop().await;
});

db_test!(async fn a_draft_card_in_the_reviewer_space_is_decided_once_and_only_by_reviewers(db) {
    use domain::{review, users::{self, EmailAddress, Role}};
    use webex_sandbox::seed::REVIEW_SPACE;
    let bot = Bot::start(&db).await;
    let admin = Actor::User(1);
    let reviews = bot.room(REVIEW_SPACE).await;
    review::set_space(&db, Some(&reviews), &admin).await.unwrap();
    users::grant_role(&db, &EmailAddress::parse("riley.chen@acme.example").unwrap(), Role::Reviewer, &admin)
        .await
        .unwrap();
    let help = bot.room(HELP_SPACE).await;
    let asked = bot.say(SAM, &help, &format!("{} summarize 5", bot.mention()), None).await;
    let cards = bot.wait_for_replies("riley.chen@acme.example", &reviews, None, 1).await;
    let card_message = &cards[0];
    assert!(text(card_message).starts_with("Draft for review: Thread summaries in IT Help"), "{}", text(card_message));
    let card = &card_message["attachments"][0]["content"];
    // What Sam asked, without the mention of the bot he asked it with.
    assert!(card["body"].to_string().contains("Sam Okafor asked: summarize 5"), "{}", card["body"]);
    let approve = card["actions"][0]["data"].clone();
    let reject = card["actions"][1]["data"].clone();
    let click = |email: &'static str, inputs: Value| {
        let bot = &bot;
        let message = card_message["id"].clone();
        async move {
            let token = bot.server.token_for(email).await;
            let response = bot
                .server
                .post("/attachment/actions", &token, json!({ "type": "submit", "messageId": message, "inputs": inputs }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 202);
        }
    };
    let card_id = card_message["id"].as_str().unwrap();

    // Someone without the reviewer role is told so; nothing is decided.
    click(ALEX, approve.clone()).await;
    let said = bot.wait_for_replies(ALEX, &reviews, Some(card_id), 1).await;
    assert!(text(&said[0]).starts_with("Only Steward reviewers can decide drafts."), "{}", text(&said[0]));
    // Rejecting needs a reason.
    click("riley.chen@acme.example", reject.clone()).await;
    let said = bot.wait_for_replies(ALEX, &reviews, Some(card_id), 2).await;
    assert_eq!(text(&said[1]), "Say why in the Reason field, then press Reject.");
    assert_eq!(drafts::pending(&db, 0, 10).await.unwrap().len(), 1);

    click("riley.chen@acme.example", approve.clone()).await;
    let said = bot.wait_for_replies(ALEX, &reviews, Some(card_id), 3).await;
    assert_eq!(text(&said[2]), "Riley Chen approved this draft.");
    let answered = bot.wait_for_replies(SAM, &help, asked["id"].as_str(), 2).await;
    assert_eq!(text(&answered[0]), drafts::HELD_FOR_REVIEW);
    assert!(text(&answered[1]).starts_with("Summary of the last 5 messages"));

    // A second click says who decided, and posts nothing more in IT Help.
    let mut with_reason = reject.as_object().unwrap().clone();
    with_reason.insert("reason".into(), json!("too long"));
    click("riley.chen@acme.example", Value::Object(with_reason)).await;
    let said = bot.wait_for_replies(ALEX, &reviews, Some(card_id), 4).await;
    assert_eq!(text(&said[3]), "This draft was already approved by riley.chen@acme.example.");
    bot.settle().await;
    assert_eq!(bot.bot_messages(SAM, &help, asked["id"].as_str()).await.len(), 2);
    bot.stop().await;
});

/// What the bot said in the thread of `asked`: only that a reviewer looks first, while it waits.
async fn held_only(bot: &Bot, room: &str, asked: &Value) -> Vec<String> {
    bot.bot_messages(SAM, room, asked["id"].as_str())
        .await
        .iter()
        .map(|m| text(m).to_owned())
        .collect()
}
