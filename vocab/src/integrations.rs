//! The external systems agents can propose to call.

use crate::terms;

terms! {
    /// An external system.
    pub enum IntegrationKind("an integration") {
        /// ServiceNow incidents.
        ServiceNow = "servicenow", "ServiceNow";
        /// PagerDuty events.
        PagerDuty = "pagerduty", "PagerDuty";
        /// Jira issues.
        Jira = "jira", "Jira";
        /// Any HTTPS endpoint that takes a signed JSON POST.
        Webhook = "webhook", "Generic webhook";
    }
}

impl IntegrationKind {
    /// What an action of this kind does, e.g. `create a ServiceNow incident`.
    pub const fn verb(self) -> &'static str {
        match self {
            Self::ServiceNow => "create a ServiceNow incident",
            Self::PagerDuty => "trigger a PagerDuty event",
            Self::Jira => "create a Jira issue",
            Self::Webhook => "call the escalation webhook",
        }
    }

    /// What a successful action made, before its reference, e.g. `Created ServiceNow incident`.
    pub const fn done(self) -> &'static str {
        match self {
            Self::ServiceNow => "Created ServiceNow incident",
            Self::PagerDuty => "Triggered PagerDuty event",
            Self::Jira => "Created Jira issue",
            Self::Webhook => "Called the escalation webhook:",
        }
    }

    /// What the integration's credential is called.
    pub const fn credential_label(self) -> &'static str {
        match self {
            Self::ServiceNow => "Password",
            Self::PagerDuty => "Routing key",
            Self::Jira => "API token",
            Self::Webhook => "Signing secret",
        }
    }
}
