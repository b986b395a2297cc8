//! Pieces shared by several pages.

pub mod chain;
pub mod error_panel;
pub mod format;
pub mod forms;
pub mod layout;
