//! The demo organisation the sandbox starts with: people with Steward roles, the Steward bot,
//! alerting integrations, spaces with realistic history, and a 150-message project thread full of
//! decisions, action items and open questions.

use crate::{
    db::sandbox::{self as store, NewMessage, PersonRow, RoomRow},
    sandbox::{Sandbox, SandboxError, auth::random_token},
    time::now_ms,
    webex::{
        ids::{IdKind, new_id},
        markup::mention_person,
    },
};

/// E-mail of the sandbox's Steward bot.
pub const BOT_EMAIL: &str = "steward@acme.webex.bot";
/// Title of the space with the long project thread.
pub const PROJECT_SPACE: &str = "Project Falcon";
/// Title of the alerts space.
pub const ALERTS_SPACE: &str = "IT Alerts";

/// `(key, display name, e-mail, Steward role, Webex org admin)` of the demo people.
pub const DEMO_PEOPLE: [(&str, &str, &str, Option<&str>, bool); 8] = [
    (
        "alex",
        "Alex Rivera",
        "alex.rivera@acme.example",
        Some("admin"),
        true,
    ),
    (
        "riley",
        "Riley Chen",
        "riley.chen@acme.example",
        Some("reviewer"),
        false,
    ),
    (
        "morgan",
        "Morgan Patel",
        "morgan.patel@acme.example",
        Some("manager"),
        false,
    ),
    ("sam", "Sam Okafor", "sam.okafor@acme.example", None, false),
    (
        "jordan",
        "Jordan Lee",
        "jordan.lee@acme.example",
        None,
        false,
    ),
    (
        "casey",
        "Casey Novak",
        "casey.novak@acme.example",
        None,
        false,
    ),
    (
        "priya",
        "Priya Shah",
        "priya.shah@acme.example",
        None,
        false,
    ),
    (
        "taylor",
        "Taylor Brooks",
        "taylor.brooks@acme.example",
        None,
        false,
    ),
];

const BOTS: [(&str, &str, &str); 3] = [
    ("bot", "Steward", BOT_EMAIL),
    ("datadog", "Datadog", "datadog@acme.webex.bot"),
    ("splunk", "Splunk", "splunk@acme.webex.bot"),
];

/// What seeding created, or found already there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedSummary {
    /// Whether this call created the demo organisation (false when it existed).
    pub created: bool,
    /// The Steward bot's person ID.
    pub bot_id: String,
    /// The Steward bot's access token.
    pub bot_token: String,
    /// The demo organization's ID.
    pub org_id: String,
}

struct Seeder {
    org_id: String,
    people: Vec<(&'static str, PersonRow)>,
    clock: i64,
}

impl Seeder {
    fn id(&self, key: &str) -> &str {
        &self.person(key).id
    }

    fn person(&self, key: &str) -> &PersonRow {
        &self
            .people
            .iter()
            .find(|(k, _)| *k == key)
            .expect("a seeded person")
            .1
    }

    fn mention(&self, key: &str) -> String {
        let p = self.person(key);
        mention_person(&p.id, &p.display_name)
    }
}

impl Sandbox {
    /// Creates the demo organisation unless the sandbox already has people. Safe at every start.
    pub async fn seed_demo(&self) -> Result<SeedSummary, SandboxError> {
        if store::count_people(&self.db).await? > 0 {
            return self.existing_bot().await;
        }
        let now = now_ms();
        let mut seeder = Seeder {
            org_id: new_id(IdKind::Organization),
            people: Vec::new(),
            // History starts three days ago and moves forward message by message.
            clock: now - 3 * 24 * 3600 * 1000,
        };
        let mut tx = self.db.begin().await?;
        for (key, name, email, role, org_admin) in DEMO_PEOPLE {
            let (first, last) = name.split_once(' ').unwrap_or((name, ""));
            let row = PersonRow {
                id: new_id(IdKind::People),
                email: email.to_owned(),
                display_name: name.to_owned(),
                first_name: Some(first.to_owned()),
                last_name: Some(last.to_owned()),
                org_id: seeder.org_id.clone(),
                kind: "person".to_owned(),
                is_org_admin: i64::from(org_admin),
                demo_role: role.map(str::to_owned),
                created_ms: seeder.clock,
            };
            store::insert_person(&mut tx, &row).await?;
            seeder.people.push((key, row));
        }
        for (key, name, email) in BOTS {
            let row = PersonRow {
                id: new_id(IdKind::People),
                email: email.to_owned(),
                display_name: name.to_owned(),
                first_name: None,
                last_name: None,
                org_id: seeder.org_id.clone(),
                kind: "bot".to_owned(),
                is_org_admin: 0,
                demo_role: None,
                created_ms: seeder.clock,
            };
            store::insert_person(&mut tx, &row).await?;
            seeder.people.push((key, row));
        }

        let alerts = room(
            &mut tx,
            &mut seeder,
            ALERTS_SPACE,
            &["alex", "sam", "priya", "bot", "datadog", "splunk"],
        )
        .await?;
        for (author, text) in ALERT_HISTORY {
            post(&mut tx, &mut seeder, &alerts, author, None, text, None).await?;
        }

        let help = room(
            &mut tx,
            &mut seeder,
            "IT Help",
            &["alex", "sam", "jordan", "casey", "priya", "taylor", "bot"],
        )
        .await?;
        let bot = seeder.mention("bot");
        for (author, text, mentions_bot) in IT_HELP_HISTORY {
            let markdown = mentions_bot.then(|| format!("{bot} {text}"));
            post(
                &mut tx,
                &mut seeder,
                &help,
                author,
                None,
                text,
                markdown.as_deref(),
            )
            .await?;
        }

        let hr = room(
            &mut tx,
            &mut seeder,
            "HR Questions",
            &["taylor", "riley", "jordan", "casey", "priya", "bot"],
        )
        .await?;
        for (author, text, mentions_bot) in HR_HISTORY {
            let markdown = mentions_bot.then(|| format!("{bot} {text}"));
            post(
                &mut tx,
                &mut seeder,
                &hr,
                author,
                None,
                text,
                markdown.as_deref(),
            )
            .await?;
        }

        let project = room(
            &mut tx,
            &mut seeder,
            PROJECT_SPACE,
            &["alex", "morgan", "jordan", "casey", "priya", "sam", "bot"],
        )
        .await?;
        post(
            &mut tx,
            &mut seeder,
            &project,
            "morgan",
            None,
            "Weekly sync notes will go in the Falcon planning thread below.",
            None,
        )
        .await?;
        let root = post(
            &mut tx,
            &mut seeder,
            &project,
            "jordan",
            None,
            "Falcon launch planning: let's keep every decision, owner and open question for the beta in this thread.",
            None,
        )
        .await?;
        for (author, text) in project_thread() {
            // Mentions in action items use Webex markup, so they render as names.
            let markdown = text.contains('@').then(|| mention_owners(&seeder, &text));
            post(
                &mut tx,
                &mut seeder,
                &project,
                author,
                Some(&root),
                &text,
                markdown.as_deref(),
            )
            .await?;
        }

        for (key, lines) in [
            (
                "alex",
                [
                    "Hi Steward, what can you do here?",
                    "Thanks, I'll try it in Project Falcon.",
                ],
            ),
            (
                "sam",
                [
                    "Is the disk alert on web-01 still open?",
                    "ok, checking the runbook",
                ],
            ),
        ] {
            let direct = room(&mut tx, &mut seeder, "", &[key, "bot"]).await?;
            for line in lines {
                post(&mut tx, &mut seeder, &direct, key, None, line, None).await?;
            }
        }
        tx.commit().await?;

        let bot_id = seeder.id("bot").to_owned();
        let bot_token = random_token();
        store::insert_token(
            &self.db,
            &bot_token,
            "access",
            &bot_id,
            None,
            "spark:all",
            None,
        )
        .await?;
        Ok(SeedSummary {
            created: true,
            bot_id,
            bot_token,
            org_id: seeder.org_id,
        })
    }

    async fn existing_bot(&self) -> Result<SeedSummary, SandboxError> {
        let bot = store::find_person_by_email(self.db.reader(), BOT_EMAIL)
            .await?
            .ok_or_else(|| SandboxError::new(500, "The sandbox has people but no Steward bot."))?;
        let bot_token = match store::personal_token_of(&self.db, &bot.id).await? {
            Some(token) => token,
            None => self.issue_personal_token(&bot.id).await?,
        };
        Ok(SeedSummary {
            created: false,
            org_id: bot.org_id,
            bot_id: bot.id,
            bot_token,
        })
    }
}

/// Replaces `@First Last` with mention markup for the people in the demo.
fn mention_owners(seeder: &Seeder, text: &str) -> String {
    let mut markdown = text.to_owned();
    for (key, person) in &seeder.people {
        let handle = format!("@{}", person.display_name);
        if markdown.contains(&handle) {
            markdown = markdown.replace(&handle, &seeder.mention(key));
        }
    }
    markdown
}

async fn room(
    tx: &mut sqlx::AnyConnection,
    seeder: &mut Seeder,
    title: &str,
    members: &[&str],
) -> Result<RoomRow, sqlx::Error> {
    seeder.clock += 60_000;
    let direct = members.len() == 2 && title.is_empty();
    let row = RoomRow {
        id: new_id(IdKind::Room),
        title: if direct {
            seeder.person(members[0]).display_name.clone()
        } else {
            title.to_owned()
        },
        kind: if direct { "direct" } else { "group" }.to_owned(),
        is_locked: 0,
        creator_id: seeder.id(members[0]).to_owned(),
        org_id: seeder.org_id.clone(),
        created_ms: seeder.clock,
        last_activity_ms: seeder.clock,
    };
    store::insert_room(tx, &row).await?;
    for member in members {
        store::insert_membership(
            tx,
            &new_id(IdKind::Membership),
            &row.id,
            seeder.id(member),
            false,
            seeder.clock,
        )
        .await?;
    }
    Ok(row)
}

/// Stores a message as the sandbox would render it. Seeded history is stored directly, without
/// webhook deliveries: it happened before Steward was listening.
async fn post(
    tx: &mut sqlx::AnyConnection,
    seeder: &mut Seeder,
    room: &RoomRow,
    author: &str,
    parent: Option<&str>,
    text: &str,
    markdown: Option<&str>,
) -> Result<String, sqlx::Error> {
    seeder.clock += 17 * 60_000;
    let mut message = NewMessage {
        id: new_id(IdKind::Message),
        room_id: room.id.clone(),
        person_id: seeder.id(author).to_owned(),
        parent_id: parent.map(str::to_owned),
        text: text.to_owned(),
        created_ms: seeder.clock,
        ..NewMessage::default()
    };
    if let Some(markdown) = markdown {
        let rendered = crate::webex::markup::render_markdown(markdown, |target| {
            let crate::webex::markup::MentionTarget::PersonId(id) = target else {
                return None;
            };
            let (_, p) = seeder.people.iter().find(|(_, p)| &p.id == id)?;
            Some(crate::webex::markup::MentionedPerson {
                id: p.id.clone(),
                display_name: p.display_name.clone(),
            })
        });
        message.text = rendered.text;
        message.markdown = Some(markdown.to_owned());
        message.html = Some(rendered.html);
        message.mentioned_people_json = (!rendered.mentioned_people.is_empty())
            .then(|| serde_json::to_string(&rendered.mentioned_people).unwrap_or_default());
    }
    store::insert_message(tx, &message).await?;
    store::touch_room(tx, &room.id, seeder.clock).await?;
    Ok(message.id)
}

const ALERT_HISTORY: [(&str, &str); 10] = [
    (
        "datadog",
        "[Triggered] Disk usage above 95% on web-01 (/var): 97.2% used. service:checkout-api env:prod",
    ),
    (
        "splunk",
        "ALERT payments-gateway 5xx rate 14% over 5m (HTTP 503) from 10.20.4.17. service:payments-gateway",
    ),
    (
        "datadog",
        "[Recovered] CPU load back to normal on db-02 (load 1.3). service:orders-db env:prod",
    ),
    (
        "datadog",
        "[Warn] Memory usage 88% on cache-03. service:session-cache env:prod",
    ),
    (
        "splunk",
        "ERROR spike: auth-service logged 312 x ERR_TOKEN_EXPIRED in 10m on host auth-01 (10.20.7.4)",
    ),
    (
        "datadog",
        "[Triggered] Disk usage above 90% on web-02 (/var/log): 91.0% used. service:checkout-api env:prod",
    ),
    (
        "datadog",
        "[Recovered] Disk usage on web-02 back under 80%.",
    ),
    (
        "splunk",
        "INFO nightly backup job finished on backup-01 in 41m, 0 errors",
    ),
    (
        "datadog",
        "[Triggered] Host unreachable: vpn-gw-02 missed 5 heartbeats. service:vpn env:prod",
    ),
    ("datadog", "[Recovered] vpn-gw-02 reachable again."),
];

const IT_HELP_HISTORY: [(&str, &str, bool); 6] = [
    (
        "casey",
        "How do I reset my VPN token? The app says it expired.",
        true,
    ),
    (
        "sam",
        "Casey, the self-service portal under Security > Tokens issues a new one in a minute.",
        false,
    ),
    (
        "jordan",
        "Is there a standard laptop for new hires joining in March?",
        true,
    ),
    (
        "priya",
        "Which printer queue should the 4th floor use now that PR-4A is gone?",
        false,
    ),
    (
        "taylor",
        "How do I share a calendar with the recruiting team?",
        true,
    ),
    (
        "sam",
        "Reminder: the password manager migration happens Saturday 09:00-11:00.",
        false,
    ),
];

const HR_HISTORY: [(&str, &str, bool); 5] = [
    (
        "jordan",
        "How many PTO days carry over into next year?",
        true,
    ),
    (
        "taylor",
        "Up to five days carry over; the rest is paid out in January.",
        false,
    ),
    ("casey", "Where is the parental leave policy?", true),
    (
        "priya",
        "Do we have a learning budget for conferences?",
        true,
    ),
    (
        "taylor",
        "Yes: 1,500 per person per year, approved by your manager.",
        false,
    ),
];

/// The 149 replies of the project thread: decisions, action items with owners and open questions
/// among ordinary status talk, in the order a team would write them.
fn project_thread() -> Vec<(&'static str, String)> {
    let key: [(&str, &str); 36] = [
        (
            "jordan",
            "Decision: the Falcon beta launches on March 14 behind the falcon_beta feature flag.",
        ),
        (
            "alex",
            "Action item: @Priya Shah will set up the falcon_beta flag in all three environments by Friday.",
        ),
        (
            "casey",
            "Open question: do beta users see the new onboarding flow, or the old one?",
        ),
        (
            "morgan",
            "Decision: the beta is limited to 200 customers from the design-partner list.",
        ),
        (
            "jordan",
            "Action item: @Casey Novak will finish the onboarding mockups by Wednesday.",
        ),
        (
            "priya",
            "Open question: do we need a separate database for beta telemetry?",
        ),
        (
            "sam",
            "Decision: we keep telemetry in the existing warehouse, in a falcon_beta schema.",
        ),
        (
            "alex",
            "Action item: @Sam Okafor will write the rollback runbook for the beta.",
        ),
        (
            "morgan",
            "Open question: who signs off on the pricing page copy?",
        ),
        (
            "jordan",
            "Decision: Morgan signs off on pricing copy; legal reviews only the terms section.",
        ),
        (
            "casey",
            "Action item: @Jordan Lee will send the beta invitation email draft to legal.",
        ),
        (
            "priya",
            "Open question: is the EU data residency clause required for beta customers?",
        ),
        (
            "alex",
            "Decision: EU customers are excluded from the beta until the residency review is done.",
        ),
        (
            "morgan",
            "Action item: @Alex Rivera will book the legal review of data residency for next week.",
        ),
        (
            "sam",
            "Open question: what error budget do we accept during the beta?",
        ),
        (
            "jordan",
            "Decision: the beta error budget is 99.5% availability per week.",
        ),
        (
            "priya",
            "Action item: @Priya Shah will add the Falcon SLO dashboard to the on-call handbook.",
        ),
        (
            "casey",
            "Open question: should the feedback widget be on every page or only the dashboard?",
        ),
        (
            "jordan",
            "Decision: the feedback widget goes on the dashboard only for the first two weeks.",
        ),
        (
            "morgan",
            "Action item: @Morgan Patel will prepare the weekly beta report for leadership.",
        ),
        (
            "sam",
            "Open question: do we page on-call for beta-only incidents at night?",
        ),
        (
            "alex",
            "Decision: beta-only incidents page during business hours only.",
        ),
        (
            "jordan",
            "Action item: @Sam Okafor will update the PagerDuty routing for falcon services.",
        ),
        (
            "priya",
            "Open question: how long do we keep beta session recordings?",
        ),
        (
            "morgan",
            "Decision: session recordings are kept for 30 days, then deleted.",
        ),
        (
            "casey",
            "Action item: @Casey Novak will write the in-app announcement for launch day.",
        ),
        (
            "alex",
            "Open question: does support need a separate queue for Falcon tickets?",
        ),
        (
            "jordan",
            "Decision: support tags Falcon tickets in the existing queue; no new queue.",
        ),
        (
            "sam",
            "Action item: @Jordan Lee will brief the support team on Falcon by March 10.",
        ),
        (
            "priya",
            "Open question: which load test numbers do we need before opening to 200 customers?",
        ),
        (
            "sam",
            "Decision: we need 3x expected beta traffic at p99 under 300 ms before launch.",
        ),
        (
            "alex",
            "Action item: @Priya Shah will run the load test and post results in this thread.",
        ),
        (
            "morgan",
            "Open question: do we announce the beta publicly or keep it invite-only?",
        ),
        (
            "jordan",
            "Decision: the beta stays invite-only; a public announcement waits for GA.",
        ),
        (
            "casey",
            "Action item: @Morgan Patel will confirm the GA date with leadership by end of month.",
        ),
        (
            "priya",
            "Open question: what happens to beta feature flags after GA?",
        ),
    ];
    let people = ["jordan", "alex", "casey", "morgan", "priya", "sam"];
    let components = [
        "the signup flow",
        "the billing integration",
        "the dashboard",
        "the export job",
        "the search index",
        "the mobile layout",
        "the audit trail",
        "the settings page",
        "the API docs",
        "the staging deploy",
        "the metrics pipeline",
        "the invite emails",
    ];
    let states = [
        "is done and merged",
        "is in review",
        "needs one more pass on error handling",
        "passed QA on staging",
        "is blocked on the flag rollout",
        "has two small bugs left",
        "looks good on my side",
        "is deployed to staging",
        "has test coverage now",
    ];
    let mut thread = Vec::with_capacity(149);
    let mut chatter = 0usize;
    let mut next_key = key.iter();
    while thread.len() < 149 {
        // Every fourth message carries a decision, an owner or a question; the rest is status talk.
        if thread.len() % 4 == 0
            && let Some((author, text)) = next_key.next()
        {
            thread.push((*author, (*text).to_owned()));
            continue;
        }
        let author = people[chatter % people.len()];
        let component = components[(chatter * 7) % components.len()];
        let state = states[(chatter * 5) % states.len()];
        // Author, component and state repeat together every 36 messages; the lead-in does not.
        let lead = ["Status:", "Update:", "Quick note:", "FYI,"][(chatter / 36) % 4];
        thread.push((author, format!("{lead} {component} {state}.")));
        chatter += 1;
    }
    thread
}
