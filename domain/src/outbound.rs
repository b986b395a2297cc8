//! Calling other systems. Every HTTP client Steward uses to reach Webex, an integration, an AI
//! provider, a webhook target or a sign-in provider is built here: Steward's user agent, a
//! time-out, no redirects unless the caller opts in (a token or a signed body must only go where
//! it was meant to), and answers read up to a size cap. The one back-off policy that failed calls
//! and jobs wait by lives here too.

pub mod destinations;

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

pub use self::destinations::{Destinations, ForbiddenDestination};

/// What Steward calls itself in `User-Agent`.
pub const USER_AGENT: &str = concat!("Steward/", env!("CARGO_PKG_VERSION"));
/// The longest answer read from another system. Webex pages and integration answers are a few
/// hundred kilobytes at most; anything larger is a misconfigured or hostile endpoint.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// How long a call may take when its caller says nothing else.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Builds an HTTP client for calling another system.
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    timeout: Duration,
    redirects: bool,
    destinations: Option<Destinations>,
}

/// A client with Steward's defaults: [`DEFAULT_TIMEOUT`], no redirects.
pub fn client() -> ClientBuilder {
    ClientBuilder {
        timeout: DEFAULT_TIMEOUT,
        redirects: false,
        destinations: None,
    }
}

impl ClientBuilder {
    /// Gives each call at most `timeout`, connecting included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Follows up to ten redirects. Only for calls that carry no credentials.
    pub fn follow_redirects(mut self) -> Self {
        self.redirects = true;
        self
    }

    /// Resolves names only to the addresses `destinations` permits: for calls to URLs an admin
    /// typed (integrations, the AI provider). Check each URL with [`Destinations::check`] too.
    pub fn only_to(mut self, destinations: &Destinations) -> Self {
        self.destinations = Some(destinations.clone());
        self
    }

    /// The client.
    pub fn build(self) -> Result<reqwest::Client, reqwest::Error> {
        let redirects = if self.redirects {
            reqwest::redirect::Policy::limited(10)
        } else {
            reqwest::redirect::Policy::none()
        };
        let builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(self.timeout)
            .redirect(redirects);
        match &self.destinations {
            Some(destinations) => destinations.client(builder),
            None => builder,
        }
        .build()
    }
}

/// `url` fit for a log line or an audit entry: a user name or password in it becomes
/// `redacted`, and so does every query value (API keys travel there), the names kept.
pub fn redact_url(url: &reqwest::Url) -> String {
    let mut url = url.clone();
    if !url.username().is_empty() {
        url.set_username("redacted").ok();
    }
    if url.password().is_some() {
        url.set_password(Some("redacted")).ok();
    }
    if url.query().is_some() {
        let names: Vec<String> = url
            .query_pairs()
            .map(|(name, _)| name.into_owned())
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(names.iter().map(|name| (name.as_str(), "redacted")));
    }
    url.to_string()
}

/// [`redact_url`] applied to every string in `value` that is an http(s) URL, for settings whose
/// values carry addresses (an integration's base URL, the AI provider's) before they are audited.
pub fn redact_urls_in(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) => {
            if let Ok(url) = reqwest::Url::parse(text)
                && matches!(url.scheme(), "http" | "https")
            {
                *text = redact_url(&url);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_urls_in),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(redact_urls_in),
        _ => {}
    }
}

/// The refusal behind a failed call, when the destination guard refused its address.
pub fn forbidden_in(error: &(dyn std::error::Error + 'static)) -> Option<ForbiddenDestination> {
    let mut source = Some(error);
    while let Some(error) = source {
        if let Some(forbidden) = error.downcast_ref::<ForbiddenDestination>() {
            return Some(forbidden.clone());
        }
        source = error.source();
    }
    None
}

/// What went wrong with a call, for people and logs: the error and its causes, with the URL
/// redacted (reqwest's own message would show it whole, query string and all).
pub fn describe(error: reqwest::Error) -> String {
    let url = error.url().map(redact_url);
    let chain = crate::error_chain(&error.without_url());
    match url {
        Some(url) => format!("{chain} (calling {url})"),
        None => chain,
    }
}

/// Why an answer's body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// It is larger than [`MAX_RESPONSE_BYTES`].
    #[error("the answer is larger than {MAX_RESPONSE_BYTES} bytes")]
    TooLarge,
    /// The connection failed while reading it (described with its URL redacted).
    #[error("cannot read the answer: {0}")]
    Read(String),
}

impl From<reqwest::Error> for BodyError {
    fn from(error: reqwest::Error) -> Self {
        Self::Read(describe(error))
    }
}

/// Reads an answer's body, refusing one larger than [`MAX_RESPONSE_BYTES`] without reading the
/// rest of it.
pub async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, BodyError> {
    read_body_up_to(&mut response, MAX_RESPONSE_BYTES).await
}

async fn read_body_up_to(
    response: &mut reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    let announced = response.content_length().unwrap_or(0);
    if usize::try_from(announced).unwrap_or(usize::MAX) > limit {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The wait a `Retry-After` header asks for, in seconds, as Webex and the integrations send it.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

/// Exponential back-off with jitter for the `attempt`th failure (from 1): between half and all
/// of `base × 2^(attempt-1)`, capped at `max`. Failed Webex calls and failed jobs both wait by it.
pub fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    let exponent = attempt.saturating_sub(1).min(20);
    let full = base.saturating_mul(1 << exponent).min(max);
    full.mul_f64(0.5 + rand::random::<f64>() * 0.5)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    use tokio::{io::AsyncWriteExt, net::TcpListener};

    use super::{
        BodyError, backoff, client, read_body_up_to, redact_url, redact_urls_in, retry_after,
    };

    #[test]
    fn secrets_in_urls_never_reach_a_log_or_the_audit_log() {
        let url = |text: &str| reqwest::Url::parse(text).unwrap();
        assert_eq!(
            redact_url(&url(
                "https://svc:hunter2@example.com/api/now?sysparm_limit=1&api-key=abc#x"
            )),
            "https://redacted:redacted@example.com/api/now?sysparm_limit=redacted&api-key=redacted#x"
        );
        assert_eq!(
            redact_url(&url("https://example.com/v1")),
            "https://example.com/v1"
        );
        let mut setting = serde_json::json!({
            "base_url": "https://bot:pw@instance.example.com/?token=t0k3n",
            "username": "svc-steward",
            "nested": ["http://a.example/?key=k"],
        });
        redact_urls_in(&mut setting);
        let text = setting.to_string();
        for secret in ["pw@", "t0k3n", "key=k"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("svc-steward"), "{text}");
    }

    #[tokio::test]
    async fn a_failed_call_is_described_without_its_query_string() {
        // Nothing listens on port 9 of loopback: the call fails before any answer.
        let error = client()
            .build()
            .unwrap()
            .get("http://127.0.0.1:9/x?api-key=s3cret")
            .send()
            .await
            .unwrap_err();
        let described = super::describe(error);
        assert!(!described.contains("s3cret"), "{described}");
        assert!(described.contains("127.0.0.1:9"), "{described}");
    }

    /// Serves `answer` (raw HTTP) to every connection on a loopback port; returns the base URL.
    async fn serve(answer: &'static str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut request = [0u8; 4096];
                let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut request).await;
                socket.write_all(answer.as_bytes()).await.ok();
                socket.shutdown().await.ok();
            }
        });
        format!("http://{address}/")
    }

    #[tokio::test]
    async fn answers_past_the_cap_are_refused_whether_announced_or_not() {
        let http = client().build().unwrap();
        let announced =
            serve("HTTP/1.1 200 OK\r\ncontent-length: 20\r\n\r\n01234567890123456789").await;
        let mut response = http.get(&announced).send().await.unwrap();
        assert!(matches!(
            read_body_up_to(&mut response, 10).await,
            Err(BodyError::TooLarge)
        ));

        let streamed = serve(
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n8\r\n01234567\r\n8\r\n01234567\r\n0\r\n\r\n",
        )
        .await;
        let mut response = http.get(&streamed).send().await.unwrap();
        assert!(matches!(
            read_body_up_to(&mut response, 10).await,
            Err(BodyError::TooLarge)
        ));
        let mut response = http.get(&streamed).send().await.unwrap();
        assert_eq!(
            read_body_up_to(&mut response, 16).await.unwrap(),
            b"0123456701234567"
        );
    }

    #[tokio::test]
    async fn redirects_are_not_followed_unless_asked_for() {
        let target = serve("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok").await;
        let answer: &'static str = Box::leak(
            format!("HTTP/1.1 302 Found\r\nlocation: {target}\r\ncontent-length: 0\r\n\r\n")
                .into_boxed_str(),
        );
        let redirecting = serve(answer).await;
        let plain = client().build().unwrap();
        assert_eq!(plain.get(&redirecting).send().await.unwrap().status(), 302);
        let following = client().follow_redirects().build().unwrap();
        assert_eq!(
            following.get(&redirecting).send().await.unwrap().status(),
            200
        );
    }

    #[test]
    fn backoff_doubles_with_jitter_and_stays_under_the_cap() {
        let base = Duration::from_secs(1);
        let max = Duration::from_secs(300);
        for attempt in 1..=12 {
            let full = (base * 2u32.pow(attempt - 1)).min(max);
            for _ in 0..50 {
                let delay = backoff(attempt, base, max);
                assert!(delay >= full / 2 && delay <= full, "{attempt}: {delay:?}");
            }
        }
        assert!(backoff(1_000, base, max) <= max);
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static(" 7 "));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2026 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
    }
}
