//! SQL for the job queue. The claim is the one query that differs per backend.

use sqlx::{Any, AnyConnection, Executor};

use crate::{
    Backend, Db,
    queue::{ClaimedJob, Job, NewJob, QueueCounts},
};

const JOB_COLUMNS: &str =
    "id, kind, payload, queue_key, attempts, max_attempts, lease_owner, created_ms";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct JobRow {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub queue_key: Option<String>,
    pub attempts: i64,
    pub max_attempts: i64,
    pub lease_owner: Option<String>,
    pub created_ms: i64,
}

impl JobRow {
    /// The claimed job, or its id and why it cannot be read.
    pub(crate) fn into_claimed(self, owner: &str) -> Result<ClaimedJob, (i64, String)> {
        Ok(ClaimedJob {
            id: self.id,
            work: Job::from_stored(&self.kind, &self.payload).map_err(|why| (self.id, why))?,
            queue_key: self.queue_key,
            attempts: self.attempts,
            max_attempts: self.max_attempts,
            owner: owner.to_owned(),
            created_ms: self.created_ms,
        })
    }
}

pub(crate) async fn insert(
    conn: &mut AnyConnection,
    job: &NewJob,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO jobs (kind, payload, queue_key, state, max_attempts, run_at_ms, created_ms)
         VALUES ($1, $2, $3, 'queued', $4, $5, $5) RETURNING id",
    )
    .bind(job.job.kind())
    .bind(job.job.payload().to_string())
    .bind(job.queue_key.as_deref())
    .bind(job.max_attempts)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Queues jobs with one statement per 500 (6 parameters each).
pub(crate) async fn insert_many(
    conn: &mut AnyConnection,
    jobs: &[NewJob],
    now: i64,
) -> Result<(), sqlx::Error> {
    for chunk in jobs.chunks(500) {
        let values = (0..chunk.len())
            .map(|row| {
                let p = |n: usize| format!("${}", row * 5 + n);
                format!(
                    "({}, {}, {}, 'queued', {}, {}, {})",
                    p(1),
                    p(2),
                    p(3),
                    p(4),
                    p(5),
                    p(5)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO jobs (kind, payload, queue_key, state, max_attempts, run_at_ms, created_ms)
             VALUES {values}"
        );
        let mut query = sqlx::query(&sql);
        for job in chunk {
            query = query
                .bind(job.job.kind())
                .bind(job.job.payload().to_string())
                .bind(job.queue_key.clone())
                .bind(job.max_attempts)
                .bind(now);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Leases the oldest ready job. A job with a queue key is ready only when no earlier job with
/// that key is still queued or running.
pub(crate) async fn claim(
    db: &Db,
    owner: &str,
    now: i64,
    lease_until: i64,
) -> Result<Option<JobRow>, sqlx::Error> {
    // PostgreSQL: skip rows another replica is claiming instead of waiting for them. SQLite has
    // one writer, so the statement is atomic as it stands.
    let lock = match db.backend() {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    sqlx::query_as(&format!(
        "UPDATE jobs
         SET state = 'running', attempts = attempts + 1, lease_owner = $1, lease_expires_ms = $2
         WHERE id = (
             SELECT j.id FROM jobs j
             WHERE j.state = 'queued' AND j.run_at_ms <= $3
               AND (j.queue_key IS NULL OR NOT EXISTS (
                   SELECT 1 FROM jobs e
                   WHERE e.queue_key = j.queue_key AND e.id < j.id
                     AND e.state IN ('queued', 'running')))
             ORDER BY j.id
             LIMIT 1
             {lock})
         RETURNING {JOB_COLUMNS}"
    ))
    .bind(owner)
    .bind(lease_until)
    .bind(now)
    .fetch_optional(db.writer())
    .await
}

pub(crate) async fn extend_lease(
    db: &Db,
    id: i64,
    owner: &str,
    lease_until: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE jobs SET lease_expires_ms = $1
         WHERE id = $2 AND state = 'running' AND lease_owner = $3",
    )
    .bind(lease_until)
    .bind(id)
    .bind(owner)
    .execute(db.writer())
    .await?;
    Ok(result.rows_affected() == 1)
}

/// How a held job ends.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Ending<'a> {
    /// Done, with what became of it.
    Done(&'a str),
    /// Dead-lettered, with the reason.
    Dead(&'a str),
}

/// Ends a job the owner holds. False when the owner no longer holds it.
pub(crate) async fn finish<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    id: i64,
    owner: &str,
    ending: Ending<'_>,
) -> Result<bool, sqlx::Error> {
    let (state, outcome, error) = match ending {
        Ending::Done(outcome) => ("done", Some(outcome), None),
        Ending::Dead(reason) => ("dead", None, Some(reason)),
    };
    let result = sqlx::query(
        "UPDATE jobs
         SET state = $1, outcome = $2, last_error = COALESCE($3, last_error), finished_ms = $4,
             lease_owner = NULL, lease_expires_ms = NULL
         WHERE id = $5 AND state = 'running' AND lease_owner = $6",
    )
    .bind(state)
    .bind(outcome)
    .bind(error)
    .bind(crate::time::now_ms())
    .bind(id)
    .bind(owner)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Puts a held job back in the queue. `refund` gives back the attempt the claim counted.
pub(crate) async fn requeue(
    conn: &mut AnyConnection,
    id: i64,
    owner: &str,
    run_at: i64,
    error: Option<&str>,
    refund: bool,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE jobs
         SET state = 'queued', run_at_ms = $1, last_error = COALESCE($2, last_error),
             attempts = attempts - $3, lease_owner = NULL, lease_expires_ms = NULL
         WHERE id = $4 AND state = 'running' AND lease_owner = $5",
    )
    .bind(run_at)
    .bind(error)
    .bind(i64::from(refund))
    .bind(id)
    .bind(owner)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Running jobs whose lease ended before `now`.
pub(crate) async fn expired(
    conn: &mut AnyConnection,
    now: i64,
) -> Result<Vec<JobRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {JOB_COLUMNS} FROM jobs
         WHERE state = 'running' AND lease_expires_ms < $1
         ORDER BY id LIMIT 1000"
    ))
    .bind(now)
    .fetch_all(conn)
    .await
}

/// How many jobs are in each state.
pub(crate) async fn counts(db: &Db) -> Result<QueueCounts, sqlx::Error> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM jobs GROUP BY state")
            .fetch_all(db.reader())
            .await?;
    let mut counts = QueueCounts::default();
    for (state, n) in rows {
        match state.as_str() {
            "queued" => counts.queued = n,
            "running" => counts.running = n,
            "done" => counts.done = n,
            "dead" => counts.dead = n,
            other => {
                return Err(sqlx::Error::ColumnDecode {
                    index: "jobs.state".to_owned(),
                    source: format!("`{other}` is not a job state").into(),
                });
            }
        }
    }
    Ok(counts)
}

pub(crate) async fn purge_done(db: &Db, before_ms: i64) -> Result<u64, sqlx::Error> {
    let result = sqlx::query("DELETE FROM jobs WHERE state = 'done' AND finished_ms < $1")
        .bind(before_ms)
        .execute(db.writer())
        .await?;
    Ok(result.rows_affected())
}
