//! Database tests for `domain`, each run on SQLite and on PostgreSQL.

mod audit;
mod migrations;
mod sessions;
mod settings;
mod status;
mod users;
