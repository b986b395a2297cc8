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
    /// The built-in Webex sandbox, when Steward runs against it rather than Webex.
    pub sandbox: Option<domain::sandbox::Sandbox>,
    /// Whether people can sign in (a Webex integration or the sandbox is configured).
    pub sign_in_available: bool,
}

/// The signed-in person, put in the request's extensions by the server's session guard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentUser {
    /// Steward's user id.
    pub user_id: i64,
    /// Their e-mail.
    pub email: String,
    /// Their name from Webex.
    pub display_name: Option<String>,
    /// Their Steward roles.
    pub roles: Vec<domain::users::Role>,
}

/// The signed-in person of the current request, if any.
pub fn current_user() -> Option<CurrentUser> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CurrentUser>().cloned())
}

/// The signed-in person, provided they hold one of `allowed`; every server function starts here.
pub fn require_role(
    allowed: &[domain::users::Role],
) -> Result<CurrentUser, crate::error::ConsoleError> {
    let user = current_user().ok_or(crate::error::ConsoleError::SignInRequired)?;
    if user.roles.iter().any(|role| allowed.contains(role)) {
        Ok(user)
    } else {
        Err(crate::error::ConsoleError::Forbidden)
    }
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
