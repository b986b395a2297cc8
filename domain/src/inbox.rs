//! The inbox: Webex events as they arrive over webhooks, committed before Webex is told 200.
//!
//! The HTTP edge verifies the signature over the raw bytes ([`WebhookSecrets`]), parses the
//! envelope ([`ReceivedEvent::parse`]), decides whether Steward handles it ([`classify`]) and
//! hands it to the [`Ingestor`], which stores it and, for handled events, queues a job in the same
//! transaction. A redelivery of an event already stored (same resource, event and `data.id`) is
//! recognised and changes nothing.
//!
//! On SQLite every commit waits for an fsync, and there is one writer; committing each event on
//! its own would cap ingest at a few hundred events a second. The ingestor therefore has one
//! writer task that commits whatever has arrived in one transaction (group commit) and answers
//! every waiting request after that commit. On PostgreSQL each request commits in its own pooled
//! transaction and the server groups the flushes.

mod secrets;

use std::sync::Arc;

use serde::Deserialize;
use tokio::sync::{Notify, mpsc, oneshot};

pub use self::secrets::WebhookSecrets;
pub use vocab::EventState;

use crate::{
    Backend, Db, db,
    lifecycle::{self, MoveError},
    queue::{Job, NewJob},
    time::now_ms,
    webex::timestamp::parse_ms,
};

/// Most events committed in one SQLite transaction.
const MAX_BATCH: usize = 512;
/// Requests waiting for the SQLite writer before new ones wait for room.
const QUEUE_DEPTH: usize = 4096;

/// A verified webhook delivery, parsed: the envelope's routing fields and the resource's `data`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReceivedEvent {
    /// `messages`, `memberships`, `attachmentActions`, `rooms`, ….
    pub resource: String,
    /// `created`, `updated`, `deleted`, ….
    pub event: String,
    /// The webhook that delivered it (the envelope's `id`), or `None` when back-filled.
    pub webhook_id: Option<String>,
    /// Who caused it.
    pub actor_id: Option<String>,
    /// `data`: identifiers and metadata, never content.
    pub data: serde_json::Value,
}

/// Why a body is not a Webex webhook envelope.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    /// Not JSON, or not the envelope's shape.
    #[error("the body is not a Webex webhook envelope: {0}")]
    Malformed(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireEnvelope {
    id: Option<String>,
    resource: String,
    event: String,
    actor_id: Option<String>,
    data: serde_json::Value,
}

impl ReceivedEvent {
    /// Parses a webhook body. Only the fields Steward routes on are required.
    pub fn parse(body: &[u8]) -> Result<Self, EnvelopeError> {
        let wire: WireEnvelope =
            serde_json::from_slice(body).map_err(|e| EnvelopeError::Malformed(e.to_string()))?;
        let event = Self {
            resource: wire.resource,
            event: wire.event,
            webhook_id: wire.id,
            actor_id: wire.actor_id,
            data: wire.data,
        };
        if event.data_id().is_none_or(str::is_empty) {
            return Err(EnvelopeError::Malformed("`data.id` is missing".to_owned()));
        }
        if event.resource.is_empty() || event.event.is_empty() {
            return Err(EnvelopeError::Malformed(
                "`resource` and `event` must not be empty".to_owned(),
            ));
        }
        Ok(event)
    }

    fn field(&self, name: &str) -> Option<&str> {
        self.data.get(name).and_then(serde_json::Value::as_str)
    }

    /// `data.id`: the message, membership or card action the event is about.
    pub fn data_id(&self) -> Option<&str> {
        self.field("id")
    }

    /// `data.roomId`.
    pub fn room_id(&self) -> Option<&str> {
        self.field("roomId")
    }

    /// `data.personId`: the author of a message, the member of a membership, who clicked a card.
    pub fn person_id(&self) -> Option<&str> {
        self.field("personId")
    }

    /// `data.parentId`: the thread root of a reply.
    pub fn parent_id(&self) -> Option<&str> {
        self.field("parentId")
    }

    /// `data.created`, in milliseconds.
    pub fn created_ms(&self) -> Option<i64> {
        self.field("created").and_then(parse_ms)
    }
}

/// What Steward does with an authentic event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// Store it and queue it for the pipeline.
    Queue,
    /// Store it as ignored, for this reason. Webex still gets 200, so it never disables the
    /// webhook over events Steward has no use for.
    Ignore(&'static str),
}

/// Whether Steward handles an event. `bot_id` is the bot's person ID when known; without it,
/// events that depend on it are queued and the pipeline decides.
pub fn classify(event: &ReceivedEvent, bot_id: Option<&str>) -> Disposition {
    let about_bot = |id: Option<&str>| match (id, bot_id) {
        (Some(id), Some(bot)) => Some(id == bot),
        _ => None,
    };
    match (event.resource.as_str(), event.event.as_str()) {
        ("messages", "created") => match about_bot(event.person_id()) {
            Some(true) => Disposition::Ignore("the bot's own message"),
            _ => Disposition::Queue,
        },
        ("messages", _) => Disposition::Ignore("edited and deleted messages need no answer"),
        ("attachmentActions", "created") => Disposition::Queue,
        ("memberships", "created" | "deleted") => match about_bot(event.person_id()) {
            Some(false) => Disposition::Ignore("a membership change of someone else"),
            _ => Disposition::Queue,
        },
        ("memberships", _) => Disposition::Ignore("membership updates need no answer"),
        ("rooms", _) => Disposition::Ignore("space changes need no answer"),
        _ => Disposition::Ignore("Steward does not handle this resource"),
    }
}

/// What became of an ingested event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IngestOutcome {
    /// Stored and queued as inbox event `id`.
    Queued(i64),
    /// Stored as ignored.
    Ignored(&'static str),
    /// Already stored earlier (a redelivery, or a back-filled copy); nothing changed.
    Duplicate,
}

impl IngestOutcome {
    /// A one-word name, for responses and metrics.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Queued(_) => "queued",
            Self::Ignored(_) => "ignored",
            Self::Duplicate => "duplicate",
        }
    }
}

/// Why an event could not be stored. Nothing was acknowledged, so Webex's copy is not lost.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The database failed.
    #[error("cannot store the event")]
    Store(#[source] Arc<sqlx::Error>),
    /// The ingest writer has stopped (the server is shutting down).
    #[error("the event writer has stopped")]
    Stopped,
}

/// The event as stored, with source and disposition.
#[derive(Clone, Debug)]
pub(crate) struct NewInboxEvent {
    pub event: ReceivedEvent,
    pub source: &'static str,
    pub disposition: Disposition,
}

struct Pending {
    event: NewInboxEvent,
    reply: oneshot::Sender<Result<IngestOutcome, IngestError>>,
}

/// Stores received events. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Ingestor {
    mode: Mode,
    jobs_queued: Arc<Notify>,
}

#[derive(Clone, Debug)]
enum Mode {
    /// SQLite: hand events to the group-commit writer.
    Batched(mpsc::Sender<Pending>),
    /// PostgreSQL: one pooled transaction per event.
    Direct(Db),
}

/// The SQLite group-commit writer; the caller spawns it. It ends when every [`Ingestor`] clone
/// is dropped.
pub struct BatchWriter {
    db: Db,
    rx: mpsc::Receiver<Pending>,
    jobs_queued: Arc<Notify>,
}

impl Ingestor {
    /// An ingestor over `db`, waking `jobs_queued` whenever it queues jobs. On SQLite it also
    /// returns the writer to spawn.
    pub fn new(db: Db, jobs_queued: Arc<Notify>) -> (Self, Option<BatchWriter>) {
        match db.backend() {
            Backend::Sqlite => {
                let (tx, rx) = mpsc::channel(QUEUE_DEPTH);
                let writer = BatchWriter {
                    db,
                    rx,
                    jobs_queued: Arc::clone(&jobs_queued),
                };
                (
                    Self {
                        mode: Mode::Batched(tx),
                        jobs_queued,
                    },
                    Some(writer),
                )
            }
            Backend::Postgres => (
                Self {
                    mode: Mode::Direct(db),
                    jobs_queued,
                },
                None,
            ),
        }
    }

    /// Stores a verified webhook event; returns once it is durable.
    pub async fn ingest(
        &self,
        event: ReceivedEvent,
        disposition: Disposition,
    ) -> Result<IngestOutcome, IngestError> {
        self.store(NewInboxEvent {
            event,
            source: "webhook",
            disposition,
        })
        .await
    }

    pub(crate) async fn store(&self, event: NewInboxEvent) -> Result<IngestOutcome, IngestError> {
        match &self.mode {
            Mode::Batched(tx) => {
                let (reply, answer) = oneshot::channel();
                tx.send(Pending { event, reply })
                    .await
                    .map_err(|_| IngestError::Stopped)?;
                answer.await.map_err(|_| IngestError::Stopped)?
            }
            Mode::Direct(db) => {
                let outcome = store_batch(db, std::slice::from_ref(&event))
                    .await
                    .map_err(|e| IngestError::Store(Arc::new(e)))?
                    .pop()
                    .expect("one outcome per event");
                if matches!(outcome, IngestOutcome::Queued(_)) {
                    self.jobs_queued.notify_waiters();
                }
                Ok(outcome)
            }
        }
    }
}

impl BatchWriter {
    /// Commits events in groups until every sender is gone.
    pub async fn run(mut self) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while self.rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
            let events: Vec<NewInboxEvent> = batch.iter().map(|p| p.event.clone()).collect();
            match store_batch(&self.db, &events).await {
                Ok(outcomes) => {
                    if outcomes
                        .iter()
                        .any(|o| matches!(o, IngestOutcome::Queued(_)))
                    {
                        self.jobs_queued.notify_waiters();
                    }
                    for (pending, outcome) in batch.drain(..).zip(outcomes) {
                        pending.reply.send(Ok(outcome)).ok();
                    }
                }
                Err(error) => {
                    tracing::error!(error = %crate::error_chain(&error), events = batch.len(), "cannot store webhook events");
                    let error = Arc::new(error);
                    for pending in batch.drain(..) {
                        pending
                            .reply
                            .send(Err(IngestError::Store(Arc::clone(&error))))
                            .ok();
                    }
                }
            }
        }
    }
}

/// A stored event.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct InboxEvent {
    /// Its id.
    pub id: i64,
    /// The resource.
    pub resource: String,
    /// The event.
    pub event: String,
    /// `data.id`.
    pub data_id: String,
    /// `webhook` or `backfill`.
    pub source: String,
    /// The webhook that delivered it.
    pub webhook_id: Option<String>,
    /// Who caused it.
    pub actor_id: Option<String>,
    /// `data.roomId`.
    pub room_id: Option<String>,
    /// `data.personId`.
    pub person_id: Option<String>,
    /// `data.parentId`.
    pub parent_id: Option<String>,
    /// `data.created`, in milliseconds.
    pub created_ms: Option<i64>,
    /// `data`, as JSON text.
    pub data_json: String,
    /// Where it stands.
    #[sqlx(try_from = "String")]
    pub state: EventState,
    /// Why it was ignored or dead-lettered.
    pub reason: Option<String>,
    /// When Steward stored it.
    pub received_ms: i64,
}

/// Moves event `id` to `to` inside the caller's transaction; a move its current state does
/// not allow is refused (see [`EventState::can_become`]). The one place an event's state changes
/// after it is stored.
pub(crate) async fn move_event(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    to: EventState,
    reason: Option<&str>,
) -> Result<(), MoveError> {
    if db::inbox::move_state(conn, id, to, reason).await? {
        return Ok(());
    }
    let current = db::inbox::state_of(conn, id).await?;
    Err(lifecycle::refused(id, current, to))
}

/// Reads one stored event.
pub async fn find(db: &Db, id: i64) -> Result<Option<InboxEvent>, sqlx::Error> {
    db::inbox::find(db.reader(), id).await
}

/// The stored event about `data_id` (a message, membership or card action), if any.
pub async fn find_by_data_id(
    db: &Db,
    resource: &str,
    event: &str,
    data_id: &str,
) -> Result<Option<InboxEvent>, sqlx::Error> {
    db::inbox::find_by_data_id(db, resource, event, data_id).await
}

/// How many stored events are in each state.
pub async fn state_counts(db: &Db) -> Result<Vec<(EventState, i64)>, sqlx::Error> {
    db::inbox::state_counts(db).await
}

/// Stores events and queues jobs for the handled ones, in one transaction.
async fn store_batch(db: &Db, events: &[NewInboxEvent]) -> Result<Vec<IngestOutcome>, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let ids = db::inbox::insert_many(&mut tx, events, now).await?;
    let mut jobs = Vec::new();
    let outcomes = events
        .iter()
        .zip(ids)
        .map(|(new, id)| match (id, new.disposition) {
            (None, _) => IngestOutcome::Duplicate,
            (Some(id), Disposition::Queue) => {
                jobs.push(NewJob::new(Job::Event { event_id: id }));
                IngestOutcome::Queued(id)
            }
            (Some(_), Disposition::Ignore(reason)) => IngestOutcome::Ignored(reason),
        })
        .collect();
    db::queue::insert_many(&mut tx, &jobs, now).await?;
    tx.commit().await?;
    Ok(outcomes)
}

#[cfg(test)]
mod tests;
