//! `/webhooks` and `/attachment/actions`.

use domain::{
    time::now_ms,
    webex::{
        ids::{IdKind, new_id},
        timestamp::format_ms,
        types::{AttachmentAction, CreateAttachmentAction, CreateWebhook, UpdateWebhook, Webhook},
    },
};

use crate::{
    Caller, Page, Sandbox, SandboxError,
    db::{self as store, ActionRow, WebhookRow},
    events::{Event, queue_event},
    page_size, paginate,
};

const RESOURCES: [&str; 5] = [
    "messages",
    "memberships",
    "rooms",
    "attachmentActions",
    "all",
];
const EVENTS: [&str; 5] = ["created", "updated", "deleted", "migrated", "all"];
/// The application id the sandbox reports for webhooks.
const SANDBOX_APP_ID: &str = "Y2lzY29zcGFyazovL3VzL0FQUExJQ0FUSU9OL3NhbmRib3g";

fn webhook_json(row: &WebhookRow, org_id: &str) -> Webhook {
    Webhook {
        id: row.id.clone(),
        name: row.name.clone(),
        target_url: row.target_url.clone(),
        resource: row.resource.clone(),
        event: row.event.clone(),
        filter: row.filter.clone(),
        secret: row.secret.clone(),
        status: row.status.clone(),
        created: format_ms(row.created_ms),
        org_id: org_id.to_owned(),
        created_by: row.owner_id.clone(),
        app_id: row.app_id.clone(),
        owned_by: "creator".to_owned(),
    }
}

fn read_scope(resource: &str) -> &'static str {
    match resource {
        "memberships" => "spark:memberships_read",
        "rooms" => "spark:rooms_read",
        _ => "spark:messages_read",
    }
}

fn check_target(url: &str) -> Result<(), SandboxError> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(()),
        _ => Err(SandboxError::bad_request(
            "targetUrl must be an http or https URL.",
        )),
    }
}

impl Sandbox {
    async fn caller_org(&self, caller: &Caller) -> Result<String, SandboxError> {
        Ok(store::find_person(self.db.reader(), &caller.person_id)
            .await?
            .ok_or_else(SandboxError::unauthorized)?
            .org_id)
    }

    async fn own_webhook(&self, caller: &Caller, id: &str) -> Result<WebhookRow, SandboxError> {
        store::find_webhook(self.db.reader(), id)
            .await?
            .filter(|w| w.owner_id == caller.person_id)
            .ok_or_else(|| SandboxError::not_found("Webhook not found."))
    }

    /// `POST /webhooks`.
    pub async fn create_webhook(
        &self,
        caller: &Caller,
        request: &CreateWebhook,
    ) -> Result<Webhook, SandboxError> {
        if request.name.trim().is_empty() {
            return Err(SandboxError::bad_request("name cannot be empty."));
        }
        check_target(&request.target_url)?;
        if !RESOURCES.contains(&request.resource.as_str()) {
            return Err(SandboxError::bad_request(format!(
                "Unknown resource: {}",
                request.resource
            )));
        }
        if !EVENTS.contains(&request.event.as_str()) {
            return Err(SandboxError::bad_request(format!(
                "Unknown event: {}",
                request.event
            )));
        }
        caller.require(read_scope(&request.resource))?;
        if let Some(filter) = &request.filter {
            Self::validate_filter(&request.resource, filter)?;
        }
        let row = WebhookRow {
            id: new_id(IdKind::Webhook),
            owner_id: caller.person_id.clone(),
            name: request.name.clone(),
            target_url: request.target_url.clone(),
            resource: request.resource.clone(),
            event: request.event.clone(),
            filter: request.filter.clone().filter(|f| !f.is_empty()),
            secret: request.secret.clone().filter(|s| !s.is_empty()),
            status: "active".to_owned(),
            app_id: SANDBOX_APP_ID.to_owned(),
            created_ms: now_ms(),
            disabled_at_ms: None,
        };
        store::insert_webhook(&self.db, &row).await?;
        Ok(webhook_json(&row, &self.caller_org(caller).await?))
    }

    /// `GET /webhooks`: the caller's webhooks.
    pub async fn list_webhooks(
        &self,
        caller: &Caller,
        max: Option<i64>,
        cursor: Option<&str>,
    ) -> Result<Page<Webhook>, SandboxError> {
        let max = page_size(max, 100, 1000)?;
        let org = self.caller_org(caller).await?;
        let rows = store::webhooks_of(&self.db, &caller.person_id).await?;
        let page = paginate(rows, "webhooks", max, cursor)?;
        Ok(Page {
            items: page.items.iter().map(|w| webhook_json(w, &org)).collect(),
            next_cursor: page.next_cursor,
        })
    }

    /// `GET /webhooks/{id}`.
    pub async fn webhook(&self, caller: &Caller, id: &str) -> Result<Webhook, SandboxError> {
        let row = self.own_webhook(caller, id).await?;
        Ok(webhook_json(&row, &self.caller_org(caller).await?))
    }

    /// `PUT /webhooks/{id}`: name, target, secret, and re-activation (`status: active`). A webhook
    /// cannot be deactivated this way.
    pub async fn update_webhook(
        &self,
        caller: &Caller,
        id: &str,
        request: &UpdateWebhook,
    ) -> Result<Webhook, SandboxError> {
        let mut row = self.own_webhook(caller, id).await?;
        if request.name.trim().is_empty() {
            return Err(SandboxError::bad_request("name cannot be empty."));
        }
        check_target(&request.target_url)?;
        match request.status.as_deref() {
            None => {}
            // The disable time is kept: a failure within five minutes disables it again at once.
            Some("active") => row.status = "active".to_owned(),
            Some(_) => {
                return Err(SandboxError::bad_request(
                    "status can only be set to active.",
                ));
            }
        }
        row.name = request.name.clone();
        row.target_url = request.target_url.clone();
        if let Some(secret) = &request.secret {
            row.secret = Some(secret.clone()).filter(|s| !s.is_empty());
        }
        store::update_webhook(&self.db, &row).await?;
        Ok(webhook_json(&row, &self.caller_org(caller).await?))
    }

    /// Disables a webhook at once, as Webex does after 100 failed deliveries in five minutes:
    /// the admin hook tests and demos use to show that Steward notices and re-activates it.
    pub async fn disable_webhook(&self, id: &str) -> Result<(), SandboxError> {
        let mut row = store::find_webhook(self.db.reader(), id)
            .await?
            .ok_or_else(|| SandboxError::not_found("Webhook not found."))?;
        row.status = "inactive".to_owned();
        // Long enough ago that the next failure does not disable it again at once.
        row.disabled_at_ms = Some(now_ms() - 10 * 60 * 1000);
        store::update_webhook(&self.db, &row).await?;
        Ok(())
    }

    /// `DELETE /webhooks/{id}`.
    pub async fn delete_webhook(&self, caller: &Caller, id: &str) -> Result<(), SandboxError> {
        self.own_webhook(caller, id).await?;
        store::delete_webhook(&self.db, id).await?;
        Ok(())
    }

    /// `GET /attachment/actions/{id}`: the clicker or the card's author may read it.
    pub async fn attachment_action(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<AttachmentAction, SandboxError> {
        caller.require("spark:messages_read")?;
        let not_found = || SandboxError::not_found("Attachment action not found.");
        let row = store::find_action(&self.db, id)
            .await?
            .ok_or_else(not_found)?;
        let card = store::find_message(self.db.reader(), &row.message_id).await?;
        let is_author = card
            .as_ref()
            .is_some_and(|c| c.person_id == caller.person_id);
        if row.person_id != caller.person_id && !is_author {
            return Err(not_found());
        }
        Ok(action_json(&row))
    }

    /// `POST /attachment/actions`: a click on a card's submit button. `inputs` holds the card's
    /// input values merged with the clicked button's `data`, as Webex sends them.
    pub async fn create_attachment_action(
        &self,
        caller: &Caller,
        request: &CreateAttachmentAction,
    ) -> Result<AttachmentAction, SandboxError> {
        caller.require("spark:messages_write")?;
        if request.kind != "submit" {
            return Err(SandboxError::bad_request("type must be submit."));
        }
        let card = store::find_message(self.db.reader(), &request.message_id)
            .await?
            .filter(|m| m.attachments_json.is_some())
            .ok_or_else(|| {
                SandboxError::not_found("Could not find a message with a card for that messageId.")
            })?;
        self.room_of_member(caller, &card.room_id).await?;
        let row = ActionRow {
            id: new_id(IdKind::AttachmentAction),
            message_id: card.id.clone(),
            person_id: caller.person_id.clone(),
            room_id: card.room_id.clone(),
            inputs_json: serde_json::to_string(&request.inputs).expect("a JSON map serialises"),
            created_ms: now_ms(),
        };
        let mut tx = self.db.begin().await?;
        store::insert_action(&mut tx, &row).await?;
        let queued = queue_event(
            &mut tx,
            &Event::attachment_action(&row, card.room_kind, &card.person_id),
        )
        .await?;
        tx.commit().await?;
        self.notify_deliveries(queued);
        Ok(action_json(&row))
    }
}

fn action_json(row: &ActionRow) -> AttachmentAction {
    AttachmentAction {
        id: row.id.clone(),
        kind: "submit".to_owned(),
        message_id: row.message_id.clone(),
        inputs: serde_json::from_str(&row.inputs_json).unwrap_or_default(),
        person_id: row.person_id.clone(),
        room_id: row.room_id.clone(),
        created: format_ms(row.created_ms),
    }
}
