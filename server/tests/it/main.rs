//! HTTP tests against the real router, on SQLite and PostgreSQL.

mod console;
mod helpers;
mod operations;
mod security;
mod sessions;
