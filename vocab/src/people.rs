//! The roles Steward gives the people who use its console.

use crate::terms;

terms! {
    /// What a person may do in the console. Roles are Steward's own; Webex knows nothing of them.
    pub enum Role("a role") {
        /// Configures everything.
        Admin = "admin", "Admin";
        /// Approves, edits or rejects drafts and external actions.
        Reviewer = "reviewer", "Reviewer";
        /// Reads analytics and the audit log.
        Manager = "manager", "Manager";
    }
}

impl Role {
    /// What the role may do, for people choosing one.
    pub const fn description(self) -> &'static str {
        match self {
            Self::Admin => "configures everything",
            Self::Reviewer => "approves, edits or rejects what agents draft",
            Self::Manager => "reads the audit log and the analytics",
        }
    }

    /// The people holding the role, e.g. `Admins`.
    pub const fn plural(self) -> &'static str {
        match self {
            Self::Admin => "Admins",
            Self::Reviewer => "Reviewers",
            Self::Manager => "Managers",
        }
    }
}
