//! The demo organisation the sandbox starts with: people with Steward roles, the Steward bot,
//! alerting integrations, spaces with realistic history, and a 150-message project thread full of
//! decisions, action items and open questions.

mod content;

use domain::{
    agents::AgentFunction,
    policy::Mode,
    time::now_ms,
    users::Role,
    webex::{
        ids::{IdKind, new_id},
        markup::mention_person,
        types::RoomKind,
    },
};

use crate::{
    Sandbox, SandboxError,
    auth::{COMPLIANCE_READ_SCOPE, random_token},
    db::{self as store, NewMessage, PersonRow, RoomRow},
};

use self::content::{ALERT_HISTORY, HR_HISTORY, IT_HELP_HISTORY, project_thread};

/// E-mail of the sandbox's Steward bot.
pub const BOT_EMAIL: &str = "steward@acme.webex.bot";
/// E-mail of the demo organization's compliance officer: a service account whose token lets
/// Steward read the history of spaces, which Webex does not show a bot.
pub const READER_EMAIL: &str = "steward-reader@acme.example";
/// Title of the space with the long project thread.
pub const PROJECT_SPACE: &str = "Project Falcon";
/// Title of the IT help space.
pub const HELP_SPACE: &str = "IT Help";
/// Title of the space where reviewers get drafts as cards.
pub const REVIEW_SPACE: &str = "Steward Reviews";
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
    /// A token of the compliance officer, with `spark-compliance:messages_read`.
    pub reader_token: String,
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
                is_compliance_officer: 0,
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
                is_compliance_officer: 0,
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
            HELP_SPACE,
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

        room(
            &mut tx,
            &mut seeder,
            REVIEW_SPACE,
            &["alex", "riley", "bot"],
        )
        .await?;

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
        let reader_token = self.ensure_reader(&seeder.org_id).await?;
        Ok(SeedSummary {
            created: true,
            bot_id,
            bot_token,
            reader_token,
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
        let reader_token = self.ensure_reader(&bot.org_id).await?;
        Ok(SeedSummary {
            created: false,
            org_id: bot.org_id,
            bot_id: bot.id,
            bot_token,
            reader_token,
        })
    }

    /// Makes sure the organization has its compliance officer (sandboxes seeded by earlier
    /// versions lack one) and returns a compliance token of theirs.
    async fn ensure_reader(&self, org_id: &str) -> Result<String, SandboxError> {
        let reader = match store::find_person_by_email(self.db.reader(), READER_EMAIL).await? {
            Some(reader) => reader,
            None => {
                let row = PersonRow {
                    id: new_id(IdKind::People),
                    email: READER_EMAIL.to_owned(),
                    display_name: "Steward Reader".to_owned(),
                    first_name: Some("Steward".to_owned()),
                    last_name: Some("Reader".to_owned()),
                    org_id: org_id.to_owned(),
                    kind: "person".to_owned(),
                    is_org_admin: 0,
                    demo_role: None,
                    created_ms: now_ms(),
                    is_compliance_officer: 1,
                };
                let mut tx = self.db.begin().await?;
                store::insert_person(&mut tx, &row).await?;
                tx.commit().await?;
                row
            }
        };
        match store::personal_token_with_scope(&self.db, &reader.id, COMPLIANCE_READ_SCOPE).await? {
            Some(token) => Ok(token),
            None => self.token_for_email(READER_EMAIL).await,
        }
    }
}

impl Sandbox {
    /// The agent policy the demo starts with, and the demo spaces as Steward should know them:
    /// thread summaries live in the project space and waiting for review in IT Help, alert
    /// triage live in the alerts space, drafts also sent to the reviewers' space. The other
    /// spaces start with nothing enabled.
    pub async fn demo_policy(&self) -> Result<DemoPolicy, SandboxError> {
        let bot = store::find_person_by_email(self.db.reader(), BOT_EMAIL)
            .await?
            .ok_or_else(|| SandboxError::new(500, "The sandbox has no Steward bot."))?;
        let rooms = store::rooms_of(&self.db, &bot.id).await?;
        let id = |title: &str| {
            rooms
                .iter()
                .find(|r| r.title == title)
                .map(|r| r.id.clone())
        };
        let modes = [
            (AgentFunction::Summarize, PROJECT_SPACE, Mode::Live),
            (AgentFunction::Summarize, HELP_SPACE, Mode::Review),
            (AgentFunction::AlertTriage, ALERTS_SPACE, Mode::Live),
        ]
        .into_iter()
        .filter_map(|(function, title, mode)| Some((function, id(title)?, mode)))
        .collect();
        let roles = DEMO_PEOPLE
            .iter()
            .filter_map(|(_, name, email, role, _)| {
                Some((
                    (*email).to_owned(),
                    (*name).to_owned(),
                    role.and_then(|r| r.parse().ok())?,
                ))
            })
            .collect();
        Ok(DemoPolicy {
            review_space: id(REVIEW_SPACE),
            integrations: None,
            modes,
            roles,
            spaces: rooms.into_iter().map(|r| (r.id, r.title, r.kind)).collect(),
        })
    }
}

/// See [`Sandbox::demo_policy`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoPolicy {
    /// `(function, room id, mode)`.
    pub modes: Vec<(AgentFunction, String, Mode)>,
    /// `(room id, title, kind)` of the bot's spaces.
    pub spaces: Vec<(String, String, RoomKind)>,
    /// The space where reviewers get drafts as cards.
    pub review_space: Option<String>,
    /// `(e-mail, name, role)` of the demo people who hold a Steward role, so the console counts
    /// and lists them before they first sign in.
    pub roles: Vec<(String, String, Role)>,
    /// Where the integration stand-ins are served (`…/sandbox/integrations`), so the demo's
    /// integrations can point at them. Only the server knows its address, so it fills this in.
    pub integrations: Option<String>,
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
        kind: if direct {
            RoomKind::Direct
        } else {
            RoomKind::Group
        },
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
        let rendered = domain::webex::markup::render_markdown(markdown, |target| {
            let domain::webex::markup::MentionTarget::PersonId(id) = target else {
                return None;
            };
            let (_, p) = seeder.people.iter().find(|(_, p)| &p.id == id)?;
            Some(domain::webex::markup::MentionedPerson {
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
