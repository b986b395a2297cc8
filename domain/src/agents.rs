//! The agent functions: what each one reads, asks the AI engine and answers in Webex.
//!
//! An agent turns its input into a [`Reply`]; the pipeline (see [`crate::bot`]) decides, by the
//! function's mode in the space, whether that reply is posted, held for review or only recorded.

pub mod help;
pub mod summarize;
pub mod triage;

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::webex::{cards::AdaptiveCard, markup::escape_markdown};

/// Webex refuses `markdown` longer than this many bytes.
pub const MAX_REPLY_BYTES: usize = crate::sandbox::MAX_MESSAGE_BYTES;

/// A governed agent function: each has a mode per space and a kill switch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentFunction {
    /// `@Steward summarize [N]`: decisions, action items and open questions of a thread.
    Summarize,
    /// Every message in an alert space: severity, entities, similar alerts, a card.
    AlertTriage,
}

impl AgentFunction {
    /// Every function, in display order.
    pub const ALL: [AgentFunction; 2] = [AgentFunction::AlertTriage, AgentFunction::Summarize];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Summarize => "summarize",
            Self::AlertTriage => "alert_triage",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Summarize => "Thread summaries",
            Self::AlertTriage => "IT alert triage",
        }
    }

    /// How people in a space use it.
    pub fn usage(self) -> &'static str {
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

    /// Version 1 of the function's prompt.
    pub fn builtin_prompt(self) -> crate::ai::PromptVersion {
        match self {
            Self::Summarize => summarize::builtin_prompt(),
            Self::AlertTriage => triage::builtin_prompt(),
        }
    }

    /// The `{{variables}}` the function's templates may use.
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            Self::Summarize => &summarize::VARIABLES,
            Self::AlertTriage => &triage::VARIABLES,
        }
    }
}

impl fmt::Display for AgentFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not an agent function.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not an agent function; use alert_triage or summarize")]
pub struct UnknownFunction(pub String);

impl FromStr for AgentFunction {
    type Err = UnknownFunction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| UnknownFunction(s.to_owned()))
    }
}

/// What an agent (or Steward's built-in help) wants to say in the space.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// The message, in Webex markdown, at most [`MAX_REPLY_BYTES`].
    pub markdown: String,
    /// An Adaptive Card to attach (the markdown is its fallback).
    pub card: Option<AdaptiveCard>,
}

impl Reply {
    /// A plain-text reply, escaped for markdown.
    pub fn text(text: &str) -> Self {
        Self {
            markdown: escape_markdown(text),
            card: None,
        }
    }

    /// A reply whose markdown is already built.
    pub fn markdown(markdown: String) -> Self {
        Self {
            markdown,
            card: None,
        }
    }
}

/// Joins markdown blocks until the next one would pass `max` bytes, then says how many were left
/// out. Blocks are kept whole, so no markup is cut in half.
pub(crate) fn fit_blocks(blocks: &[String], max: usize) -> String {
    let mut out = String::new();
    for (i, block) in blocks.iter().enumerate() {
        let separator = if out.is_empty() { "" } else { "\n" };
        let left = blocks.len() - i;
        let note = format!("\n_…and {left} more, left out to fit one Webex message._");
        if out.len() + separator.len() + block.len() + note.len() > max {
            out.push_str(&note);
            return out;
        }
        out.push_str(separator);
        out.push_str(block);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{AgentFunction, fit_blocks};

    #[test]
    fn function_names_round_trip() {
        for function in AgentFunction::ALL {
            assert_eq!(
                function.as_str().parse::<AgentFunction>().unwrap(),
                function
            );
        }
        assert!("faq".parse::<AgentFunction>().is_err());
    }

    #[test]
    fn blocks_that_do_not_fit_are_counted_not_cut() {
        let blocks: Vec<String> = (0..10).map(|i| format!("- item {i}")).collect();
        assert_eq!(fit_blocks(&blocks[..2], 1000), "- item 0\n- item 1");
        let fitted = fit_blocks(&blocks, 80);
        assert!(fitted.len() <= 80, "{}", fitted.len());
        assert!(fitted.starts_with("- item 0\n- item 1"));
        assert!(
            fitted.ends_with("more, left out to fit one Webex message._"),
            "{fitted}"
        );
    }
}
