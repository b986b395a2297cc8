//! SQL for the graduation of prompt versions.

use sqlx::{Any, AnyConnection, Executor};

use crate::{graduation::Standing, time::now_ms};

#[derive(sqlx::FromRow)]
struct StandingRow {
    function: String,
    version: i64,
    state: String,
    approvals: i64,
    rejections: i64,
    rejection_streak: i64,
    total_approvals: i64,
    total_rejections: i64,
}

pub(crate) async fn find<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    function: &str,
    version: i64,
) -> Result<Option<Standing>, sqlx::Error> {
    let row: Option<StandingRow> = sqlx::query_as(
        "SELECT function, version, state, approvals, rejections, rejection_streak,
                total_approvals, total_rejections
         FROM graduation WHERE function = $1 AND version = $2",
    )
    .bind(function)
    .bind(version)
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|r| {
        Some(Standing {
            function: r.function.parse().ok()?,
            version: r.version,
            graduated: r.state == "graduated",
            approvals: r.approvals,
            rejections: r.rejections,
            rejection_streak: r.rejection_streak,
            total_approvals: r.total_approvals,
            total_rejections: r.total_rejections,
        })
    }))
}

pub(crate) async fn upsert(conn: &mut AnyConnection, s: &Standing) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO graduation (function, version, state, approvals, rejections,
             rejection_streak, total_approvals, total_rejections, changed_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (function, version) DO UPDATE SET state = excluded.state,
             approvals = excluded.approvals, rejections = excluded.rejections,
             rejection_streak = excluded.rejection_streak,
             total_approvals = excluded.total_approvals,
             total_rejections = excluded.total_rejections, changed_ms = excluded.changed_ms",
    )
    .bind(s.function.as_str())
    .bind(s.version)
    .bind(if s.graduated {
        "graduated"
    } else {
        "probation"
    })
    .bind(s.approvals)
    .bind(s.rejections)
    .bind(s.rejection_streak)
    .bind(s.total_approvals)
    .bind(s.total_rejections)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}
