//! Who is signed in, for the layout and the sign-in pages.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::ConsoleError;

/// The signed-in person as the console shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    /// Name, or e-mail when Webex gave none.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Steward roles, e.g. `admin`.
    pub roles: Vec<String>,
}

/// The session as the layout needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The signed-in person, if any.
    pub viewer: Option<Viewer>,
    /// Whether this server can sign people in.
    pub sign_in_available: bool,
    /// Whether the built-in Webex sandbox runs here.
    pub sandbox: bool,
}

/// Reads the session. Open to everyone: it is how the console learns whether anyone is signed in.
#[server(prefix = "/api", endpoint = "load_session")]
pub async fn load_session() -> Result<SessionInfo, ConsoleError> {
    let state = crate::state::app_state()?;
    let viewer = crate::state::current_user().map(|user| Viewer {
        name: user
            .display_name
            .clone()
            .unwrap_or_else(|| user.email.clone()),
        email: user.email,
        roles: user.roles.iter().map(ToString::to_string).collect(),
    });
    Ok(SessionInfo {
        viewer,
        sign_in_available: state.sign_in_available,
        sandbox: state.sandbox.is_some(),
    })
}
