//! SQL for drafts (shadow outputs and the review queue) and triaged alerts.

use sqlx::{Any, AnyConnection, Executor};
use vocab::{AgentFunction, AlertState, DraftState, Lifecycle, Severity};

use crate::{
    Db,
    audit::Actor,
    db::{parse_column, placeholders},
    drafts::{ContextLine, Draft},
};

const DRAFT_COLUMNS: &str = "id, event_id, function, room_id, parent_id, trigger_message_id, \
     trigger_person_id, prompt_version, engine, markdown, card_json, state, decided_by, decided_ms, \
     reason, final_markdown, created_ms, context_json, edit_distance";

/// A draft as stored.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct DraftRow {
    id: i64,
    event_id: Option<i64>,
    #[sqlx(try_from = "String")]
    function: AgentFunction,
    room_id: String,
    parent_id: Option<String>,
    trigger_message_id: Option<String>,
    trigger_person_id: Option<String>,
    prompt_version: String,
    engine: String,
    markdown: String,
    card_json: Option<String>,
    #[sqlx(try_from = "String")]
    state: DraftState,
    decided_by: Option<String>,
    decided_ms: Option<i64>,
    reason: Option<String>,
    final_markdown: Option<String>,
    created_ms: i64,
    context_json: Option<String>,
    edit_distance: Option<i64>,
}

impl TryFrom<DraftRow> for Draft {
    type Error = sqlx::Error;

    fn try_from(row: DraftRow) -> Result<Self, Self::Error> {
        let context = match row.context_json.as_deref() {
            Some(json) => {
                serde_json::from_str(json).map_err(|error| sqlx::Error::ColumnDecode {
                    index: "drafts.context_json".to_owned(),
                    source: Box::new(error),
                })?
            }
            None => Vec::new(),
        };
        Ok(Self {
            id: row.id,
            event_id: row.event_id,
            function: row.function,
            room_id: row.room_id,
            parent_id: row.parent_id,
            trigger_message_id: row.trigger_message_id,
            trigger_person_id: row.trigger_person_id,
            prompt_version: row.prompt_version,
            engine: row.engine,
            markdown: row.markdown,
            card_json: row.card_json,
            state: row.state,
            decided_by: row
                .decided_by
                .map(|actor| parse_column::<Actor>("drafts.decided_by", &actor))
                .transpose()?,
            decided_ms: row.decided_ms,
            reason: row.reason,
            final_markdown: row.final_markdown,
            created_ms: row.created_ms,
            context,
            edit_distance: row.edit_distance,
        })
    }
}

/// A draft about to be stored.
pub(crate) struct NewDraft<'a> {
    pub event_id: Option<i64>,
    pub function: AgentFunction,
    pub room_id: &'a str,
    pub parent_id: Option<&'a str>,
    pub trigger_message_id: Option<&'a str>,
    pub trigger_person_id: Option<&'a str>,
    pub prompt_version: &'a str,
    pub engine: &'a str,
    pub markdown: &'a str,
    pub card_json: Option<String>,
    /// `pending` or `shadow`.
    pub state: DraftState,
    pub context: &'a [ContextLine],
}

pub(crate) async fn insert(
    conn: &mut AnyConnection,
    d: &NewDraft<'_>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO drafts (event_id, function, room_id, parent_id, trigger_message_id,
             trigger_person_id, prompt_version, engine, markdown, card_json, state, created_ms,
             context_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(d.event_id)
    .bind(d.function.as_str())
    .bind(d.room_id)
    .bind(d.parent_id)
    .bind(d.trigger_message_id)
    .bind(d.trigger_person_id)
    .bind(d.prompt_version)
    .bind(d.engine)
    .bind(d.markdown)
    .bind(d.card_json.as_deref())
    .bind(d.state.as_str())
    .bind(now)
    .bind(
        (!d.context.is_empty())
            .then(|| serde_json::to_string(d.context).expect("context lines serialise")),
    )
    .fetch_one(conn)
    .await
}

pub(crate) async fn find<'c, E: Executor<'c, Database = Any>>(
    conn: E,
    id: i64,
) -> Result<Option<Draft>, sqlx::Error> {
    sqlx::query_as::<_, DraftRow>(&format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(Draft::try_from)
        .transpose()
}

/// Drafts in `state`, oldest first, after id `after` (keyset pagination).
pub(crate) async fn list(
    db: &Db,
    state: DraftState,
    after: i64,
    limit: i64,
) -> Result<Vec<Draft>, sqlx::Error> {
    sqlx::query_as::<_, DraftRow>(&format!(
        "SELECT {DRAFT_COLUMNS} FROM drafts WHERE state = $1 AND id > $2 ORDER BY id LIMIT $3"
    ))
    .bind(state.as_str())
    .bind(after)
    .bind(limit)
    .fetch_all(db.reader())
    .await?
    .into_iter()
    .map(Draft::try_from)
    .collect()
}

/// A reviewer's decision on a draft.
pub(crate) struct Decision<'a> {
    pub decided_by: &'a Actor,
    pub reason: Option<&'a str>,
    pub final_markdown: Option<&'a str>,
    pub edit_distance: Option<i64>,
}

/// Moves a draft to `to` with the reviewer's decision, if its state may become `to`. Returns
/// whether it moved.
pub(crate) async fn decide(
    conn: &mut AnyConnection,
    id: i64,
    to: DraftState,
    decision: &Decision<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let from = DraftState::ways_into(to);
    if from.is_empty() {
        // Nothing becomes `to`: it is a state things start in.
        return Ok(false);
    }
    let sql = format!(
        "UPDATE drafts SET state = $1, decided_by = $2, reason = $3, final_markdown = $4,
             edit_distance = $5, decided_ms = $6
         WHERE id = $7 AND state IN ({})",
        placeholders(8, from.len())
    );
    let mut query = sqlx::query(&sql)
        .bind(to.as_str())
        .bind(decision.decided_by.to_string())
        .bind(decision.reason)
        .bind(decision.final_markdown)
        .bind(decision.edit_distance)
        .bind(now)
        .bind(id);
    for state in from {
        query = query.bind(state.as_str());
    }
    Ok(query.execute(conn).await?.rows_affected() == 1)
}

/// An alert as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct AlertRow {
    pub id: i64,
    pub room_id: String,
    pub message_id: String,
    pub thread_id: String,
    #[sqlx(try_from = "String")]
    pub severity: Severity,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub state: AlertState,
    pub acted_by: Option<String>,
    pub created_ms: i64,
    pub entities_json: String,
}

const ALERT_COLUMNS: &str = "id, room_id, message_id, thread_id, severity, title, state, acted_by, created_ms, entities_json";

/// An alert about to be stored.
pub(crate) struct NewAlert<'a> {
    pub event_id: Option<i64>,
    pub room_id: &'a str,
    pub message_id: &'a str,
    pub thread_id: &'a str,
    pub severity: Severity,
    pub title: &'a str,
    pub entities_json: String,
}

pub(crate) async fn insert_alert(
    conn: &mut AnyConnection,
    a: &NewAlert<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO alerts (event_id, room_id, message_id, thread_id, severity, title,
             entities_json, state, created_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(a.event_id)
    .bind(a.room_id)
    .bind(a.message_id)
    .bind(a.thread_id)
    .bind(a.severity.as_str())
    .bind(a.title)
    .bind(&a.entities_json)
    .bind(AlertState::Open.as_str())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn find_alert(db: &Db, message_id: &str) -> Result<Option<AlertRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ALERT_COLUMNS} FROM alerts WHERE message_id = $1"
    ))
    .bind(message_id)
    .fetch_optional(db.reader())
    .await
}

/// The newest alerts of a space before `before_ms`, for similarity when history is unreadable.
pub(crate) async fn recent_alerts(
    db: &Db,
    room_id: &str,
    before_ms: i64,
    limit: i64,
) -> Result<Vec<AlertRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ALERT_COLUMNS} FROM alerts WHERE room_id = $1 AND created_ms < $2
         ORDER BY id DESC LIMIT $3"
    ))
    .bind(room_id)
    .bind(before_ms)
    .bind(limit)
    .fetch_all(db.reader())
    .await
}

/// Moves an alert to `to` if its state may become it; false when it was in another state.
pub(crate) async fn act_on_alert(
    conn: &mut AnyConnection,
    id: i64,
    to: AlertState,
    person_id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let from = AlertState::ways_into(to);
    if from.is_empty() {
        return Ok(false);
    }
    let sql = format!(
        "UPDATE alerts SET state = $1, acted_by = $2, acted_ms = $3
         WHERE id = $4 AND state IN ({})",
        placeholders(5, from.len())
    );
    let mut query = sqlx::query(&sql)
        .bind(to.as_str())
        .bind(person_id)
        .bind(now)
        .bind(id);
    for state in from {
        query = query.bind(state.as_str());
    }
    Ok(query.execute(conn).await?.rows_affected() == 1)
}

/// The state of a drafts row, if it exists.
pub(crate) async fn state_of(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<DraftState>, sqlx::Error> {
    crate::db::state_of(conn, "drafts", id).await
}
