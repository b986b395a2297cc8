//! One module per page.

pub mod actions;
pub mod agents;
pub mod audit;
pub mod login;
pub mod no_role;
pub mod not_found;
pub mod overview;
pub mod people;
pub mod prompts;
pub mod review;
pub mod sandbox;
pub mod settings;
