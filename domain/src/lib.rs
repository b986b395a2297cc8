//! Everything Steward knows, with no web framework: storage on SQLite or PostgreSQL, people and
//! their roles, settings, the tamper-evident audit log, the Webex client and sandbox, and the bot
//! runtime (inbox, job queue, agent functions, AI engine, policy and drafts).
//!
//! Nothing here reads environment variables, opens sockets of its own accord or knows about HTTP;
//! the `server` crate wires these pieces to the outside world and the `app` crate renders them.

pub mod actions;
pub mod agents;
pub mod ai;
pub mod audit;
pub mod bot;
pub mod console;
pub mod credentials;
pub mod db;
pub mod disclosure;
pub mod drafts;
pub mod errors;
pub mod graduation;
pub mod inbox;
pub mod installation;
pub mod integrations;
pub mod lifecycle;
pub mod outbound;
pub mod outbox;
pub mod policy;
pub mod prompts;
pub mod queue;
pub mod redact;
pub mod retention;
pub mod review;
pub mod secrets;
pub mod settings;
pub mod status;
pub mod time;
pub mod usage;
pub mod users;
pub mod vault;
pub mod webex;

#[cfg(feature = "testing")]
pub mod testing;

pub use db::{Backend, Db, DbError};
pub use errors::{Classify, error_chain};
pub use vocab;
