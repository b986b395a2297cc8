//! Webex Messaging: the wire types, IDs, webhook signatures, message builders and the HTTP
//! client. The same client talks to `https://webexapis.com/v1` and to Steward's built-in sandbox;
//! only the base URL and the token differ.

pub mod cards;
pub mod client;
pub mod ids;
pub mod markup;
pub mod signature;
pub mod timestamp;
pub mod types;

/// Webex's maximum size of a message's `text` and `markdown`, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 7439;
/// How many times Webex lets a message be edited.
pub const MAX_EDITS: i64 = 10;
