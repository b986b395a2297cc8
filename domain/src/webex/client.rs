//! The Webex REST client. One client serves `https://webexapis.com/v1` and the sandbox alike.
//!
//! Failure handling follows Webex's contract:
//! - 429 waits exactly `Retry-After` and tries again; it is not a failed attempt (the total wait
//!   is bounded, so a client that is throttled for good eventually reports it);
//! - 5xx answers, time-outs and connection failures back off exponentially with jitter, a bounded
//!   number of times, for requests that are safe to repeat;
//! - a POST whose outcome is unknown (5xx or time-out after it was sent) is not repeated but
//!   reported as [`WebexError::OutcomeUnknown`], so the caller can look before posting again;
//! - any other 4xx becomes [`WebexError::Api`] with Webex's message and tracking id.

use std::{collections::VecDeque, fmt, time::Duration};

use futures::{Stream, stream};
use reqwest::{Method, StatusCode, header};
use serde::{Serialize, de::DeserializeOwned};
use url::Url;

use crate::outbound;
use crate::webex::types::{
    AttachmentAction, CreateAttachmentAction, CreateMessage, CreateWebhook, ErrorBody, Items,
    Message, Person, Room, UpdateWebhook, Webhook,
};

/// Webex's production API.
pub const WEBEX_API: &str = "https://webexapis.com/v1/";

/// How hard the client tries before giving up.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Attempts for 5xx answers and network failures, the first included.
    pub max_attempts: u32,
    /// Delay before the first retry; doubles each time.
    pub base_delay: Duration,
    /// Longest delay between two attempts.
    pub max_delay: Duration,
    /// Longest total time spent waiting out 429s for one call.
    pub max_rate_limit_wait: Duration,
    /// Wait when a 429 carries no `Retry-After`.
    pub default_retry_after: Duration,
    /// Time-out of one HTTP request.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            max_rate_limit_wait: Duration::from_secs(300),
            default_retry_after: Duration::from_secs(15),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Why a Webex call failed.
#[derive(Debug, thiserror::Error)]
pub enum WebexError {
    /// Webex refused the request (a 4xx other than 429).
    #[error("Webex answered {status}: {message} (trackingId {tracking_id})")]
    Api {
        /// The HTTP status.
        status: u16,
        /// Webex's message.
        message: String,
        /// Webex's tracking id, for support.
        tracking_id: String,
    },
    /// Server errors or network failures persisted through every attempt.
    #[error("Webex is unavailable after {attempts} attempts: {last}")]
    Unavailable {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// Webex kept answering 429 for longer than the policy allows.
    #[error("Webex kept rate-limiting the request for {waited:?}")]
    RateLimited {
        /// Time spent waiting.
        waited: Duration,
    },
    /// A POST was sent but its outcome is unknown; it was not repeated.
    #[error("the outcome of POST {path} is unknown: {reason}")]
    OutcomeUnknown {
        /// The request path.
        path: String,
        /// What happened.
        reason: String,
    },
    /// The answer was not what the API promises.
    #[error("unexpected answer from Webex: {0}")]
    Decode(String),
}

/// A Webex API client with one token.
#[derive(Clone)]
pub struct WebexClient {
    http: reqwest::Client,
    base: Url,
    token: String,
    policy: RetryPolicy,
}

impl fmt::Debug for WebexClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token is a secret.
        f.debug_struct("WebexClient")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

/// Query parameters of `GET /messages`.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListMessages {
    /// The space.
    pub room_id: String,
    /// Only replies to this root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// `me`: only messages mentioning the caller (required for bots in group spaces).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mentioned_people: Option<String>,
    /// Only before this ISO time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

struct Answer {
    headers: header::HeaderMap,
    body: Vec<u8>,
}

impl WebexClient {
    /// A client for the API at `base` (e.g. [`WEBEX_API`] or the sandbox's `…/sandbox/v1`).
    pub fn new(
        http: reqwest::Client,
        base: &str,
        token: impl Into<String>,
        policy: RetryPolicy,
    ) -> Result<Self, WebexError> {
        let mut base = Url::parse(base)
            .map_err(|e| WebexError::Decode(format!("invalid base URL {base}: {e}")))?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        Ok(Self {
            http,
            base,
            token: token.into(),
            policy,
        })
    }

    fn url(&self, path: &str) -> Url {
        self.base.join(path).expect("API paths are relative URLs")
    }

    /// `GET /people/me`.
    pub async fn me(&self) -> Result<Person, WebexError> {
        self.get(self.url("people/me")).await
    }

    /// `GET /people/{id}`.
    pub async fn person(&self, id: &str) -> Result<Person, WebexError> {
        self.get(self.url(&format!("people/{id}"))).await
    }

    /// `GET /rooms`, every page.
    pub fn rooms(&self) -> impl Stream<Item = Result<Room, WebexError>> + '_ {
        self.paginate(self.url("rooms"))
    }

    /// `GET /rooms/{id}`.
    pub async fn room(&self, id: &str) -> Result<Room, WebexError> {
        self.get(self.url(&format!("rooms/{id}"))).await
    }

    /// `GET /messages`, newest first, every page.
    pub fn messages(
        &self,
        query: &ListMessages,
    ) -> impl Stream<Item = Result<Message, WebexError>> + '_ {
        let mut url = self.url("messages");
        let encoded = serde_urlencoded_pairs(query);
        url.query_pairs_mut().extend_pairs(encoded);
        self.paginate(url)
    }

    /// `GET /messages/{id}`.
    pub async fn message(&self, id: &str) -> Result<Message, WebexError> {
        self.get(self.url(&format!("messages/{id}"))).await
    }

    /// `POST /messages`. Not repeated when the outcome is unknown.
    pub async fn create_message(&self, message: &CreateMessage) -> Result<Message, WebexError> {
        self.call(Method::POST, self.url("messages"), Some(message))
            .await
    }

    /// `GET /webhooks`, every page.
    pub fn webhooks(&self) -> impl Stream<Item = Result<Webhook, WebexError>> + '_ {
        self.paginate(self.url("webhooks"))
    }

    /// `POST /webhooks`.
    pub async fn create_webhook(&self, webhook: &CreateWebhook) -> Result<Webhook, WebexError> {
        self.call(Method::POST, self.url("webhooks"), Some(webhook))
            .await
    }

    /// `PUT /webhooks/{id}`.
    pub async fn update_webhook(
        &self,
        id: &str,
        update: &UpdateWebhook,
    ) -> Result<Webhook, WebexError> {
        self.call(
            Method::PUT,
            self.url(&format!("webhooks/{id}")),
            Some(update),
        )
        .await
    }

    /// `DELETE /webhooks/{id}`.
    pub async fn delete_webhook(&self, id: &str) -> Result<(), WebexError> {
        self.send(
            Method::DELETE,
            self.url(&format!("webhooks/{id}")),
            None::<&()>,
        )
        .await
        .map(drop)
    }

    /// `GET /attachment/actions/{id}`.
    pub async fn attachment_action(&self, id: &str) -> Result<AttachmentAction, WebexError> {
        self.get(self.url(&format!("attachment/actions/{id}")))
            .await
    }

    /// `POST /attachment/actions`.
    pub async fn create_attachment_action(
        &self,
        action: &CreateAttachmentAction,
    ) -> Result<AttachmentAction, WebexError> {
        self.call(Method::POST, self.url("attachment/actions"), Some(action))
            .await
    }

    async fn get<T: DeserializeOwned>(&self, url: Url) -> Result<T, WebexError> {
        self.call(Method::GET, url, None::<&()>).await
    }

    async fn call<T: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
    ) -> Result<T, WebexError> {
        let answer = self.send(method, url, body).await?;
        decode(&answer.body)
    }

    /// Every item of a list, following `Link: <…>; rel="next"` headers.
    fn paginate<T: DeserializeOwned + 'static>(
        &self,
        first: Url,
    ) -> impl Stream<Item = Result<T, WebexError>> + '_ {
        stream::try_unfold(
            (Some(first), VecDeque::new()),
            move |(mut next, mut buffer)| async move {
                loop {
                    if let Some(item) = buffer.pop_front() {
                        return Ok(Some((item, (next, buffer))));
                    }
                    let Some(url) = next.take() else {
                        return Ok(None);
                    };
                    let answer = self.send(Method::GET, url, None::<&()>).await?;
                    let page: Items<T> = decode(&answer.body)?;
                    next = next_link(&answer.headers)
                        .map(|link| self.same_origin(&link))
                        .transpose()?;
                    buffer.extend(page.items);
                }
            },
        )
    }

    /// The token must never be sent to another host, whatever a `Link` header says.
    fn same_origin(&self, link: &str) -> Result<Url, WebexError> {
        let url = Url::parse(link)
            .map_err(|e| WebexError::Decode(format!("invalid next-page link {link}: {e}")))?;
        if url.origin() != self.base.origin() {
            return Err(WebexError::Decode(format!(
                "next-page link points to another host: {link}"
            )));
        }
        Ok(url)
    }

    async fn send<B: Serialize>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
    ) -> Result<Answer, WebexError> {
        let repeatable = method != Method::POST;
        let mut failures = 0u32;
        let mut rate_limited = Duration::ZERO;
        loop {
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(&self.token)
                .timeout(self.policy.request_timeout);
            if let Some(body) = body {
                request = request.json(body);
            }
            let failure = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        let wait = outbound::retry_after(&headers)
                            .unwrap_or(self.policy.default_retry_after);
                        rate_limited += wait;
                        if rate_limited > self.policy.max_rate_limit_wait {
                            return Err(WebexError::RateLimited {
                                waited: rate_limited - wait,
                            });
                        }
                        tracing::debug!(?wait, %url, "Webex rate limit; waiting as told");
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    let body = outbound::read_body(response)
                        .await
                        .map_err(|e| WebexError::Decode(format!("cannot read the answer: {e}")))?;
                    if status.is_success() {
                        return Ok(Answer { headers, body });
                    }
                    if !status.is_server_error() {
                        return Err(api_error(status, &headers, &body));
                    }
                    if !repeatable {
                        return Err(WebexError::OutcomeUnknown {
                            path: url.path().to_owned(),
                            reason: format!("Webex answered {status}"),
                        });
                    }
                    Failure {
                        reason: format!("Webex answered {status}"),
                        retry_after: outbound::retry_after(&headers),
                    }
                }
                Err(error) => {
                    // A request that never connected was not received, so even a POST may go again.
                    if !repeatable && !error.is_connect() {
                        return Err(WebexError::OutcomeUnknown {
                            path: url.path().to_owned(),
                            reason: crate::error_chain(&error),
                        });
                    }
                    Failure {
                        reason: crate::error_chain(&error),
                        retry_after: None,
                    }
                }
            };
            failures += 1;
            if failures >= self.policy.max_attempts {
                return Err(WebexError::Unavailable {
                    attempts: failures,
                    last: failure.reason,
                });
            }
            let delay = failure.retry_after.unwrap_or_else(|| {
                outbound::backoff(failures, self.policy.base_delay, self.policy.max_delay)
            });
            tracing::debug!(?delay, attempt = failures, reason = %failure.reason, %url, "retrying Webex call");
            tokio::time::sleep(delay).await;
        }
    }
}

struct Failure {
    reason: String,
    retry_after: Option<Duration>,
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, WebexError> {
    serde_json::from_slice(body).map_err(|e| WebexError::Decode(e.to_string()))
}

fn api_error(status: StatusCode, headers: &header::HeaderMap, body: &[u8]) -> WebexError {
    let header_tracking = headers
        .get("trackingid")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(error) => WebexError::Api {
            status: status.as_u16(),
            message: error.message,
            tracking_id: if error.tracking_id.is_empty() {
                header_tracking
            } else {
                error.tracking_id
            },
        },
        Err(_) => WebexError::Api {
            status: status.as_u16(),
            message: String::from_utf8_lossy(body).chars().take(200).collect(),
            tracking_id: header_tracking,
        },
    }
}

/// `Retry-After` in seconds (Webex does not send HTTP dates).
/// The `rel="next"` URL of a `Link` header.
pub fn next_link(headers: &header::HeaderMap) -> Option<String> {
    headers
        .get_all(header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|value| {
            value.split(',').find_map(|link| {
                let (target, params) = link.split_once(';')?;
                let is_next = params
                    .split(';')
                    .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
                is_next.then(|| {
                    target
                        .trim()
                        .trim_start_matches('<')
                        .trim_end_matches('>')
                        .to_owned()
                })
            })
        })
}

fn serde_urlencoded_pairs<T: Serialize>(value: &T) -> Vec<(String, String)> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .filter_map(|(k, v)| match v {
                serde_json::Value::String(s) => Some((k, s)),
                serde_json::Value::Number(n) => Some((k, n.to_string())),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl crate::Classify for WebexError {
    /// A 401 may pass once the token is renewed; other refusals will not. Rate limits,
    /// outages, lost answers and garbled bodies may.
    fn is_transient(&self) -> bool {
        match self {
            Self::Api { status, .. } => *status == 401,
            Self::Unavailable { .. }
            | Self::RateLimited { .. }
            | Self::OutcomeUnknown { .. }
            | Self::Decode(_) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderValue, LINK};

    use super::next_link;

    #[test]
    fn next_link_is_read_from_the_link_header() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LINK,
            HeaderValue::from_static(
                r#"<https://webexapis.com/v1/messages?roomId=r&cursor=abc>; rel="next""#,
            ),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://webexapis.com/v1/messages?roomId=r&cursor=abc")
        );
        headers.insert(
            LINK,
            HeaderValue::from_static(r#"<https://x/first>; rel="first""#),
        );
        assert_eq!(next_link(&headers), None);
    }
}
