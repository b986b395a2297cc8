//! Stand-ins for the systems agents' actions reach, so actions run end to end with no accounts
//! anywhere: ServiceNow's Table API (`incident`), PagerDuty's Events API v2, Jira's REST API v3
//! and a receiver for Steward's signed webhook. Each checks what the real API checks (its
//! authentication, the fields it requires), answers with the real API's status codes and bodies,
//! and keeps what it was sent in `sandbox_integration_records`, where tests and the sandbox page
//! read it. The `server` crate serves them under `/sandbox/integrations/<system>`.
//!
//! They share a fault queue of their own, separate from the Webex API's, so a test can fail an
//! integration call without failing the reply that reports its outcome.

use std::collections::VecDeque;

use base64::Engine as _;
use serde::Serialize;
use serde_json::{Value, json};

use domain::{
    Db,
    actions::{self, ActionError},
    audit::Actor,
    integrations::{self, IntegrationKind, IntegrationSettings, webhook},
    secrets::constant_time_eq,
    time::now_ms,
};

use crate::{Fault, Sandbox, db as store};

/// The sandbox ServiceNow's integration user.
pub const SERVICENOW_USER: &str = "steward.integration";
/// Its password.
pub const SERVICENOW_PASSWORD: &str = "sandbox-servicenow-password";
/// The sandbox PagerDuty service's integration (routing) key: 32 characters, as PagerDuty's are.
pub const PAGERDUTY_ROUTING_KEY: &str = "R0STEWARDSANDBOXPAGERDUTYKEY0001";
/// The sandbox Jira account.
pub const JIRA_EMAIL: &str = "steward@acme.example";
/// Its API token.
pub const JIRA_TOKEN: &str = "sandbox-jira-api-token";
/// The one project the sandbox Jira has.
pub const JIRA_PROJECT: &str = "OPS";
/// The issue types that project takes.
pub const JIRA_ISSUE_TYPES: [&str; 4] = ["Task", "Bug", "Incident", "Story"];
/// The signing secret the sandbox webhook receiver checks.
pub const WEBHOOK_SECRET: &str = "sandbox-webhook-signing-secret";

/// A stand-in's answer: the status, the JSON body, and `Retry-After` for a 429.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Value,
    /// Seconds, for a 429.
    pub retry_after: Option<u64>,
}

impl Reply {
    fn new(status: u16, body: Value) -> Self {
        Self {
            status,
            body,
            retry_after: None,
        }
    }
}

/// Something a stand-in was sent and kept.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IntegrationRecord {
    /// `servicenow`, `pagerduty`, `jira` or `webhook`.
    pub system: String,
    /// Its number there: `INC0010001`, a dedup key, `OPS-1`, a delivery id.
    pub reference: String,
    /// Steward's correlation id, dedup key, label or delivery id.
    pub correlation: Option<String>,
    /// What was sent.
    pub body: Value,
    /// When (ms).
    pub created_ms: i64,
}

impl Sandbox {
    /// Queues faults for the next integration calls, one each, in order.
    pub fn set_integration_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        *self.integration_faults.lock().expect("fault queue lock") = faults.into_iter().collect();
    }

    /// The fault for the integration call being handled, if any. A fault's answer is the
    /// system's own 429 or 5xx; a slow fault only delays.
    pub fn take_integration_fault(&self) -> Option<Fault> {
        self.integration_faults
            .lock()
            .expect("fault queue lock")
            .pop_front()
    }

    /// The answer `fault` makes a stand-in give, if it answers at all.
    pub fn fault_reply(fault: Fault) -> Option<Reply> {
        match fault {
            Fault::RateLimit { retry_after_secs } => Some(Reply {
                retry_after: Some(retry_after_secs),
                ..Reply::new(429, json!({ "message": "Too Many Requests" }))
            }),
            Fault::ServerError { status } => Some(Reply::new(
                status,
                json!({ "message": "The server encountered an internal error." }),
            )),
            Fault::Slow { .. } => None,
        }
    }

    /// Everything `system` was sent, oldest first.
    pub async fn integration_records(
        &self,
        system: IntegrationKind,
    ) -> Result<Vec<IntegrationRecord>, sqlx::Error> {
        let rows = store::integration_records(self.db.reader(), system.as_str()).await?;
        Ok(rows
            .into_iter()
            .map(|row| IntegrationRecord {
                body: serde_json::from_str(&row.body_json).unwrap_or(Value::Null),
                system: row.system,
                reference: row.reference,
                correlation: row.correlation,
                created_ms: row.created_ms,
            })
            .collect())
    }

    /// `POST /api/now/table/incident`: 201 with the new incident, 401 without the integration
    /// user's basic auth, 400 when the body is not a JSON object.
    pub async fn servicenow_create(&self, authorization: Option<&str>, body: &[u8]) -> Reply {
        if !basic_auth_is(authorization, SERVICENOW_USER, SERVICENOW_PASSWORD) {
            return servicenow_error(
                401,
                "User Not Authenticated",
                "Required to provide Auth information",
            );
        }
        let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
            return servicenow_error(
                400,
                "Exception while reading request",
                "The payload is not valid JSON.",
            );
        };
        let correlation = fields.get("correlation_id").and_then(Value::as_str);
        let stored = store::insert_integration_record(
            &self.db,
            IntegrationKind::ServiceNow.as_str(),
            correlation,
            &Value::Object(fields.clone()).to_string(),
            now_ms(),
            |n| format!("INC{:07}", 10_000 + n),
        )
        .await;
        match stored {
            Ok(row) => Reply::new(201, json!({ "result": incident(&row) })),
            Err(error) => storage_failed(&error),
        }
    }

    /// `GET /api/now/table/incident?sysparm_query=correlation_id=…`: the matching incidents.
    /// Only the `correlation_id=` query is understood; others match nothing.
    pub async fn servicenow_find(&self, authorization: Option<&str>, query: &str) -> Reply {
        if !basic_auth_is(authorization, SERVICENOW_USER, SERVICENOW_PASSWORD) {
            return servicenow_error(
                401,
                "User Not Authenticated",
                "Required to provide Auth information",
            );
        }
        let Some(correlation) = query.strip_prefix("correlation_id=") else {
            return Reply::new(200, json!({ "result": [] }));
        };
        let system = IntegrationKind::ServiceNow.as_str();
        match store::find_integration_record(self.db.reader(), system, correlation).await {
            Ok(found) => Reply::new(
                200,
                json!({ "result": found.iter().map(incident).collect::<Vec<_>>() }),
            ),
            Err(error) => storage_failed(&error),
        }
    }

    /// The incident a `sys_id` names, with its fields as the Table API returns them, for the
    /// page an incident link opens (`/nav_to.do?uri=incident.do?sys_id=…`).
    pub async fn servicenow_incident(&self, sys_id: &str) -> Result<Option<Value>, sqlx::Error> {
        let Ok(id) = i64::from_str_radix(sys_id, 16) else {
            return Ok(None);
        };
        let system = IntegrationKind::ServiceNow.as_str();
        Ok(
            store::find_integration_record_by_id(self.db.reader(), system, id)
                .await?
                .map(|row| incident(&row)),
        )
    }

    /// `POST /v2/enqueue`: 202 for a valid event with the service's routing key; 400 `invalid
    /// event` with the reasons otherwise. A trigger with a `dedup_key` already seen is folded
    /// into the first, as PagerDuty does.
    pub async fn pagerduty_enqueue(&self, body: &[u8]) -> Reply {
        let Ok(Value::Object(event)) = serde_json::from_slice::<Value>(body) else {
            return pagerduty_invalid(vec!["Event object is not valid JSON".to_owned()]);
        };
        let text = |v: &Value| {
            v.as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .is_some()
        };
        let mut errors = Vec::new();
        match event.get("routing_key").and_then(Value::as_str) {
            Some(key) if key.len() != 32 => errors
                .push("Length of 'routing_key' is incorrect (should be 32 characters)".to_owned()),
            Some(key) if !constant_time_eq(key.as_bytes(), PAGERDUTY_ROUTING_KEY.as_bytes()) => {
                errors.push("Invalid routing key".to_owned())
            }
            Some(_) => {}
            None => errors.push("'routing_key' is missing or blank".to_owned()),
        }
        let action = event.get("event_action").and_then(Value::as_str);
        if !matches!(action, Some("trigger" | "acknowledge" | "resolve")) {
            errors.push(
                "'event_action' is invalid (must be one of: trigger, acknowledge, resolve)"
                    .to_owned(),
            );
        }
        let payload = event.get("payload").unwrap_or(&Value::Null);
        if action == Some("trigger") {
            for field in ["summary", "source"] {
                if !payload.get(field).is_some_and(text) {
                    errors.push(format!("'payload.{field}' is missing or blank"));
                }
            }
            let severity = payload.get("severity").and_then(Value::as_str);
            if !matches!(severity, Some("critical" | "error" | "warning" | "info")) {
                errors.push("'payload.severity' is invalid (must be one of: critical, error, warning, info)".to_owned());
            }
        } else if !event.get("dedup_key").is_some_and(text) {
            errors.push("'dedup_key' is required for acknowledge and resolve events".to_owned());
        }
        if !errors.is_empty() {
            return pagerduty_invalid(errors);
        }
        let dedup_key = event
            .get("dedup_key")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| hex::encode(rand::random::<[u8; 16]>()));
        let system = IntegrationKind::PagerDuty.as_str();
        let mut kept = event.clone();
        kept.remove("routing_key");
        let seen = match store::find_integration_record(self.db.reader(), system, &dedup_key).await
        {
            Ok(found) => found.is_some(),
            Err(error) => return storage_failed(&error),
        };
        if !seen {
            let key = dedup_key.clone();
            let body = Value::Object(kept).to_string();
            let stored = store::insert_integration_record(
                &self.db,
                system,
                Some(&dedup_key),
                &body,
                now_ms(),
                move |_| key,
            )
            .await;
            if let Err(error) = stored {
                return storage_failed(&error);
            }
        }
        Reply::new(
            202,
            json!({ "status": "success", "message": "Event processed", "dedup_key": dedup_key }),
        )
    }

    /// `POST /rest/api/3/issue`: 201 `{id, key, self}` for a valid issue in project OPS, 401
    /// without the account's basic auth, 400 with `errors` per field otherwise. `base` is the
    /// stand-in's own URL, for `self`.
    pub async fn jira_create(&self, authorization: Option<&str>, body: &[u8], base: &str) -> Reply {
        if !basic_auth_is(authorization, JIRA_EMAIL, JIRA_TOKEN) {
            return jira_unauthorized();
        }
        let Ok(issue) = serde_json::from_slice::<Value>(body) else {
            return Reply::new(
                400,
                json!({ "errorMessages": ["Unexpected character in the request body."], "errors": {} }),
            );
        };
        let fields = &issue["fields"];
        let mut errors = serde_json::Map::new();
        if fields["project"]["key"].as_str() != Some(JIRA_PROJECT) {
            errors.insert("project".into(), json!("Specify a valid project ID or key"));
        }
        if !fields["issuetype"]["name"]
            .as_str()
            .is_some_and(|name| JIRA_ISSUE_TYPES.contains(&name))
        {
            errors.insert("issuetype".into(), json!("Specify a valid issue type"));
        }
        match fields["summary"].as_str().map(str::trim) {
            None | Some("") => {
                errors.insert(
                    "summary".into(),
                    json!("You must specify a summary of the issue."),
                );
            }
            Some(summary) if summary.chars().count() > 255 => {
                errors.insert(
                    "summary".into(),
                    json!("Summary must be less than 255 characters."),
                );
            }
            Some(_) => {}
        }
        let description = &fields["description"];
        if !description.is_null() && (description["type"] != "doc" || description["version"] != 1) {
            errors.insert(
                "description".into(),
                json!("Operation value must be an Atlassian Document"),
            );
        }
        if !errors.is_empty() {
            return Reply::new(400, json!({ "errorMessages": [], "errors": errors }));
        }
        let label = fields["labels"]
            .as_array()
            .and_then(|labels| {
                labels
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|l| l.starts_with("steward-"))
            })
            .map(str::to_owned);
        let stored = store::insert_integration_record(
            &self.db,
            IntegrationKind::Jira.as_str(),
            label.as_deref(),
            &issue.to_string(),
            now_ms(),
            |n| format!("{JIRA_PROJECT}-{n}"),
        )
        .await;
        match stored {
            Ok(row) => Reply::new(201, jira_issue(&row, base)),
            Err(error) => storage_failed(&error),
        }
    }

    /// `GET /rest/api/3/search/jql?jql=labels = "…"`: the issues with that label. Only that
    /// form of JQL is understood; others are a 400, as Jira answers JQL it cannot parse.
    pub async fn jira_search(&self, authorization: Option<&str>, jql: &str, base: &str) -> Reply {
        if !basic_auth_is(authorization, JIRA_EMAIL, JIRA_TOKEN) {
            return jira_unauthorized();
        }
        let label = jql
            .trim()
            .strip_prefix("labels")
            .map(str::trim_start)
            .and_then(|rest| rest.strip_prefix('='))
            .map(|rest| rest.trim().trim_matches('"'));
        let Some(label) = label.filter(|l| !l.is_empty()) else {
            return Reply::new(
                400,
                json!({ "errorMessages": [format!("Error in the JQL Query: '{jql}'.")], "errors": {} }),
            );
        };
        let system = IntegrationKind::Jira.as_str();
        match store::find_integration_record(self.db.reader(), system, label).await {
            Ok(found) => Reply::new(
                200,
                json!({
                    "issues": found.iter().map(|row| jira_issue(row, base)).collect::<Vec<_>>(),
                    "isLast": true,
                }),
            ),
            Err(error) => storage_failed(&error),
        }
    }

    /// A signed webhook delivery: 401 unless the signature is the sandbox secret's over this
    /// body and time (within five minutes); 200 and kept once per delivery id.
    pub async fn webhook_receive(
        &self,
        delivery: Option<&str>,
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
    ) -> Reply {
        let timestamp = timestamp.and_then(|t| t.trim().parse::<i64>().ok());
        let (Some(delivery), Some(timestamp), Some(signature)) = (delivery, timestamp, signature)
        else {
            return Reply::new(
                400,
                json!({ "error": "missing delivery, timestamp or signature header" }),
            );
        };
        if !webhook::verify(WEBHOOK_SECRET, timestamp, body, signature, now_ms() / 1000) {
            return Reply::new(401, json!({ "error": "invalid signature" }));
        }
        let Ok(event) = serde_json::from_slice::<Value>(body) else {
            return Reply::new(400, json!({ "error": "the body is not JSON" }));
        };
        let system = IntegrationKind::Webhook.as_str();
        match store::find_integration_record(self.db.reader(), system, delivery).await {
            Ok(Some(_)) => return Reply::new(200, json!({ "received": true, "duplicate": true })),
            Ok(None) => {}
            Err(error) => return storage_failed(&error),
        }
        let id = delivery.to_owned();
        let stored = store::insert_integration_record(
            &self.db,
            system,
            Some(delivery),
            &event.to_string(),
            now_ms(),
            move |_| id,
        )
        .await;
        match stored {
            Ok(_) => Reply::new(200, json!({ "received": true })),
            Err(error) => storage_failed(&error),
        }
    }
}

/// The sandbox's integrations, configured with their stand-ins' URLs (under `base`, e.g.
/// `http://localhost:3000/sandbox/integrations`) and credentials, with alert escalations going
/// to ServiceNow: what a new sandbox installation starts with.
pub async fn configure_demo(db: &Db, base: &str, actor: &Actor) -> Result<(), ActionError> {
    let base = base.trim_end_matches('/');
    for kind in IntegrationKind::ALL {
        let (settings, secret) = demo_settings(kind, base);
        integrations::configure(db, kind, settings, Some(secret), actor).await?;
    }
    actions::set_escalation_target(db, Some(IntegrationKind::ServiceNow), actor).await?;
    Ok(())
}

/// The settings and credential of `kind`'s stand-in under `base`.
pub fn demo_settings(kind: IntegrationKind, base: &str) -> (IntegrationSettings, &'static str) {
    let url = format!("{base}/{}", kind.as_str());
    match kind {
        IntegrationKind::ServiceNow => (
            IntegrationSettings {
                base_url: url,
                username: SERVICENOW_USER.into(),
                ..Default::default()
            },
            SERVICENOW_PASSWORD,
        ),
        IntegrationKind::PagerDuty => (
            IntegrationSettings {
                base_url: url,
                ..Default::default()
            },
            PAGERDUTY_ROUTING_KEY,
        ),
        IntegrationKind::Jira => (
            IntegrationSettings {
                base_url: url,
                username: JIRA_EMAIL.into(),
                project: JIRA_PROJECT.into(),
                issue_type: "Incident".into(),
            },
            JIRA_TOKEN,
        ),
        IntegrationKind::Webhook => (
            IntegrationSettings {
                base_url: url,
                ..Default::default()
            },
            WEBHOOK_SECRET,
        ),
    }
}

/// The faults queued for the stand-ins.
pub(crate) type IntegrationFaults = VecDeque<Fault>;

/// Whether `authorization` is `Basic base64(user:password)` for these credentials.
fn basic_auth_is(authorization: Option<&str>, user: &str, password: &str) -> bool {
    let Some(encoded) = authorization.and_then(|a| a.strip_prefix("Basic ")) else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let expected = format!("{user}:{password}");
    constant_time_eq(&decoded, expected.as_bytes())
}

fn incident(row: &store::IntegrationRecordRow) -> Value {
    let mut fields: serde_json::Map<String, Value> =
        serde_json::from_str(&row.body_json).unwrap_or_default();
    let created = time::OffsetDateTime::from_unix_timestamp(row.created_ms / 1000)
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        })
        .unwrap_or_default();
    fields.insert("sys_id".into(), json!(format!("{:032x}", row.id)));
    fields.insert("number".into(), json!(row.reference));
    fields.insert("state".into(), json!("1"));
    fields.insert("sys_created_on".into(), json!(created));
    Value::Object(fields)
}

fn jira_issue(row: &store::IntegrationRecordRow, base: &str) -> Value {
    let id = (10_000 + row.id).to_string();
    json!({
        "id": id,
        "key": row.reference,
        "self": format!("{}/rest/api/3/issue/{id}", base.trim_end_matches('/')),
    })
}

fn servicenow_error(status: u16, message: &str, detail: &str) -> Reply {
    Reply::new(
        status,
        json!({ "error": { "message": message, "detail": detail }, "status": "failure" }),
    )
}

fn pagerduty_invalid(errors: Vec<String>) -> Reply {
    Reply::new(
        400,
        json!({ "status": "invalid event", "message": "Event object is invalid", "errors": errors }),
    )
}

fn jira_unauthorized() -> Reply {
    Reply::new(
        401,
        json!({ "errorMessages": ["You are not authenticated. Authentication required to perform this operation."], "errors": {} }),
    )
}

fn storage_failed(error: &sqlx::Error) -> Reply {
    tracing::error!(error = %domain::error_chain(error), "sandbox integration storage failed");
    Reply::new(
        500,
        json!({ "message": "The server encountered an internal error." }),
    )
}
