//! SQL for the graduation of prompt versions.

use sqlx::{Any, AnyConnection, Executor};

use vocab::AgentFunction;

use crate::{Db, graduation::Standing, time::now_ms};

const GRADUATED: &str = "graduated";
const PROBATION: &str = "probation";
const STANDING_COLUMNS: &str = "function, version, state, approvals, rejections, \
     rejection_streak, total_approvals, total_rejections";

#[derive(sqlx::FromRow)]
struct StandingRow {
    #[sqlx(try_from = "String")]
    function: AgentFunction,
    version: i64,
    state: String,
    approvals: i64,
    rejections: i64,
    rejection_streak: i64,
    total_approvals: i64,
    total_rejections: i64,
}

impl TryFrom<StandingRow> for Standing {
    type Error = sqlx::Error;

    fn try_from(r: StandingRow) -> Result<Self, Self::Error> {
        let graduated = match r.state.as_str() {
            GRADUATED => true,
            PROBATION => false,
            other => {
                return Err(sqlx::Error::ColumnDecode {
                    index: "graduation.state".to_owned(),
                    source: format!("`{other}` is neither {GRADUATED} nor {PROBATION}").into(),
                });
            }
        };
        Ok(Standing {
            function: r.function,
            version: r.version,
            graduated,
            approvals: r.approvals,
            rejections: r.rejections,
            rejection_streak: r.rejection_streak,
            total_approvals: r.total_approvals,
            total_rejections: r.total_rejections,
        })
    }
}

pub(crate) async fn find<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    function: AgentFunction,
    version: i64,
) -> Result<Option<Standing>, sqlx::Error> {
    let row: Option<StandingRow> = sqlx::query_as(&format!(
        "SELECT {STANDING_COLUMNS} FROM graduation WHERE function = $1 AND version = $2"
    ))
    .bind(function.as_str())
    .bind(version)
    .fetch_optional(conn)
    .await?;
    row.map(Standing::try_from).transpose()
}

/// Every version that has a standing.
pub(crate) async fn all(db: &Db) -> Result<Vec<Standing>, sqlx::Error> {
    let rows: Vec<StandingRow> = sqlx::query_as(&format!(
        "SELECT {STANDING_COLUMNS} FROM graduation ORDER BY function, version"
    ))
    .fetch_all(db.reader())
    .await?;
    rows.into_iter().map(Standing::try_from).collect()
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
    .bind(if s.graduated { GRADUATED } else { PROBATION })
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
