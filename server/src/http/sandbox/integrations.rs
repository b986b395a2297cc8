//! The integration stand-ins over HTTP, at `/sandbox/integrations/<system>`: each route reads
//! what the real API reads (basic auth, the JSON body, signature headers) and answers with the
//! stand-in's status, body and `Retry-After`. The behaviour is `webex_sandbox::integrations`.

use axum::{
    Router,
    body::Bytes,
    extract::{Query, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use domain::{integrations::webhook, webex::markup::escape_html};
use serde::Deserialize;
use webex_sandbox::{Sandbox, integrations::Reply};

/// What the stand-ins need.
#[derive(Clone, Debug)]
struct Stand {
    sandbox: Sandbox,
    /// The absolute URL of `/sandbox/integrations`, for links in answers.
    base_url: String,
}

/// The stand-ins' router, to be nested at `/sandbox/integrations`.
pub fn routes(sandbox: Sandbox, base_url: String) -> Router {
    let state = Stand { sandbox, base_url };
    Router::new()
        .route(
            "/servicenow/api/now/table/incident",
            get(servicenow_find).post(servicenow_create),
        )
        .route("/servicenow/nav_to.do", get(servicenow_page))
        .route("/pagerduty/v2/enqueue", post(pagerduty_enqueue))
        .route("/jira/rest/api/3/issue", post(jira_create))
        .route("/jira/rest/api/3/search/jql", get(jira_search))
        .route("/webhook", post(webhook_receive))
        .layer(middleware::from_fn_with_state(state.clone(), inject_faults))
        .with_state(state)
}

fn respond(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, axum::Json(reply.body)).into_response();
    if let Some(seconds) = reply.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Answers with the next queued fault instead of the stand-in, or delays it.
async fn inject_faults(State(s): State<Stand>, request: Request, next: Next) -> Response {
    let Some(fault) = s.sandbox.take_integration_fault() else {
        return next.run(request).await;
    };
    if let Some(reply) = Sandbox::fault_reply(fault) {
        return respond(reply);
    }
    if let Some(delay) = fault.delay() {
        tokio::time::sleep(delay).await;
    }
    next.run(request).await
}

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[derive(Deserialize)]
struct ServiceNowQuery {
    #[serde(default)]
    sysparm_query: String,
}

async fn servicenow_create(State(s): State<Stand>, headers: HeaderMap, body: Bytes) -> Response {
    respond(
        s.sandbox
            .servicenow_create(authorization(&headers), &body)
            .await,
    )
}

async fn servicenow_find(
    State(s): State<Stand>,
    headers: HeaderMap,
    Query(query): Query<ServiceNowQuery>,
) -> Response {
    respond(
        s.sandbox
            .servicenow_find(authorization(&headers), &query.sysparm_query)
            .await,
    )
}

#[derive(Deserialize)]
struct NavTo {
    #[serde(default)]
    uri: String,
}

/// The page an incident link opens, as ServiceNow's `nav_to.do?uri=incident.do?sys_id=…` does:
/// the incident's number and fields, so a person following a link from Webex or the console
/// sees what was created.
async fn servicenow_page(State(s): State<Stand>, Query(nav): Query<NavTo>) -> Response {
    let sys_id = nav
        .uri
        .strip_prefix("incident.do?sys_id=")
        .unwrap_or_default();
    let incident = match s.sandbox.servicenow_incident(sys_id).await {
        Ok(Some(incident)) => incident,
        Ok(None) => return (StatusCode::NOT_FOUND, "No such incident.").into_response(),
        Err(error) => {
            tracing::error!(error = %domain::error_chain(&error), "cannot read a sandbox incident");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let field = |name: &str| {
        incident
            .get(name)
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .unwrap_or_default()
    };
    let rows: String = [
        ("Short description", "short_description"),
        ("Urgency", "urgency"),
        ("Impact", "impact"),
        ("Category", "category"),
        ("Correlation ID", "correlation_id"),
        ("Opened", "sys_created_on"),
        ("Description", "description"),
    ]
    .into_iter()
    .map(|(label, name)| {
        format!(
            "<tr><th scope=\"row\">{label}</th><td>{}</td></tr>",
            escape_html(&field(name))
        )
    })
    .collect();
    let number = escape_html(&field("number"));
    axum::response::Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{number} | ServiceNow (sandbox)</title></head><body>\
         <h1>Incident {number}</h1><p>The Webex sandbox's ServiceNow stand-in.</p>\
         <table>{rows}</table></body></html>"
    ))
    .into_response()
}

async fn pagerduty_enqueue(State(s): State<Stand>, body: Bytes) -> Response {
    respond(s.sandbox.pagerduty_enqueue(&body).await)
}

async fn jira_create(State(s): State<Stand>, headers: HeaderMap, body: Bytes) -> Response {
    let base = format!("{}/jira", s.base_url);
    respond(
        s.sandbox
            .jira_create(authorization(&headers), &body, &base)
            .await,
    )
}

#[derive(Deserialize)]
struct JiraQuery {
    #[serde(default)]
    jql: String,
}

async fn jira_search(
    State(s): State<Stand>,
    headers: HeaderMap,
    Query(query): Query<JiraQuery>,
) -> Response {
    let base = format!("{}/jira", s.base_url);
    respond(
        s.sandbox
            .jira_search(authorization(&headers), &query.jql, &base)
            .await,
    )
}

async fn webhook_receive(State(s): State<Stand>, headers: HeaderMap, body: Bytes) -> Response {
    respond(
        s.sandbox
            .webhook_receive(
                header(&headers, webhook::DELIVERY_HEADER),
                header(&headers, webhook::TIMESTAMP_HEADER),
                header(&headers, webhook::SIGNATURE_HEADER),
                &body,
            )
            .await,
    )
}
