//! ServiceNow's Table API: an escalation becomes a row of the `incident` table.
//!
//! `POST /api/now/table/incident` with basic auth answers `201 {"result": {"sys_id", "number",
//! …}}`; errors answer `{"error": {"message", "detail"}, "status": "failure"}`. Each incident
//! carries Steward's `correlation_id`, so a retry can find one an earlier attempt created with
//! `GET /api/now/table/incident?sysparm_query=correlation_id=…`.

use serde::Deserialize;
use serde_json::json;

use crate::{
    ai::Severity,
    integrations::{Escalation, Integration, IntegrationError, Outcome, endpoint, exchange},
};

const SYSTEM: &str = "ServiceNow";
const TABLE: &str = "/api/now/table/incident";

/// The incident row for `escalation`. Urgency and impact: 1 (high) for critical, 2 for
/// warning, 3 for info.
pub(super) fn payload(escalation: &Escalation) -> serde_json::Value {
    let level = match escalation.severity {
        Severity::Critical => "1",
        Severity::Warning => "2",
        Severity::Info => "3",
    };
    json!({
        "short_description": format!("[{}] {}", escalation.severity.label(), escalation.title),
        "description": escalation.description,
        "urgency": level,
        "impact": level,
        "correlation_id": escalation.correlation,
        "correlation_display": "Steward",
    })
}

#[derive(Deserialize)]
struct One {
    result: Incident,
}

#[derive(Deserialize)]
struct Many {
    result: Vec<Incident>,
}

#[derive(Deserialize)]
struct Incident {
    sys_id: String,
    number: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: String,
    detail: Option<String>,
}

fn explain(body: &[u8]) -> Option<String> {
    let body: ErrorBody = serde_json::from_slice(body).ok()?;
    Some(match body.error.detail.filter(|d| !d.is_empty()) {
        Some(detail) => format!("{} ({detail})", body.error.message),
        None => body.error.message,
    })
}

pub(super) async fn send(
    http: &reqwest::Client,
    integration: &Integration,
    payload: &serde_json::Value,
    correlation: &str,
    retrying: bool,
) -> Result<Outcome, IntegrationError> {
    let settings = &integration.settings;
    let password = integration.secret.expose();
    if retrying {
        let query = format!("correlation_id={correlation}");
        let request = http
            .get(endpoint(settings, TABLE))
            .basic_auth(&settings.username, Some(password))
            .header(reqwest::header::ACCEPT, "application/json")
            .query(&[
                ("sysparm_query", query.as_str()),
                ("sysparm_limit", "1"),
                ("sysparm_fields", "sys_id,number"),
            ]);
        let found: Many = exchange(SYSTEM, request, explain).await?.json(SYSTEM)?;
        if let Some(incident) = found.result.into_iter().next() {
            return Ok(outcome(integration, incident));
        }
    }
    let request = http
        .post(endpoint(settings, TABLE))
        .basic_auth(&settings.username, Some(password))
        .header(reqwest::header::ACCEPT, "application/json")
        .json(payload);
    let created: One = exchange(SYSTEM, request, explain).await?.json(SYSTEM)?;
    Ok(outcome(integration, created.result))
}

fn outcome(integration: &Integration, incident: Incident) -> Outcome {
    Outcome {
        link: Some(endpoint(
            &integration.settings,
            &format!("/nav_to.do?uri=incident.do%3Fsys_id%3D{}", incident.sys_id),
        )),
        reference: incident.number,
    }
}
