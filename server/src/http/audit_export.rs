//! `GET /audit/export.csv` and `/audit/export.jsonl`: the audit entries a filter selects, for
//! admins and managers, streamed a thousand at a time so even a million rows never sit in memory.
//! Each entry names people and spaces as the console does, beside the ids as stored.

use std::convert::Infallible;

use app::{
    api::audit::{AuditQuery, to_filter},
    error::ConsoleError,
    state::CurrentUser,
};
use axum::{
    Router,
    body::{Body, Bytes},
    extract::{Query, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use domain::{
    Db,
    audit::{self, Filter},
    console::{self, audit::AuditRow},
    users::Role,
    webex::timestamp::format_ms,
};
use futures::{StreamExt, stream};

use crate::http::ServerState;

/// Entries read per query while exporting.
const BATCH: i64 = 1_000;

/// The export routes.
pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/audit/export.csv", get(csv))
        .route("/audit/export.jsonl", get(jsonl))
}

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Jsonl,
}

async fn csv(
    State(state): State<ServerState>,
    Query(query): Query<AuditQuery>,
    request: Request,
) -> Response {
    export(&state.app.db, &query, may_export(&request), Format::Csv).await
}

async fn jsonl(
    State(state): State<ServerState>,
    Query(query): Query<AuditQuery>,
    request: Request,
) -> Response {
    export(&state.app.db, &query, may_export(&request), Format::Jsonl).await
}

/// Whether the signed-in person may export: admins and managers.
fn may_export(request: &Request) -> bool {
    request
        .extensions()
        .get::<CurrentUser>()
        .is_some_and(|user| {
            user.roles
                .iter()
                .any(|r| matches!(r, Role::Admin | Role::Manager))
        })
}

async fn export(db: &Db, query: &AuditQuery, allowed: bool, format: Format) -> Response {
    if !allowed {
        return (StatusCode::FORBIDDEN, "Your role does not allow this.").into_response();
    }
    let filter = match to_filter(db, query).await {
        Ok(filter) => filter,
        // A filter naming no one or no time is the asker's to fix; anything else is Steward's.
        Err(error @ (ConsoleError::Field(..) | ConsoleError::Invalid(_))) => {
            return (StatusCode::BAD_REQUEST, error.to_string()).into_response();
        }
        Err(error) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response();
        }
    };
    let (content_type, name) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "steward-audit.csv"),
        Format::Jsonl => ("application/x-ndjson", "steward-audit.jsonl"),
    };
    let mut response = Body::from_stream(pages(db.clone(), filter, format)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The export as chunks: the CSV header first, then a chunk per batch of entries. A database
/// failure midway ends the body with a line saying so, since the status was already sent.
fn pages(
    db: Db,
    filter: Filter,
    format: Format,
) -> impl futures::Stream<Item = Result<Bytes, Infallible>> {
    let header = match format {
        Format::Csv => Some(csv_row(&[
            "seq",
            "at",
            "actor",
            "actor_id",
            "action",
            "target",
            "function",
            "space",
            "space_id",
            "decision",
            "before",
            "after",
            "prev_hash",
            "hash",
        ])),
        Format::Jsonl => None,
    };
    let state = (Some(None::<i64>), header);
    // Fused: the compression layer may ask for more after the end, which `unfold` forbids.
    stream::unfold(state, move |(cursor, header)| {
        let db = db.clone();
        let filter = filter.clone();
        async move {
            if let Some(header) = header {
                return Some((Ok(Bytes::from(header)), (cursor, None)));
            }
            let before = cursor?;
            let read = match audit::search(&db, &filter, before, BATCH).await {
                Ok(entries) => console::audit::named(&db, entries)
                    .await
                    .map_err(|e| domain::error_chain(&e)),
                Err(error) => Err(domain::error_chain(&error)),
            };
            match read {
                Ok(entries) if entries.is_empty() => None,
                Ok(entries) => {
                    let next = (entries.len() == usize::try_from(BATCH).unwrap_or(1000))
                        .then(|| entries.last().map(|row| row.entry.seq));
                    let chunk: Vec<u8> = entries
                        .iter()
                        .flat_map(|e| match format {
                            Format::Csv => csv_entry(e),
                            Format::Jsonl => json_entry(e),
                        })
                        .collect();
                    Some((Ok(Bytes::from(chunk)), (next, None)))
                }
                Err(error) => {
                    tracing::error!(%error, "audit export failed");
                    let line = "export stopped: Steward could not read its database\n";
                    Some((Ok(Bytes::from(line)), (None, None)))
                }
            }
        }
    })
    .fuse()
}

/// One CSV line. A field a spreadsheet would read as a formula (names and space titles come from
/// Webex, so anyone may choose them) is prefixed with `'`, which spreadsheets show as text.
fn csv_row(fields: &[&str]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(fields.iter().map(|field| inert(field).into_owned()))
        .expect("writing to memory succeeds");
    writer.into_inner().expect("writing to memory succeeds")
}

/// `field`, unable to start a spreadsheet formula (OWASP's list: `= + - @`, tab, carriage return).
fn inert(field: &str) -> std::borrow::Cow<'_, str> {
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}").into()
    } else {
        field.into()
    }
}

fn csv_entry(row: &AuditRow) -> Vec<u8> {
    let e = &row.entry;
    let seq = e.seq.to_string();
    let at = format_ms(e.at_ms);
    csv_row(&[
        &seq,
        &at,
        &row.actor,
        &e.actor,
        &e.action,
        &row.target,
        e.function.as_deref().unwrap_or(""),
        row.space_title.as_deref().unwrap_or(""),
        e.space.as_deref().unwrap_or(""),
        e.decision.as_deref().unwrap_or(""),
        e.before_json.as_deref().unwrap_or(""),
        e.after_json.as_deref().unwrap_or(""),
        &e.prev_hash,
        &e.hash,
    ])
}

fn json_entry(row: &AuditRow) -> Vec<u8> {
    let e = &row.entry;
    let parse = |json: &Option<String>| {
        json.as_deref()
            .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
    };
    let mut line = serde_json::to_vec(&serde_json::json!({
        "seq": e.seq,
        "at": format_ms(e.at_ms),
        "actor": row.actor,
        "actor_id": e.actor,
        "action": e.action,
        "target": row.target,
        "target_id": e.target,
        "function": e.function,
        "space": row.space_title,
        "space_id": e.space,
        "decision": e.decision,
        "before": parse(&e.before_json),
        "after": parse(&e.after_json),
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    }))
    .expect("JSON serialises");
    line.push(b'\n');
    line
}

#[cfg(test)]
mod tests {
    use super::csv_row;

    #[test]
    fn no_field_can_start_a_spreadsheet_formula() {
        let fields = [
            "=HYPERLINK(\"https://evil.example\",\"x\")",
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "Ada Lovelace",
            "{\"a\":1}",
        ];
        let line = String::from_utf8(csv_row(&fields)).unwrap();
        let record = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap();
        for (written, given) in record.iter().zip(fields) {
            if given.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                assert_eq!(written, format!("'{given}"));
            } else {
                assert_eq!(written, given);
            }
        }
    }
}
