//! The `steward` server: configuration, the HTTP router with its middleware, and the processes
//! (`serve`, `migrate`) that run them. This is the only crate that knows about sockets, signals
//! and processes; what Steward knows lives in `domain`, what it shows lives in `app`.

pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod http;
pub mod policy;
pub mod run;
pub mod runtime;
pub mod sessions;
pub mod telemetry;
