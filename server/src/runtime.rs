//! The bot runtime inside a `steward` process: the Webex clients the configuration calls for,
//! the runtime itself (started once Webex answers, retrying while it does not), its workers, and
//! its chores — rescuing jobs of crashed workers, keeping the webhooks registered and active,
//! back-filling missed messages, purging finished jobs — until the process stops.

use std::{
    sync::{Arc, OnceLock},
    time::Duration,
};

use anyhow::Context;
use domain::{
    Db,
    agents::AgentFunction,
    ai::local::LocalEngine,
    audit::Actor,
    bot::{self, Runtime, RuntimeParts, RuntimeSettings},
    graduation,
    inbox::{Ingestor, WebhookSecrets},
    outbound::Destinations,
    policy, queue, review,
    users::{self, EmailAddress},
    webex::client::{RetryPolicy, WebexClient},
};
use secrecy::ExposeSecret;
use tokio::{
    sync::{Notify, watch},
    task::{JoinHandle, JoinSet},
};
use webex_sandbox::{
    integrations,
    seed::{DemoPolicy, SeedSummary},
};

use crate::{config::Config, http::webhooks::WEBHOOK_PATH};

const RESCUE_PERIOD: Duration = Duration::from_secs(5);
const WEBHOOK_CHECK_PERIOD: Duration = Duration::from_secs(60);
const BACKFILL_PERIOD: Duration = Duration::from_secs(10 * 60);
const PURGE_PERIOD: Duration = Duration::from_secs(60 * 60);
/// Finished jobs are kept this long for inspection.
const DONE_JOB_RETENTION: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// How Steward reaches Webex as the bot.
#[derive(Clone, Debug)]
pub struct WebexAccess {
    /// The bot's client.
    pub bot: WebexClient,
    /// The history reader's client, if configured.
    pub reader: Option<WebexClient>,
    /// Where Webex should deliver events, when Steward manages its webhooks.
    pub webhook_target: Option<String>,
    /// The organizations whose people the bot serves (empty: everyone).
    pub organizations: Vec<String>,
    /// Where integrations and the AI provider may be called.
    pub destinations: Destinations,
}

impl WebexAccess {
    /// In sandbox mode: the sandbox's bot and compliance officer, with webhooks always managed.
    pub fn sandbox(config: &Config, base_url: &str, seed: &SeedSummary) -> anyhow::Result<Self> {
        let http = http_client()?;
        let client = |token: &str| {
            WebexClient::new(http.clone(), base_url, token, RetryPolicy::default())
                .context("invalid sandbox base URL")
        };
        Ok(Self {
            bot: client(&seed.bot_token)?,
            reader: Some(client(&seed.reader_token)?),
            webhook_target: Some(webhook_target(config)),
            organizations: vec![seed.org_id.clone()],
            // The integration stand-ins answer on this very loopback server.
            destinations: Destinations::allowing(
                config
                    .outbound_allow
                    .iter()
                    .copied()
                    .chain(["127.0.0.0/8", "::1"].map(|n| n.parse().expect("valid ranges"))),
            ),
        })
    }

    /// Against Webex: `None` without a bot token. Webhooks are managed only when the public URL
    /// is configured, since Webex must be able to reach it.
    pub fn webex(config: &Config) -> anyhow::Result<Option<Self>> {
        let Some(token) = &config.webex_bot_token else {
            return Ok(None);
        };
        let http = http_client()?;
        let base = config.webex_api_url.as_str();
        let client = |token: &str| {
            WebexClient::new(http.clone(), base, token, RetryPolicy::default())
                .context("invalid STEWARD_WEBEX_API_URL")
        };
        Ok(Some(Self {
            bot: client(token.expose_secret())?,
            reader: config
                .webex_reader_token
                .as_ref()
                .map(|t| client(t.expose_secret()))
                .transpose()?,
            webhook_target: config.public_url_configured.then(|| webhook_target(config)),
            organizations: config.webex_org_ids.clone(),
            destinations: Destinations::allowing(config.outbound_allow.iter().copied()),
        }))
    }
}

fn webhook_target(config: &Config) -> String {
    format!(
        "{}{}",
        config.public_url.as_str().trim_end_matches('/'),
        WEBHOOK_PATH
    )
}

fn http_client() -> anyhow::Result<reqwest::Client> {
    // No redirects: the bot's token must only ever go to the configured API.
    domain::outbound::client()
        .build()
        .context("cannot build the HTTP client for Webex")
}

/// The parts of ingest that exist whether or not the runtime has started: the ingestor (with
/// its SQLite writer), the webhook secrets and the bot's ID once known.
pub struct Ingest {
    /// Stores events.
    pub ingestor: Ingestor,
    /// Verifies signatures.
    pub secrets: WebhookSecrets,
    /// The bot's person ID, set when the runtime starts.
    pub bot_id: Arc<OnceLock<String>>,
    /// Woken when jobs are queued.
    pub jobs_queued: Arc<Notify>,
    writer: Option<JoinHandle<()>>,
}

impl Ingest {
    /// Opens ingest over `db`, spawning the SQLite group-commit writer.
    pub async fn open(db: &Db) -> anyhow::Result<Self> {
        let jobs_queued = Arc::new(Notify::new());
        let (ingestor, writer) = Ingestor::new(db.clone(), Arc::clone(&jobs_queued));
        let secrets = WebhookSecrets::load(db.clone())
            .await
            .context("cannot read the webhook secrets")?;
        Ok(Self {
            ingestor,
            secrets,
            bot_id: Arc::new(OnceLock::new()),
            jobs_queued,
            writer: writer.map(|w| tokio::spawn(w.run())),
        })
    }

    /// Stops the writer; call once nothing ingests any more.
    pub fn close(self) {
        if let Some(writer) = self.writer {
            writer.abort();
        }
    }
}

/// Which chores this process does besides working jobs.
#[derive(Clone, Copy, Debug)]
pub struct Chores {
    /// Keep the webhooks registered and active, and back-fill missed messages: the job of the
    /// process that receives webhooks.
    pub webhooks_and_backfill: bool,
}

/// The running runtime: its supervisor task and the switch that stops it.
pub struct RuntimeTask {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RuntimeTask {
    /// Starts the runtime in the background: connects to Webex (retrying until it answers),
    /// applies `initial_policy` to a new installation, starts `config.workers` workers and the
    /// chores.
    pub fn spawn(
        db: Db,
        access: WebexAccess,
        ingest: &Ingest,
        config: &Config,
        chores: Chores,
        initial_policy: Option<DemoPolicy>,
    ) -> Self {
        let (stop, stopped) = watch::channel(false);
        let parts = RuntimeParts {
            db: db.clone(),
            bot: access.bot,
            reader: access.reader,
            engine: Arc::new(LocalEngine),
            ingestor: ingest.ingestor.clone(),
            jobs_queued: Arc::clone(&ingest.jobs_queued),
            settings: RuntimeSettings {
                lease: config.job_lease,
                webhook_target: access.webhook_target,
                organizations: access.organizations,
                destinations: access.destinations,
                ..RuntimeSettings::default()
            },
        };
        let supervisor = Supervisor {
            db,
            parts,
            secrets: ingest.secrets.clone(),
            bot_id: Arc::clone(&ingest.bot_id),
            workers: config.workers,
            chores,
            initial_policy,
            stopped,
        };
        Self {
            stop,
            task: tokio::spawn(supervisor.run()),
        }
    }

    /// Stops claiming jobs, lets jobs in progress finish within `grace`, then returns.
    pub async fn stop(self, grace: Duration) {
        self.stop.send(true).ok();
        let mut task = self.task;
        if tokio::time::timeout(grace, &mut task).await.is_err() {
            tracing::warn!(
                ?grace,
                "jobs in progress did not finish in time; their leases will expire and another worker will take them over"
            );
            task.abort();
        }
    }
}

struct Supervisor {
    db: Db,
    parts: RuntimeParts,
    secrets: WebhookSecrets,
    bot_id: Arc<OnceLock<String>>,
    workers: usize,
    chores: Chores,
    initial_policy: Option<DemoPolicy>,
    stopped: watch::Receiver<bool>,
}

impl Supervisor {
    async fn run(mut self) {
        let Some(runtime) = self.connect().await else {
            return;
        };
        self.bot_id.set(runtime.identity().id.clone()).ok();
        tracing::info!(bot = %runtime.identity().email, workers = self.workers, "the bot runtime is running");
        if let Some(demo) = self.initial_policy.take() {
            apply_demo_policy(&self.db, &demo).await;
        }
        let mut workers = JoinSet::new();
        for n in 0..self.workers {
            let runtime = runtime.clone();
            let stopped = self.stopped.clone();
            workers.spawn(async move { runtime.work(&format!("worker-{n}"), stopped).await });
        }
        self.chores(&runtime).await;
        while workers.join_next().await.is_some() {}
    }

    /// Starts the runtime, retrying with back-off while Webex does not answer.
    async fn connect(&mut self) -> Option<Runtime> {
        let mut delay = Duration::from_secs(1);
        loop {
            match Runtime::start(self.parts.clone()).await {
                Ok(runtime) => return Some(runtime),
                Err(error) => {
                    tracing::warn!(error = %domain::error_chain(&error), ?delay, "cannot reach Webex as the bot yet; trying again");
                }
            }
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                _ = self.stopped.changed() => return None,
            }
            delay = (delay * 2).min(Duration::from_secs(60));
        }
    }

    async fn chores(&mut self, runtime: &Runtime) {
        let webhooks = self.chores.webhooks_and_backfill;
        if webhooks {
            self.sync_webhooks(runtime).await;
            backfill(runtime).await;
        }
        let start = tokio::time::Instant::now();
        let mut rescue = tokio::time::interval_at(start + RESCUE_PERIOD, RESCUE_PERIOD);
        let mut check =
            tokio::time::interval_at(start + WEBHOOK_CHECK_PERIOD, WEBHOOK_CHECK_PERIOD);
        let mut fill = tokio::time::interval_at(start + BACKFILL_PERIOD, BACKFILL_PERIOD);
        let mut purge = tokio::time::interval_at(start + PURGE_PERIOD, PURGE_PERIOD);
        loop {
            tokio::select! {
                _ = self.stopped.changed() => return,
                _ = rescue.tick() => {
                    if let Err(error) = bot::rescue_expired(&self.db).await {
                        tracing::error!(error = %domain::error_chain(&error), "cannot rescue expired jobs");
                    }
                }
                _ = check.tick(), if webhooks => self.sync_webhooks(runtime).await,
                _ = fill.tick(), if webhooks => backfill(runtime).await,
                _ = purge.tick() => {
                    match queue::purge_done(&self.db, DONE_JOB_RETENTION).await {
                        Ok(0) => {}
                        Ok(purged) => tracing::info!(purged, "removed finished jobs older than a week"),
                        Err(error) => tracing::error!(error = %domain::error_chain(&error), "cannot purge finished jobs"),
                    }
                    match domain::retention::purge_now(&self.db).await {
                        Ok(report) if report.is_empty() => {}
                        Ok(report) => tracing::info!(?report, "blanked message text past its retention"),
                        Err(error) => tracing::error!(error = %domain::error_chain(&error), "cannot apply retention"),
                    }
                    if let Err(error) = self.db.refresh_statistics().await {
                        tracing::error!(error = %domain::error_chain(&error), "cannot refresh planner statistics");
                    }
                }
            }
        }
    }

    async fn sync_webhooks(&self, runtime: &Runtime) {
        match runtime.sync_webhooks().await {
            Ok(report) => {
                if report.changed() {
                    tracing::info!(?report, "Webex webhooks updated");
                }
                if let Err(error) = self.secrets.reload().await {
                    tracing::error!(error = %domain::error_chain(&error), "cannot reload webhook secrets");
                }
            }
            Err(error) => {
                tracing::error!(error = %domain::error_chain(&error), "cannot check Steward's Webex webhooks");
            }
        }
    }
}

async fn backfill(runtime: &Runtime) {
    if let Err(error) = runtime.backfill().await {
        tracing::error!(error = %domain::error_chain(&error), "cannot back-fill missed messages");
    }
}

/// The demo's spaces become known and, in a new installation, get the demo's policy.
async fn apply_demo_policy(db: &Db, demo: &DemoPolicy) {
    for (room_id, title, kind) in &demo.spaces {
        if let Err(error) = policy::remember_space(db, room_id, title, *kind).await {
            tracing::error!(error = %domain::error_chain(&error), "cannot record a demo space");
        }
    }
    let sandbox = Actor::system("sandbox");
    match policy::apply_initial(db, &demo.modes, &sandbox).await {
        Ok(true) => {
            // The demo shows agents at work at once, so their first prompts start graduated.
            for function in AgentFunction::ALL {
                if let Err(error) = graduation::graduate_now(db, function, 1, &sandbox).await {
                    tracing::error!(error = %domain::error_chain(&error), "cannot graduate the demo's prompts");
                }
            }
            for (email, name, role) in &demo.roles {
                let granted = match EmailAddress::parse(email) {
                    Ok(email) => users::grant_role(db, &email, *role, &sandbox).await,
                    Err(error) => {
                        tracing::error!(%email, %error, "a demo person's e-mail is not valid");
                        continue;
                    }
                };
                if let Err(error) = granted {
                    tracing::error!(error = %domain::error_chain(&error), person = %name, "cannot give a demo person their role");
                }
            }
            if let Err(error) = review::set_space(db, demo.review_space.as_deref(), &sandbox).await
            {
                tracing::error!(error = %domain::error_chain(&error), "cannot set the demo's reviewer space");
            }
            if let Some(base) = &demo.integrations
                && let Err(error) = integrations::configure_demo(db, base, &sandbox).await
            {
                tracing::error!(error = %domain::error_chain(&error), "cannot configure the demo's integrations");
            }
            tracing::info!("applied the demo's agent policy");
        }
        Ok(false) => {}
        Err(error) => {
            tracing::error!(error = %domain::error_chain(&error), "cannot apply the demo's agent policy")
        }
    }
}
