//! The durable job queue: work that must happen even if Steward crashes halfway through it.
//!
//! A job is claimed with a lease. The worker holding it extends the lease while it works
//! ([`heartbeat`]); when a worker dies, its lease runs out and a rescue pass puts the job back.
//! Every state change after the claim is fenced on the lease owner, so a worker that lost its
//! lease cannot complete a job another worker now holds: its transaction is refused and rolls
//! back. On PostgreSQL claims use `FOR UPDATE SKIP LOCKED`, so replicas share one queue without
//! waiting on each other; on SQLite the single writer connection serialises them.
//!
//! Failed jobs are retried with exponential back-off and jitter ([`backoff`]) until they run out
//! of attempts; then they are dead-lettered with the reason, where people can see them. Jobs that
//! share a `queue_key` (the replies of one space) run one at a time, oldest first, so a space's
//! replies keep their order even while one of them waits out a retry.

use std::{fmt, str::FromStr, time::Duration};

use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::{Db, db, time::now_ms};

/// What a job does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Process one received Webex event through the pipeline.
    Event,
    /// Post one outbox message to Webex.
    Deliver,
    /// Carry out one approved external action.
    Act,
}

impl JobKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Event => "event",
            Self::Deliver => "deliver",
            Self::Act => "act",
        }
    }
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobKind {
    type Err = QueueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "event" => Ok(Self::Event),
            "deliver" => Ok(Self::Deliver),
            "act" => Ok(Self::Act),
            other => Err(QueueError::UnknownKind(other.to_owned())),
        }
    }
}

/// A job about to be queued.
#[derive(Clone, Debug, PartialEq)]
pub struct NewJob {
    /// What it does.
    pub kind: JobKind,
    /// Its input, e.g. `{"event_id": 7}`.
    pub payload: serde_json::Value,
    /// Jobs with the same key run one at a time, in the order they were queued.
    pub queue_key: Option<String>,
    /// Attempts before the job is dead-lettered.
    pub max_attempts: i64,
}

impl NewJob {
    /// A job of `kind` with the kind's default number of attempts.
    pub fn new(kind: JobKind, payload: serde_json::Value) -> Self {
        Self {
            kind,
            payload,
            queue_key: None,
            max_attempts: match kind {
                JobKind::Event => 8,
                // Replies outlast long Webex outages: with back-off capped at five minutes,
                // 30 attempts span about two hours.
                JobKind::Deliver => 30,
                // An external call: a few tries over about half a minute, then a person looks.
                JobKind::Act => 5,
            },
        }
    }

    /// Runs the job after every earlier job with the same key.
    pub fn in_order_of(mut self, key: impl Into<String>) -> Self {
        self.queue_key = Some(key.into());
        self
    }
}

/// A claimed job.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    /// Its id.
    pub id: i64,
    /// What it does.
    pub kind: JobKind,
    /// Its input.
    pub payload: serde_json::Value,
    /// Its ordering key.
    pub queue_key: Option<String>,
    /// Attempts so far, this one included.
    pub attempts: i64,
    /// Attempts allowed.
    pub max_attempts: i64,
    /// The lease owner that claimed it.
    pub owner: String,
    /// When it was queued.
    pub created_ms: i64,
}

impl Job {
    /// A field of the payload as an integer, e.g. `event_id`.
    pub fn payload_id(&self, field: &str) -> Result<i64, QueueError> {
        self.payload
            .get(field)
            .and_then(serde_json::Value::as_i64)
            .ok_or_else(|| QueueError::BadPayload {
                job: self.id,
                field: field.to_owned(),
            })
    }
}

/// Why the queue could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The job's lease expired and someone else may hold it now; the caller must discard its work.
    #[error("job {0} is no longer leased to this worker")]
    LeaseLost(i64),
    /// A stored job names a kind this binary does not know.
    #[error("unknown job kind `{0}`")]
    UnknownKind(String),
    /// A job's payload lacks a field its kind needs.
    #[error("job {job} has no `{field}` in its payload")]
    BadPayload {
        /// The job.
        job: i64,
        /// The missing field.
        field: String,
    },
    /// The database failed.
    #[error("job queue query failed")]
    Query(#[from] sqlx::Error),
}

/// Where a failed job went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Retried {
    /// Queued again, to run at this time (ms).
    At(i64),
    /// Out of attempts: dead-lettered with this reason.
    DeadLettered(String),
}

/// Jobs per state, for the console and `/metrics`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct QueueCounts {
    /// Waiting to run (including those waiting out a back-off).
    pub queued: i64,
    /// Leased to a worker.
    pub running: i64,
    /// Finished.
    pub done: i64,
    /// Out of attempts, or refused for good.
    pub dead: i64,
}

/// Queues `job` inside the caller's transaction, so it exists exactly when the change that
/// asked for it commits. Returns its id.
pub(crate) async fn enqueue(conn: &mut AnyConnection, job: &NewJob) -> Result<i64, sqlx::Error> {
    db::queue::insert(conn, job, now_ms()).await
}

/// Queues `job` on its own. Returns its id.
pub async fn push(db: &Db, job: &NewJob) -> Result<i64, QueueError> {
    push_all(db, std::slice::from_ref(job))
        .await
        .map(|ids| ids[0])
}

/// Queues `jobs` in one transaction: all of them or none. Returns their ids, in order.
pub async fn push_all(db: &Db, jobs: &[NewJob]) -> Result<Vec<i64>, QueueError> {
    let mut tx = db.begin().await?;
    let mut ids = Vec::with_capacity(jobs.len());
    for job in jobs {
        ids.push(enqueue(&mut tx, job).await?);
    }
    tx.commit().await?;
    Ok(ids)
}

/// Claims the oldest job that may run now, leasing it to `owner` for `lease`.
pub async fn claim(db: &Db, owner: &str, lease: Duration) -> Result<Option<Job>, QueueError> {
    let now = now_ms();
    let Some(row) = db::queue::claim(db, owner, now, now + millis(lease)).await? else {
        return Ok(None);
    };
    Ok(Some(row.into_job(owner)?))
}

/// Extends the lease of a job this worker holds. Returns false when the lease was lost.
pub async fn heartbeat(db: &Db, job: &Job, lease: Duration) -> Result<bool, QueueError> {
    Ok(db::queue::extend_lease(db, job.id, &job.owner, now_ms() + millis(lease)).await?)
}

/// Marks the job done with `outcome`, inside the caller's transaction: its effects and its
/// completion commit together. Fails with [`QueueError::LeaseLost`] (and the caller must roll
/// back) when another worker may hold the job now.
pub(crate) async fn complete_in(
    conn: &mut AnyConnection,
    job: &Job,
    outcome: &str,
) -> Result<(), QueueError> {
    fenced(
        job,
        db::queue::finish(conn, job.id, &job.owner, "done", Some(outcome), None).await?,
    )
}

/// Marks the job done with `outcome`.
pub async fn complete(db: &Db, job: &Job, outcome: &str) -> Result<(), QueueError> {
    let mut tx = db.begin().await?;
    complete_in(&mut tx, job, outcome).await?;
    tx.commit().await?;
    Ok(())
}

/// Dead-letters the job with `reason`, inside the caller's transaction (so the caller can mark
/// what the job was for as failed in the same commit).
pub(crate) async fn dead_letter_in(
    conn: &mut AnyConnection,
    job: &Job,
    reason: &str,
) -> Result<(), QueueError> {
    fenced(
        job,
        db::queue::finish(conn, job.id, &job.owner, "dead", None, Some(reason)).await?,
    )
}

/// Queues the job again after a failure, after `delay`, or dead-letters it when it is out of
/// attempts. Runs inside the caller's transaction.
pub(crate) async fn retry_in(
    conn: &mut AnyConnection,
    job: &Job,
    error: &str,
    delay: Duration,
) -> Result<Retried, QueueError> {
    if job.attempts >= job.max_attempts {
        let reason = format!("gave up after {} attempts: {error}", job.attempts);
        dead_letter_in(conn, job, &reason).await?;
        return Ok(Retried::DeadLettered(reason));
    }
    let run_at = now_ms() + millis(delay);
    let requeued = db::queue::requeue(conn, job.id, &job.owner, run_at, Some(error), false).await?;
    fenced(job, requeued)?;
    Ok(Retried::At(run_at))
}

/// Queues the job again after a failure, or dead-letters it when it is out of attempts.
pub async fn retry(
    db: &Db,
    job: &Job,
    error: &str,
    delay: Duration,
) -> Result<Retried, QueueError> {
    let mut tx = db.begin().await?;
    let retried = retry_in(&mut tx, job, error, delay).await?;
    tx.commit().await?;
    Ok(retried)
}

/// Puts the job back to run at `run_at_ms` without counting this attempt: for waits that are not
/// failures, such as a rate limit longer than a worker should hold a lease.
pub async fn postpone(db: &Db, job: &Job, run_at_ms: i64, why: &str) -> Result<(), QueueError> {
    let mut tx = db.begin().await?;
    let requeued =
        db::queue::requeue(&mut tx, job.id, &job.owner, run_at_ms, Some(why), true).await?;
    fenced(job, requeued)?;
    tx.commit().await?;
    Ok(())
}

fn fenced(job: &Job, changed: bool) -> Result<(), QueueError> {
    if changed {
        Ok(())
    } else {
        Err(QueueError::LeaseLost(job.id))
    }
}

/// Puts jobs whose lease ran out back in the queue, or dead-letters those out of attempts, inside
/// the caller's transaction. Returns the dead-lettered jobs so the caller can mark what they were
/// for in the same commit.
pub(crate) async fn rescue_expired_in(conn: &mut AnyConnection) -> Result<Rescued, QueueError> {
    let now = now_ms();
    let rows = db::queue::expired(conn, now).await?;
    let mut rescued = Rescued::default();
    for row in rows {
        let owner = row.lease_owner.clone().unwrap_or_default();
        let job = row.into_job(&owner)?;
        // Another replica may rescue the same job at the same moment; the updates are fenced on
        // the old owner, so exactly one of them moves it.
        if job.attempts >= job.max_attempts {
            let reason = format!(
                "gave up after {} attempts: the worker's lease expired (it crashed or hung)",
                job.attempts
            );
            if db::queue::finish(conn, job.id, &owner, "dead", None, Some(&reason)).await? {
                rescued.dead_lettered.push((job, reason));
            }
        } else if db::queue::requeue(
            conn,
            job.id,
            &owner,
            now,
            Some("the worker's lease expired (it crashed or hung)"),
            false,
        )
        .await?
        {
            rescued.requeued += 1;
        }
    }
    Ok(rescued)
}

/// What a rescue pass did.
#[derive(Debug, Default)]
pub struct Rescued {
    /// Jobs put back in the queue.
    pub requeued: usize,
    /// Jobs out of attempts, with the reason they were dead-lettered.
    pub dead_lettered: Vec<(Job, String)>,
}

/// How many jobs are in each state.
pub async fn counts(db: &Db) -> Result<QueueCounts, QueueError> {
    let mut counts = QueueCounts::default();
    for (state, n) in db::queue::counts(db).await? {
        match state.as_str() {
            "queued" => counts.queued = n,
            "running" => counts.running = n,
            "done" => counts.done = n,
            "dead" => counts.dead = n,
            _ => {}
        }
    }
    Ok(counts)
}

/// Removes finished jobs older than `age`; dead-lettered jobs are kept until someone deals with
/// them. Returns how many were removed.
pub async fn purge_done(db: &Db, age: Duration) -> Result<u64, QueueError> {
    Ok(db::queue::purge_done(db, now_ms() - millis(age)).await?)
}

/// Exponential back-off with jitter for the `attempt`th failure (from 1): between half and all of
/// `base × 2^(attempt-1)`, capped at `max`.
pub fn backoff(attempt: i64, base: Duration, max: Duration) -> Duration {
    let exponent = u32::try_from(attempt.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    let full = base.saturating_mul(1 << exponent).min(max);
    full.mul_f64(0.5 + rand::random::<f64>() * 0.5)
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::backoff;

    #[test]
    fn backoff_doubles_with_jitter_and_stays_under_the_cap() {
        let base = Duration::from_secs(1);
        let max = Duration::from_secs(300);
        for attempt in 1..=12 {
            let full = (base * 2u32.pow(u32::try_from(attempt - 1).unwrap())).min(max);
            for _ in 0..50 {
                let delay = backoff(attempt, base, max);
                assert!(delay >= full / 2 && delay <= full, "{attempt}: {delay:?}");
            }
        }
        assert!(backoff(1_000, base, max) <= max);
    }
}
