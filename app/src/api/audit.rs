//! Server functions of the Audit page: the audit log, filtered and searched, a page at a time.
//! Admins and managers only.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::ConsoleError;

/// Entries shown per page.
pub const PAGE_SIZE: i64 = 50;

/// The filters of the page, as its address carries them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Who: a person's name or e-mail, or an actor as stored (`user:3`, `system:runtime`).
    pub actor: Option<String>,
    /// Agent function.
    pub function: Option<String>,
    /// Space (room ID).
    pub space: Option<String>,
    /// Agent decision.
    pub decision: Option<String>,
    /// From, `YYYY-MM-DDTHH:MM` in UTC.
    pub from: Option<String>,
    /// To, `YYYY-MM-DDTHH:MM` in UTC.
    pub to: Option<String>,
    /// Words to search for.
    pub q: Option<String>,
    /// Entries before this sequence number (the next page).
    pub before: Option<i64>,
}

impl AuditQuery {
    /// The query string for these filters (without `before`), for links and exports.
    pub fn to_query_string(&self) -> String {
        let pairs = [
            ("actor", &self.actor),
            ("function", &self.function),
            ("space", &self.space),
            ("decision", &self.decision),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
        ];
        let mut out = String::new();
        for (key, value) in pairs {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                if !out.is_empty() {
                    out.push('&');
                }
                out.push_str(key);
                out.push('=');
                out.push_str(&crate::api::encode_query_value(value));
            }
        }
        out
    }
}

/// A page of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    /// The entries, newest first.
    pub entries: Vec<AuditRow>,
    /// The `before` of the next page, when there is one.
    pub next_before: Option<i64>,
    /// Known spaces, as `(room ID, title)`, for the space filter.
    pub spaces: Vec<(String, String)>,
    /// How many entries the log holds.
    pub total: i64,
    /// The filter field that could not be understood and why; no entries are read then.
    pub refused: Option<(String, String)>,
}

/// One entry as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    /// Its position in the chain.
    pub seq: i64,
    /// When, as ISO time.
    pub at: String,
    /// Who, for people.
    pub actor: String,
    /// Who, as stored (for the actor filter).
    pub actor_id: String,
    /// What was done.
    pub action: String,
    /// What it was done to, for people.
    pub target: String,
    /// The state before, pretty JSON.
    pub before: Option<String>,
    /// The state after, pretty JSON.
    pub after: Option<String>,
}

/// Parses `YYYY-MM-DDTHH:MM` (as `datetime-local` sends it), in UTC, to milliseconds.
#[cfg(feature = "ssr")]
pub fn parse_minute(field: &str, text: &str) -> Result<i64, ConsoleError> {
    let iso = format!("{}:00Z", text.trim());
    domain::webex::timestamp::parse_ms(&iso).ok_or_else(|| {
        ConsoleError::field(
            field,
            "Give a date and time such as 2026-11-27T14:30 (UTC).",
        )
    })
}

/// The domain filter for a query. The actor may be given as stored (`user:3`) or as a person's
/// name or e-mail, which is looked up.
#[cfg(feature = "ssr")]
pub async fn to_filter(
    db: &domain::Db,
    query: &AuditQuery,
) -> Result<domain::audit::Filter, ConsoleError> {
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    fn parsed<T: vocab::Term>(field: &str, v: Option<String>) -> Result<Option<T>, ConsoleError> {
        v.map(|t| t.parse())
            .transpose()
            .map_err(|e: vocab::UnknownTerm| ConsoleError::field(field, e.to_string()))
    }
    let actor = match text(&query.actor) {
        None => None,
        Some(who) => Some(
            domain::console::audit::find_actor(db, &who)
                .await?
                .ok_or_else(|| {
                    ConsoleError::field(
                        "actor",
                        format!(
                            "No one called “{who}” appears in Steward; give their e-mail or \
                             their name as Steward shows it."
                        ),
                    )
                })?,
        ),
    };
    Ok(domain::audit::Filter {
        actor,
        function: parsed("function", text(&query.function))?,
        space: text(&query.space),
        decision: parsed("decision", text(&query.decision))?,
        from_ms: text(&query.from)
            .map(|t| parse_minute("from", &t))
            .transpose()?,
        to_ms: text(&query.to)
            .map(|t| parse_minute("to", &t).map(|ms| ms + 59_999))
            .transpose()?,
        text: text(&query.q),
    })
}

/// Reads a page of entries matching `query` (every filter optional).
#[server(prefix = "/api", endpoint = "load_audit")]
pub async fn load_audit(
    /// The filters and page; absent means no filter.
    #[server(default)]
    query: AuditQuery,
) -> Result<AuditView, ConsoleError> {
    use domain::users::Role;
    crate::state::require_role(&[Role::Admin, Role::Manager])?;
    let state = crate::state::app_state()?;
    let filter = match to_filter(&state.db, &query).await {
        Ok(filter) => filter,
        // A filter naming no one or no time: the form comes back with the error under its field.
        Err(ConsoleError::Field(field, message)) => {
            let spaces = domain::policy::spaces(&state.db).await?;
            return Ok(AuditView::refused(spaces, field, message));
        }
        Err(error) => return Err(error),
    };
    let page = domain::console::audit::page(&state.db, &filter, query.before, PAGE_SIZE).await?;
    Ok(AuditView::new(page))
}

#[cfg(feature = "ssr")]
impl AuditView {
    fn new(page: domain::console::audit::AuditPage) -> Self {
        let pretty = |json: Option<String>| {
            json.map(|j| {
                serde_json::from_str::<serde_json::Value>(&j)
                    .and_then(|v| serde_json::to_string_pretty(&v))
                    .unwrap_or(j)
            })
        };
        Self {
            entries: page
                .entries
                .items
                .into_iter()
                .map(|row| AuditRow {
                    seq: row.entry.seq,
                    at: domain::webex::timestamp::format_ms(row.entry.at_ms),
                    actor: row.actor,
                    actor_id: row.entry.actor,
                    action: row.entry.action,
                    target: row.target,
                    before: pretty(row.entry.before_json),
                    after: pretty(row.entry.after_json),
                })
                .collect(),
            next_before: page.entries.next,
            spaces: page
                .spaces
                .into_iter()
                .map(|s| (s.room_id, s.title))
                .collect(),
            total: page.total,
            refused: None,
        }
    }

    fn refused(spaces: Vec<domain::policy::Space>, field: String, message: String) -> Self {
        Self {
            entries: Vec::new(),
            next_before: None,
            spaces: spaces.into_iter().map(|s| (s.room_id, s.title)).collect(),
            total: 0,
            refused: Some((field, message)),
        }
    }
}
