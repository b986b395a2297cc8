//! The bot runtime: workers that take jobs from the queue and carry each event along the path of
//! a message — fetch it from Webex, route it to an agent function, apply policy, redact, run the
//! agent, filter its output, then record it (shadow), hold it for review, or post it (live) —
//! and deliver the replies, in order per space, exactly once as far as Webex allows.
//!
//! Every job's effects commit in one transaction with the job's completion, fenced on the job's
//! lease: a worker that lost its lease (it stalled and another took over) cannot commit, so no
//! event is answered twice by two workers. Network calls happen outside transactions.

mod act;
mod backfill;
mod cards;
mod config;
mod decide;
mod deliver;
mod memberships;
mod messages;
mod people;
mod review;
mod route;
mod webhooks;

use std::{collections::HashMap, fmt, sync::Arc, time::Duration};

use serde_json::json;
use tokio::sync::{Mutex, Notify, watch};

pub use self::{backfill::BackfillReport, webhooks::WebhookReport};
use crate::{
    Classify, Db, actions,
    ai::Engine,
    audit::{self, Actor, NewEntry},
    db,
    inbox::{self, EventState, Ingestor},
    lifecycle::MoveError,
    outbox::{self, Settled},
    policy::PolicyError,
    queue::{self, ClaimedJob, Job, QueueError, Retried},
    webex::client::{WebexClient, WebexError},
};

/// Who the bot is at Webex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BotIdentity {
    /// Its person ID.
    pub id: String,
    /// Its display name, which Webex puts into the text of messages that mention it.
    pub display_name: String,
    /// Its e-mail, e.g. `steward@acme.webex.bot`.
    pub email: String,
}

/// How the runtime works its queue.
#[derive(Clone, Debug)]
pub struct RuntimeSettings {
    /// How long a claimed job is leased; workers renew it every third of this while they work.
    pub lease: Duration,
    /// Back-off after the first failure; it doubles each time.
    pub retry_base: Duration,
    /// Longest back-off.
    pub retry_max: Duration,
    /// How often an idle worker looks for jobs that were not announced to it (queued by another
    /// process, or due after a back-off).
    pub idle_poll: Duration,
    /// Where Webex should deliver events (`…/webhooks/webex`), when Steward manages its webhooks.
    pub webhook_target: Option<String>,
    /// The Webex organizations whose people may make the bot work and act on its cards (the
    /// ones whose people may sign in); messages and clicks from anyone else are ignored. Empty
    /// admits everyone.
    pub organizations: Vec<String>,
    /// Where integrations and the AI provider may be called: public addresses, and what an
    /// admin allows (the sandbox's loopback stand-ins).
    pub destinations: crate::outbound::Destinations,
}

impl Default for RuntimeSettings {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            retry_base: Duration::from_secs(2),
            retry_max: Duration::from_secs(300),
            idle_poll: Duration::from_millis(500),
            webhook_target: None,
            organizations: Vec::new(),
            destinations: crate::outbound::Destinations::default(),
        }
    }
}

/// What the runtime is built from.
#[derive(Clone)]
pub struct RuntimeParts {
    /// Steward's database.
    pub db: Db,
    /// The Webex client with the bot's token.
    pub bot: WebexClient,
    /// A client that can read the history of spaces (a compliance officer's token), if any.
    /// Without it, Steward sees only what Webex shows a bot: messages that mention it.
    pub reader: Option<WebexClient>,
    /// The AI engine.
    pub engine: Arc<dyn Engine>,
    /// Where back-filled events go, like webhook events.
    pub ingestor: Ingestor,
    /// Woken whenever jobs are queued.
    pub jobs_queued: Arc<Notify>,
    /// Queue settings.
    pub settings: RuntimeSettings,
}

/// The bot runtime. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    bot: WebexClient,
    reader: Option<WebexClient>,
    engine: Arc<dyn Engine>,
    ingestor: Ingestor,
    jobs_queued: Arc<Notify>,
    settings: RuntimeSettings,
    integrations: crate::integrations::IntegrationClient,
    config: config::ConfigCache,
    me: BotIdentity,
    /// Display names by person ID; people rarely rename themselves.
    names: Mutex<HashMap<String, String>>,
    /// Organization IDs by person ID, for the people who wrote or clicked.
    orgs: Mutex<HashMap<String, String>>,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("bot", &self.inner.me)
            .field("history_access", &self.inner.reader.is_some())
            .field("engine", &self.inner.engine.info())
            .finish_non_exhaustive()
    }
}

/// Why the runtime could not do something outside a job.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// Webex failed.
    #[error(transparent)]
    Webex(#[from] WebexError),
    /// The database failed.
    #[error("runtime query failed")]
    Query(#[from] sqlx::Error),
    /// The queue failed.
    #[error(transparent)]
    Queue(#[from] QueueError),
    /// Policy could not be read.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// A setting could not be read or written.
    #[error(transparent)]
    Settings(#[from] crate::settings::SettingsError),
    /// An event could not be stored.
    #[error(transparent)]
    Ingest(#[from] inbox::IngestError),
}

/// Why a job did not finish; decides what happens to it.
#[derive(Debug)]
enum Failure {
    /// Worth trying again after a back-off (5xx, time-outs, a database blip).
    Retry(String),
    /// Will not succeed by trying again (a 4xx): dead-letter it now.
    Fatal(String),
    /// Not a failure: run it again later without counting the attempt.
    Postpone(Duration, String),
    /// Another worker holds the job now; drop the work.
    LeaseLost,
}

impl Failure {
    /// Retried when trying again may help, dead-lettered when it never will.
    fn classify(error: &impl Classify) -> Self {
        let text = crate::error_chain(error);
        if error.is_transient() {
            Self::Retry(text)
        } else {
            Self::Fatal(text)
        }
    }
}

impl From<WebexError> for Failure {
    fn from(error: WebexError) -> Self {
        match error {
            WebexError::RateLimited { .. } => {
                Self::Postpone(Duration::from_secs(60), error.to_string())
            }
            other => Self::classify(&other),
        }
    }
}

impl From<QueueError> for Failure {
    fn from(error: QueueError) -> Self {
        match error {
            QueueError::LeaseLost(_) => Self::LeaseLost,
            other => Self::classify(&other),
        }
    }
}

/// `From` for errors whose transience is all that decides a job's fate.
macro_rules! classified {
    ($($error:ty),+ $(,)?) => {
        $(
            impl From<$error> for Failure {
                fn from(error: $error) -> Self {
                    Self::classify(&error)
                }
            }
        )+
    };
}

classified!(
    sqlx::Error,
    PolicyError,
    MoveError,
    crate::ai::AiError,
    crate::prompts::PromptError,
    crate::graduation::GraduationError,
    crate::agents::triage::RulesError,
    actions::ActionError,
    crate::drafts::DraftError,
    crate::users::UsersError,
);

/// What became of one job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobReport {
    /// It finished.
    Done,
    /// It failed and will run again at this time (ms).
    Retrying(i64),
    /// It was dead-lettered, for this reason.
    DeadLettered(String),
    /// It waits (not a failure), for this reason.
    Postponed(String),
    /// Its lease was lost to another worker.
    LeaseLost,
}

impl Runtime {
    /// Starts the runtime: asks Webex who the bot is.
    pub async fn start(parts: RuntimeParts) -> Result<Self, WebexError> {
        let me = parts.bot.me().await?;
        let identity = BotIdentity {
            email: me.emails.first().cloned().unwrap_or_default(),
            display_name: me.display_name,
            id: me.id,
        };
        let integrations =
            crate::integrations::IntegrationClient::new(parts.settings.destinations.clone());
        Ok(Self {
            inner: Arc::new(Inner {
                db: parts.db,
                bot: parts.bot,
                reader: parts.reader,
                engine: parts.engine,
                ingestor: parts.ingestor,
                jobs_queued: parts.jobs_queued,
                settings: parts.settings,
                integrations,
                config: config::ConfigCache::default(),
                me: identity,
                names: Mutex::new(HashMap::new()),
                orgs: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// Who the bot is.
    pub fn identity(&self) -> &BotIdentity {
        &self.inner.me
    }

    fn db(&self) -> &Db {
        &self.inner.db
    }

    /// Works the queue until `stop` turns true: claims a job, runs it, repeats; waits for new
    /// jobs when there are none. A job in progress when `stop` turns true is finished first.
    pub async fn work(&self, worker: &str, mut stop: watch::Receiver<bool>) {
        let owner = format!("{worker}/{}", uuid::Uuid::new_v4().simple());
        loop {
            if *stop.borrow() {
                return;
            }
            // Registered before looking, so an announcement made while this worker looks is
            // not missed.
            let announced = self.inner.jobs_queued.notified();
            tokio::pin!(announced);
            announced.as_mut().enable();
            match self.run_next(&owner).await {
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(error) => {
                    tracing::error!(error = %crate::error_chain(&error), "cannot take a job from the queue");
                }
            }
            tokio::select! {
                () = &mut announced => {}
                () = tokio::time::sleep(self.inner.settings.idle_poll) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Claims the next job and runs it. `None` when there was nothing to do.
    pub async fn run_next(
        &self,
        owner: &str,
    ) -> Result<Option<(ClaimedJob, JobReport)>, RuntimeError> {
        let lease = self.inner.settings.lease;
        let Some(job) = queue::claim(self.db(), owner, lease).await? else {
            return Ok(None);
        };
        let started = std::time::Instant::now();
        let heartbeat = async {
            loop {
                tokio::time::sleep(lease / 3).await;
                match queue::heartbeat(self.db(), &job, lease).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(error) => {
                        tracing::warn!(job = job.id, error = %crate::error_chain(&error), "cannot renew a job's lease");
                    }
                }
            }
        };
        let outcome = tokio::select! {
            outcome = self.process(&job) => outcome,
            () = heartbeat => Err(Failure::LeaseLost),
        };
        let report = self.settle(&job, outcome).await?;
        let result = match &report {
            JobReport::Done => "done",
            JobReport::Retrying(_) => "retry",
            JobReport::DeadLettered(_) => "dead",
            JobReport::Postponed(_) => "postponed",
            JobReport::LeaseLost => "lease_lost",
        };
        metrics::counter!("steward_jobs_total", "kind" => job.work.kind(), "result" => result)
            .increment(1);
        metrics::histogram!("steward_job_duration_seconds", "kind" => job.work.kind())
            .record(started.elapsed().as_secs_f64());
        tracing::debug!(
            job = job.id,
            kind = job.work.kind(),
            attempt = job.attempts,
            ?report,
            "job finished"
        );
        Ok(Some((job, report)))
    }

    async fn process(&self, job: &ClaimedJob) -> Result<(), Failure> {
        match &job.work {
            Job::Event { event_id } => self.handle_event(job, *event_id).await,
            Job::Deliver { outbox_id } => self.deliver(job, *outbox_id).await,
            Job::Act {
                action_id,
                approver,
            } => {
                let approver = approver.as_deref().unwrap_or("a reviewer");
                self.act(job, *action_id, approver).await
            }
        }
    }

    /// Records what a failed job's outcome means for the queue.
    async fn settle(
        &self,
        job: &ClaimedJob,
        outcome: Result<(), Failure>,
    ) -> Result<JobReport, RuntimeError> {
        let failure = match outcome {
            Ok(()) => return Ok(JobReport::Done),
            Err(failure) => failure,
        };
        let result = match failure {
            Failure::LeaseLost => {
                tracing::warn!(
                    job = job.id,
                    "lost the lease of a job; another worker has it now"
                );
                return Ok(JobReport::LeaseLost);
            }
            Failure::Postpone(delay, why) => {
                let run_at =
                    crate::time::now_ms() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
                queue::postpone(self.db(), job, run_at, &why)
                    .await
                    .map(|()| JobReport::Postponed(why))
            }
            Failure::Retry(error) => {
                tracing::warn!(job = job.id, kind = job.work.kind(), attempt = job.attempts, %error, "job failed; it will be retried");
                let delay = crate::outbound::backoff(
                    u32::try_from(job.attempts).unwrap_or(u32::MAX),
                    self.inner.settings.retry_base,
                    self.inner.settings.retry_max,
                );
                let mut tx = self.db().begin().await?;
                match queue::retry_in(&mut tx, job, &error, delay).await {
                    Ok(Retried::At(at)) => tx
                        .commit()
                        .await
                        .map(|()| JobReport::Retrying(at))
                        .map_err(QueueError::from),
                    Ok(Retried::DeadLettered(reason)) => {
                        fail_subject(&mut tx, self.db(), job, &reason).await?;
                        tx.commit().await?;
                        Ok(JobReport::DeadLettered(reason))
                    }
                    Err(error) => Err(error),
                }
            }
            Failure::Fatal(reason) => {
                let mut tx = self.db().begin().await?;
                match queue::dead_letter_in(&mut tx, job, &reason).await {
                    Ok(()) => {
                        fail_subject(&mut tx, self.db(), job, &reason).await?;
                        tx.commit().await?;
                        Ok(JobReport::DeadLettered(reason))
                    }
                    Err(error) => Err(error),
                }
            }
        };
        match result {
            Ok(report) => {
                if let JobReport::DeadLettered(reason) = &report {
                    tracing::error!(job = job.id, kind = job.work.kind(), %reason, "job dead-lettered");
                }
                Ok(report)
            }
            Err(QueueError::LeaseLost(_)) => Ok(JobReport::LeaseLost),
            Err(error) => Err(error.into()),
        }
    }

    async fn handle_event(&self, job: &ClaimedJob, event_id: i64) -> Result<(), Failure> {
        let Some(event) = db::inbox::find(self.db().reader(), event_id).await? else {
            return Err(Failure::Fatal(format!(
                "inbox event {event_id} does not exist"
            )));
        };
        match (event.resource.as_str(), event.event.as_str()) {
            ("messages", "created") => self.handle_message(job, &event).await,
            ("attachmentActions", "created") => self.handle_card_action(job, &event).await,
            ("memberships", "created" | "deleted") => self.handle_membership(job, &event).await,
            _ => {
                self.finish_event(
                    job,
                    event.id,
                    EventState::Ignored,
                    Some("Steward does not handle this event"),
                )
                .await
            }
        }
    }

    /// Ends an event's job with the event in `state`.
    async fn finish_event(
        &self,
        job: &ClaimedJob,
        event_id: i64,
        state: EventState,
        reason: Option<&str>,
    ) -> Result<(), Failure> {
        let mut tx = self.db().begin().await?;
        inbox::move_event(&mut tx, event_id, state, reason).await?;
        queue::complete_in(&mut tx, job, state.as_str()).await?;
        tx.commit().await?;
        Ok(())
    }

    fn announce_jobs(&self) {
        self.inner.jobs_queued.notify_waiters();
    }
}

/// Marks what a dead-lettered job was for as failed, and audits it, in the caller's transaction.
/// Something that already ended (an event answered, a message sent) is left as it is.
async fn fail_subject(
    conn: &mut sqlx::AnyConnection,
    db: &Db,
    job: &ClaimedJob,
    reason: &str,
) -> Result<(), sqlx::Error> {
    let left = |moved: Result<(), MoveError>| match moved {
        Ok(()) => Ok(()),
        Err(MoveError::Query(e)) => Err(e),
        Err(refused) => {
            tracing::warn!(job = job.id, %refused, "left what a dead-lettered job was for as it is");
            Ok(())
        }
    };
    match &job.work {
        Job::Event { event_id } => {
            left(inbox::move_event(conn, *event_id, EventState::Dead, Some(reason)).await)?;
        }
        Job::Deliver { outbox_id } => {
            left(outbox::settle(conn, *outbox_id, Settled::Dead(reason)).await)?;
            if let Some(event_id) = db::outbox::find(&mut *conn, *outbox_id)
                .await?
                .and_then(|o| o.event_id)
            {
                left(inbox::move_event(conn, event_id, EventState::Dead, Some(reason)).await)?;
            }
        }
        Job::Act { action_id, .. } => actions::failed_in(conn, db, *action_id, reason).await?,
    }
    audit::append(
        conn,
        db,
        NewEntry {
            actor: Actor::system("runtime"),
            action: "job.dead_letter".into(),
            target: format!("job:{}", job.id),
            before: None,
            after: Some(json!({
                "kind": job.work.kind(),
                "payload": job.work.payload(),
                "attempts": job.attempts,
                "reason": reason,
            })),
        },
    )
    .await?;
    Ok(())
}

/// Puts jobs whose worker died back in the queue (or dead-letters those out of attempts, marking
/// what they were for as failed). Returns how many jobs were rescued.
pub async fn rescue_expired(db: &Db) -> Result<usize, QueueError> {
    let mut tx = db.begin().await?;
    let rescued = queue::rescue_expired_in(&mut tx).await?;
    for (job, reason) in &rescued.dead_lettered {
        fail_subject(&mut tx, db, job, reason).await?;
    }
    tx.commit().await?;
    let total = rescued.requeued + rescued.dead_lettered.len();
    if total > 0 {
        tracing::warn!(
            requeued = rescued.requeued,
            dead_lettered = rescued.dead_lettered.len(),
            "rescued jobs whose worker stopped renewing its lease"
        );
    }
    Ok(total)
}
