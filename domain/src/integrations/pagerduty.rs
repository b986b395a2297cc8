//! PagerDuty's Events API v2: an escalation triggers an alert on a service.
//!
//! `POST /v2/enqueue` with the integration's routing key in the body answers `202 {"status":
//! "success", "message": "Event processed", "dedup_key"}`; a bad event answers `400 {"status":
//! "invalid event", "message", "errors": […]}`. Steward sets the `dedup_key`, so PagerDuty
//! folds a repeated trigger into the first one.

use serde::Deserialize;
use serde_json::json;

use crate::{
    ai::Severity,
    integrations::{Escalation, Integration, IntegrationError, Outcome, endpoint, exchange},
};

const SYSTEM: &str = "PagerDuty";

/// The trigger event for `escalation`, without `routing_key`.
pub(super) fn payload(escalation: &Escalation) -> serde_json::Value {
    let severity = match escalation.severity {
        Severity::Critical => "critical",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    json!({
        "event_action": "trigger",
        "dedup_key": escalation.correlation,
        "payload": {
            "summary": format!("[{}] {}", escalation.severity.label(), escalation.title),
            "source": escalation.source.as_deref().unwrap_or("Steward"),
            "severity": severity,
            "custom_details": {
                "description": escalation.description,
                "details": escalation.details,
            },
        },
        "client": "Steward",
    })
}

#[derive(Deserialize)]
struct Accepted {
    status: String,
    dedup_key: Option<String>,
}

#[derive(Deserialize)]
struct Invalid {
    message: String,
    #[serde(default)]
    errors: Vec<String>,
}

fn explain(body: &[u8]) -> Option<String> {
    let body: Invalid = serde_json::from_slice(body).ok()?;
    Some(if body.errors.is_empty() {
        body.message
    } else {
        format!("{}: {}", body.message, body.errors.join("; "))
    })
}

pub(super) async fn send(
    http: &reqwest::Client,
    integration: &Integration,
    payload: &serde_json::Value,
) -> Result<Outcome, IntegrationError> {
    let mut event = payload.clone();
    event["routing_key"] = json!(integration.secret.expose());
    let request = http
        .post(endpoint(&integration.settings, "/v2/enqueue"))
        .json(&event);
    let accepted: Accepted = exchange(SYSTEM, request, explain).await?.json(SYSTEM)?;
    if accepted.status != "success" {
        return Err(IntegrationError::Decode {
            system: SYSTEM,
            reason: format!("status `{}`", accepted.status),
        });
    }
    let reference = accepted
        .dedup_key
        .or_else(|| payload["dedup_key"].as_str().map(str::to_owned))
        .unwrap_or_default();
    Ok(Outcome {
        reference,
        link: None,
    })
}
