//! Jira's REST API v3: an escalation becomes an issue in the configured project.
//!
//! `POST /rest/api/3/issue` with basic auth (the account's e-mail and an API token) answers
//! `201 {"id", "key", "self"}`; a refused issue answers `400 {"errorMessages": […], "errors":
//! {field: message}}`. The description is an Atlassian Document Format document. Each issue is
//! labelled with Steward's correlation id, so a retry can find one an earlier attempt created
//! with `GET /rest/api/3/search/jql?jql=labels = "…"`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::json;

use crate::integrations::{
    Escalation, Integration, IntegrationError, IntegrationSettings, Outcome, endpoint, exchange,
};

const SYSTEM: &str = "Jira";

/// The issue for `escalation` in the configured project.
pub(super) fn payload(
    settings: &IntegrationSettings,
    escalation: &Escalation,
) -> serde_json::Value {
    let paragraphs: Vec<serde_json::Value> = escalation
        .description
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| json!({ "type": "paragraph", "content": [{ "type": "text", "text": line }] }))
        .collect();
    json!({
        "fields": {
            "project": { "key": settings.project },
            "issuetype": { "name": settings.issue_type },
            "summary": format!("[{}] {}", escalation.severity.label(), escalation.title)
                .chars()
                .take(255)
                .collect::<String>(),
            "labels": ["steward", escalation.correlation],
            "description": { "type": "doc", "version": 1, "content": paragraphs },
        }
    })
}

#[derive(Deserialize)]
struct Created {
    key: String,
}

#[derive(Deserialize)]
struct Found {
    issues: Vec<Created>,
}

#[derive(Deserialize)]
struct Refusal {
    #[serde(default, rename = "errorMessages")]
    error_messages: Vec<String>,
    #[serde(default)]
    errors: BTreeMap<String, String>,
}

fn explain(body: &[u8]) -> Option<String> {
    let body: Refusal = serde_json::from_slice(body).ok()?;
    let mut parts = body.error_messages;
    parts.extend(
        body.errors
            .into_iter()
            .map(|(field, message)| format!("{field}: {message}")),
    );
    (!parts.is_empty()).then(|| parts.join("; "))
}

pub(super) async fn send(
    http: &reqwest::Client,
    integration: &Integration,
    payload: &serde_json::Value,
    correlation: &str,
    retrying: bool,
) -> Result<Outcome, IntegrationError> {
    let settings = &integration.settings;
    let token = integration.secret.expose();
    if retrying {
        let jql = format!("labels = \"{correlation}\"");
        let request = http
            .get(endpoint(settings, "/rest/api/3/search/jql"))
            .basic_auth(&settings.username, Some(token))
            .header(reqwest::header::ACCEPT, "application/json")
            .query(&[
                ("jql", jql.as_str()),
                ("fields", "key"),
                ("maxResults", "1"),
            ]);
        let found: Found = exchange(SYSTEM, request, explain).await?.json(SYSTEM)?;
        if let Some(issue) = found.issues.into_iter().next() {
            return Ok(outcome(settings, issue.key));
        }
    }
    let request = http
        .post(endpoint(settings, "/rest/api/3/issue"))
        .basic_auth(&settings.username, Some(token))
        .header(reqwest::header::ACCEPT, "application/json")
        .json(payload);
    let created: Created = exchange(SYSTEM, request, explain).await?.json(SYSTEM)?;
    Ok(outcome(settings, created.key))
}

fn outcome(settings: &IntegrationSettings, key: String) -> Outcome {
    Outcome {
        link: Some(endpoint(settings, &format!("/browse/{key}"))),
        reference: key,
    }
}
