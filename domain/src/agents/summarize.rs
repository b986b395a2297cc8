//! Thread summaries: `@Steward summarize [N]` answers with the decisions, action items (with
//! owners) and open questions of the last N messages of the thread it is asked in, or of the
//! space when asked outside a thread.

use serde_json::json;

use crate::{
    agents::{AgentFunction, MAX_REPLY_BYTES, Reply, fit_blocks},
    ai::{PromptVersion, ThreadSummary},
    webex::markup::escape_markdown,
};

/// The variables a summarize template may use.
pub const VARIABLES: [&str; 3] = ["messages", "count", "scope"];

/// Messages summarized when the command names no number.
pub const DEFAULT_MESSAGES: usize = 100;
/// The most messages one summary reads.
pub const MAX_MESSAGES: usize = 1000;

/// The engine tunables of the built-in prompt.
pub fn default_settings() -> serde_json::Value {
    json!({
        "decision": ["decision:", "decided:", "agreed:", "we decided", "we agreed", "we'll go with", "we will go with"],
        "action": ["action item:", "action:", "todo:", "to do:", "next step:"],
        "question": ["open question:", "question:"],
        "question_mark": true,
        "max_items": 20
    })
}

/// Version 1 of the summarize prompt, which every installation starts with.
pub fn builtin_prompt() -> PromptVersion {
    PromptVersion {
        function: AgentFunction::Summarize,
        version: 1,
        template: "Summarize the last {{count}} messages of this {{scope}} for the people in \
                   it. List the decisions made, the action items with their owners and due \
                   dates, and the questions still open. Use only what the messages say; \
                   attribute each point to who said it.\n\n{{messages}}"
            .to_owned(),
        settings: default_settings(),
    }
}

/// What was summarized, for the reply's heading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    /// The thread (true) or the whole space (false).
    pub thread: bool,
    /// How many messages were read.
    pub messages: usize,
}

/// The reply for a summary.
pub fn render(summary: &ThreadSummary, scope: Scope) -> Reply {
    let place = if scope.thread {
        "this thread"
    } else {
        "this space"
    };
    let noun = if scope.messages == 1 {
        "message"
    } else {
        "messages"
    };
    let mut blocks = vec![format!(
        "**Summary of the last {} {noun} of {place}**",
        scope.messages
    )];
    if summary.decisions.is_empty()
        && summary.action_items.is_empty()
        && summary.open_questions.is_empty()
    {
        blocks.push("I found no decisions, action items or open questions in them.".to_owned());
        return Reply::markdown(fit_blocks(&blocks, MAX_REPLY_BYTES));
    }
    if !summary.decisions.is_empty() {
        blocks.push("\n**Decisions**".to_owned());
        blocks.extend(summary.decisions.iter().map(|d| {
            format!(
                "- {} _({})_",
                escape_markdown(&d.text),
                escape_markdown(&d.author)
            )
        }));
    }
    if !summary.action_items.is_empty() {
        blocks.push("\n**Action items**".to_owned());
        blocks.extend(summary.action_items.iter().map(|a| {
            let owners: Vec<String> = a.owners.iter().map(|o| escape_markdown(o)).collect();
            let due = a
                .due
                .as_deref()
                .map(|d| format!(", by {}", escape_markdown(d)))
                .unwrap_or_default();
            format!(
                "- **{}**: {}{due}",
                owners.join(", "),
                escape_markdown(&lowercase_first(&a.task))
            )
        }));
    }
    if !summary.open_questions.is_empty() {
        blocks.push("\n**Open questions**".to_owned());
        blocks.extend(summary.open_questions.iter().map(|q| {
            format!(
                "- {} _({})_",
                escape_markdown(&q.text),
                escape_markdown(&q.author)
            )
        }));
    }
    Reply::markdown(fit_blocks(&blocks, MAX_REPLY_BYTES))
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        // Keep acronyms and names as written: only a capital followed by a lower-case letter is
        // the start of a sentence.
        Some(first)
            if first.is_uppercase() && text.chars().nth(1).is_some_and(char::is_lowercase) =>
        {
            first.to_lowercase().chain(chars).collect()
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Scope, render};
    use crate::ai::{ActionItem, Point, ThreadSummary};

    #[test]
    fn a_summary_lists_each_section_with_attribution() {
        let summary = ThreadSummary {
            decisions: vec![Point {
                text: "The beta launches behind the falcon_beta flag.".into(),
                author: "Jordan Lee".into(),
            }],
            action_items: vec![ActionItem {
                task: "Set up the flag".into(),
                owners: vec!["Priya Shah".into()],
                due: Some("Friday".into()),
            }],
            open_questions: vec![],
        };
        let reply = render(
            &summary,
            Scope {
                thread: true,
                messages: 100,
            },
        );
        assert_eq!(
            reply.markdown,
            "**Summary of the last 100 messages of this thread**\n\n**Decisions**\n\
             - The beta launches behind the falcon\\_beta flag. _(Jordan Lee)_\n\n**Action items**\n\
             - **Priya Shah**: set up the flag, by Friday"
        );
    }

    #[test]
    fn an_empty_summary_says_so() {
        let reply = render(
            &ThreadSummary::default(),
            Scope {
                thread: false,
                messages: 1,
            },
        );
        assert_eq!(
            reply.markdown,
            "**Summary of the last 1 message of this space**\nI found no decisions, action items or open questions in them."
        );
    }

    #[test]
    fn a_long_summary_fits_one_webex_message() {
        let point = Point {
            text: "x".repeat(300),
            author: "Jordan Lee".into(),
        };
        let summary = ThreadSummary {
            decisions: vec![point; 60],
            ..ThreadSummary::default()
        };
        let reply = render(
            &summary,
            Scope {
                thread: true,
                messages: 1000,
            },
        );
        assert!(reply.markdown.len() <= super::MAX_REPLY_BYTES);
        assert!(
            reply
                .markdown
                .contains("more, left out to fit one Webex message")
        );
    }
}
