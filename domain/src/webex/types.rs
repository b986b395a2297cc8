//! The JSON shapes of the Webex Messaging API, shared by the client (which reads them) and the
//! sandbox (which writes them). Optional fields are omitted rather than sent as `null`, as Webex
//! does.

use serde::{Deserialize, Serialize};

pub use vocab::RoomKind;

/// A list response: `{"items": [...]}`; further pages are announced in the `Link` header.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Items<T> {
    /// This page's items.
    pub items: Vec<T>,
}

/// A person or bot (`GET /people/me`, `GET /people/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// The person's ID.
    pub id: String,
    /// E-mail addresses; the first is the primary one.
    pub emails: Vec<String>,
    /// Name shown in Webex.
    pub display_name: String,
    /// Short name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Organisation ID.
    pub org_id: String,
    /// Admin role IDs (empty for non-admins).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// When the person was created.
    pub created: String,
    /// Presence, e.g. `active` or `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `person`, `bot` or `appuser`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A space.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Room {
    /// The room's ID.
    pub id: String,
    /// Title; for a 1:1 room, the other person's name.
    pub title: String,
    /// `direct` or `group`.
    #[serde(rename = "type")]
    pub kind: RoomKind,
    /// Whether the room is moderated.
    pub is_locked: bool,
    /// Last activity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_activity: Option<String>,
    /// Who created it.
    pub creator_id: String,
    /// When it was created.
    pub created: String,
    /// The owning organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
}

/// A person's membership of a space.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    /// The membership's ID.
    pub id: String,
    /// The space.
    pub room_id: String,
    /// The member.
    pub person_id: String,
    /// The member's primary e-mail.
    pub person_email: String,
    /// The member's name.
    pub person_display_name: String,
    /// The member's organisation.
    pub person_org_id: String,
    /// Moderator of a locked space.
    pub is_moderator: bool,
    /// Compliance monitor.
    pub is_monitor: bool,
    /// `direct` or `group`.
    pub room_type: RoomKind,
    /// When they joined.
    pub created: String,
}

/// A card or other attachment on a message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// `application/vnd.microsoft.card.adaptive` for cards.
    pub content_type: String,
    /// The card.
    pub content: serde_json::Value,
}

/// A message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The message's ID.
    pub id: String,
    /// Its space.
    pub room_id: String,
    /// `direct` or `group`.
    pub room_type: RoomKind,
    /// Plain text, with mentions rendered as names. Always present.
    #[serde(default)]
    pub text: String,
    /// Markdown as sent, when it was sent as markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
    /// HTML rendering, only for markdown messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// File URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<String>>,
    /// At most one card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<Attachment>>,
    /// The recipient, when the message was sent 1:1 by person ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_person_id: Option<String>,
    /// The recipient, when the message was sent 1:1 by e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_person_email: Option<String>,
    /// The author.
    pub person_id: String,
    /// The author's e-mail.
    pub person_email: String,
    /// People mentioned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mentioned_people: Option<Vec<String>>,
    /// Groups mentioned (`all`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mentioned_groups: Option<Vec<String>>,
    /// The thread's root, for replies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// When it was posted.
    pub created: String,
    /// When it was last edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}

/// `POST /messages`: exactly one destination, and text, markdown or a file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMessage {
    /// A space to post in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_id: Option<String>,
    /// A person to message 1:1, by ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_person_id: Option<String>,
    /// A person to message 1:1, by e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_person_email: Option<String>,
    /// The root of the thread to reply in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// Plain text (at most 7439 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Markdown (at most 7439 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
    /// One public file URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<String>>,
    /// One card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<Attachment>>,
}

/// `PUT /messages/{id}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditMessage {
    /// The message's space.
    pub room_id: String,
    /// New text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// New markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
}

/// A webhook registration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    /// The webhook's ID.
    pub id: String,
    /// A name for people.
    pub name: String,
    /// Where deliveries go.
    pub target_url: String,
    /// `messages`, `memberships`, `rooms`, `attachmentActions` or `all`.
    pub resource: String,
    /// `created`, `updated`, `deleted` or `all`.
    pub event: String,
    /// `&`-joined `key=value` filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// The signing secret (echoed back, as Webex does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// `active` or `inactive`.
    pub status: String,
    /// When it was created.
    pub created: String,
    /// The owner's organisation.
    pub org_id: String,
    /// The owner.
    pub created_by: String,
    /// The application that created it.
    pub app_id: String,
    /// `creator` or `org`.
    pub owned_by: String,
}

/// `POST /webhooks`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateWebhook {
    /// A name for people.
    pub name: String,
    /// Where deliveries go.
    pub target_url: String,
    /// Which resource.
    pub resource: String,
    /// Which event.
    pub event: String,
    /// Optional filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Optional signing secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// `PUT /webhooks/{id}`: only these fields are honoured; `status` can only re-activate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateWebhook {
    /// A name for people.
    pub name: String,
    /// Where deliveries go.
    pub target_url: String,
    /// A new signing secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// `active` to re-activate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A click on a card's `Action.Submit`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentAction {
    /// The action's ID.
    pub id: String,
    /// `submit`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The card's message.
    pub message_id: String,
    /// The card's inputs merged with the clicked button's `data`.
    pub inputs: serde_json::Map<String, serde_json::Value>,
    /// Who clicked.
    pub person_id: String,
    /// Where.
    pub room_id: String,
    /// When.
    pub created: String,
}

/// `POST /attachment/actions`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAttachmentAction {
    /// `submit`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The card's message.
    pub message_id: String,
    /// The submitted values.
    pub inputs: serde_json::Map<String, serde_json::Value>,
}

/// What Webex POSTs to a webhook's target: the webhook's own fields, who caused the event, and the
/// resource's `data` without any content (no message text, no card inputs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// The webhook's ID (there is no event ID).
    pub id: String,
    /// The webhook's name.
    pub name: String,
    /// The webhook's target.
    pub target_url: String,
    /// The resource that changed.
    pub resource: String,
    /// What happened to it.
    pub event: String,
    /// The webhook's filter, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// The owner's organisation.
    pub org_id: String,
    /// The webhook's owner.
    pub created_by: String,
    /// The webhook's application.
    pub app_id: String,
    /// `creator` or `org`.
    pub owned_by: String,
    /// Always `active`.
    pub status: String,
    /// The webhook's creation time (not the event's).
    pub created: String,
    /// Who caused the event.
    pub actor_id: String,
    /// The resource, without content.
    pub data: serde_json::Value,
}

/// A Webex error body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// What went wrong.
    pub message: String,
    /// The same, as a list.
    #[serde(default)]
    pub errors: Vec<ErrorDescription>,
    /// Webex's request id, for support.
    #[serde(default)]
    pub tracking_id: String,
}

/// One entry of [`ErrorBody::errors`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDescription {
    /// What went wrong.
    pub description: String,
}

impl ErrorBody {
    /// An error body with `message` in both places.
    pub fn new(message: impl Into<String>, tracking_id: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            errors: vec![ErrorDescription {
                description: message.clone(),
            }],
            message,
            tracking_id: tracking_id.into(),
        }
    }
}
