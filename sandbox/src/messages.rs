//! `/messages`: listing with bot visibility and pagination, posting with Webex's rules (one
//! destination, size limits, one file, one card, no reply to a reply), editing and deleting.

use serde::Deserialize;

use domain::{
    time::now_ms,
    webex::types::RoomKind,
    webex::{
        cards::ADAPTIVE_CARD_CONTENT_TYPE,
        ids::{IdKind, new_id},
        markup::{MentionTarget, MentionedPerson, render_markdown},
        timestamp::{format_ms, parse_ms},
        types::{CreateMessage, EditMessage, Message},
    },
};

use crate::{
    Caller, MAX_EDITS, MAX_MESSAGE_BYTES, Page, Sandbox, SandboxError,
    db::{self as store, MessageFilter, MessageRow, NewMessage, RoomRow},
    decode_cursor, encode_cursor,
    events::{Event, queue_event},
    page_size,
};

const MESSAGE_NOT_FOUND: &str = "Unable to get message.";

/// `GET /messages` query.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageQuery {
    /// The space (required).
    pub room_id: Option<String>,
    /// Only replies to this thread root.
    pub parent_id: Option<String>,
    /// `me` (or the caller's own ID): only messages that mention the caller.
    pub mentioned_people: Option<String>,
    /// Only messages before this ISO time.
    pub before: Option<String>,
    /// Only messages before this message.
    pub before_message: Option<String>,
    /// Page size (default 50; at most 100 with `mentionedPeople`, else 1000).
    pub max: Option<i64>,
    /// The opaque cursor from a `Link` header.
    pub cursor: Option<String>,
}

pub(crate) fn message_json(row: &MessageRow) -> Message {
    let list = |json: &Option<String>| json.as_deref().and_then(|j| serde_json::from_str(j).ok());
    Message {
        id: row.id.clone(),
        room_id: row.room_id.clone(),
        room_type: row.room_kind,
        text: row.text.clone(),
        markdown: row.markdown.clone(),
        html: row.html.clone(),
        files: list(&row.files_json),
        attachments: row
            .attachments_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok()),
        to_person_id: None,
        to_person_email: None,
        person_id: row.person_id.clone(),
        person_email: row.person_email.clone(),
        mentioned_people: list(&row.mentioned_people_json),
        mentioned_groups: list(&row.mentioned_groups_json),
        parent_id: row.parent_id.clone(),
        created: format_ms(row.created_ms),
        updated: row.updated_ms.map(format_ms),
    }
}

fn check_size(field: &str, value: Option<&String>) -> Result<(), SandboxError> {
    match value {
        Some(v) if v.len() > MAX_MESSAGE_BYTES => Err(SandboxError::bad_request(format!(
            "{field} exceeds the maximum length of {MAX_MESSAGE_BYTES} bytes."
        ))),
        _ => Ok(()),
    }
}

fn json_list(list: &[String]) -> Option<String> {
    (!list.is_empty()).then(|| serde_json::to_string(list).expect("strings serialise"))
}

impl Sandbox {
    /// Renders text or markdown as Webex stores it, resolving mentions against sandbox people.
    async fn render_content(
        &self,
        text: Option<&String>,
        markdown: Option<&String>,
    ) -> Result<NewMessage, SandboxError> {
        let mut content = NewMessage::default();
        match markdown {
            Some(markdown) => {
                let people = store::list_people(&self.db).await?;
                let rendered = render_markdown(markdown, |target| {
                    let person = match target {
                        MentionTarget::PersonId(id) => people.iter().find(|p| &p.id == id),
                        MentionTarget::PersonEmail(email) => {
                            people.iter().find(|p| p.email.eq_ignore_ascii_case(email))
                        }
                        MentionTarget::All => None,
                    }?;
                    Some(MentionedPerson {
                        id: person.id.clone(),
                        display_name: person.display_name.clone(),
                    })
                });
                content.text = text.cloned().unwrap_or(rendered.text);
                content.markdown = Some(markdown.clone());
                content.html = Some(rendered.html);
                content.mentioned_people_json = json_list(&rendered.mentioned_people);
                content.mentioned_groups_json = json_list(&rendered.mentioned_groups);
            }
            None => content.text = text.cloned().unwrap_or_default(),
        }
        Ok(content)
    }

    /// Whether the caller may see this message: a member of its space (for a bot in a group
    /// space, only messages that mention it or that it wrote), or a compliance officer of the
    /// space's organization.
    async fn visible(&self, caller: &Caller, row: &MessageRow) -> Result<bool, SandboxError> {
        if store::membership_of(self.db.reader(), &row.room_id, &caller.person_id)
            .await?
            .is_none()
        {
            return Ok(self.compliance_room(caller, &row.room_id).await?.is_some());
        }
        if caller.is_bot && row.room_kind == RoomKind::Group && row.person_id != caller.person_id {
            let mentioned: Vec<String> = row
                .mentioned_people_json
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok())
                .unwrap_or_default();
            return Ok(mentioned.contains(&caller.person_id));
        }
        Ok(true)
    }

    /// The space, when the caller is a compliance officer of its organization.
    async fn compliance_room(
        &self,
        caller: &Caller,
        room_id: &str,
    ) -> Result<Option<RoomRow>, SandboxError> {
        let Some(org) = &caller.compliance_org else {
            return Ok(None);
        };
        Ok(store::find_room(self.db.reader(), room_id)
            .await?
            .filter(|room| &room.org_id == org))
    }

    /// `GET /messages`: newest first.
    pub async fn list_messages(
        &self,
        caller: &Caller,
        query: &MessageQuery,
    ) -> Result<Page<Message>, SandboxError> {
        caller.require("spark:messages_read")?;
        let room_id = query.room_id.as_deref().ok_or_else(|| {
            SandboxError::bad_request("Required String parameter 'roomId' is not present")
        })?;
        let room = match self.compliance_room(caller, room_id).await? {
            Some(room) => room,
            None => self.room_of_member(caller, room_id).await?,
        };
        let mentioning = match query.mentioned_people.as_deref() {
            None => None,
            Some("me") => Some(caller.person_id.as_str()),
            Some(id) if id == caller.person_id => Some(caller.person_id.as_str()),
            Some(_) => {
                return Err(SandboxError::bad_request(
                    "mentionedPeople only accepts me or your own person ID.",
                ));
            }
        };
        if caller.is_bot && room.kind == RoomKind::Group && mentioning.is_none() {
            return Err(SandboxError::forbidden("Failed to get activity."));
        }
        let cap = if mentioning.is_some() { 100 } else { 1000 };
        let limit = page_size(query.max, 50, cap)?;
        let before_ms = match query.before.as_deref() {
            Some(text) => Some(
                parse_ms(text)
                    .ok_or_else(|| SandboxError::bad_request("before must be an ISO 8601 time."))?,
            ),
            None => None,
        };
        let before_seq = match (&query.cursor, &query.before_message) {
            (Some(cursor), _) => Some(decode_cursor("messages", cursor)?),
            (None, Some(id)) => {
                let anchor = store::find_message(self.db.reader(), id)
                    .await?
                    .filter(|m| m.room_id == room.id)
                    .ok_or_else(|| SandboxError::not_found(MESSAGE_NOT_FOUND))?;
                Some(anchor.seq)
            }
            (None, None) => None,
        };
        let mut rows = store::list_messages(
            &self.db,
            &MessageFilter {
                room_id: &room.id,
                parent_id: query.parent_id.as_deref(),
                mentioning,
                before_seq,
                before_ms,
                limit: limit + 1,
            },
        )
        .await?;
        let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next_cursor = more.then(|| encode_cursor("messages", rows.last().map_or(0, |r| r.seq)));
        Ok(Page {
            items: rows.iter().map(message_json).collect(),
            next_cursor,
        })
    }

    /// `GET /messages/{id}`.
    pub async fn message(&self, caller: &Caller, id: &str) -> Result<Message, SandboxError> {
        caller.require("spark:messages_read")?;
        let row = store::find_message(self.db.reader(), id)
            .await?
            .ok_or_else(|| SandboxError::not_found(MESSAGE_NOT_FOUND))?;
        if !self.visible(caller, &row).await? {
            return Err(SandboxError::not_found(MESSAGE_NOT_FOUND));
        }
        Ok(message_json(&row))
    }

    /// `POST /messages`.
    pub async fn create_message(
        &self,
        caller: &Caller,
        request: &CreateMessage,
    ) -> Result<Message, SandboxError> {
        caller.require("spark:messages_write")?;
        let destinations = [
            request.room_id.is_some(),
            request.to_person_id.is_some(),
            request.to_person_email.is_some(),
        ];
        if destinations.iter().filter(|d| **d).count() != 1 {
            return Err(SandboxError::bad_request(
                "Exactly one of roomId, toPersonId or toPersonEmail is required.",
            ));
        }
        check_size("text", request.text.as_ref())?;
        check_size("markdown", request.markdown.as_ref())?;
        let has_files = request.files.as_ref().is_some_and(|f| !f.is_empty());
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
        if blank(&request.text) && blank(&request.markdown) && !has_files {
            return Err(SandboxError::bad_request(
                "Both text and file cannot be empty.",
            ));
        }
        if request.files.as_ref().is_some_and(|f| f.len() > 1) {
            return Err(SandboxError::bad_request(
                "Only one file can be attached to a message.",
            ));
        }
        if let Some(attachments) = &request.attachments {
            if attachments.len() > 1 {
                return Err(SandboxError::bad_request(
                    "Only one attachment can be added to a message.",
                ));
            }
            if attachments
                .iter()
                .any(|a| a.content_type != ADAPTIVE_CARD_CONTENT_TYPE)
            {
                return Err(SandboxError::bad_request(format!(
                    "Unsupported attachment contentType; use {ADAPTIVE_CARD_CONTENT_TYPE}."
                )));
            }
        }

        let mut content = self
            .render_content(request.text.as_ref(), request.markdown.as_ref())
            .await?;
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let mut queued = 0;
        let room: RoomRow = match (
            &request.room_id,
            &request.to_person_id,
            &request.to_person_email,
        ) {
            (Some(room_id), _, _) => self.room_of_member(caller, room_id).await?,
            (None, id, email) => {
                let recipient = match (id, email) {
                    (Some(id), _) => store::find_person(&mut *tx, id).await?,
                    (None, Some(email)) => store::find_person_by_email(&mut *tx, email).await?,
                    (None, None) => None,
                }
                .ok_or_else(|| SandboxError::not_found("Person not found."))?;
                if recipient.id == caller.person_id {
                    return Err(SandboxError::bad_request(
                        "Cannot send a direct message to yourself.",
                    ));
                }
                match store::direct_room_between(&mut tx, &caller.person_id, &recipient.id).await? {
                    Some(room) => room,
                    None => {
                        let room = RoomRow {
                            id: new_id(IdKind::Room),
                            title: recipient.display_name.clone(),
                            kind: RoomKind::Direct,
                            is_locked: 0,
                            creator_id: caller.person_id.clone(),
                            org_id: recipient.org_id.clone(),
                            created_ms: now,
                            last_activity_ms: now,
                        };
                        store::insert_room(&mut tx, &room).await?;
                        for person in [&caller.person_id, &recipient.id] {
                            let id = new_id(IdKind::Membership);
                            store::insert_membership(&mut tx, &id, &room.id, person, false, now)
                                .await?;
                            if let Some(row) = store::find_membership(&mut *tx, &id).await? {
                                queued += queue_event(
                                    &mut tx,
                                    &Event::membership(&row, "created", &caller.person_id),
                                )
                                .await?;
                            }
                        }
                        room
                    }
                }
            }
        };
        if let Some(parent_id) = &request.parent_id {
            let parent = store::find_message(&mut *tx, parent_id)
                .await?
                .ok_or_else(|| SandboxError::not_found("Parent message not found."))?;
            if parent.room_id != room.id {
                return Err(SandboxError::bad_request(
                    "The parent message is not in this room.",
                ));
            }
            if parent.parent_id.is_some() {
                return Err(SandboxError::bad_request(
                    "Cannot reply to a reply; use the thread's root message as parentId.",
                ));
            }
        }
        content.id = new_id(IdKind::Message);
        content.room_id = room.id.clone();
        content.person_id = caller.person_id.clone();
        content.parent_id = request.parent_id.clone();
        content.files_json = request
            .files
            .as_ref()
            .filter(|f| !f.is_empty())
            .map(|f| serde_json::to_string(f).expect("strings serialise"));
        content.attachments_json = request
            .attachments
            .as_ref()
            .map(|a| serde_json::to_string(a).expect("attachments serialise"));
        content.created_ms = now;
        store::insert_message(&mut tx, &content).await?;
        store::touch_room(&mut tx, &room.id, now).await?;
        let row = store::find_message(&mut *tx, &content.id)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        queued += queue_event(&mut tx, &Event::message(&row, "created", &caller.person_id)).await?;
        tx.commit().await?;
        self.notify_deliveries(queued);

        let mut message = message_json(&row);
        message.to_person_id = request.to_person_id.clone();
        message.to_person_email = request.to_person_email.clone();
        Ok(message)
    }

    /// `PUT /messages/{id}`: the author changes the text, at most ten times; messages with files
    /// or cards cannot be edited.
    pub async fn edit_message(
        &self,
        caller: &Caller,
        id: &str,
        request: &EditMessage,
    ) -> Result<Message, SandboxError> {
        caller.require("spark:messages_write")?;
        let row = store::find_message(self.db.reader(), id)
            .await?
            .filter(|r| r.person_id == caller.person_id)
            .ok_or_else(|| SandboxError::not_found(MESSAGE_NOT_FOUND))?;
        if row.room_id != request.room_id {
            return Err(SandboxError::bad_request(
                "roomId does not match the message's room.",
            ));
        }
        if row.files_json.is_some() || row.attachments_json.is_some() {
            return Err(SandboxError::bad_request(
                "Messages with files or attachments cannot be edited.",
            ));
        }
        if row.edits >= MAX_EDITS {
            return Err(SandboxError::bad_request(format!(
                "A message can be edited at most {MAX_EDITS} times."
            )));
        }
        check_size("text", request.text.as_ref())?;
        check_size("markdown", request.markdown.as_ref())?;
        if request.text.is_none() && request.markdown.is_none() {
            return Err(SandboxError::bad_request("text or markdown is required."));
        }
        let content = self
            .render_content(request.text.as_ref(), request.markdown.as_ref())
            .await?;
        let mut tx = self.db.begin().await?;
        store::update_message(&mut tx, id, &content, now_ms()).await?;
        let row = store::find_message(&mut *tx, id)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        let queued =
            queue_event(&mut tx, &Event::message(&row, "updated", &caller.person_id)).await?;
        tx.commit().await?;
        self.notify_deliveries(queued);
        Ok(message_json(&row))
    }

    /// `DELETE /messages/{id}`: the author deletes their message.
    pub async fn delete_message(&self, caller: &Caller, id: &str) -> Result<(), SandboxError> {
        caller.require("spark:messages_write")?;
        let row = store::find_message(self.db.reader(), id)
            .await?
            .ok_or_else(|| SandboxError::not_found(MESSAGE_NOT_FOUND))?;
        if !self.visible(caller, &row).await? {
            return Err(SandboxError::not_found(MESSAGE_NOT_FOUND));
        }
        if row.person_id != caller.person_id {
            return Err(SandboxError::forbidden(
                "You can only delete your own messages.",
            ));
        }
        let mut tx = self.db.begin().await?;
        store::mark_message_deleted(&mut tx, id).await?;
        let queued =
            queue_event(&mut tx, &Event::message(&row, "deleted", &caller.person_id)).await?;
        tx.commit().await?;
        self.notify_deliveries(queued);
        Ok(())
    }
}
