//! What the console's Sandbox page needs: acting as a demo person, their spaces and threads,
//! posting with `@Name` mentions, and clicking card buttons.

use serde_json::{Map, Value};

use domain::webex::{
    cards::{Action, AdaptiveCard},
    markup::mention_person,
    types::{AttachmentAction, CreateAttachmentAction, CreateMessage, Message, Person, Room},
};

use crate::{Caller, MessageQuery, RoomQuery, Sandbox, SandboxError, db as store};

/// Messages the console's Sandbox page shows of a space.
const PAGE_MESSAGES: i64 = 50;

/// What the console's Sandbox page shows: the people one can act as, the chosen person's
/// spaces, and the chosen space's newest messages with their authors' names.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsolePage {
    /// Every demo person (not the bots).
    pub people: Vec<Person>,
    /// The chosen person, when they are one of `people`.
    pub person: Option<String>,
    /// Their spaces.
    pub spaces: Vec<Room>,
    /// The chosen space, when it is one of `spaces`.
    pub space: Option<String>,
    /// Its newest messages, oldest first, each with its author's name.
    pub messages: Vec<(Message, String)>,
}

impl Sandbox {
    /// The Sandbox page for `person` and `space` (IDs), either optional; choices that are not
    /// the person's to make are dropped.
    pub async fn console_page(
        &self,
        person: Option<String>,
        space: Option<String>,
    ) -> Result<ConsolePage, SandboxError> {
        let everyone = self.people().await?;
        let mut page = ConsolePage {
            people: everyone
                .iter()
                .filter(|p| p.kind == "person")
                .cloned()
                .collect(),
            person: None,
            spaces: Vec::new(),
            space: None,
            messages: Vec::new(),
        };
        // Without a choice, the page opens as an employee without a Steward role (the people bots
        // serve) in their first space, so there is a conversation to read at once.
        let Some(person) = person
            .filter(|id| page.people.iter().any(|p| &p.id == id))
            .or(self.default_person().await?)
        else {
            return Ok(page);
        };
        let caller = self.act_as(&person).await?;
        page.person = Some(person);
        page.spaces = self.spaces(&caller).await?;
        let Some(space) = space
            .filter(|id| page.spaces.iter().any(|s| &s.id == id))
            .or_else(|| page.spaces.first().map(|s| s.id.clone()))
        else {
            return Ok(page);
        };
        page.messages = self
            .recent_messages(&caller, &space, PAGE_MESSAGES)
            .await?
            .into_iter()
            .map(|m| {
                let author = everyone
                    .iter()
                    .find(|p| p.id == m.person_id)
                    .map_or_else(|| m.person_email.clone(), |p| p.display_name.clone());
                (m, author)
            })
            .collect();
        page.space = Some(space);
        Ok(page)
    }

    /// The first person without a Steward demo role, else the first person.
    async fn default_person(&self) -> Result<Option<String>, SandboxError> {
        let people: Vec<_> = store::list_people(&self.db)
            .await?
            .into_iter()
            .filter(|p| p.kind == "person")
            .collect();
        Ok(people
            .iter()
            .find(|p| p.demo_role.is_none())
            .or(people.first())
            .map(|p| p.id.clone()))
    }

    /// A caller acting as a demo person (not a bot), with every scope, as the console's Sandbox
    /// page does when an admin chats as someone.
    pub async fn act_as(&self, person_id: &str) -> Result<Caller, SandboxError> {
        let person = store::find_person(self.db.reader(), person_id)
            .await?
            .filter(|p| p.kind == "person")
            .ok_or_else(|| SandboxError::not_found("Person not found."))?;
        Ok(Caller {
            person_id: person.id,
            is_bot: false,
            scopes: vec!["spark:all".to_owned()],
            compliance_org: None,
        })
    }

    /// Every space the caller is in.
    pub async fn spaces(&self, caller: &Caller) -> Result<Vec<Room>, SandboxError> {
        let query = RoomQuery {
            max: Some(1000),
            ..RoomQuery::default()
        };
        Ok(self.list_rooms(caller, &query).await?.items)
    }

    /// The newest `limit` messages of a space, oldest first, as the caller sees them.
    pub async fn recent_messages(
        &self,
        caller: &Caller,
        room_id: &str,
        limit: i64,
    ) -> Result<Vec<Message>, SandboxError> {
        let query = MessageQuery {
            room_id: Some(room_id.to_owned()),
            max: Some(limit),
            ..MessageQuery::default()
        };
        let mut messages = self.list_messages(caller, &query).await?.items;
        messages.reverse();
        Ok(messages)
    }

    /// Posts `text` as the caller. `@Display Name` of anyone in the space becomes a real
    /// mention, as the Webex app does when one picks a name after typing `@`.
    pub async fn post_as(
        &self,
        caller: &Caller,
        room_id: &str,
        text: &str,
        parent_id: Option<String>,
    ) -> Result<Message, SandboxError> {
        let members = store::memberships_of_room(self.db.reader(), room_id).await?;
        let mut markdown = text.to_owned();
        let mut mentioned = false;
        // Longest names first, so "@Alex Rivera" is not taken for a shorter name.
        let mut names: Vec<_> = members
            .iter()
            .map(|m| (&m.person_display_name, &m.person_id))
            .collect();
        names.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
        for (name, id) in names {
            let handle = format!("@{name}");
            if markdown.contains(&handle) {
                markdown = markdown.replace(&handle, &mention_person(id, name));
                mentioned = true;
            }
        }
        let request = CreateMessage {
            room_id: Some(room_id.to_owned()),
            parent_id: parent_id.filter(|p| !p.is_empty()),
            text: (!mentioned).then(|| text.to_owned()),
            markdown: mentioned.then_some(markdown),
            ..CreateMessage::default()
        };
        self.create_message(caller, &request).await
    }

    /// Clicks the `action_index`-th submit button of the card on `message_id`, with the card's
    /// input values, merged with the button's `data` as Webex does.
    pub async fn click_card(
        &self,
        caller: &Caller,
        message_id: &str,
        action_index: usize,
        inputs: Map<String, Value>,
    ) -> Result<AttachmentAction, SandboxError> {
        let card = self.message(caller, message_id).await?;
        let content = card
            .attachments
            .and_then(|a| a.into_iter().next())
            .ok_or_else(|| SandboxError::bad_request("That message has no card."))?
            .content;
        let card: AdaptiveCard = serde_json::from_value(content)
            .map_err(|e| SandboxError::bad_request(format!("The card cannot be read: {e}")))?;
        let submits: Vec<&Value> = card
            .actions
            .iter()
            .filter_map(|a| match a {
                Action::Submit { data, .. } => Some(data),
                Action::OpenUrl { .. } => None,
            })
            .collect();
        let data = submits
            .get(action_index)
            .ok_or_else(|| SandboxError::bad_request("The card has no such button."))?;
        let mut merged = inputs;
        if let Value::Object(data) = data {
            merged.extend(data.clone());
        }
        let request = CreateAttachmentAction {
            kind: "submit".to_owned(),
            message_id: message_id.to_owned(),
            inputs: merged,
        };
        self.create_attachment_action(caller, &request).await
    }
}
