//! The bot runtime running against a real server with the sandbox: webhooks registered through
//! the sandbox API, deliveries arriving at `/webhooks/webex`, workers answering through the
//! sandbox. Tests speak as the demo people and read what the bot posted.

use std::{sync::Arc, time::Duration};

use domain::{
    Db,
    agents::AgentFunction,
    ai::local::LocalEngine,
    audit::Actor,
    bot::{Runtime, RuntimeParts, RuntimeSettings},
    graduation, inbox, policy, queue,
    webex::{
        client::{RetryPolicy, WebexClient},
        markup::mention_person,
        types::{CreateMessage, Message},
    },
};
use serde_json::{Value, json};
use tokio::{sync::watch, task::JoinHandle};
use webex_sandbox::{Caller, MessageQuery};

use crate::sandbox_support::SandboxServer;

pub const ALEX: &str = "alex.rivera@acme.example";
pub const SAM: &str = "sam.okafor@acme.example";
pub const JORDAN: &str = "jordan.lee@acme.example";

/// A server with the sandbox and a running bot runtime.
pub struct Bot {
    pub server: SandboxServer,
    pub runtime: Runtime,
    pub db: Db,
    stop: watch::Sender<bool>,
    workers: Vec<JoinHandle<()>>,
}

/// Retries are quick in tests; the policy is otherwise Steward's.
fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(500),
        ..RetryPolicy::default()
    }
}

impl Bot {
    /// The demo's policy, two workers.
    pub async fn start(db: &Db) -> Self {
        Self::start_with(db, 2).await
    }

    pub async fn start_with(db: &Db, workers: usize) -> Self {
        Self::start_serving(db, workers, None).await
    }

    /// A bot that serves only the people of `organizations` (by default, the demo's).
    pub async fn start_serving(
        db: &Db,
        workers: usize,
        organizations: Option<Vec<String>>,
    ) -> Self {
        let server = SandboxServer::start(db).await;
        let demo = server.sandbox.demo_policy().await.unwrap();
        for (room, title, kind) in &demo.spaces {
            policy::remember_space(db, room, title, *kind)
                .await
                .unwrap();
        }
        policy::apply_initial(db, &demo.modes, &Actor::system("sandbox"))
            .await
            .unwrap();
        for function in AgentFunction::ALL {
            graduation::graduate_now(db, function, 1, &Actor::system("sandbox"))
                .await
                .unwrap();
        }
        let mut parts = Self::parts(db, &server);
        if let Some(organizations) = organizations {
            parts.settings.organizations = organizations;
        }
        let runtime = Runtime::start(parts).await.unwrap();
        // As `steward serve` does at start-up.
        runtime.sync_webhooks().await.unwrap();
        server.ingest.secrets.reload().await.unwrap();
        runtime.backfill().await.unwrap();
        server
            .ingest
            .bot_id
            .set(runtime.identity().id.clone())
            .unwrap();
        let (stop, stopped) = watch::channel(false);
        let workers = (0..workers)
            .map(|n| {
                let runtime = runtime.clone();
                let stopped = stopped.clone();
                tokio::spawn(async move { runtime.work(&format!("test-{n}"), stopped).await })
            })
            .collect();
        Self {
            server,
            runtime,
            db: db.clone(),
            stop,
            workers,
        }
    }

    pub fn parts(db: &Db, server: &SandboxServer) -> RuntimeParts {
        let http = reqwest::Client::new();
        let client = |token: &str| {
            WebexClient::new(http.clone(), &server.base, token, quick_retries()).unwrap()
        };
        RuntimeParts {
            db: db.clone(),
            bot: client(&server.seed.bot_token),
            reader: Some(client(&server.seed.reader_token)),
            engine: Arc::new(LocalEngine),
            ingestor: server.ingest.ingestor.clone(),
            jobs_queued: Arc::clone(&server.ingest.jobs_queued),
            settings: RuntimeSettings {
                retry_base: Duration::from_millis(100),
                retry_max: Duration::from_secs(1),
                idle_poll: Duration::from_millis(100),
                webhook_target: Some(format!("{}/webhooks/webex", server.origin)),
                organizations: vec![server.seed.org_id.clone()],
                // The integration stand-ins and the fake model answer on loopback.
                destinations: domain::outbound::Destinations::with_loopback(),
                ..RuntimeSettings::default()
            },
        }
    }

    /// Stops the workers after their current job.
    pub async fn stop(self) {
        self.stop.send(true).ok();
        for worker in self.workers {
            worker.await.ok();
        }
    }

    pub fn bot_id(&self) -> &str {
        &self.runtime.identity().id
    }

    /// `<@personId:…|Steward>`.
    pub fn mention(&self) -> String {
        mention_person(self.bot_id(), "Steward")
    }

    pub async fn room(&self, title: &str) -> String {
        self.server
            .room_id(&self.server.seed.bot_token, title)
            .await
    }

    /// Posts `markdown` as the person with this e-mail; returns the message.
    pub async fn say(
        &self,
        email: &str,
        room: &str,
        markdown: &str,
        parent: Option<&str>,
    ) -> Value {
        let token = self.server.token_for(email).await;
        let mut body = json!({ "roomId": room, "markdown": markdown });
        if let Some(parent) = parent {
            body["parentId"] = json!(parent);
        }
        let response = self
            .server
            .post("/messages", &token, body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{}",
            response.text().await.unwrap()
        );
        response.json().await.unwrap()
    }

    /// Posts `markdown` as the person with this e-mail without going through HTTP, so injected
    /// faults hit only Steward's calls.
    pub async fn say_directly(&self, email: &str, room: &str, markdown: &str) -> Message {
        let caller = self.caller(email).await;
        let request = CreateMessage {
            room_id: Some(room.to_owned()),
            markdown: Some(markdown.to_owned()),
            ..CreateMessage::default()
        };
        self.server
            .sandbox
            .create_message(&caller, &request)
            .await
            .unwrap()
    }

    async fn caller(&self, email: &str) -> Caller {
        let token = self.server.token_for(email).await;
        self.server
            .sandbox
            .authenticate(Some(&format!("Bearer {token}")))
            .await
            .unwrap()
    }

    /// The bot's messages in a thread (or, without one, at the top of the space), oldest first,
    /// as the person with this e-mail sees them. Read in-process, so injected faults do not
    /// interfere.
    pub async fn bot_messages(&self, email: &str, room: &str, thread: Option<&str>) -> Vec<Value> {
        let caller = self.caller(email).await;
        let query = MessageQuery {
            room_id: Some(room.to_owned()),
            parent_id: thread.map(str::to_owned),
            max: Some(1000),
            ..MessageQuery::default()
        };
        let page = self
            .server
            .sandbox
            .list_messages(&caller, &query)
            .await
            .unwrap();
        let mut mine: Vec<Value> = page
            .items
            .into_iter()
            .filter(|m| m.person_id == self.bot_id())
            .filter(|m| thread.is_some() || m.parent_id.is_none())
            .map(|m| serde_json::to_value(m).unwrap())
            .collect();
        mine.reverse();
        mine
    }

    /// Waits (up to 15 s) until the bot has posted `n` messages in the thread.
    pub async fn wait_for_replies(
        &self,
        email: &str,
        room: &str,
        thread: Option<&str>,
        n: usize,
    ) -> Vec<Value> {
        for _ in 0..150 {
            let replies = self.bot_messages(email, room, thread).await;
            if replies.len() >= n {
                return replies;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let replies = self.bot_messages(email, room, thread).await;
        panic!(
            "expected {n} replies from the bot, got {}: {replies:#?}",
            replies.len()
        );
    }

    /// Waits (up to 15 s) until every webhook delivery has arrived, no job is queued or running
    /// and every event is settled.
    pub async fn settle(&self) {
        for _ in 0..150 {
            let delivering = self
                .server
                .sandbox
                .delivery_counts()
                .await
                .unwrap()
                .into_iter()
                .any(|(state, _)| state == "pending");
            let counts = queue::counts(&self.db).await.unwrap();
            let open_events = inbox::state_counts(&self.db)
                .await
                .unwrap()
                .into_iter()
                .any(|(state, _)| !state.is_terminal());
            if !delivering && counts.queued == 0 && counts.running == 0 && !open_events {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "the runtime did not settle: {:?}, events {:?}",
            queue::counts(&self.db).await.unwrap(),
            inbox::state_counts(&self.db).await.unwrap()
        );
    }
}

/// A message's plain text.
pub fn text(message: &Value) -> &str {
    message["text"].as_str().unwrap_or_default()
}

/// The newest 200 audit entries, newest first: each action and its `after` state.
pub async fn audit_actions(bot: &Bot) -> Vec<(String, Value)> {
    domain::audit::recent(&bot.db, 200)
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            let after = e
                .after_json
                .as_deref()
                .map_or(Value::Null, |j| serde_json::from_str(j).unwrap());
            (e.action, after)
        })
        .collect()
}
