//! Steward's own answers: `@Steward help`, unknown commands, functions that are not enabled, and
//! the one-time note in a space where nothing is enabled yet. These are not governed agent
//! functions: a bot that stays silent when spoken to looks broken, so they are always live.

use crate::{
    agents::{AgentFunction, Reply},
    policy::Mode,
    webex::markup::escape_markdown,
};

/// What Steward says where no agent function is enabled.
pub const NOTHING_ENABLED: &str = "No Steward agent function is enabled in this space yet. An \
     admin can enable one in the Steward console; until then I only answer `help`.";

/// The answer to `help`: what is enabled here and how to use it.
pub fn help(active: &[(AgentFunction, Mode)]) -> Reply {
    if active.is_empty() {
        return Reply::markdown(NOTHING_ENABLED.to_owned());
    }
    let mut lines = vec!["**What I do in this space**".to_owned()];
    for (function, mode) in active {
        let note = match mode {
            Mode::Review => " _(a reviewer approves each answer before it appears)_",
            Mode::Shadow => " _(on trial: it records what it would say and posts nothing)_",
            Mode::Live | Mode::Off => "",
        };
        lines.push(format!(
            "- **{}**: {}{note}",
            function.label(),
            function.usage()
        ));
    }
    lines.push("Ask `@Steward help` any time to see this again.".to_owned());
    Reply::markdown(lines.join("\n"))
}

/// The answer to a command Steward does not know.
pub fn unknown_command(command: &str, active: &[(AgentFunction, Mode)]) -> Reply {
    let shown: String = command.chars().take(60).collect();
    let mut reply = help(active);
    reply.markdown = format!(
        "I don't know how to answer \"{}\" yet.\n\n{}",
        escape_markdown(shown.trim()),
        reply.markdown
    );
    reply
}

/// The answer to `summarize` with something that is not a count.
pub fn bad_count(bot_name: &str) -> Reply {
    Reply::markdown(format!(
        "Give the number of messages as a whole number from 1 to {}, e.g. `@{bot_name} summarize 50`.",
        crate::agents::summarize::MAX_MESSAGES
    ))
}

/// The answer when a summary needs history Steward cannot read.
pub fn no_history() -> Reply {
    Reply::markdown(
        "I can't read the history of this space: Webex shows a bot only the messages that \
         mention it, and nobody has given Steward history access yet. An admin can set it up."
            .to_owned(),
    )
}

/// The answer when someone asks for a function that does not act in this space.
pub fn not_enabled(function: AgentFunction, switched_off: bool) -> Reply {
    let text = if switched_off {
        format!(
            "{} are switched off for now. An admin can switch them back on in the Steward \
             console.",
            function.label()
        )
    } else {
        format!(
            "{} aren't enabled in this space. An admin can enable them in the Steward console.",
            function.label()
        )
    };
    Reply::text(&text)
}

#[cfg(test)]
mod tests {
    use super::{NOTHING_ENABLED, help, not_enabled, unknown_command};
    use crate::{agents::AgentFunction, policy::Mode};

    #[test]
    fn help_lists_what_is_enabled_with_its_mode() {
        let reply = help(&[
            (AgentFunction::AlertTriage, Mode::Live),
            (AgentFunction::Summarize, Mode::Review),
        ]);
        assert!(
            reply
                .markdown
                .contains("- **IT alert triage**: every alert")
        );
        assert!(
            reply
                .markdown
                .contains("- **Thread summaries**: `@Steward summarize [N]`")
        );
        assert!(reply.markdown.contains("a reviewer approves each answer"));
        assert_eq!(help(&[]).markdown, NOTHING_ENABLED);
    }

    #[test]
    fn unknown_commands_are_quoted_and_followed_by_help() {
        let reply = unknown_command("translate *this*", &[]);
        assert!(
            reply
                .markdown
                .starts_with("I don't know how to answer \"translate \\*this\\*\" yet.")
        );
        assert!(reply.markdown.ends_with(NOTHING_ENABLED));
    }

    #[test]
    fn a_function_that_is_off_says_who_can_turn_it_on() {
        assert!(
            not_enabled(AgentFunction::Summarize, false)
                .markdown
                .contains("Thread summaries aren't enabled in this space")
        );
        assert!(
            not_enabled(AgentFunction::Summarize, true)
                .markdown
                .contains("switched off for now")
        );
    }
}
