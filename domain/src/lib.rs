//! Everything Steward knows, with no web framework: storage on SQLite or PostgreSQL, people and
//! their roles, settings, and the tamper-evident audit log.
//!
//! Nothing here reads environment variables, opens sockets of its own accord or knows about HTTP;
//! the `server` crate wires these pieces to the outside world and the `app` crate renders them.

pub mod audit;
pub mod db;
mod error_chain;
pub mod sandbox;
pub mod secrets;
pub mod settings;
pub mod status;
pub mod time;
pub mod users;
pub mod webex;

#[cfg(feature = "testing")]
pub mod testing;

pub use db::{Backend, Db, DbError};
pub use error_chain::error_chain;
