//! The built-in Webex sandbox: a local implementation of the Webex Messaging API that behaves like
//! the real one (see `shared/reference/webex-api.md`), so Steward runs and is tested with no Webex
//! account. Its state lives in Steward's database (`sandbox_*` tables, both backends).
//!
//! This crate is the API's behaviour; the `server` crate maps HTTP requests onto it at
//! `/sandbox/v1` (in sandbox mode) and runs the webhook delivery loop. `domain` never imports it:
//! the sandbox depends on `domain`'s Webex types, never the other way round. Every operation takes the authenticated
//! [`Caller`] and answers with Webex's own shapes, or a [`SandboxError`] carrying Webex's status
//! and message.

mod auth;
mod console;
mod db;
mod delivery;
mod events;
mod faults;
pub mod integrations;
mod messages;
pub mod oauth;
mod people;
mod rooms;
pub mod seed;
mod webhooks;

use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

pub use crate::{
    auth::Caller,
    console::ConsolePage,
    delivery::DeliveryReport,
    faults::{Fault, FaultPlan},
    messages::MessageQuery,
    rooms::{CreateMembership, CreateRoom, MembershipQuery, RoomQuery},
};
use domain::Db;

pub use domain::webex::{MAX_EDITS, MAX_MESSAGE_BYTES};

/// The sandbox: its database and the in-memory fault plan.
#[derive(Clone, Debug)]
pub struct Sandbox {
    db: Db,
    faults: Arc<Mutex<FaultPlan>>,
    integration_faults: Arc<Mutex<integrations::IntegrationFaults>>,
    deliveries: Arc<Notify>,
}

/// An error as Webex reports it: an HTTP status and a message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{status}: {message}")]
pub struct SandboxError {
    /// The HTTP status.
    pub status: u16,
    /// Webex's message.
    pub message: String,
}

/// What Webex would answer 4xx to is a refusal in words; a 5xx is the sandbox's own failure.
impl domain::Classify for SandboxError {
    fn is_transient(&self) -> bool {
        self.status >= 500 || self.status == 429
    }

    fn refusal(&self) -> Option<String> {
        (self.status < 500).then(|| self.message.clone())
    }
}

impl SandboxError {
    /// 400 with `message`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    /// 401: no valid token.
    pub fn unauthorized() -> Self {
        Self::new(
            401,
            "The request requires a valid access token set in the Authorization request header.",
        )
    }

    /// 403 with `message`.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, message)
    }

    /// 404 with `message`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, message)
    }

    /// Any status.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

impl From<sqlx::Error> for SandboxError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(error = %domain::error_chain(&error), "sandbox storage failed");
        Self::new(500, "The server encountered an internal error.")
    }
}

/// One page of a list, and the cursor of the next page when there is one.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Opaque, URL-safe cursor for the `cursor` query parameter of the next page.
    pub next_cursor: Option<String>,
}

impl Sandbox {
    /// A sandbox over Steward's database.
    pub fn new(db: Db) -> Self {
        Self {
            db,
            faults: Arc::new(Mutex::new(FaultPlan::default())),
            integration_faults: Arc::default(),
            deliveries: Arc::new(Notify::new()),
        }
    }

    /// Woken whenever a webhook delivery is queued, so the delivery loop needs no busy polling.
    pub fn deliveries_queued(&self) -> Arc<Notify> {
        Arc::clone(&self.deliveries)
    }
}

/// Encodes a list position as an opaque, alphanumeric cursor.
fn encode_cursor(kind: &str, seq: i64) -> String {
    hex::encode(format!("{kind}:{seq}"))
}

/// Decodes a cursor made by [`encode_cursor`] for `kind`.
fn decode_cursor(kind: &str, cursor: &str) -> Result<i64, SandboxError> {
    let invalid = || SandboxError::bad_request("Invalid cursor.");
    let bytes = hex::decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (found_kind, seq) = text.split_once(':').ok_or_else(invalid)?;
    if found_kind != kind {
        return Err(invalid());
    }
    seq.parse().map_err(|_| invalid())
}

/// Clamps a requested page size to `1..=cap`, defaulting to `default`.
fn page_size(max: Option<i64>, default: i64, cap: i64) -> Result<i64, SandboxError> {
    match max {
        None => Ok(default),
        Some(n) if n < 1 => Err(SandboxError::bad_request("max must be a positive number.")),
        Some(n) => Ok(n.min(cap)),
    }
}

/// Slices `items` at the offset in `cursor`, returning the page and the next cursor.
pub(crate) fn paginate<T>(
    items: Vec<T>,
    kind: &str,
    max: i64,
    cursor: Option<&str>,
) -> Result<Page<T>, SandboxError> {
    let offset = match cursor {
        Some(c) => usize::try_from(decode_cursor(kind, c)?)
            .map_err(|_| SandboxError::bad_request("Invalid cursor."))?,
        None => 0,
    };
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    let total = items.len();
    let items: Vec<T> = items.into_iter().skip(offset).take(max).collect();
    let end = offset + items.len();
    let next_cursor =
        (end < total).then(|| encode_cursor(kind, i64::try_from(end).unwrap_or(i64::MAX)));
    Ok(Page { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::{decode_cursor, encode_cursor, page_size};

    #[test]
    fn cursors_are_alphanumeric_and_typed() {
        let cursor = encode_cursor("messages", 42);
        assert!(cursor.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(decode_cursor("messages", &cursor), Ok(42));
        assert!(decode_cursor("rooms", &cursor).is_err());
        assert!(decode_cursor("messages", "zz").is_err());
    }

    #[test]
    fn page_sizes_are_clamped_silently_but_must_be_positive() {
        assert_eq!(page_size(None, 50, 1000), Ok(50));
        assert_eq!(page_size(Some(5000), 50, 1000), Ok(1000));
        assert!(page_size(Some(0), 50, 1000).is_err());
    }
}
