//! Card clicks. Webex announces a click without its inputs; Steward reads them and acts:
//! Acknowledge and Escalate on an alert card are recorded (audited) and said in the alert's
//! thread; Approve and Reject on a review card decide the draft (see `review.rs`). A click on
//! something already decided says who decided, and changes nothing.

use serde_json::json;

use crate::{
    agents::{
        Reply,
        triage::{ACTION_ACKNOWLEDGE, ACTION_ESCALATE},
    },
    audit::{self, Actor, NewEntry},
    bot::queue_post,
    bot::{Failure, Runtime},
    db::{self, outbox::NewOutbox},
    inbox::InboxEvent,
    queue::{self, Job},
    time::now_ms,
    webex::{client::WebexError, types::AttachmentAction},
};

impl Runtime {
    pub(super) async fn handle_card_action(
        &self,
        job: &Job,
        event: &InboxEvent,
    ) -> Result<(), Failure> {
        let action = match self.inner.bot.attachment_action(&event.data_id).await {
            Ok(action) => action,
            Err(WebexError::Api { status: 404, .. }) => {
                return self
                    .finish_event(
                        job,
                        event.id,
                        "ignored",
                        Some("the card action no longer exists"),
                    )
                    .await;
            }
            Err(error) => return Err(error.into()),
        };
        match action.inputs.get("action").and_then(|v| v.as_str()) {
            Some(ACTION_ACKNOWLEDGE | ACTION_ESCALATE) => {
                self.alert_click(job, event, &action).await
            }
            Some(crate::review::ACTION_APPROVE | crate::review::ACTION_REJECT) => {
                self.review_click(job, event, &action).await
            }
            _ => {
                self.finish_event(
                    job,
                    event.id,
                    "ignored",
                    Some("not a card Steward understands"),
                )
                .await
            }
        }
    }

    /// Answers a card click in the card's thread and completes the job, inside the caller's
    /// transaction.
    pub(super) async fn answer_click_in(
        &self,
        tx: &mut sqlx::AnyConnection,
        job: &Job,
        event: &InboxEvent,
        (room_id, thread_id): (&str, &str),
        reply: &Reply,
        outcome: &str,
    ) -> Result<(), Failure> {
        queue_post(
            tx,
            &NewOutbox {
                event_id: Some(event.id),
                draft_id: None,
                room_id,
                parent_id: Some(thread_id),
                markdown: &reply.markdown,
                card_json: None,
            },
        )
        .await?;
        db::inbox::set_state(tx, event.id, "replying", None).await?;
        queue::complete_in(tx, job, outcome).await?;
        Ok(())
    }

    async fn alert_click(
        &self,
        job: &Job,
        event: &InboxEvent,
        action: &AttachmentAction,
    ) -> Result<(), Failure> {
        let input = |key: &str| action.inputs.get(key).and_then(|v| v.as_str());
        let (verb, target_state, from) = match input("action") {
            Some(ACTION_ACKNOWLEDGE) => ("acknowledged", "acknowledged", &["open"][..]),
            _ => ("escalated", "escalated", &["open", "acknowledged"][..]),
        };
        let alert = match input("alert") {
            Some(id) => db::drafts::find_alert(self.db(), id).await?,
            None => None,
        };
        let Some(alert) = alert.filter(|a| a.room_id == action.room_id) else {
            return self
                .finish_event(
                    job,
                    event.id,
                    "ignored",
                    Some("the card names no alert of this space"),
                )
                .await;
        };
        let who = self
            .display_name(&action.person_id, &action.person_id)
            .await;
        let now = now_ms();
        let mut tx = self.db().begin().await?;
        let changed = db::drafts::act_on_alert(
            &mut tx,
            alert.id,
            from,
            target_state,
            &action.person_id,
            now,
        )
        .await?;
        let reply = if changed {
            audit::append(
                &mut tx,
                NewEntry {
                    actor: Actor::webex(&action.person_id),
                    action: format!(
                        "alert.{}",
                        input("action")
                            .unwrap_or_default()
                            .trim_start_matches("alert.")
                    ),
                    target: format!("alert:{}", alert.id),
                    before: Some(json!({ "state": alert.state })),
                    after: Some(json!({
                        "state": target_state,
                        "severity": alert.severity,
                        "title": alert.title,
                        "room_id": alert.room_id,
                        "card_action": action.id,
                    })),
                },
            )
            .await?;
            Reply::markdown(format!(
                "**{}** {verb} this alert.",
                crate::webex::markup::escape_markdown(&who)
            ))
        } else {
            let by = match &alert.acted_by {
                Some(person) => self.display_name(person, person).await,
                None => "someone".to_owned(),
            };
            Reply::markdown(format!(
                "This alert was already {} by **{}**.",
                alert.state,
                crate::webex::markup::escape_markdown(&by)
            ))
        };
        let outcome = if changed { verb } else { "already decided" };
        let thread = (alert.room_id.as_str(), alert.thread_id.as_str());
        self.answer_click_in(&mut tx, job, event, thread, &reply, outcome)
            .await?;
        tx.commit().await?;
        self.announce_jobs();
        Ok(())
    }
}
