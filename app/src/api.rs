//! Server functions and the data they return. Each function authorises, calls one `domain`
//! function, and maps the result to a DTO defined here; no SQL and no business rules.

pub mod actions;
pub mod agents;
pub mod audit;
pub mod people;
pub mod prompts;
pub mod review;
pub mod sandbox;
pub mod session;
pub mod settings;
pub mod status;
