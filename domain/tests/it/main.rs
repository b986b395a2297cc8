//! Database tests for `domain`, each run on SQLite and on PostgreSQL.

mod audit;
mod audit_rewrite;
mod console;
mod drafts;
mod graduation;
mod inbox;
mod migrations;
mod policy;
mod prompts;
mod queue;
mod sessions;
mod settings;
mod status;
mod users;
mod vault;
