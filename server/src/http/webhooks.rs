//! `POST /webhooks/webex`: where Webex delivers events.
//!
//! The order is the product's promise: verify `X-Spark-Signature` over the raw bytes (in constant
//! time, against the secret of each of Steward's webhooks) before anything else, then parse, then
//! commit the event and its job, and only then answer 200. A request with a missing or wrong
//! signature gets 401 and writes nothing; a body that is not an envelope gets 400; a storage
//! failure gets 503, so Webex's copy is the one that counts.

use std::sync::{Arc, OnceLock};

use axum::{
    Json, Router,
    body::{Body, Bytes},
    extract::{DefaultBodyLimit, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use domain::{
    inbox::{Ingestor, ReceivedEvent, WebhookSecrets, classify},
    webex::signature::SIGNATURE_HEADER,
};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::json;
use tower_http::limit::RequestBodyLimitLayer;

/// Webex envelopes are about a kilobyte; anything much larger is not one.
pub const MAX_WEBHOOK_BYTES: usize = 64 * 1024;

/// The path Webex delivers to.
pub const WEBHOOK_PATH: &str = "/webhooks/webex";

/// What the webhook route needs.
#[derive(Clone, Debug)]
pub struct WebhookIngress {
    /// The secrets of Steward's webhooks.
    pub secrets: WebhookSecrets,
    /// Where verified events are stored.
    pub ingestor: Ingestor,
    /// The bot's person ID, once the runtime has asked Webex; until then events that depend on
    /// it are queued and the pipeline sorts them out.
    pub bot_id: Arc<OnceLock<String>>,
}

/// The route, with its own body limit, ready to merge into a router of any state.
pub fn routes<S: Clone + Send + Sync + 'static>(ingress: WebhookIngress) -> Router<S> {
    Router::new()
        .route(WEBHOOK_PATH, post(receive))
        .layer(DefaultBodyLimit::max(MAX_WEBHOOK_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_WEBHOOK_BYTES))
        .with_state(ingress)
}

async fn receive(
    State(ingress): State<WebhookIngress>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let body = match read_body(body).await {
        Ok(body) => body,
        Err(status) => {
            count("refused_body");
            return refuse(status, "The body is too large or could not be read.");
        }
    };
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok());
    let Some(webhook) = ingress.secrets.verify(&body, signature).await else {
        count("unauthorized");
        tracing::warn!(
            signed = signature.is_some(),
            "refused a webhook delivery whose signature does not verify"
        );
        return refuse(
            StatusCode::UNAUTHORIZED,
            "The X-Spark-Signature header is missing or does not match the body.",
        );
    };
    let event = match ReceivedEvent::parse(&body) {
        Ok(event) => event,
        Err(error) => {
            count("malformed");
            tracing::warn!(%webhook, error = %domain::error_chain(&error), "refused a signed webhook delivery that is not an envelope");
            return refuse(StatusCode::BAD_REQUEST, &error.to_string());
        }
    };
    let disposition = classify(&event, ingress.bot_id.get().map(String::as_str));
    match ingress.ingestor.ingest(event, disposition).await {
        Ok(outcome) => {
            count(outcome.as_str());
            Json(json!({ "outcome": outcome.as_str() })).into_response()
        }
        Err(error) => {
            count("unavailable");
            tracing::error!(error = %domain::error_chain(&error), "cannot store a webhook event");
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "Steward cannot store the event right now.",
            )
        }
    }
}

/// The whole body, or 413 when it is larger than any envelope (whichever layer noticed first).
async fn read_body(body: Body) -> Result<Bytes, StatusCode> {
    match Limited::new(body, MAX_WEBHOOK_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) => {
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error.as_ref());
            while let Some(error) = source {
                if error.is::<LengthLimitError>() {
                    return Err(StatusCode::PAYLOAD_TOO_LARGE);
                }
                source = error.source();
            }
            Err(StatusCode::BAD_REQUEST)
        }
    }
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

fn count(outcome: &'static str) {
    metrics::counter!("steward_webhook_events_total", "outcome" => outcome).increment(1);
}
