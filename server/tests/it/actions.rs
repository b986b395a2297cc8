//! External actions end to end: the integration clients against the sandbox's stand-ins for
//! ServiceNow, PagerDuty, Jira and a webhook receiver, and alert triage's Escalate button
//! proposing an action that runs once a person approves it.

use std::time::Duration;

use domain::vocab::ActionState;
use domain::{
    Db,
    actions::{self, Action},
    ai::Severity,
    audit::{self, Actor},
    db_test,
    integrations::{
        self, Escalation, IntegrationClient, IntegrationError, IntegrationKind, Outcome,
    },
    outbound::Destinations,
};
use serde_json::json;
use webex_sandbox::{
    Fault,
    integrations::{self as stand_ins, SERVICENOW_PASSWORD},
    seed::ALERTS_SPACE,
};

use crate::{
    bot_support::{Bot, SAM, audit_actions, text},
    sandbox_support::SandboxServer,
};

fn escalation(correlation: &str) -> Escalation {
    Escalation {
        title: "Disk full on web-01".into(),
        severity: Severity::Critical,
        description: "Alert raised in IT Alerts.\nHosts: web-01".into(),
        source: Some("web-01".into()),
        correlation: correlation.into(),
        details: json!({ "hosts": ["web-01"] }),
    }
}

/// Configures every integration against `server`'s stand-ins, as the demo does.
async fn configure(db: &Db, server: &SandboxServer) {
    let base = format!("{}/sandbox/integrations", server.origin);
    stand_ins::configure_demo(db, &base, &Actor::system("test"))
        .await
        .unwrap();
}

async fn send(
    db: &Db,
    kind: IntegrationKind,
    correlation: &str,
    retrying: bool,
) -> Result<Outcome, IntegrationError> {
    let integration = integrations::load(db, kind).await.unwrap().unwrap();
    let payload = integrations::payload(kind, &integration.settings, &escalation(correlation));
    IntegrationClient::new(Destinations::with_loopback())
        .send(&integration, &payload, correlation, retrying)
        .await
}

db_test!(async fn integrations_are_never_called_at_loopback_or_private_addresses_unless_allowed(db) {
    let server = SandboxServer::start(&db).await;
    configure(&db, &server).await;
    let integration = integrations::load(&db, IntegrationKind::ServiceNow).await.unwrap().unwrap();
    let payload = integrations::payload(IntegrationKind::ServiceNow, &integration.settings, &escalation("ssrf"));
    let refused = IntegrationClient::new(Destinations::default())
        .send(&integration, &payload, "ssrf", false)
        .await
        .unwrap_err();
    assert!(matches!(refused, IntegrationError::Forbidden { .. }), "{refused:?}");
    assert!(refused.to_string().contains("STEWARD_OUTBOUND_ALLOW"), "{refused}");
    // By name too: `localhost` resolves to loopback, which is refused where it resolves.
    let mut by_name = integration.clone();
    by_name.settings.base_url = by_name.settings.base_url.replace("127.0.0.1", "localhost");
    let refused = IntegrationClient::new(Destinations::default())
        .send(&by_name, &payload, "ssrf", false)
        .await
        .unwrap_err();
    assert!(matches!(refused, IntegrationError::Forbidden { .. }), "{refused:?}");
    // Nothing reached the stand-in.
    assert!(server.sandbox.integration_records(IntegrationKind::ServiceNow).await.unwrap().is_empty());
});

db_test!(async fn each_integration_creates_one_record_and_a_retry_finds_it_instead_of_a_second(db) {
    let server = SandboxServer::start(&db).await;
    configure(&db, &server).await;

    let created = send(&db, IntegrationKind::ServiceNow, "steward-alert-1", false).await.unwrap();
    assert_eq!(created.reference, "INC0010001");
    assert!(created.link.as_deref().unwrap().contains("/sandbox/integrations/servicenow/nav_to.do?uri=incident.do"));
    let again = send(&db, IntegrationKind::ServiceNow, "steward-alert-1", true).await.unwrap();
    assert_eq!(again, created, "a retry finds the incident by correlation_id");
    let incidents = server.sandbox.integration_records(IntegrationKind::ServiceNow).await.unwrap();
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].body["short_description"], "[Critical] Disk full on web-01");
    assert_eq!(incidents[0].body["urgency"], "1");

    let triggered = send(&db, IntegrationKind::PagerDuty, "steward-alert-1", false).await.unwrap();
    assert_eq!(triggered.reference, "steward-alert-1");
    send(&db, IntegrationKind::PagerDuty, "steward-alert-1", true).await.unwrap();
    let events = server.sandbox.integration_records(IntegrationKind::PagerDuty).await.unwrap();
    assert_eq!(events.len(), 1, "PagerDuty folds a repeated trigger into the first");
    assert_eq!(events[0].body["payload"]["severity"], "critical");
    assert!(events[0].body.get("routing_key").is_none(), "the stand-in keeps no key");

    let issue = send(&db, IntegrationKind::Jira, "steward-alert-1", false).await.unwrap();
    assert_eq!(issue.reference, "OPS-1");
    assert!(issue.link.as_deref().unwrap().ends_with("/sandbox/integrations/jira/browse/OPS-1"));
    assert_eq!(send(&db, IntegrationKind::Jira, "steward-alert-1", true).await.unwrap(), issue);
    let issues = server.sandbox.integration_records(IntegrationKind::Jira).await.unwrap();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].body["fields"]["issuetype"]["name"], "Incident");
    assert_eq!(issues[0].body["fields"]["description"]["type"], "doc");

    let called = send(&db, IntegrationKind::Webhook, "steward-alert-1", false).await.unwrap();
    assert_eq!(called.reference, "HTTP 200");
    send(&db, IntegrationKind::Webhook, "steward-alert-1", true).await.unwrap();
    let deliveries = server.sandbox.integration_records(IntegrationKind::Webhook).await.unwrap();
    assert_eq!(deliveries.len(), 1, "the receiver drops a repeated delivery id");
    assert_eq!(deliveries[0].body["event"], "steward.escalation");
});

db_test!(async fn refusals_explain_themselves_and_outages_and_rate_limits_are_worth_retrying(db) {
    let server = SandboxServer::start(&db).await;
    configure(&db, &server).await;
    let actor = Actor::system("test");

    // A wrong password: ServiceNow's own words, not retried.
    let (settings, _) = stand_ins::demo_settings(IntegrationKind::ServiceNow, &format!("{}/sandbox/integrations", server.origin));
    integrations::configure(&db, IntegrationKind::ServiceNow, settings.clone(), Some("wrong"), &actor).await.unwrap();
    let refused = send(&db, IntegrationKind::ServiceNow, "steward-alert-2", false).await.unwrap_err();
    assert!(
        matches!(&refused, IntegrationError::Refused { status: 401, message, .. }
            if message == "User Not Authenticated (Required to provide Auth information)"),
        "{refused:?}"
    );
    integrations::configure(&db, IntegrationKind::ServiceNow, settings, Some(SERVICENOW_PASSWORD), &actor).await.unwrap();

    // A Jira project that does not exist: the field and Jira's message.
    let (mut jira, token) = stand_ins::demo_settings(IntegrationKind::Jira, &format!("{}/sandbox/integrations", server.origin));
    jira.project = "NOPE".into();
    integrations::configure(&db, IntegrationKind::Jira, jira, Some(token), &actor).await.unwrap();
    let refused = send(&db, IntegrationKind::Jira, "steward-alert-2", false).await.unwrap_err();
    assert_eq!(refused.to_string(), "Jira answered 400: project: Specify a valid project ID or key");

    // A webhook signed with another secret is refused by the receiver.
    let (hook, _) = stand_ins::demo_settings(IntegrationKind::Webhook, &format!("{}/sandbox/integrations", server.origin));
    integrations::configure(&db, IntegrationKind::Webhook, hook, Some("not-the-secret"), &actor).await.unwrap();
    let refused = send(&db, IntegrationKind::Webhook, "steward-alert-2", false).await.unwrap_err();
    assert!(matches!(refused, IntegrationError::Refused { status: 401, .. }), "{refused:?}");

    server.sandbox.set_integration_faults([
        Fault::ServerError { status: 503 },
        Fault::RateLimit { retry_after_secs: 7 },
    ]);
    let outage = send(&db, IntegrationKind::ServiceNow, "steward-alert-2", false).await.unwrap_err();
    assert!(matches!(outage, IntegrationError::Unavailable { .. }), "{outage:?}");
    let limited = send(&db, IntegrationKind::PagerDuty, "steward-alert-2", false).await.unwrap_err();
    assert!(
        matches!(limited, IntegrationError::RateLimited { retry_after, .. } if retry_after == Duration::from_secs(7)),
        "{limited:?}"
    );
    assert!(server.sandbox.integration_records(IntegrationKind::ServiceNow).await.unwrap().is_empty());
    assert!(server.sandbox.integration_records(IntegrationKind::PagerDuty).await.unwrap().is_empty());
});

/// Posts the disk-full alert in IT Alerts, waits for its card and clicks Escalate as Sam.
/// Returns the alert message's id.
async fn escalate_disk_alert(bot: &Bot) -> String {
    let room = bot.room(ALERTS_SPACE).await;
    let alert = bot
        .say(
            "datadog@acme.webex.bot",
            &room,
            &format!(
                "{} [Triggered] Disk usage above 95% on web-01 (/var): 99.1% used",
                bot.mention()
            ),
            None,
        )
        .await;
    let alert_id = alert["id"].as_str().unwrap().to_owned();
    let card = bot
        .wait_for_replies(SAM, &room, Some(&alert_id), 1)
        .await
        .remove(0);
    let escalate = card["attachments"][0]["content"]["actions"][1]["data"].clone();
    let sam = bot.server.token_for(SAM).await;
    let clicked = bot
        .server
        .post(
            "/attachment/actions",
            &sam,
            json!({ "type": "submit", "messageId": card["id"], "inputs": escalate }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(clicked.status(), 202);
    alert_id
}

async fn only_pending(bot: &Bot) -> Action {
    let mut pending = actions::pending(&bot.db, 0, 10).await.unwrap();
    assert_eq!(pending.len(), 1, "{pending:?}");
    pending.remove(0)
}

db_test!(async fn escalating_an_alert_proposes_an_incident_that_is_created_once_approved(db) {
    let bot = Bot::start(&db).await;
    configure(&db, &bot.server).await;
    let room = bot.room(ALERTS_SPACE).await;
    let alert_id = escalate_disk_alert(&bot).await;
    let thread = bot.wait_for_replies(SAM, &room, Some(&alert_id), 2).await;
    assert_eq!(
        text(&thread[1]),
        "Sam Okafor escalated this alert. Steward proposes to create a ServiceNow incident; it waits for approval on Steward's Actions page."
    );
    bot.settle().await;
    // Nothing leaves Steward before a person approves.
    assert!(bot.server.sandbox.integration_records(IntegrationKind::ServiceNow).await.unwrap().is_empty());
    let action = only_pending(&bot).await;
    assert_eq!(action.kind, IntegrationKind::ServiceNow);
    assert_eq!(action.payload["short_description"], "[Critical] [Triggered] Disk usage above 95% on web-01 (/var): 99.1% used");
    assert!(action.payload["description"].as_str().unwrap().contains("Hosts: web-01"));
    assert!(action.payload["description"].as_str().unwrap().contains("Escalated by Sam Okafor"));

    actions::approve(&db, action.id, &Actor::User(2), "Alex Rivera").await.unwrap();
    let thread = bot.wait_for_replies(SAM, &room, Some(&alert_id), 3).await;
    assert!(
        text(&thread[2]).starts_with("Created ServiceNow incident INC0010001, approved by Alex Rivera. Open it"),
        "{}",
        text(&thread[2])
    );
    let incidents = bot.server.sandbox.integration_records(IntegrationKind::ServiceNow).await.unwrap();
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].correlation.as_deref(), Some(action.correlation().as_str()));
    let done = actions::find(&db, action.id).await.unwrap();
    assert_eq!((done.state.as_str(), done.reference.as_deref()), ("succeeded", Some("INC0010001")));
    // A second approval changes nothing.
    assert!(matches!(
        actions::approve(&db, action.id, &Actor::User(2), "Alex Rivera").await,
        Err(actions::ActionError::AlreadyDecided(_))
    ));

    bot.settle().await;
    let log = audit_actions(&bot).await;
    let names: Vec<&str> = log.iter().map(|(a, _)| a.as_str()).filter(|a| a.starts_with("action.")).collect();
    assert_eq!(names, ["action.succeeded", "action.approve", "action.propose"]);
    let (_, succeeded) = log.iter().find(|(a, _)| a == "action.succeeded").unwrap();
    assert_eq!(succeeded["reference"], "INC0010001");
    let everything = serde_json::to_string(&audit::recent(&db, 500).await.unwrap()).unwrap();
    assert!(everything.contains("credential.set"), "setting a credential is audited");
    assert!(!everything.contains(SERVICENOW_PASSWORD), "a credential reached the audit log");
    bot.stop().await;
});

db_test!(async fn a_rejected_action_sends_nothing_and_the_thread_hears_why(db) {
    let bot = Bot::start(&db).await;
    configure(&db, &bot.server).await;
    let room = bot.room(ALERTS_SPACE).await;
    let alert_id = escalate_disk_alert(&bot).await;
    bot.wait_for_replies(SAM, &room, Some(&alert_id), 2).await;
    let action = only_pending(&bot).await;

    let blank = actions::reject(&db, action.id, &Actor::User(2), "Alex Rivera", "  ").await;
    assert!(matches!(blank, Err(actions::ActionError::Invalid(_))), "{blank:?}");
    assert_eq!(actions::find(&db, action.id).await.unwrap().state, ActionState::Pending);

    actions::reject(&db, action.id, &Actor::User(2), "Alex Rivera", "Already handled on the bridge call").await.unwrap();
    let thread = bot.wait_for_replies(SAM, &room, Some(&alert_id), 3).await;
    assert_eq!(
        text(&thread[2]),
        "Alex Rivera declined to create a ServiceNow incident: Already handled on the bridge call"
    );
    bot.settle().await;
    assert!(bot.server.sandbox.integration_records(IntegrationKind::ServiceNow).await.unwrap().is_empty());
    let log = audit_actions(&bot).await;
    let (_, rejected) = log.iter().find(|(a, _)| a == "action.reject").unwrap();
    assert_eq!(rejected["reason"], "Already handled on the bridge call");
    bot.stop().await;
});

db_test!(async fn an_outage_is_retried_without_a_duplicate_and_a_lasting_one_is_reported_as_failed(db) {
    let bot = Bot::start(&db).await;
    configure(&db, &bot.server).await;
    let room = bot.room(ALERTS_SPACE).await;
    let alert_id = escalate_disk_alert(&bot).await;
    bot.wait_for_replies(SAM, &room, Some(&alert_id), 2).await;
    let action = only_pending(&bot).await;

    // ServiceNow answers 502 once: the job is retried, looks for an incident the first attempt
    // may have made, finds none, and creates exactly one.
    bot.server.sandbox.set_integration_faults([Fault::ServerError { status: 502 }]);
    actions::approve(&db, action.id, &Actor::User(2), "Alex Rivera").await.unwrap();
    let thread = bot.wait_for_replies(SAM, &room, Some(&alert_id), 3).await;
    assert!(text(&thread[2]).starts_with("Created ServiceNow incident INC0010001"), "{}", text(&thread[2]));
    assert_eq!(bot.server.sandbox.integration_records(IntegrationKind::ServiceNow).await.unwrap().len(), 1);

    // Jira down for every attempt: the action fails, and the thread and the audit log say so.
    let (settings, token) = stand_ins::demo_settings(IntegrationKind::Jira, &format!("{}/sandbox/integrations", bot.server.origin));
    integrations::configure(&db, IntegrationKind::Jira, settings, Some(token), &Actor::system("test")).await.unwrap();
    actions::set_escalation_target(&db, Some(IntegrationKind::Jira), &Actor::system("test")).await.unwrap();
    let second = escalate_disk_alert(&bot).await;
    let thread = bot.wait_for_replies(SAM, &room, Some(&second), 2).await;
    assert!(text(&thread[1]).contains("Steward proposes to create a Jira issue"), "{}", text(&thread[1]));
    let action = only_pending(&bot).await;
    bot.server.sandbox.set_integration_faults([Fault::ServerError { status: 503 }; 5]);
    actions::approve(&db, action.id, &Actor::User(2), "Alex Rivera").await.unwrap();
    let thread = bot.wait_for_replies(SAM, &room, Some(&second), 3).await;
    assert_eq!(
        text(&thread[2]),
        "Could not create a Jira issue: Jira answered HTTP 503. The details are on Steward's Actions page."
    );
    let failed = actions::find(&db, action.id).await.unwrap();
    assert_eq!(failed.state, ActionState::Failed);
    assert!(bot.server.sandbox.integration_records(IntegrationKind::Jira).await.unwrap().is_empty());
    bot.settle().await;
    let log = audit_actions(&bot).await;
    assert_eq!(log.iter().filter(|(a, _)| a == "action.failed").count(), 1);
    bot.stop().await;
});

db_test!(async fn an_approved_action_goes_only_where_it_was_proposed_to_go(db) {
    let bot = Bot::start(&db).await;
    configure(&db, &bot.server).await;
    let room = bot.room(ALERTS_SPACE).await;
    let alert_id = escalate_disk_alert(&bot).await;
    bot.wait_for_replies(SAM, &room, Some(&alert_id), 2).await;
    let action = only_pending(&bot).await;
    assert_eq!(action.destination.as_deref(), Some(bot.server.origin.as_str()));
    let admin = crate::helpers::session_cookie(&db, "admin@example.com", &[domain::users::Role::Admin], Duration::ZERO).await;
    let page = crate::helpers::get_as(&crate::helpers::app(&db), "/actions", &admin).await.body;
    assert!(page.contains(&format!("sending this request to {}:", bot.server.origin)), "{page}");

    // Before anyone approves, ServiceNow is pointed at another site (its password entered again,
    // as Steward insists when the address moves).
    let elsewhere = format!("{}/sandbox/integrations", bot.server.origin.replace("127.0.0.1", "localhost"));
    let (settings, password) = stand_ins::demo_settings(IntegrationKind::ServiceNow, &elsewhere);
    let refused = integrations::configure(&db, IntegrationKind::ServiceNow, settings.clone(), None, &Actor::system("test")).await.unwrap_err();
    assert!(refused.to_string().contains("enter the password again"), "{refused}");
    integrations::configure(&db, IntegrationKind::ServiceNow, settings, Some(password), &Actor::system("test")).await.unwrap();

    actions::approve(&db, action.id, &Actor::User(2), "Alex Rivera").await.unwrap();
    let thread = bot.wait_for_replies(SAM, &room, Some(&alert_id), 3).await;
    assert_eq!(
        text(&thread[2]),
        "Could not create a ServiceNow incident: ServiceNow's address changed after it was proposed. The details are on Steward's Actions page."
    );
    assert_eq!(actions::find(&db, action.id).await.unwrap().state, ActionState::Failed);
    assert!(bot.server.sandbox.integration_records(IntegrationKind::ServiceNow).await.unwrap().is_empty());
    bot.stop().await;
});
