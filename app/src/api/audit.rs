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
    /// Actor, e.g. `user:3`.
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
                out.push_str(&encode(value));
            }
        }
        out
    }
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte));
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
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
    /// The agent functions, as `(name, label)`.
    pub functions: Vec<(String, String)>,
    /// How many entries the log holds.
    pub total: i64,
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

/// The domain filter for a query.
#[cfg(feature = "ssr")]
pub fn to_filter(query: &AuditQuery) -> Result<domain::audit::Filter, ConsoleError> {
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    Ok(domain::audit::Filter {
        actor: text(&query.actor),
        function: text(&query.function),
        space: text(&query.space),
        decision: text(&query.decision),
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
    use std::collections::HashMap;

    use domain::{
        agents::AgentFunction, audit, policy, users, users::Role, webex::timestamp::format_ms,
    };
    crate::state::require_role(&[Role::Admin, Role::Manager])?;
    let state = crate::state::app_state()?;
    let db = &state.db;
    let filter = to_filter(&query)?;
    let unavailable = |e: &(dyn std::error::Error + 'static)| ConsoleError::unavailable(e);
    let mut entries = audit::search(db, &filter, query.before, PAGE_SIZE + 1)
        .await
        .map_err(|e| unavailable(&e))?;
    let more = i64::try_from(entries.len()).unwrap_or(i64::MAX) > PAGE_SIZE;
    entries.truncate(usize::try_from(PAGE_SIZE).unwrap_or(50));
    let spaces: Vec<(String, String)> = policy::spaces(db)
        .await
        .map_err(|e| unavailable(&e))?
        .into_iter()
        .map(|s| (s.room_id, s.title))
        .collect();
    let mut actors: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(entries.len());
    for entry in &entries {
        if !actors.contains_key(&entry.actor) {
            let name = users::describe_actor(db, &entry.actor)
                .await
                .map_err(|e| unavailable(&e))?;
            actors.insert(entry.actor.clone(), name);
        }
        let target = match entry.target.strip_prefix("space:") {
            Some(room) => spaces.iter().find(|(id, _)| id == room).map_or_else(
                || entry.target.clone(),
                |(_, title)| format!("space {title}"),
            ),
            None => entry.target.clone(),
        };
        let pretty = |json: &Option<String>| {
            json.as_deref().map(|j| {
                serde_json::from_str::<serde_json::Value>(j)
                    .and_then(|v| serde_json::to_string_pretty(&v))
                    .unwrap_or_else(|_| j.to_owned())
            })
        };
        rows.push(AuditRow {
            seq: entry.seq,
            at: format_ms(entry.at_ms),
            actor: actors[&entry.actor].clone(),
            actor_id: entry.actor.clone(),
            action: entry.action.clone(),
            target,
            before: pretty(&entry.before_json),
            after: pretty(&entry.after_json),
        });
    }
    Ok(AuditView {
        next_before: more.then(|| entries.last().map(|e| e.seq)).flatten(),
        entries: rows,
        spaces,
        functions: AgentFunction::ALL
            .iter()
            .map(|f| (f.to_string(), f.label().to_owned()))
            .collect(),
        total: audit::len(db).await.map_err(|e| unavailable(&e))?,
    })
}
