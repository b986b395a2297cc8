//! The durable job queue: work that must happen even if Steward crashes halfway through it.
//!
//! A job is claimed with a lease. The worker holding it extends the lease while it works
//! ([`heartbeat`]); when a worker dies, its lease runs out and a rescue pass puts the job back.
//! Every state change after the claim is fenced on the lease owner, so a worker that lost its
//! lease cannot complete a job another worker now holds: its transaction is refused and rolls
//! back. On PostgreSQL claims use `FOR UPDATE SKIP LOCKED`, so replicas share one queue without
//! waiting on each other; on SQLite the single writer connection serialises them.
//!
//! Failed jobs are retried with exponential back-off and jitter ([`crate::outbound::backoff`])
//! until they run out
//! of attempts; then they are dead-lettered with the reason, where people can see them. Jobs that
//! share a `queue_key` (the replies of one space) run one at a time, oldest first, so a space's
//! replies keep their order even while one of them waits out a retry.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::{
    Db,
    db::{self, queue::Ending},
    time::now_ms,
};

/// What a job is to do. Each kind is one variant, so a new kind of work is a compile error
/// wherever jobs are handled until it is handled there too.
///
/// A job is stored as its kind (the `kind` column) and its fields as JSON (the `payload`
/// column), e.g. `event` and `{"event_id": 7}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Process one received Webex event through the pipeline.
    Event {
        /// The inbox event.
        event_id: i64,
    },
    /// Post one outbox message to Webex.
    Deliver {
        /// The outbox row.
        outbox_id: i64,
    },
    /// Carry out one approved external action.
    Act {
        /// The action.
        action_id: i64,
        /// Who approved it, as people know them, for the message that reports the outcome.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approver: Option<String>,
    },
}

impl Job {
    /// The stored kind, also the `kind` label of the job metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Event { .. } => "event",
            Self::Deliver { .. } => "deliver",
            Self::Act { .. } => "act",
        }
    }

    /// Attempts before a job of this kind is dead-lettered.
    pub fn max_attempts(&self) -> i64 {
        match self {
            Self::Event { .. } => 8,
            // Replies outlast long Webex outages: with back-off capped at five minutes, 30
            // attempts span about two hours.
            Self::Deliver { .. } => 30,
            // An external call: a few tries over about half a minute, then a person looks.
            Self::Act { .. } => 5,
        }
    }

    /// The payload column: the job's fields without its kind.
    pub fn payload(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).expect("jobs serialise");
        if let Some(fields) = value.as_object_mut() {
            fields.remove("kind");
        }
        value
    }

    /// Reads a stored job from its kind and payload columns.
    pub(crate) fn from_stored(kind: &str, payload: &str) -> Result<Self, String> {
        let mut value: serde_json::Value = serde_json::from_str(payload)
            .map_err(|e| format!("the payload of a `{kind}` job is not JSON: {e}"))?;
        let fields = value
            .as_object_mut()
            .ok_or_else(|| format!("the payload of a `{kind}` job is not an object"))?;
        fields.insert("kind".to_owned(), serde_json::Value::from(kind));
        serde_json::from_value(value).map_err(|e| format!("cannot read a `{kind}` job: {e}"))
    }
}

/// A job about to be queued.
#[derive(Clone, Debug, PartialEq)]
pub struct NewJob {
    /// What it does.
    pub job: Job,
    /// Jobs with the same key run one at a time, in the order they were queued.
    pub queue_key: Option<String>,
    /// Attempts before the job is dead-lettered.
    pub max_attempts: i64,
}

impl NewJob {
    /// `job` with its kind's number of attempts.
    pub fn new(job: Job) -> Self {
        Self {
            max_attempts: job.max_attempts(),
            job,
            queue_key: None,
        }
    }

    /// Runs the job after every earlier job with the same key.
    pub fn in_order_of(mut self, key: impl Into<String>) -> Self {
        self.queue_key = Some(key.into());
        self
    }
}

/// A job a worker holds the lease of.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimedJob {
    /// Its id.
    pub id: i64,
    /// What it does.
    pub work: Job,
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

/// Why the queue could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The job's lease expired and someone else may hold it now; the caller must discard its work.
    #[error("job {0} is no longer leased to this worker")]
    LeaseLost(i64),
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

/// Claims the oldest job that may run now, leasing it to `owner` for `lease`. A stored job this
/// binary cannot read (written by a newer version, or damaged) is dead-lettered with the reason
/// instead of being claimed, so it cannot block the queue.
pub async fn claim(
    db: &Db,
    owner: &str,
    lease: Duration,
) -> Result<Option<ClaimedJob>, QueueError> {
    loop {
        let now = now_ms();
        let Some(row) = db::queue::claim(db, owner, now, now + millis(lease)).await? else {
            return Ok(None);
        };
        match row.into_claimed(owner) {
            Ok(job) => return Ok(Some(job)),
            Err((id, reason)) => {
                tracing::error!(job = id, %reason, "dead-lettered a job this version cannot read");
                db::queue::finish(db.writer(), id, owner, Ending::Dead(&reason)).await?;
            }
        }
    }
}

/// Extends the lease of a job this worker holds. Returns false when the lease was lost.
pub async fn heartbeat(db: &Db, job: &ClaimedJob, lease: Duration) -> Result<bool, QueueError> {
    Ok(db::queue::extend_lease(db, job.id, &job.owner, now_ms() + millis(lease)).await?)
}

/// Marks the job done with `outcome`, inside the caller's transaction: its effects and its
/// completion commit together. Fails with [`QueueError::LeaseLost`] (and the caller must roll
/// back) when another worker may hold the job now.
pub(crate) async fn complete_in(
    conn: &mut AnyConnection,
    job: &ClaimedJob,
    outcome: &str,
) -> Result<(), QueueError> {
    fenced(
        job,
        db::queue::finish(&mut *conn, job.id, &job.owner, Ending::Done(outcome)).await?,
    )
}

/// Marks the job done with `outcome`.
pub async fn complete(db: &Db, job: &ClaimedJob, outcome: &str) -> Result<(), QueueError> {
    let mut tx = db.begin().await?;
    complete_in(&mut tx, job, outcome).await?;
    tx.commit().await?;
    Ok(())
}

/// Dead-letters the job with `reason`, inside the caller's transaction (so the caller can mark
/// what the job was for as failed in the same commit).
pub(crate) async fn dead_letter_in(
    conn: &mut AnyConnection,
    job: &ClaimedJob,
    reason: &str,
) -> Result<(), QueueError> {
    fenced(
        job,
        db::queue::finish(&mut *conn, job.id, &job.owner, Ending::Dead(reason)).await?,
    )
}

/// Queues the job again after a failure, after `delay`, or dead-letters it when it is out of
/// attempts. Runs inside the caller's transaction.
pub(crate) async fn retry_in(
    conn: &mut AnyConnection,
    job: &ClaimedJob,
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
    job: &ClaimedJob,
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
pub async fn postpone(
    db: &Db,
    job: &ClaimedJob,
    run_at_ms: i64,
    why: &str,
) -> Result<(), QueueError> {
    let mut tx = db.begin().await?;
    let requeued =
        db::queue::requeue(&mut tx, job.id, &job.owner, run_at_ms, Some(why), true).await?;
    fenced(job, requeued)?;
    tx.commit().await?;
    Ok(())
}

fn fenced(job: &ClaimedJob, changed: bool) -> Result<(), QueueError> {
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
        let job = match row.into_claimed(&owner) {
            Ok(job) => job,
            Err((id, reason)) => {
                db::queue::finish(&mut *conn, id, &owner, Ending::Dead(&reason)).await?;
                continue;
            }
        };
        // Another replica may rescue the same job at the same moment; the updates are fenced on
        // the old owner, so exactly one of them moves it.
        if job.attempts >= job.max_attempts {
            let reason = format!(
                "gave up after {} attempts: the worker's lease expired (it crashed or hung)",
                job.attempts
            );
            if db::queue::finish(&mut *conn, job.id, &owner, Ending::Dead(&reason)).await? {
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
    pub dead_lettered: Vec<(ClaimedJob, String)>,
}

/// How many jobs are in each state.
pub async fn counts(db: &Db) -> Result<QueueCounts, QueueError> {
    Ok(db::queue::counts(db).await?)
}

/// Removes finished jobs older than `age`; dead-lettered jobs are kept until someone deals with
/// them. Returns how many were removed.
pub async fn purge_done(db: &Db, age: Duration) -> Result<u64, QueueError> {
    Ok(db::queue::purge_done(db, now_ms() - millis(age)).await?)
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl crate::Classify for QueueError {
    fn is_transient(&self) -> bool {
        match self {
            Self::Query(e) => e.is_transient(),
            Self::LeaseLost(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Job, NewJob};
    use crate::db_test;

    #[test]
    fn jobs_are_stored_as_a_kind_and_the_fields_of_that_kind() {
        let act = Job::Act {
            action_id: 3,
            approver: Some("Riley Chen".into()),
        };
        assert_eq!(act.kind(), "act");
        assert_eq!(
            act.payload(),
            serde_json::json!({"action_id": 3, "approver": "Riley Chen"})
        );
        assert_eq!(Job::from_stored("act", &act.payload().to_string()), Ok(act));
        assert!(Job::from_stored("poll", "{}").is_err());
        assert!(Job::from_stored("event", "{\"outbox_id\": 1}").is_err());
        assert!(Job::from_stored("event", "not json").is_err());
    }

    /// Rows exactly as the queue wrote them before jobs were typed.
    const EARLIER_ROWS: [(&str, &str); 4] = [
        ("event", r#"{"event_id": 7}"#),
        ("deliver", r#"{"outbox_id": 12}"#),
        ("act", r#"{"action_id": 3, "approver": "Riley Chen"}"#),
        ("act", r#"{"action_id": 4}"#),
    ];

    db_test!(async fn jobs_queued_by_earlier_versions_are_claimed_as_typed_jobs(db) {
        for (kind, payload) in EARLIER_ROWS {
            sqlx::query(
                "INSERT INTO jobs (kind, payload, state, max_attempts, run_at_ms, created_ms)
                 VALUES ($1, $2, 'queued', 5, 0, 0)",
            )
            .bind(kind)
            .bind(payload)
            .execute(db.writer())
            .await
            .unwrap();
        }
        let mut claimed = Vec::new();
        while let Some(job) = crate::queue::claim(&db, "w", Duration::from_secs(30)).await.unwrap() {
            claimed.push(job.work);
        }
        assert_eq!(
            claimed,
            [
                Job::Event { event_id: 7 },
                Job::Deliver { outbox_id: 12 },
                Job::Act { action_id: 3, approver: Some("Riley Chen".into()) },
                Job::Act { action_id: 4, approver: None },
            ]
        );
    });

    db_test!(async fn a_job_this_version_cannot_read_is_dead_lettered_not_claimed(db) {
        sqlx::query(
            "INSERT INTO jobs (kind, payload, state, max_attempts, run_at_ms, created_ms)
             VALUES ('teleport', '{}', 'queued', 5, 0, 0)",
        )
        .execute(db.writer())
        .await
        .unwrap();
        crate::queue::push(&db, &NewJob::new(Job::Event { event_id: 1 })).await.unwrap();
        let job = crate::queue::claim(&db, "w", Duration::from_secs(30)).await.unwrap().unwrap();
        assert_eq!(job.work, Job::Event { event_id: 1 });
        assert_eq!(crate::queue::counts(&db).await.unwrap().dead, 1);
    });
}
