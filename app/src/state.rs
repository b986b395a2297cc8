//! What server functions and server-rendered pages read from context (server only).

use leptos::{nonce::Nonce, prelude::*};

/// The request extension carrying the Content-Security-Policy nonce that the HTTP layer puts in
/// the response header; the page must use the same value on its inline scripts.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// Shared state for server functions, provided through Leptos context by the server.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Steward's database.
    pub db: domain::Db,
    /// Whether Steward runs against its built-in Webex sandbox rather than Webex.
    pub sandbox: bool,
}

/// The state provided by the server. Outside a request (a programming error) it reports the
/// console as unavailable rather than panicking.
pub fn app_state() -> Result<AppState, crate::error::ConsoleError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        crate::error::ConsoleError::Unavailable
    })
}

/// Makes the request's CSP nonce (set by the server's security-headers layer) available to the
/// hydration scripts and to inline data scripts.
pub fn provide_request_nonce() {
    let nonce = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(value)) = nonce {
        provide_context(Nonce::from_value(value));
    }
}
