//! The error type every server function returns, shared by server and browser.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// What can go wrong when the console asks the server for something. Messages are written for
/// the person reading the page; details stay in the server log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ConsoleError {
    /// Steward's storage failed; the details are in the server log.
    #[error(
        "Steward could not read its database. Try again in a moment; if it persists, check the server log."
    )]
    Unavailable,
    /// Nobody is signed in.
    #[error("Sign in to continue.")]
    SignInRequired,
    /// The signed-in person's roles do not allow this.
    #[error("Your role does not allow this. Ask an admin if you need access.")]
    Forbidden,
    /// The request names something that does not exist, or is not available here.
    #[error("{0}")]
    NotFound(String),
    /// The request was understood but refused, with a message for the person.
    #[error("{0}")]
    Invalid(String),
    /// One field of a form is wrong: the field's name, and what to fix.
    #[error("{1}")]
    Field(String, String),
    /// The request never reached the server function, or its answer could not be read.
    #[error("The server could not be reached: {0}")]
    Transport(String),
}

impl ConsoleError {
    /// The message for `field`, when this error is about it.
    pub fn for_field(&self, field: &str) -> Option<String> {
        match self {
            Self::Field(name, message) if name == field => Some(message.clone()),
            _ => None,
        }
    }

    /// The message, unless it belongs next to one of the form's fields.
    pub fn for_form(&self, fields: &[&str]) -> Option<String> {
        match self {
            Self::Field(name, _) if fields.contains(&name.as_str()) => None,
            other => Some(other.to_string()),
        }
    }
}

impl FromServerFnError for ConsoleError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}

/// Constructors for server functions: each also sets the status of the server function's
/// response, so a refusal is not counted as a failure.
#[cfg(feature = "ssr")]
impl ConsoleError {
    /// Logs a storage failure with its cause chain and hides it from the browser.
    pub fn unavailable(error: &(dyn std::error::Error + 'static)) -> Self {
        tracing::error!(error = %domain::error_chain(error), "console request failed");
        Self::Unavailable
    }

    /// An error about the form field `field` (400).
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        crate::state::set_error_status(http::StatusCode::BAD_REQUEST);
        Self::Field(field.to_owned(), message.into())
    }

    /// A refusal with a message for the person (400).
    pub fn invalid(message: impl Into<String>) -> Self {
        crate::state::set_error_status(http::StatusCode::BAD_REQUEST);
        Self::Invalid(message.into())
    }

    /// Something the request names does not exist, or is not available here (404).
    pub fn not_found(message: impl Into<String>) -> Self {
        crate::state::set_error_status(http::StatusCode::NOT_FOUND);
        Self::NotFound(message.into())
    }
}

/// A domain error: a refusal is shown in its words (400); anything else is logged with its
/// causes and shown as "try again". Errors about one form field are mapped where the form is.
#[cfg(feature = "ssr")]
impl<E: domain::Classify> From<E> for ConsoleError {
    fn from(error: E) -> Self {
        match error.refusal() {
            Some(message) => Self::invalid(message),
            None => Self::unavailable(&error),
        }
    }
}
