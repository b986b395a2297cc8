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
    /// The request never reached the server function, or its answer could not be read.
    #[error("The server could not be reached: {0}")]
    Transport(String),
}

impl FromServerFnError for ConsoleError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl ConsoleError {
    /// Logs a storage failure with its cause chain and hides it from the browser.
    pub fn unavailable(error: &(dyn std::error::Error + 'static)) -> Self {
        tracing::error!(error = %domain::error_chain(error), "console request failed");
        Self::Unavailable
    }
}
