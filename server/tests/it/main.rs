//! HTTP tests against the real router, on SQLite and PostgreSQL.

mod access;
mod actions;
mod audit_export;
mod bot;
mod bot_review;
mod bot_support;
mod commands;
mod console;
mod faults;
mod helpers;
mod operations;
mod process_support;
mod runtime_settings;
mod sandbox_api;
mod sandbox_page;
mod sandbox_support;
mod sandbox_webhooks;
mod security;
mod sessions;
mod settings_page;
mod sign_in;
mod webex_client;
mod webhook_ingest;
