//! The agent functions: what each one reads, asks the AI engine and answers in Webex.
//!
//! An agent turns its input into a [`Reply`]; the pipeline (see [`crate::bot`]) decides, by the
//! function's mode in the space, whether that reply is posted, held for review or only recorded.

pub mod help;
pub mod summarize;
pub mod triage;

use crate::webex::{cards::AdaptiveCard, markup::escape_markdown};

/// Webex refuses `markdown` longer than this many bytes.
pub const MAX_REPLY_BYTES: usize = crate::webex::MAX_MESSAGE_BYTES;

pub use vocab::AgentFunction;

/// The function name the audit log and usage counters record for Steward's own answers (help,
/// unknown commands, bad arguments), which are not governed agent functions.
pub const BUILTIN: &str = "help";

/// Version 1 of `function`'s prompt.
pub fn builtin_prompt(function: AgentFunction) -> crate::ai::PromptVersion {
    match function {
        AgentFunction::Summarize => summarize::builtin_prompt(),
        AgentFunction::AlertTriage => triage::builtin_prompt(),
    }
}

/// The `{{variables}}` `function`'s templates may use.
pub fn variables(function: AgentFunction) -> &'static [&'static str] {
    match function {
        AgentFunction::Summarize => &summarize::VARIABLES,
        AgentFunction::AlertTriage => &triage::VARIABLES,
    }
}

/// What a button on one of Steward's cards asks for. A button submits its variant as data;
/// Webex merges that with the card's inputs (a rejection's reason) into the click's `inputs`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "action")]
pub enum CardAction {
    /// Acknowledge on an alert card: someone is on it.
    #[serde(rename = "alert.acknowledge")]
    AcknowledgeAlert {
        /// The alert's message ID.
        alert: String,
    },
    /// Escalate on an alert card: propose the configured integration's action.
    #[serde(rename = "alert.escalate")]
    EscalateAlert {
        /// The alert's message ID.
        alert: String,
    },
    /// Approve on a review card.
    #[serde(rename = "draft.approve")]
    ApproveDraft {
        /// The draft.
        draft: i64,
    },
    /// Reject on a review card, with the reason typed into the card.
    #[serde(rename = "draft.reject")]
    RejectDraft {
        /// The draft.
        draft: i64,
        /// The card's Reason field.
        #[serde(default, skip_serializing)]
        reason: String,
    },
}

impl CardAction {
    /// The button's name, e.g. `alert.acknowledge`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::AcknowledgeAlert { .. } => "alert.acknowledge",
            Self::EscalateAlert { .. } => "alert.escalate",
            Self::ApproveDraft { .. } => "draft.approve",
            Self::RejectDraft { .. } => "draft.reject",
        }
    }

    /// The data the button submits.
    pub fn data(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("card actions serialise")
    }

    /// The action a click's inputs name, if it is one of Steward's.
    pub fn read(inputs: &serde_json::Map<String, serde_json::Value>) -> Option<Self> {
        serde_json::from_value(serde_json::Value::Object(inputs.clone())).ok()
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
    use super::{AgentFunction, CardAction, builtin_prompt, fit_blocks, variables};

    #[test]
    fn every_function_has_a_first_prompt_that_uses_only_its_variables() {
        for function in AgentFunction::ALL {
            let prompt = builtin_prompt(function);
            assert_eq!(prompt.function, function);
            for used in crate::prompts::variables_of(&prompt.template) {
                assert!(
                    variables(function).contains(&used.as_str()),
                    "{function}: {used}"
                );
            }
        }
    }

    #[test]
    fn card_buttons_submit_what_clicks_are_read_as() {
        let approve = CardAction::ApproveDraft { draft: 7 };
        assert_eq!(
            approve.data(),
            serde_json::json!({"action": "draft.approve", "draft": 7})
        );
        let reject = CardAction::RejectDraft {
            draft: 7,
            reason: String::new(),
        };
        assert_eq!(
            reject.data(),
            serde_json::json!({"action": "draft.reject", "draft": 7})
        );
        let mut clicked = reject.data().as_object().unwrap().clone();
        clicked.insert("reason".into(), "wrong space".into());
        assert_eq!(
            CardAction::read(&clicked),
            Some(CardAction::RejectDraft {
                draft: 7,
                reason: "wrong space".into()
            })
        );
        let ack = CardAction::AcknowledgeAlert { alert: "m1".into() };
        assert_eq!(CardAction::read(ack.data().as_object().unwrap()), Some(ack));
        let unknown = serde_json::json!({"action": "poll.vote"});
        assert_eq!(CardAction::read(unknown.as_object().unwrap()), None);
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
