//! The Webex sandbox over HTTP, at `/sandbox/v1`: routes, Webex's error bodies and headers
//! (`trackingid`, `Link`, `Retry-After`), and fault injection. The behaviour itself is
//! `webex_sandbox`.

mod extract;
pub mod integrations;
mod oauth;

use std::time::Duration;

use axum::{
    Router,
    extract::{OriginalUri, Path, Request, State},
    http::{HeaderName, HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use domain::webex::types::{
    CreateAttachmentAction, CreateMessage, CreateWebhook, EditMessage, ErrorBody, Items,
    UpdateWebhook,
};
use serde::{Deserialize, Serialize};
use webex_sandbox::{
    Fault, FaultPlan, MembershipQuery, MessageQuery, Page, RoomQuery, Sandbox, SandboxError,
};

use crate::http::sandbox::extract::{SandboxCaller, WebexJson, WebexQuery};

/// What the sandbox routes need.
#[derive(Clone, Debug)]
pub struct SandboxState {
    /// The sandbox.
    pub sandbox: Sandbox,
    /// The absolute URL of `/sandbox/v1`, for `Link` headers (no trailing slash).
    pub base_url: String,
    /// The console's stylesheet, which the consent page borrows.
    pub stylesheet: String,
}

impl SandboxState {
    /// The absolute URL of the integration stand-ins, `…/sandbox/integrations`.
    pub fn integrations_url(&self) -> String {
        let root = self.base_url.strip_suffix("/v1").unwrap_or(&self.base_url);
        format!("{root}/integrations")
    }
}

/// A Webex-style failure: the status, and the body `{message, errors, trackingId}`. The body is
/// written by the tracking-id middleware, which knows the request's tracking id.
pub struct ApiError(pub SandboxError);

impl From<SandboxError> for ApiError {
    fn from(error: SandboxError) -> Self {
        Self(error)
    }
}

const TRACKING_HEADER: HeaderName = HeaderName::from_static("trackingid");
const JSON: &str = "application/json;charset=UTF-8";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = status.into_response();
        response.extensions_mut().insert(self.0);
        response
    }
}

fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let bytes = serde_json::to_vec(body).expect("API types serialise");
    (status, [(header::CONTENT_TYPE, JSON)], bytes).into_response()
}

type ApiResult = Result<Response, ApiError>;

fn ok<T: Serialize>(body: &T) -> ApiResult {
    Ok(json_response(StatusCode::OK, body))
}

fn no_content() -> ApiResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A list with, when there is more, one `Link: <…>; rel="next"` header whose URL repeats the
/// request's query with the opaque `cursor` set.
fn page<T: Serialize>(state: &SandboxState, uri: &OriginalUri, page: Page<T>) -> ApiResult {
    let mut response = json_response(StatusCode::OK, &Items { items: page.items });
    if let Some(cursor) = page.next_cursor {
        let path = uri.path().strip_prefix("/sandbox/v1").unwrap_or(uri.path());
        let mut query: Vec<(String, String)> =
            url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
                .into_owned()
                .filter(|(k, _)| k != "cursor")
                .collect();
        query.push(("cursor".to_owned(), cursor));
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        let link = format!("<{}{path}?{query}>; rel=\"next\"", state.base_url);
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}

/// The sandbox API router, to be nested at `/sandbox/v1`.
pub fn routes(state: SandboxState) -> Router {
    Router::new()
        .route("/people/me", get(people_me))
        .route("/people/{id}", get(person))
        .route("/rooms", get(list_rooms).post(create_room))
        .route("/rooms/{id}", get(room))
        .route(
            "/memberships",
            get(list_memberships).post(create_membership),
        )
        .route(
            "/memberships/{id}",
            axum::routing::delete(delete_membership),
        )
        .route("/messages", get(list_messages).post(create_message))
        .route(
            "/messages/{id}",
            get(message).put(edit_message).delete(delete_message),
        )
        .route("/webhooks", get(list_webhooks).post(create_webhook))
        .route(
            "/webhooks/{id}",
            get(webhook).put(update_webhook).delete(delete_webhook),
        )
        .route(
            "/attachment/actions",
            axum::routing::post(create_attachment_action),
        )
        .route("/attachment/actions/{id}", get(attachment_action))
        .route(
            "/_faults",
            get(get_faults).put(put_faults).delete(clear_faults),
        )
        .route(
            "/authorize",
            get(oauth::authorize_page).post(oauth::authorize_consent),
        )
        .route("/access_token", axum::routing::post(oauth::access_token))
        .route("/userinfo", get(oauth::userinfo))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), inject_faults))
        .layer(middleware::from_fn(tracking_id))
        .with_state(state)
}

/// Echoes the caller's `trackingid` or makes one, on every response and in error bodies.
async fn tracking_id(request: Request, next: Next) -> Response {
    let tracking = request
        .headers()
        .get(&TRACKING_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("ROUTER_{}", uuid_like()));
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    let body = match parts.extensions.remove::<SandboxError>() {
        Some(error) => {
            let error = ErrorBody::new(error.message, tracking.clone());
            parts
                .headers
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
            parts.headers.remove(header::CONTENT_LENGTH);
            axum::body::Body::from(serde_json::to_vec(&error).expect("error bodies serialise"))
        }
        None => body,
    };
    if let Ok(value) = HeaderValue::from_str(&tracking) {
        parts.headers.insert(TRACKING_HEADER, value);
    }
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Response::from_parts(parts, body)
}

fn uuid_like() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes).to_uppercase()
}

/// Applies the fault plan: 429 with `Retry-After`, a 5xx, or a delay. The fault controls
/// themselves are never faulted, so a test can always switch faults off.
async fn inject_faults(
    State(state): State<SandboxState>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path().ends_with("/_faults") {
        return next.run(request).await;
    }
    match state.sandbox.take_fault() {
        Some(Fault::RateLimit { retry_after_secs }) => {
            let mut response =
                ApiError(SandboxError::new(429, "Too Many Requests")).into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            response
        }
        Some(Fault::ServerError { status }) => ApiError(SandboxError::new(
            status,
            "The server encountered an internal error.",
        ))
        .into_response(),
        Some(fault) => {
            if let Some(delay) = fault.delay() {
                tokio::time::sleep(delay).await;
            }
            next.run(request).await
        }
        None => next.run(request).await,
    }
}

async fn not_found() -> ApiError {
    ApiError(SandboxError::not_found(
        "The requested resource could not be found.",
    ))
}

async fn method_not_allowed() -> ApiError {
    ApiError(SandboxError::new(
        405,
        "The requested method is not supported for this resource.",
    ))
}

async fn people_me(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
) -> ApiResult {
    ok(&s.sandbox.me(&caller).await?)
}

async fn person(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
    Path(id): Path<String>,
) -> ApiResult {
    ok(&s.sandbox.person(&caller, &id).await?)
}

async fn list_rooms(
    State(s): State<SandboxState>,
    uri: OriginalUri,
    SandboxCaller(caller): SandboxCaller,
    WebexQuery(query): WebexQuery<RoomQuery>,
) -> ApiResult {
    let result = s.sandbox.list_rooms(&caller, &query).await?;
    page(&s, &uri, result)
}

async fn room(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
    Path(id): Path<String>,
) -> ApiResult {
    ok(&s.sandbox.room(&caller, &id).await?)
}

async fn create_room(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
    WebexJson(body): WebexJson<webex_sandbox::CreateRoom>,
) -> ApiResult {
    ok(&s.sandbox.create_room(&caller, &body).await?)
}

async fn list_memberships(
    State(s): State<SandboxState>,
    uri: OriginalUri,
    SandboxCaller(caller): SandboxCaller,
    WebexQuery(query): WebexQuery<MembershipQuery>,
) -> ApiResult {
    let result = s.sandbox.list_memberships(&caller, &query).await?;
    page(&s, &uri, result)
}

async fn create_membership(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
    WebexJson(body): WebexJson<webex_sandbox::CreateMembership>,
) -> ApiResult {
    ok(&s.sandbox.create_membership(&caller, &body).await?)
}

async fn delete_membership(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
    Path(id): Path<String>,
) -> ApiResult {
    s.sandbox.delete_membership(&caller, &id).await?;
    no_content()
}

async fn list_messages(
    State(s): State<SandboxState>,
    uri: OriginalUri,
    SandboxCaller(caller): SandboxCaller,
    WebexQuery(query): WebexQuery<MessageQuery>,
) -> ApiResult {
    let result = s.sandbox.list_messages(&caller, &query).await?;
    page(&s, &uri, result)
}

async fn message(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
    Path(id): Path<String>,
) -> ApiResult {
    ok(&s.sandbox.message(&caller, &id).await?)
}

async fn create_message(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
    WebexJson(body): WebexJson<CreateMessage>,
) -> ApiResult {
    ok(&s.sandbox.create_message(&caller, &body).await?)
}

async fn edit_message(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
    Path(id): Path<String>,
    WebexJson(body): WebexJson<EditMessage>,
) -> ApiResult {
    ok(&s.sandbox.edit_message(&caller, &id, &body).await?)
}

async fn delete_message(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
    Path(id): Path<String>,
) -> ApiResult {
    s.sandbox.delete_message(&caller, &id).await?;
    no_content()
}

/// `GET /webhooks` query.
#[derive(Debug, Deserialize)]
struct ListQuery {
    max: Option<i64>,
    cursor: Option<String>,
}

async fn list_webhooks(
    State(s): State<SandboxState>,
    uri: OriginalUri,
    SandboxCaller(caller): SandboxCaller,
    WebexQuery(query): WebexQuery<ListQuery>,
) -> ApiResult {
    let result = s
        .sandbox
        .list_webhooks(&caller, query.max, query.cursor.as_deref())
        .await?;
    page(&s, &uri, result)
}

async fn create_webhook(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
    WebexJson(body): WebexJson<CreateWebhook>,
) -> ApiResult {
    ok(&s.sandbox.create_webhook(&caller, &body).await?)
}

async fn webhook(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
    Path(id): Path<String>,
) -> ApiResult {
    ok(&s.sandbox.webhook(&caller, &id).await?)
}

async fn update_webhook(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
    Path(id): Path<String>,
    WebexJson(body): WebexJson<UpdateWebhook>,
) -> ApiResult {
    ok(&s.sandbox.update_webhook(&caller, &id, &body).await?)
}

async fn delete_webhook(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
    Path(id): Path<String>,
) -> ApiResult {
    s.sandbox.delete_webhook(&caller, &id).await?;
    no_content()
}

async fn attachment_action(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
    Path(id): Path<String>,
) -> ApiResult {
    ok(&s.sandbox.attachment_action(&caller, &id).await?)
}

async fn create_attachment_action(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
    WebexJson(body): WebexJson<CreateAttachmentAction>,
) -> ApiResult {
    let action = s.sandbox.create_attachment_action(&caller, &body).await?;
    Ok(json_response(StatusCode::ACCEPTED, &action))
}

/// Fault controls are for the sandbox org's Webex admins only.
async fn require_org_admin(
    s: &SandboxState,
    caller: &webex_sandbox::Caller,
) -> Result<(), ApiError> {
    let me = s.sandbox.me(caller).await?;
    if me.roles.is_empty() {
        return Err(ApiError(SandboxError::forbidden(
            "Only organization administrators can change faults.",
        )));
    }
    Ok(())
}

async fn get_faults(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
) -> ApiResult {
    require_org_admin(&s, &caller).await?;
    ok(&s.sandbox.faults())
}

async fn put_faults(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
    WebexJson(plan): WebexJson<FaultPlan>,
) -> ApiResult {
    require_org_admin(&s, &caller).await?;
    if plan
        .share
        .is_some_and(|(share, _)| !(0.0..=1.0).contains(&share))
    {
        return Err(ApiError(SandboxError::bad_request(
            "share must be between 0 and 1.",
        )));
    }
    s.sandbox.set_faults(plan);
    ok(&s.sandbox.faults())
}

async fn clear_faults(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
) -> ApiResult {
    require_org_admin(&s, &caller).await?;
    s.sandbox.set_faults(FaultPlan::default());
    no_content()
}

/// Delivers queued webhook events whenever some are queued (and at least every `idle` as a
/// safety net), until the task is dropped.
pub async fn deliver_forever(
    sandbox: Sandbox,
    http: reqwest::Client,
    timeout: Duration,
    idle: Duration,
) {
    let wakeup = sandbox.deliveries_queued();
    loop {
        match sandbox.deliver_pending(&http, timeout).await {
            Ok(report) if !report.is_empty() => {
                tracing::debug!(?report, "sandbox webhook deliveries")
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(error = %domain::error_chain(&error), "sandbox webhook delivery failed")
            }
        }
        tokio::select! {
            () = wakeup.notified() => {}
            () = tokio::time::sleep(idle) => {}
        }
    }
}
