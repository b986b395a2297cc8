//! Card clicks. Webex announces a click without its inputs; Steward reads them and acts:
//! Acknowledge and Escalate on an alert card are recorded (audited) and said in the alert's
//! thread; Approve and Reject on a review card decide the draft (see `review.rs`). A click on
//! something already decided says who decided, and changes nothing.

use serde_json::json;

use vocab::{AgentFunction, AlertState};

use crate::{
    actions::{self, Proposal},
    agents::{CardAction, Reply},
    ai::Entities,
    audit::{self, Actor, NewEntry},
    bot::{Failure, Runtime},
    db::{self, drafts::AlertRow},
    inbox::{self, EventState, InboxEvent},
    integrations::{self, Escalation, IntegrationKind},
    outbox::{NewOutbox, queue_post},
    policy,
    queue::{self, ClaimedJob},
    time::now_ms,
    webex::{client::WebexError, types::AttachmentAction},
};

impl Runtime {
    /// The integration an escalation of `alert` goes to and the body it would send, when an
    /// admin chose one and it is configured.
    async fn escalation_for(
        &self,
        alert: &AlertRow,
        who: &str,
    ) -> Result<Option<(IntegrationKind, serde_json::Value, String)>, Failure> {
        let Some(kind) = actions::escalation_target(self.db()).await? else {
            return Ok(None);
        };
        let Some(integration) = integrations::load(self.db(), kind).await? else {
            return Ok(None);
        };
        let space = match policy::find_space(self.db(), &alert.room_id).await {
            Ok(space) => space.title,
            Err(_) => alert.room_id.clone(),
        };
        let entities: Entities = serde_json::from_str(&alert.entities_json).unwrap_or_default();
        let severity = alert.severity;
        let mut description = vec![
            format!(
                "Alert raised in the Webex space \"{space}\" at {}.",
                crate::agents::triage::when(alert.created_ms)
            ),
            format!("Escalated by {who} from Steward's alert triage card."),
            format!("Severity: {}", severity.label()),
        ];
        for (label, values) in [
            ("Hosts", &entities.hosts),
            ("Services", &entities.services),
            ("Error codes", &entities.error_codes),
            ("IP addresses", &entities.ip_addresses),
        ] {
            if !values.is_empty() {
                description.push(format!("{label}: {}", values.join(", ")));
            }
        }
        let escalation = Escalation {
            title: alert.title.clone(),
            severity,
            description: description.join("\n"),
            source: entities
                .hosts
                .first()
                .or(entities.services.first())
                .cloned(),
            correlation: actions::correlation(&format!("alert:{}", alert.id)),
            details: json!({
                "alert_id": alert.id,
                "space": space,
                "escalated_by": who,
                "entities": entities,
            }),
        };
        let payload = integrations::payload(kind, &integration.settings, &escalation);
        let destination = integrations::origin(&integration.settings.base_url);
        Ok(Some((kind, payload, destination)))
    }

    pub(super) async fn handle_card_action(
        &self,
        job: &ClaimedJob,
        event: &InboxEvent,
    ) -> Result<(), Failure> {
        let action = match self.inner.bot.attachment_action(&event.data_id).await {
            Ok(action) => action,
            Err(WebexError::Api { status: 404, .. }) => {
                return self
                    .finish_event(
                        job,
                        event.id,
                        EventState::Ignored,
                        Some("the card action no longer exists"),
                    )
                    .await;
            }
            Err(error) => return Err(error.into()),
        };
        if !self.serves(&action.person_id).await? {
            // Sign-in refuses other organizations; so does every button on Steward's cards.
            return self
                .finish_event(
                    job,
                    event.id,
                    EventState::Ignored,
                    Some("clicked by someone outside the organizations Steward serves"),
                )
                .await;
        }
        match CardAction::read(&action.inputs) {
            Some(CardAction::AcknowledgeAlert { alert }) => {
                self.alert_click(job, event, &action, &alert, false).await
            }
            Some(CardAction::EscalateAlert { alert }) => {
                self.alert_click(job, event, &action, &alert, true).await
            }
            Some(CardAction::ApproveDraft { draft }) => {
                self.review_click(job, event, &action, draft, None).await
            }
            Some(CardAction::RejectDraft { draft, reason }) => {
                self.review_click(job, event, &action, draft, Some(reason.trim()))
                    .await
            }
            None => {
                self.finish_event(
                    job,
                    event.id,
                    EventState::Ignored,
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
        job: &ClaimedJob,
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
        inbox::move_event(tx, event.id, EventState::Replying, None).await?;
        queue::complete_in(tx, job, outcome).await?;
        Ok(())
    }

    /// Acknowledge (or, with `escalating`, Escalate) on the card of the alert `alert_id`.
    async fn alert_click(
        &self,
        job: &ClaimedJob,
        event: &InboxEvent,
        action: &AttachmentAction,
        alert_id: &str,
        escalating: bool,
    ) -> Result<(), Failure> {
        let (verb, target_state) = if escalating {
            ("escalated", AlertState::Escalated)
        } else {
            ("acknowledged", AlertState::Acknowledged)
        };
        let alert = db::drafts::find_alert(self.db(), alert_id).await?;
        let Some(alert) = alert.filter(|a| a.room_id == action.room_id) else {
            return self
                .finish_event(
                    job,
                    event.id,
                    EventState::Ignored,
                    Some("the card names no alert of this space"),
                )
                .await;
        };
        let who = self
            .display_name(&action.person_id, &action.person_id)
            .await;
        let escalation = if escalating {
            self.escalation_for(&alert, &who).await?
        } else {
            None
        };
        let now = now_ms();
        let mut tx = self.db().begin().await?;
        let changed =
            db::drafts::act_on_alert(&mut tx, alert.id, target_state, &action.person_id, now)
                .await?;
        let reply = if changed {
            audit::append(
                &mut tx,
                self.db(),
                NewEntry {
                    actor: Actor::webex(&action.person_id),
                    action: format!(
                        "alert.{}",
                        if escalating {
                            "escalate"
                        } else {
                            "acknowledge"
                        }
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
            let mut said = format!(
                "**{}** {verb} this alert.",
                crate::webex::markup::escape_markdown(&who)
            );
            if escalating {
                said.push(' ');
                said.push_str(&match escalation {
                    Some((kind, payload, destination)) => {
                        let proposal = Proposal {
                            kind,
                            function: AgentFunction::AlertTriage,
                            room_id: &alert.room_id,
                            thread_id: Some(&alert.thread_id),
                            subject: &format!("alert:{}", alert.id),
                            title: &format!("Escalate \"{}\"", alert.title),
                            payload,
                            proposed_by: &Actor::webex(&action.person_id),
                            destination: &destination,
                        };
                        match actions::propose_in(&mut tx, self.db(), &proposal).await? {
                            Some(_) => format!(
                                "Steward proposes to {}; it waits for approval on Steward's \
                                 Actions page.",
                                kind.verb()
                            ),
                            None => format!("A proposal to {} already waits.", kind.verb()),
                        }
                    }
                    None => "No integration takes escalations yet; an admin chooses one in \
                             Steward's Settings."
                        .to_owned(),
                });
            }
            Reply::markdown(said)
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
