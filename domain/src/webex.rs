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
