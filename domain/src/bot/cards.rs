//! Card clicks: Acknowledge and Escalate on an alert card. Webex announces a click without its
//! inputs; Steward reads them, records what the person did (audited), and says so in the alert's
//! thread. A click on an alert someone already dealt with says who did, and changes nothing.

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
    webex::client::WebexError,
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
        let input = |key: &str| action.inputs.get(key).and_then(|v| v.as_str());
        let (verb, target_state, from) = match input("action") {
            Some(ACTION_ACKNOWLEDGE) => ("acknowledged", "acknowledged", &["open"][..]),
            Some(ACTION_ESCALATE) => ("escalated", "escalated", &["open", "acknowledged"][..]),
            _ => {
                return self
                    .finish_event(
                        job,
                        event.id,
                        "ignored",
                        Some("not a card Steward understands"),
                    )
                    .await;
            }
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
        queue_post(
            &mut tx,
            &NewOutbox {
                event_id: Some(event.id),
                draft_id: None,
                room_id: &alert.room_id,
                parent_id: Some(&alert.thread_id),
                markdown: &reply.markdown,
                card_json: None,
            },
        )
        .await?;
        db::inbox::set_state(&mut tx, event.id, "replying", None).await?;
        queue::complete_in(&mut tx, job, if changed { verb } else { "already decided" }).await?;
        tx.commit().await?;
        self.announce_jobs();
        Ok(())
    }
}
