//! Fan-out of events to webhooks: which registrations an event matches, and the delivery body
//! each gets. Deliveries are queued in the same transaction as the change that caused them.

use serde_json::{Value, json};
use sqlx::AnyConnection;

use domain::{
    time::now_ms,
    webex::types::RoomKind,
    webex::{timestamp::format_ms, types::Envelope},
};

use crate::{
    Sandbox, SandboxError,
    db::{self as store, MembershipRow, MessageRow, RoomRow, WebhookRow},
};

/// Filter keys Webex accepts, per resource.
pub(crate) fn filter_keys(resource: &str) -> &'static [&'static str] {
    match resource {
        "messages" => &[
            "roomId",
            "roomType",
            "personId",
            "personEmail",
            "mentionedPeople",
            "hasFiles",
            "hasAttachments",
        ],
        "memberships" => &["roomId", "personId", "personEmail", "isModerator"],
        "rooms" => &["type", "isLocked"],
        "attachmentActions" => &["messageId", "personId", "roomId"],
        // The firehose takes the union of the keys of the resources it covers.
        "all" => &[
            "roomId",
            "roomType",
            "personId",
            "personEmail",
            "mentionedPeople",
            "hasFiles",
            "hasAttachments",
            "isModerator",
            "type",
            "isLocked",
        ],
        _ => &[],
    }
}

/// Something that happened, as webhooks see it.
pub(crate) struct Event {
    pub resource: &'static str,
    pub event: &'static str,
    pub actor_id: String,
    pub room_id: String,
    pub room_kind: RoomKind,
    /// The webhook `data`: identifiers and metadata, never content.
    pub data: Value,
    /// People a message mentions (bots in group spaces only hear about those).
    pub mentioned_people: Vec<String>,
    /// Whose card an attachment action belongs to (only its author hears about it).
    pub card_author: Option<String>,
    /// The person a membership event is about (they hear about it even as they leave).
    pub subject: Option<String>,
    /// Values filters are matched against.
    pub fields: Vec<(&'static str, String)>,
}

impl Event {
    pub(crate) fn message(row: &MessageRow, event: &'static str, actor_id: &str) -> Self {
        let mentioned: Vec<String> = parse_list(row.mentioned_people_json.as_deref());
        let mut data = json!({
            "id": row.id,
            "roomId": row.room_id,
            "roomType": row.room_kind,
            "personId": row.person_id,
            "personEmail": row.person_email,
            "created": format_ms(row.created_ms),
        });
        if let Some(parent) = &row.parent_id {
            data["parentId"] = json!(parent);
        }
        if !mentioned.is_empty() {
            data["mentionedPeople"] = json!(mentioned);
        }
        let groups = parse_list(row.mentioned_groups_json.as_deref());
        if !groups.is_empty() {
            data["mentionedGroups"] = json!(groups);
        }
        if let Some(files) = &row.files_json {
            data["files"] = serde_json::from_str(files).unwrap_or(Value::Null);
        }
        let fields = vec![
            ("roomId", row.room_id.clone()),
            ("roomType", row.room_kind.to_string()),
            ("personId", row.person_id.clone()),
            ("personEmail", row.person_email.clone()),
            ("hasFiles", row.files_json.is_some().to_string()),
            ("hasAttachments", row.attachments_json.is_some().to_string()),
        ];
        Self {
            resource: "messages",
            event,
            actor_id: actor_id.to_owned(),
            room_id: row.room_id.clone(),
            room_kind: row.room_kind,
            data,
            mentioned_people: mentioned,
            card_author: None,
            subject: None,
            fields,
        }
    }

    pub(crate) fn membership(row: &MembershipRow, event: &'static str, actor_id: &str) -> Self {
        let data = serde_json::to_value(crate::rooms::membership_json(row)).unwrap_or_default();
        Self {
            resource: "memberships",
            event,
            actor_id: actor_id.to_owned(),
            room_id: row.room_id.clone(),
            room_kind: row.room_kind,
            data,
            mentioned_people: Vec::new(),
            card_author: None,
            subject: Some(row.person_id.clone()),
            fields: vec![
                ("roomId", row.room_id.clone()),
                ("personId", row.person_id.clone()),
                ("personEmail", row.person_email.clone()),
                ("isModerator", (row.is_moderator == 1).to_string()),
            ],
        }
    }

    pub(crate) fn room(row: &RoomRow, event: &'static str, actor_id: &str, data: Value) -> Self {
        Self {
            resource: "rooms",
            event,
            actor_id: actor_id.to_owned(),
            room_id: row.id.clone(),
            room_kind: row.kind,
            data,
            mentioned_people: Vec::new(),
            card_author: None,
            subject: None,
            fields: vec![
                ("type", row.kind.to_string()),
                ("isLocked", (row.is_locked == 1).to_string()),
            ],
        }
    }

    pub(crate) fn attachment_action(
        action: &store::ActionRow,
        room_kind: RoomKind,
        card_author: &str,
    ) -> Self {
        Self {
            resource: "attachmentActions",
            event: "created",
            actor_id: action.person_id.clone(),
            room_id: action.room_id.clone(),
            room_kind,
            data: json!({
                "id": action.id,
                "type": "submit",
                "messageId": action.message_id,
                "personId": action.person_id,
                "roomId": action.room_id,
                "created": format_ms(action.created_ms),
            }),
            mentioned_people: Vec::new(),
            card_author: Some(card_author.to_owned()),
            subject: None,
            fields: vec![
                ("messageId", action.message_id.clone()),
                ("personId", action.person_id.clone()),
                ("roomId", action.room_id.clone()),
            ],
        }
    }
}

fn parse_list(json: Option<&str>) -> Vec<String> {
    json.and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

/// Queues a delivery of `event` for every active webhook that should see it; returns how many.
pub(crate) async fn queue_event(
    conn: &mut AnyConnection,
    event: &Event,
) -> Result<usize, sqlx::Error> {
    let webhooks = store::active_webhooks(conn).await?;
    if webhooks.is_empty() {
        return Ok(0);
    }
    let members = store::memberships_of_room(&mut *conn, &event.room_id).await?;
    let now = now_ms();
    let mut queued = 0;
    for webhook in webhooks {
        if !covers(&webhook, event) {
            continue;
        }
        let owner_sees_room = members.iter().any(|m| m.person_id == webhook.owner_id)
            || event.subject.as_deref() == Some(webhook.owner_id.as_str());
        if !owner_sees_room {
            continue;
        }
        let Some(owner) = store::find_person(&mut *conn, &webhook.owner_id).await? else {
            continue;
        };
        // Bots hear about group-space messages only when they are mentioned, and about their own.
        let own_message = event.data.get("personId").and_then(Value::as_str) == Some(&owner.id);
        if event.resource == "messages"
            && owner.kind == "bot"
            && event.room_kind == RoomKind::Group
            && !own_message
            && !event.mentioned_people.contains(&owner.id)
        {
            continue;
        }
        // Card clicks go only to the card's author.
        if event
            .card_author
            .as_deref()
            .is_some_and(|author| author != owner.id)
        {
            continue;
        }
        if !filter_matches(webhook.filter.as_deref(), event, &owner.id) {
            continue;
        }
        let envelope = Envelope {
            id: webhook.id.clone(),
            name: webhook.name.clone(),
            target_url: webhook.target_url.clone(),
            resource: event.resource.to_owned(),
            event: event.event.to_owned(),
            filter: webhook.filter.clone(),
            org_id: owner.org_id.clone(),
            created_by: owner.id.clone(),
            app_id: webhook.app_id.clone(),
            owned_by: "creator".to_owned(),
            status: "active".to_owned(),
            created: format_ms(webhook.created_ms),
            actor_id: event.actor_id.clone(),
            data: event.data.clone(),
        };
        // Compact JSON: some frameworks verify the signature over their own re-serialisation.
        let body = serde_json::to_string(&envelope).expect("an envelope always serialises");
        store::insert_delivery(conn, &webhook.id, &body, now).await?;
        queued += 1;
    }
    Ok(queued)
}

fn covers(webhook: &WebhookRow, event: &Event) -> bool {
    let resource = webhook.resource == event.resource
        // The firehose covers messages, memberships and rooms; card actions need their own webhook.
        || (webhook.resource == "all" && event.resource != "attachmentActions");
    let kind = webhook.event == "all" || webhook.event == event.event;
    resource && kind
}

fn filter_matches(filter: Option<&str>, event: &Event, owner_id: &str) -> bool {
    let Some(filter) = filter else {
        return true;
    };
    filter.split('&').filter(|p| !p.is_empty()).all(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key == "mentionedPeople" {
            return value.split(',').any(|who| {
                let who = if who == "me" { owner_id } else { who };
                event.mentioned_people.iter().any(|m| m == who)
            });
        }
        match event.fields.iter().find(|(k, _)| *k == key) {
            Some((_, actual)) => {
                if key == "personEmail" {
                    actual.eq_ignore_ascii_case(value)
                } else {
                    actual == value
                }
            }
            // A key this resource does not have (firehose filters) does not exclude the event.
            None => true,
        }
    })
}

impl Sandbox {
    /// Wakes the delivery loop when something was queued.
    pub(crate) fn notify_deliveries(&self, queued: usize) {
        if queued > 0 {
            self.deliveries.notify_one();
        }
    }

    /// Validates a webhook filter for `resource`.
    pub(crate) fn validate_filter(resource: &str, filter: &str) -> Result<(), SandboxError> {
        let allowed = filter_keys(resource);
        for pair in filter.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if !allowed.contains(&key) || value.is_empty() {
                return Err(SandboxError::bad_request(format!(
                    "invalid value for filter: {key}"
                )));
            }
        }
        Ok(())
    }
}
