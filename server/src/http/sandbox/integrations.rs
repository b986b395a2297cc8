//! The integration stand-ins over HTTP, at `/sandbox/integrations/<system>`: each route reads
//! what the real API reads (basic auth, the JSON body, signature headers) and answers with the
//! stand-in's status, body and `Retry-After`. The behaviour is `domain::sandbox::integrations`.

use axum::{
    Router,
    body::Bytes,
    extract::{Query, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use domain::{
    integrations::webhook,
    sandbox::{Sandbox, integrations::Reply},
};
use serde::Deserialize;

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
