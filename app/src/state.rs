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
    pub sandbox: Option<webex_sandbox::Sandbox>,
    /// Whether people can sign in (a Webex integration or the sandbox is configured).
    pub sign_in_available: bool,
    /// The bot's spaces at Webex, when Steward can reach Webex as the bot.
    pub spaces: Option<domain::policy::SpaceDirectory>,
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

/// Sets the status of a server function's response to `status`, so a refusal reads as one over
/// HTTP (and in monitoring) rather than as a failure. A plain form post (JavaScript off) is left
/// alone: it is redirected back to its page, which shows the error.
pub fn set_error_status(status: http::StatusCode) {
    if !from_plain_form()
        && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
    {
        response.set_status(status);
    }
}

/// Whether the current server function was called by a plain HTML form (JavaScript off, or the
/// islands router), which expects to be sent back to a page rather than to get data.
fn from_plain_form() -> bool {
    use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}

/// Confirms a change made from a plain form: the browser goes back to the page it came from with
/// `message` in the address (`?notice=`), which the page shows. Calls from a hydrated island get
/// their result as data instead, and nothing changes for them.
pub fn confirm(message: &str) {
    if !from_plain_form() {
        return;
    }
    let Some(parts) = use_context::<http::request::Parts>() else {
        return;
    };
    let back = parts
        .headers
        .get(http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|referer| referer.parse::<http::Uri>().ok());
    let (path, query) = match &back {
        Some(uri) => (uri.path(), uri.query().unwrap_or_default()),
        None => ("/", ""),
    };
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let key = pair.split('=').next().unwrap_or_default();
            !matches!(key, "notice" | "__path" | "__err")
        })
        .collect();
    let notice = format!("notice={}", crate::api::encode_query_value(message));
    pairs.push(&notice);
    leptos_axum::redirect(&format!("{path}?{}", pairs.join("&")));
}

/// The signed-in person, provided they hold one of `allowed`; every server function starts here.
/// A refusal answers 401 or 403.
pub fn require_role(
    allowed: &[domain::users::Role],
) -> Result<CurrentUser, crate::error::ConsoleError> {
    let Some(user) = current_user() else {
        set_error_status(http::StatusCode::UNAUTHORIZED);
        return Err(crate::error::ConsoleError::SignInRequired);
    };
    if user.roles.iter().any(|role| allowed.contains(role)) {
        Ok(user)
    } else {
        set_error_status(http::StatusCode::FORBIDDEN);
        Err(crate::error::ConsoleError::Forbidden)
    }
}

/// An audit actor for the signed-in person.
pub fn actor(user: &CurrentUser) -> domain::audit::Actor {
    domain::audit::Actor::User(user.user_id)
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
