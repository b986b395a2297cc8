//! Database tests for `domain`, each run on SQLite and on PostgreSQL.

mod audit;
mod inbox;
mod migrations;
mod policy;
mod queue;
mod sessions;
mod settings;
mod status;
mod users;
