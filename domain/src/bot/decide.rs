//! Recording a decision: the reply queued, the draft held or shadowed, the alert stored, the
//! audit entry, the usage counter and the job's completion, in one transaction.

use serde_json::json;
pub(super) use vocab::Decision;

use crate::{
    agents::{self, AgentFunction, MAX_REPLY_BYTES, Reply, fit_blocks},
    ai::{EngineInfo, Severity},
    audit::{self, Actor, NewEntry},
    bot::{Failure, Runtime},
    db::{self, drafts::NewAlert, drafts::NewDraft},
    drafts::{ContextLine, DraftState},
    inbox::{self, EventState, InboxEvent},
    outbox::{NewOutbox, queue_post},
    queue::{self, ClaimedJob},
    redact::Redactor,
    time::now_ms,
    webex::types::Message,
};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// An alert to store with the decision.
pub(super) struct AlertRecord {
    pub message_id: String,
    pub thread_id: String,
    pub severity: Severity,
    pub title: String,
    pub entities: serde_json::Value,
}

/// Everything the pipeline learnt about one event.
pub(super) struct Decided {
    /// The agent function; `None` for Steward's own answers.
    pub function: Option<AgentFunction>,
    pub decision: Decision,
    pub room_id: String,
    /// The thread root the reply goes in.
    pub thread_id: String,
    pub message_id: String,
    pub person_id: String,
    /// `function@version` of the prompt that produced the reply.
    pub prompt: Option<String>,
    pub engine: Option<EngineInfo>,
    pub latency_ms: i64,
    pub reply: Option<Reply>,
    pub alert: Option<AlertRecord>,
    /// PII removed before the engine saw the text.
    pub redactions: usize,
    /// Live, but held for review because the prompt version is on probation.
    pub probation: bool,
    /// For a draft: the messages a reviewer needs to judge it.
    pub context: Vec<ContextLine>,
}

impl Decided {
    /// A decision about `message`, answered (if at all) in its thread; engine details are added
    /// by the caller when an agent ran.
    pub(super) fn new(
        message: &Message,
        function: Option<AgentFunction>,
        decision: Decision,
        reply: Option<Reply>,
    ) -> Self {
        Self {
            function,
            decision,
            room_id: message.room_id.clone(),
            thread_id: message
                .parent_id
                .clone()
                .unwrap_or_else(|| message.id.clone()),
            message_id: message.id.clone(),
            person_id: message.person_id.clone(),
            prompt: None,
            engine: None,
            latency_ms: 0,
            reply,
            alert: None,
            redactions: 0,
            probation: false,
            context: Vec::new(),
        }
    }

    /// The function's stored name, or [`agents::BUILTIN`] for Steward's own answers.
    fn function_name(&self) -> &'static str {
        self.function.map_or(agents::BUILTIN, AgentFunction::as_str)
    }
}

/// The card that asks the reviewer space to decide a draft.
fn review_card(decided: &Decided, draft_id: i64, space_title: &str, draft: &str) -> Reply {
    let label = decided
        .function
        .map_or("Steward's own answer", AgentFunction::label);
    let trigger = decided
        .context
        .last()
        .map(|line| (line.author.as_str(), line.text.as_str()));
    crate::review::review_card_for(draft_id, label, space_title, trigger, draft)
}

/// Redacts PII an engine put into its answer and keeps it within Webex's size limit.
/// Cards go through the same redaction as the markdown beside them.
pub(super) fn filter_output(reply: Reply, redactor: &Redactor) -> (Reply, usize) {
    let redacted = redactor.redact(&reply.markdown);
    let mut found = redacted.found.len();
    let markdown = if redacted.text.len() > MAX_REPLY_BYTES {
        let lines: Vec<String> = redacted.text.lines().map(str::to_owned).collect();
        fit_blocks(&lines, MAX_REPLY_BYTES)
    } else {
        redacted.text
    };
    let card = reply.card.map(|card| {
        card.map_text(|text| {
            let redacted = redactor.redact(text);
            found += redacted.found.len();
            redacted.text
        })
    });
    (Reply { markdown, card }, found)
}

impl Runtime {
    /// Records `decided` for `event` and completes `job`, atomically.
    pub(super) async fn commit(
        &self,
        job: &ClaimedJob,
        event: &InboxEvent,
        decided: Decided,
    ) -> Result<(), Failure> {
        let now = now_ms();
        let review_space = if decided.decision == Decision::Draft {
            crate::review::space(self.db())
                .await
                .map_err(|e| Failure::Retry(e.to_string()))?
        } else {
            None
        };
        let space_title = db::policy::space(self.db().reader(), &decided.room_id)
            .await?
            .map_or_else(|| decided.room_id.clone(), |space| space.title);
        // Read before the transaction, from the configuration jobs share (at most a second old).
        let disclosure_now = self.job_config().await?.disclosure.clone();
        let mut tx = self.db().begin().await?;
        let card_json = decided
            .reply
            .as_ref()
            .and_then(|r| r.card.as_ref())
            .map(|card| serde_json::to_string(card).expect("cards serialise"));
        let engine = decided.engine.as_ref().map(ToString::to_string);
        let prompt = decided.prompt.as_deref().unwrap_or("builtin");
        let mut outbox_id = None;
        let mut draft_id = None;
        let mut review_card_queued = false;
        let mut disclosure = None;
        let state = match (decided.decision, &decided.reply, decided.function) {
            (Decision::Draft | Decision::Shadow, Some(reply), Some(function)) => {
                let draft_state = if decided.decision == Decision::Draft {
                    DraftState::Pending
                } else {
                    DraftState::Shadow
                };
                draft_id = Some(
                    db::drafts::insert(
                        &mut tx,
                        &NewDraft {
                            event_id: Some(event.id),
                            function,
                            room_id: &decided.room_id,
                            parent_id: Some(&decided.thread_id),
                            trigger_message_id: Some(&decided.message_id),
                            trigger_person_id: Some(&decided.person_id),
                            prompt_version: prompt,
                            engine: engine.as_deref().unwrap_or("none"),
                            markdown: &reply.markdown,
                            card_json,
                            state: draft_state,
                            context: &decided.context,
                        },
                        now,
                    )
                    .await?,
                );
                if let (Some(review_space), Some(draft_id)) = (&review_space, draft_id) {
                    let card = review_card(&decided, draft_id, &space_title, &reply.markdown);
                    queue_post(
                        &mut tx,
                        &NewOutbox {
                            event_id: None,
                            draft_id: Some(draft_id),
                            room_id: review_space,
                            parent_id: None,
                            markdown: &card.markdown,
                            card_json: card
                                .card
                                .as_ref()
                                .map(|c| serde_json::to_string(c).expect("cards serialise")),
                        },
                    )
                    .await?;
                    review_card_queued = true;
                }
                if decided.decision == Decision::Draft && function.answers_people() {
                    // The asker would otherwise wait in silence.
                    queue_post(
                        &mut tx,
                        &NewOutbox {
                            event_id: None,
                            draft_id: None,
                            room_id: &decided.room_id,
                            parent_id: Some(&decided.thread_id),
                            markdown: crate::drafts::HELD_FOR_REVIEW,
                            card_json: None,
                        },
                    )
                    .await?;
                }
                if decided.decision == Decision::Draft {
                    EventState::Drafted
                } else {
                    EventState::Shadowed
                }
            }
            (_, Some(reply), function) => {
                // An agent's answer says that AI wrote it; Steward's own words (help, refusals)
                // are fixed texts and need no such line.
                let line = function.map(|_| disclosure_now.line(None));
                let (markdown, card_json) = match &line {
                    Some(line) => (
                        crate::disclosure::with_line(&reply.markdown, line),
                        crate::disclosure::card_with_line(card_json.as_deref(), line),
                    ),
                    None => (reply.markdown.clone(), card_json),
                };
                disclosure = line;
                let id = queue_post(
                    &mut tx,
                    &NewOutbox {
                        event_id: Some(event.id),
                        draft_id: None,
                        room_id: &decided.room_id,
                        parent_id: Some(&decided.thread_id),
                        markdown: &markdown,
                        card_json,
                    },
                )
                .await?;
                outbox_id = Some(id);
                EventState::Replying
            }
            (Decision::Off, None, _) => EventState::Off,
            (_, None, _) => EventState::Recorded,
        };
        if let Some(alert) = &decided.alert {
            db::drafts::insert_alert(
                &mut tx,
                &NewAlert {
                    event_id: Some(event.id),
                    room_id: &decided.room_id,
                    message_id: &alert.message_id,
                    thread_id: &alert.thread_id,
                    severity: alert.severity,
                    title: &alert.title,
                    entities_json: alert.entities.to_string(),
                },
                now,
            )
            .await?;
        }
        inbox::move_event(&mut tx, event.id, state, None).await?;
        audit::append(
            &mut tx,
            self.db(),
            NewEntry {
                actor: Actor::system("runtime"),
                action: format!("agent.{}", decided.decision),
                target: format!("space:{}", decided.room_id),
                before: None,
                after: Some(json!({
                    "function": decided.function_name(),
                    "decision": decided.decision,
                    "event_id": event.id,
                    "message_id": decided.message_id,
                    "person_id": decided.person_id,
                    "prompt_version": decided.prompt,
                    "engine": engine,
                    "latency_ms": decided.latency_ms,
                    "redactions": decided.redactions,
                    "outbox_id": outbox_id,
                    "draft_id": draft_id,
                    "severity": decided.alert.as_ref().map(|a| a.severity),
                    "probation": decided.probation,
                    "disclosure": disclosure,
                })),
            },
        )
        .await?;
        db::outbox::count_usage(
            &mut tx,
            now - now.rem_euclid(DAY_MS),
            decided.function_name(),
            &decided.room_id,
            decided.decision,
            decided.latency_ms,
        )
        .await?;
        queue::complete_in(&mut tx, job, state.as_str()).await?;
        tx.commit().await?;
        if outbox_id.is_some() || review_card_queued {
            self.announce_jobs();
        }
        metrics::counter!(
            "steward_agent_decisions_total",
            "function" => decided.function_name(),
            "decision" => decided.decision.as_str()
        )
        .increment(1);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::filter_output;
    use crate::{agents::Reply, redact::Redactor, webex::cards::AdaptiveCard};

    #[test]
    fn a_card_is_redacted_like_the_markdown_beside_it() {
        let reply = Reply {
            markdown: "Contact ops@example.com".to_owned(),
            card: Some(
                AdaptiveCard::new()
                    .heading("Disk full, call +1 415 555 0100")
                    .facts([("Owner", "ops@example.com")]),
            ),
        };
        let (filtered, found) = filter_output(reply, &Redactor::default());
        let card = serde_json::to_string(&filtered.card.unwrap()).unwrap();
        assert!(!card.contains("ops@example.com"), "{card}");
        assert!(!filtered.markdown.contains("ops@example.com"));
        assert!(found >= 2, "{found}");
    }
}
