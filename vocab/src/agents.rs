//! The agent functions and how they are governed: the mode of a function in a space, the
//! decision the pipeline takes on each event, and the severity alert triage gives an alert.

use crate::terms;

terms! {
    /// A governed agent function: each has a mode per space, a kill switch, versioned prompts,
    /// review of its first answers and graduation.
    pub enum AgentFunction("an agent function") {
        /// Every message in an alert space: severity, entities, similar alerts, a card.
        AlertTriage = "alert_triage", "IT alert triage";
        /// `@Steward summarize [N]`: decisions, action items and open questions of a thread.
        Summarize = "summarize", "Thread summaries";
    }
}

impl AgentFunction {
    /// How people in a space use it, in Webex markdown.
    pub const fn usage(self) -> &'static str {
        match self {
            Self::Summarize => {
                "`@Steward summarize [N]` sums up the last N messages (100 if you leave N out) of \
                 the thread you ask in, or of the space"
            }
            Self::AlertTriage => {
                "every alert posted here gets a severity, the hosts, services and error codes it \
                 names, similar earlier alerts, and Acknowledge and Escalate buttons"
            }
        }
    }

    /// Whether a person asks for its answers, and so waits for them: they hear when an answer is
    /// held for review or declined. Functions that react to what tools post (alerts) do not
    /// tell the space about their review.
    pub const fn answers_people(self) -> bool {
        match self {
            Self::Summarize => true,
            Self::AlertTriage => false,
        }
    }
}

terms! {
    /// What an agent function does in a space.
    #[derive(Default)]
    pub enum Mode("a mode") {
        /// Does not run.
        #[default]
        Off = "off", "Off";
        /// Runs and records what it would say, never posts.
        Shadow = "shadow", "Shadow";
        /// Runs; a reviewer approves each reply before it is posted.
        Review = "review", "Review";
        /// Runs and posts.
        Live = "live", "Live";
    }
}

impl Mode {
    /// What the mode means, for people choosing one.
    pub const fn description(self) -> &'static str {
        match self {
            Self::Off => "does nothing",
            Self::Shadow => "runs and records, posts nothing",
            Self::Review => "a reviewer approves each answer",
            Self::Live => "answers directly",
        }
    }
}

terms! {
    /// What the pipeline decided for one event, as recorded in the audit log and usage counters.
    pub enum Decision("a decision") {
        /// Live: the reply is posted.
        Reply = "reply", "Posted";
        /// Review: the reply waits for a reviewer.
        Draft = "draft", "Held for review";
        /// Shadow: the reply is recorded, never posted.
        Shadow = "shadow", "Shadow";
        /// The function does not act here; at most a notice saying so is posted.
        Off = "off", "Off";
        /// Steward's own answer (help, unknown commands, bad arguments).
        Builtin = "builtin", "Steward's own answer";
    }
}

terms! {
    /// How bad an alert is.
    pub enum Severity("a severity") {
        /// Needs someone now.
        Critical = "critical", "Critical";
        /// Needs a look soon.
        Warning = "warning", "Warning";
        /// For the record.
        Info = "info", "Info";
    }
}

#[cfg(test)]
mod tests {
    use super::{AgentFunction, Decision, Mode, Severity};
    use crate::Term;

    fn round_trips<T: Term + serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug>() {
        for &term in T::all() {
            assert_eq!(term.name().parse::<T>().unwrap(), term);
            let json = serde_json::to_string(&term).unwrap();
            assert_eq!(json, format!("\"{}\"", term.name()));
            assert_eq!(serde_json::from_str::<T>(&json).unwrap(), term);
        }
    }

    #[test]
    fn stored_names_round_trip_through_text_and_json() {
        round_trips::<AgentFunction>();
        round_trips::<Mode>();
        round_trips::<Decision>();
        round_trips::<Severity>();
    }

    #[test]
    fn unknown_names_say_what_would_do() {
        let error = "faq".parse::<AgentFunction>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "`faq` is not an agent function; use alert_triage or summarize"
        );
        let error = serde_json::from_str::<Mode>("\"on\"").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("`on` is not a mode; use off, shadow, review or live"),
            "{error}"
        );
    }

    #[test]
    fn the_default_mode_is_off() {
        assert_eq!(Mode::default(), Mode::Off);
    }
}
