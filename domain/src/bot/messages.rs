//! The path of a message: fetch it, route it, apply policy, run the agent, decide.

use std::time::Instant;

use futures::{StreamExt, TryStreamExt};
use serde_json::json;

use crate::{
    agents::{
        AgentFunction, Reply, help,
        summarize::{self, Scope},
        triage,
    },
    ai::{EarlierAlert, PromptVersion},
    bot::{
        Failure, Runtime,
        config::JobConfig,
        decide::{AlertRecord, Decided, Decision, filter_output},
        route::{self, Route},
    },
    db,
    drafts::ContextLine,
    graduation,
    inbox::{EventState, InboxEvent},
    policy::{self, Mode},
    prompts,
    queue::ClaimedJob,
    redact::Redactor,
    time::now_ms,
    webex::{
        client::{ListMessages, WebexClient, WebexError},
        timestamp::parse_ms,
        types::{Message, RoomKind},
    },
};

/// Messages of an alert space compared with a new alert.
const ALERT_HISTORY: usize = 100;

/// What an agent produced.
struct Output {
    reply: Reply,
    prompt: String,
    redactions: usize,
    alert: Option<AlertRecord>,
}

/// Where the pipeline got with a message.
enum Step {
    /// Nothing to do, for this reason.
    Ignore(&'static str),
    /// A decision to record.
    Decide(Box<Decided>),
}

impl Runtime {
    pub(super) async fn handle_message(
        &self,
        job: &ClaimedJob,
        event: &InboxEvent,
    ) -> Result<(), Failure> {
        let step = match self.inner.bot.message(&event.data_id).await {
            Ok(message) if message.person_id == self.inner.me.id => {
                Step::Ignore("the bot's own message")
            }
            Ok(message) if self.serves(&message.person_id).await? => {
                self.decide_message(&message).await?
            }
            // Counted by `serves`; an audit entry per stranger's message would let anyone
            // outside flood the log.
            Ok(_) => Step::Ignore("sent by someone outside the organizations Steward serves"),
            Err(WebexError::Api { status: 404, .. }) => {
                Step::Ignore("the message was deleted, or the bot can no longer see it")
            }
            Err(error) => return Err(error.into()),
        };
        match step {
            Step::Ignore(reason) => {
                self.finish_event(job, event.id, EventState::Ignored, Some(reason))
                    .await
            }
            Step::Decide(decided) => self.commit(job, event, *decided).await,
        }
    }

    /// Routes a message, applies policy and runs the agent: the path of a message up to the
    /// decision.
    async fn decide_message(&self, message: &Message) -> Result<Step, Failure> {
        self.meet_space(&message.room_id).await;
        let room = &message.room_id;
        let alert_policy = policy::effective(self.db(), AgentFunction::AlertTriage, room).await?;
        let addressed = route::addressed(message, &self.inner.me);
        let command = route::command_text(message, &self.inner.me);
        let started = Instant::now();
        let builtin = |reply| {
            Step::Decide(Box::new(Decided::new(
                message,
                None,
                Decision::Builtin,
                Some(reply),
            )))
        };
        let (function, count) =
            match route::route(&command, addressed, alert_policy.mode != Mode::Off) {
                Route::NotAddressed => return Ok(Step::Ignore("not addressed to Steward")),
                Route::Help => {
                    let active = policy::active_in(self.db(), room).await?;
                    return Ok(builtin(help::help(&active)));
                }
                Route::Unknown(command) => {
                    let active = policy::active_in(self.db(), room).await?;
                    return Ok(builtin(help::unknown_command(&command, &active)));
                }
                Route::BadCount => {
                    return Ok(builtin(help::bad_count(&self.inner.me.display_name)));
                }
                Route::Summarize { count } => (AgentFunction::Summarize, count),
                Route::Alert => (AgentFunction::AlertTriage, 0),
            };
        let effective = if function == AgentFunction::AlertTriage {
            alert_policy
        } else {
            policy::effective(self.db(), function, room).await?
        };
        let prompt = prompts::for_space(self.db(), function, room)
            .await?
            .prompt();
        let decision = match effective.mode() {
            Mode::Off => {
                // An alert space whose triage is switched off stays quiet; someone who asked for
                // a function gets told why nothing happens.
                let notice = (function != AgentFunction::AlertTriage)
                    .then(|| help::not_enabled(function, !effective.enabled));
                return Ok(Step::Decide(Box::new(Decided::new(
                    message,
                    Some(function),
                    Decision::Off,
                    notice,
                ))));
            }
            Mode::Shadow => Decision::Shadow,
            Mode::Review => Decision::Draft,
            // A version on probation still needs a reviewer where its function is live.
            Mode::Live => {
                if graduation::standing(self.db(), function, prompt.version)
                    .await?
                    .graduated
                {
                    Decision::Reply
                } else {
                    Decision::Draft
                }
            }
        };
        let config = self.job_config().await?;
        let output = match function {
            AgentFunction::Summarize => {
                match self.summarize(message, count, &prompt, &config).await? {
                    Some(output) => output,
                    None => return Ok(builtin(help::no_history())),
                }
            }
            AgentFunction::AlertTriage => {
                let alert = route::content_text(message, &self.inner.me);
                self.triage(message, &alert, &prompt, &config).await?
            }
        };
        let (reply, output_redactions) = filter_output(output.reply, &config.redactor);
        let mut decided = Decided::new(message, Some(function), decision, Some(reply));
        decided.prompt = Some(output.prompt);
        decided.engine = Some(config.engine.info());
        decided.latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        decided.alert = output.alert;
        decided.redactions = output.redactions + output_redactions;
        decided.probation = decision == Decision::Draft && effective.mode() == Mode::Live;
        if decision == Decision::Draft {
            decided.context = self.review_context(message, &config.redactor).await?;
        }
        Ok(Step::Decide(Box::new(decided)))
    }

    /// Remembers a space the first time Steward meets it, with its title, for admins to see.
    async fn meet_space(&self, room_id: &str) {
        match db::policy::space(self.db().reader(), room_id).await {
            Ok(Some(_)) => return,
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(error = %crate::error_chain(&error), "cannot read the known spaces");
                return;
            }
        }
        match self.inner.bot.room(room_id).await {
            Ok(room) => {
                if let Err(error) =
                    policy::remember_space(self.db(), &room.id, &room.title, room.kind).await
                {
                    tracing::warn!(error = %crate::error_chain(&error), "cannot remember a space");
                }
            }
            Err(error) => {
                tracing::warn!(error = %crate::error_chain(&error), "cannot read a space's title")
            }
        }
    }

    /// The client that can read a space's history: the reader, or the bot in a 1:1 space (where
    /// Webex shows a bot everything).
    pub(super) fn history(&self, kind: RoomKind) -> Option<&WebexClient> {
        match (&self.inner.reader, kind) {
            (Some(reader), _) => Some(reader),
            (None, RoomKind::Direct) => Some(&self.inner.bot),
            (None, RoomKind::Group) => None,
        }
    }

    /// The last `count` messages of the asker's thread (or space), without the command itself and
    /// the bot's own messages, oldest first.
    async fn recent_messages(
        &self,
        client: &WebexClient,
        trigger: &Message,
        count: usize,
    ) -> Result<Vec<Message>, WebexError> {
        let query = ListMessages {
            room_id: trigger.room_id.clone(),
            parent_id: trigger.parent_id.clone(),
            mentioned_people: None,
            before: None,
            max: Some(u32::try_from(count.saturating_add(10).min(1000)).unwrap_or(1000)),
        };
        let mut found = Vec::with_capacity(count);
        let mut pages = std::pin::pin!(client.messages(&query));
        while found.len() < count {
            let Some(message) = pages.try_next().await? else {
                break;
            };
            if message.id != trigger.id && message.person_id != self.inner.me.id {
                found.push(message);
            }
        }
        if let Some(root) = &trigger.parent_id
            && found.len() < count
        {
            // Listing a thread returns its replies; the message that started it comes on its own.
            match client.message(root).await {
                Ok(root) if root.person_id != self.inner.me.id => found.push(root),
                Ok(_) | Err(WebexError::Api { status: 404, .. }) => {}
                Err(error) => return Err(error),
            }
        }
        found.reverse();
        Ok(found)
    }

    /// What a reviewer needs to judge a draft: the messages before the trigger in its thread (as
    /// far as Steward can read them) and the trigger itself, redacted, oldest first.
    async fn review_context(
        &self,
        trigger: &Message,
        redactor: &Redactor,
    ) -> Result<Vec<ContextLine>, Failure> {
        const BEFORE: usize = 5;
        let mut thread = match self.history(trigger.room_type) {
            Some(client) if trigger.parent_id.is_some() => {
                self.recent_messages(client, trigger, BEFORE).await?
            }
            _ => Vec::new(),
        };
        thread.push(trigger.clone());
        let mut context = Vec::with_capacity(thread.len());
        for message in &thread {
            let (read, _) = self.context_message(message, redactor).await;
            context.push(ContextLine {
                author: read.author,
                text: read.text,
                created: message.created.clone(),
                trigger: message.id == trigger.id,
            });
        }
        Ok(context)
    }

    /// Summarizes the asker's thread or space; `None` when Steward cannot read its history.
    async fn summarize(
        &self,
        trigger: &Message,
        count: usize,
        prompt: &PromptVersion,
        config: &JobConfig,
    ) -> Result<Option<Output>, Failure> {
        let Some(client) = self.history(trigger.room_type) else {
            return Ok(None);
        };
        let messages = self.recent_messages(client, trigger, count).await?;
        let mut context = Vec::with_capacity(messages.len());
        let mut redactions = 0;
        for message in &messages {
            let (read, found) = self.context_message(message, &config.redactor).await;
            redactions += found;
            context.push(read);
        }
        let summary = config.engine.summarize(prompt, &context).await?;
        let reply = summarize::render(
            &summary,
            Scope {
                thread: trigger.parent_id.is_some(),
                messages: context.len(),
            },
        );
        Ok(Some(Output {
            reply,
            prompt: prompt.label(),
            redactions,
            alert: None,
        }))
    }

    /// Rates an alert (`text`, the message without the bot's mention) and builds its card.
    async fn triage(
        &self,
        alert: &Message,
        text: &str,
        prompt: &PromptVersion,
        config: &JobConfig,
    ) -> Result<Output, Failure> {
        let redacted = config.redactor.redact(text);
        let rules = triage::rules(self.db()).await?;
        let earlier = self.earlier_alerts(alert, &config.redactor).await?;
        let assessment = config
            .engine
            .assess_alert(prompt, &redacted.text, &rules, &earlier)
            .await?;
        let title = triage::title(&redacted.text);
        let reply = triage::render(&alert.id, &title, &assessment);
        Ok(Output {
            reply,
            prompt: prompt.label(),
            redactions: redacted.found.len(),
            alert: Some(AlertRecord {
                message_id: alert.id.clone(),
                thread_id: alert.parent_id.clone().unwrap_or_else(|| alert.id.clone()),
                severity: assessment.severity,
                title,
                entities: json!(assessment.entities),
            }),
        })
    }

    /// Earlier messages of the alert space (when Steward can read its history), or else the
    /// alerts Steward triaged there before.
    async fn earlier_alerts(
        &self,
        alert: &Message,
        redactor: &Redactor,
    ) -> Result<Vec<EarlierAlert>, Failure> {
        if let Some(client) = self.history(alert.room_type) {
            let query = ListMessages {
                room_id: alert.room_id.clone(),
                parent_id: None,
                mentioned_people: None,
                before: Some(alert.created.clone()),
                max: Some(u32::try_from(ALERT_HISTORY).unwrap_or(100)),
            };
            let messages: Vec<Message> = client
                .messages(&query)
                .try_filter(|m| {
                    std::future::ready(
                        m.id != alert.id
                            && m.person_id != self.inner.me.id
                            && m.parent_id.is_none(),
                    )
                })
                .take(ALERT_HISTORY)
                .try_collect()
                .await?;
            return Ok(messages
                .into_iter()
                .map(|m| EarlierAlert {
                    created_ms: parse_ms(&m.created).unwrap_or_default(),
                    text: redactor.redact(&m.text).text,
                    message_id: m.id,
                })
                .collect());
        }
        let stored = db::drafts::recent_alerts(self.db(), &alert.room_id, now_ms(), 50).await?;
        Ok(stored
            .into_iter()
            .filter(|a| a.message_id != alert.id)
            .map(|a| EarlierAlert {
                message_id: a.message_id,
                text: a.title,
                created_ms: a.created_ms,
            })
            .collect())
    }
}
