//! Extractive thread summaries: a message that states a decision, assigns work or asks an open
//! question becomes an item of the summary, in its own words.

use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use crate::ai::{ActionItem, AiError, ContextMessage, Point, PromptVersion, ThreadSummary};

/// The tunables the summarize prompt carries for this engine.
#[derive(Clone, Debug, Deserialize)]
pub(super) struct Cues {
    /// Phrases that mark a decision. One ending in `:` must start the message; others may
    /// appear anywhere.
    decision: Vec<String>,
    /// Phrases that mark an action item.
    action: Vec<String>,
    /// Phrases that mark an open question.
    question: Vec<String>,
    /// Whether any message ending in `?` counts as an open question.
    #[serde(default)]
    question_mark: bool,
    /// Most items kept per section (the most recent ones).
    max_items: usize,
}

impl Cues {
    /// Whether `settings` are cues, with a message naming what is wrong.
    pub(super) fn check(settings: &serde_json::Value) -> Result<(), String> {
        let cues: Self = serde_json::from_value(settings.clone()).map_err(|e| {
            format!("The local engine reads decision, action, question, question_mark and max_items here: {e}.")
        })?;
        if cues.max_items == 0 {
            return Err("max_items must be at least 1.".into());
        }
        Ok(())
    }

    pub(super) fn from_prompt(prompt: &PromptVersion) -> Result<Self, AiError> {
        serde_json::from_value(prompt.settings.clone()).map_err(|e| AiError::InvalidPrompt {
            prompt: prompt.label(),
            problem: e.to_string(),
        })
    }
}

/// `by Friday`, `before March 10`, `by end of month` at the end of a task.
static DUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s+(?:by|before|until|due)\s+([^.!?]{2,40}?)[.!]?$").expect("valid pattern")
});

pub(super) fn summarize(cues: &Cues, messages: &[ContextMessage]) -> ThreadSummary {
    let mut summary = ThreadSummary::default();
    // Questions with the position they were asked at, so a later decision can settle them.
    let mut questions: Vec<(usize, Point)> = Vec::new();
    let mut decided_at: Vec<usize> = Vec::new();
    for (position, message) in messages.iter().enumerate() {
        let text = message.text.trim();
        if text.is_empty() {
            continue;
        }
        if let Some(rest) = matched(&cues.decision, text) {
            let point = Point {
                text: sentence(rest),
                author: message.author.clone(),
            };
            if !summary.decisions.iter().any(|d| d.text == point.text) {
                summary.decisions.push(point);
                decided_at.push(position);
            }
        } else if let Some(rest) = matched(&cues.action, text) {
            let item = action_item(rest, message);
            if !summary.action_items.contains(&item) {
                summary.action_items.push(item);
            }
        } else if let Some(rest) = matched(&cues.question, text)
            .or_else(|| (cues.question_mark && text.ends_with('?')).then_some(text))
        {
            let point = Point {
                text: sentence(rest),
                author: message.author.clone(),
            };
            if !questions.iter().any(|(_, q)| q.text == point.text) {
                questions.push((position, point));
            }
        } else if !message.mentioned.is_empty() && assigns_work(text, &message.mentioned) {
            // "Priya Shah will run the load test by Friday" is an action item without a cue.
            let item = action_item(text, message);
            if !summary.action_items.contains(&item) {
                summary.action_items.push(item);
            }
        }
    }
    // A question that a later decision answers is no longer open.
    summary.open_questions = questions
        .into_iter()
        .filter(|(asked, question)| {
            !summary
                .decisions
                .iter()
                .zip(&decided_at)
                .any(|(decision, at)| at > asked && answers(&decision.text, &question.text))
        })
        .map(|(_, question)| question)
        .collect();
    keep_last(&mut summary.decisions, cues.max_items);
    keep_last(&mut summary.action_items, cues.max_items);
    keep_last(&mut summary.open_questions, cues.max_items);
    summary
}

/// The text after the cue when one of `cues` marks the message.
fn matched<'t>(cues: &[String], text: &'t str) -> Option<&'t str> {
    let lower = text.to_lowercase();
    for cue in cues {
        let cue_lower = cue.to_lowercase();
        if cue_lower.ends_with(':') {
            if lower.starts_with(&cue_lower) && text.is_char_boundary(cue_lower.len()) {
                return Some(text[cue_lower.len()..].trim());
            }
        } else if lower.contains(&cue_lower) {
            return Some(text);
        }
    }
    None
}

/// Words too common to tell what a question is about.
const STOP_WORDS: [&str; 34] = [
    "what", "which", "when", "where", "whom", "whose", "does", "should", "would", "could", "will",
    "shall", "that", "this", "these", "those", "have", "been", "from", "into", "about", "after",
    "before", "need", "needs", "there", "their", "they", "them", "only", "every", "with", "than",
    "then",
];

fn content_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '_')
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 4 && !STOP_WORDS.contains(&w.as_str()))
        .collect();
    words.sort();
    words.dedup();
    words
}

/// Whether a decision settles a question: they share at least two of the question's content
/// words, and at least two fifths of them.
fn answers(decision: &str, question: &str) -> bool {
    let asked = content_words(question);
    let decided = content_words(decision);
    let shared = asked.iter().filter(|w| decided.contains(w)).count();
    shared >= 2 && shared * 5 >= asked.len() * 2
}

fn assigns_work(text: &str, mentioned: &[String]) -> bool {
    mentioned
        .iter()
        .any(|name| text.contains(&format!("{name} will ")))
}

fn action_item(text: &str, message: &ContextMessage) -> ActionItem {
    let text = text.trim();
    let (body, due) = match DUE.captures(text) {
        Some(caps) => {
            let whole = caps.get(0).expect("match");
            (&text[..whole.start()], Some(caps[1].trim().to_owned()))
        }
        None => (text.trim_end_matches(['.', '!']), None),
    };
    let mut owners: Vec<String> = message
        .mentioned
        .iter()
        .filter(|name| body.contains(name.as_str()))
        .cloned()
        .collect();
    owners.dedup();
    let mut task = body.to_owned();
    if let Some(owner) = owners.first()
        && let Some(rest) = body.strip_prefix(&format!("{owner} will "))
    {
        task = rest.to_owned();
    } else if let Some(rest) = ["I will ", "I'll ", "I’ll "]
        .iter()
        .find_map(|p| body.strip_prefix(p))
    {
        task = rest.to_owned();
        owners = vec![message.author.clone()];
    }
    if owners.is_empty() {
        owners.push(message.author.clone());
    }
    ActionItem {
        task: sentence(&task).trim_end_matches('.').to_owned(),
        owners,
        due,
    }
}

/// Capitalised, with a full stop kept or added as the text had it.
fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn keep_last<T>(items: &mut Vec<T>, max: usize) {
    if items.len() > max {
        items.drain(..items.len() - max);
    }
}

#[cfg(test)]
mod tests {
    use super::{Cues, summarize};
    use crate::ai::{ActionItem, ContextMessage};

    fn cues() -> Cues {
        serde_json::from_value(crate::agents::summarize::default_settings()).unwrap()
    }

    fn message(author: &str, text: &str, mentioned: &[&str]) -> ContextMessage {
        ContextMessage {
            author: author.to_owned(),
            text: text.to_owned(),
            mentioned: mentioned.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn decisions_actions_and_questions_are_drawn_from_the_messages() {
        let summary = summarize(
            &cues(),
            &[
                message(
                    "Jordan Lee",
                    "Decision: the beta launches on March 14.",
                    &[],
                ),
                message("Sam Okafor", "Status: the export job is in review.", &[]),
                message(
                    "Alex Rivera",
                    "Action item: Priya Shah will set up the flag by Friday.",
                    &["Priya Shah"],
                ),
                message("Casey Novak", "Open question: who owns the FAQ?", &[]),
                message("Morgan Patel", "I'll send the notes to legal.", &[]),
                message(
                    "Sam Okafor",
                    "Jordan Lee will brief support by March 10.",
                    &["Jordan Lee"],
                ),
                message("Priya Shah", "Does anyone have the staging password?", &[]),
            ],
        );
        let decisions: Vec<_> = summary.decisions.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(decisions, ["The beta launches on March 14."]);
        assert_eq!(summary.decisions[0].author, "Jordan Lee");
        assert_eq!(
            summary.action_items,
            [
                ActionItem {
                    task: "Set up the flag".to_owned(),
                    owners: vec!["Priya Shah".to_owned()],
                    due: Some("Friday".to_owned()),
                },
                ActionItem {
                    task: "Brief support".to_owned(),
                    owners: vec!["Jordan Lee".to_owned()],
                    due: Some("March 10".to_owned()),
                },
            ]
        );
        let questions: Vec<_> = summary
            .open_questions
            .iter()
            .map(|q| q.text.as_str())
            .collect();
        assert_eq!(
            questions,
            [
                "Who owns the FAQ?",
                "Does anyone have the staging password?"
            ]
        );
    }

    #[test]
    fn a_question_a_later_decision_answers_is_no_longer_open() {
        let summary = summarize(
            &cues(),
            &[
                message(
                    "Sam Okafor",
                    "Open question: what error budget do we accept during the beta?",
                    &[],
                ),
                message(
                    "Priya Shah",
                    "Open question: what happens to beta feature flags after GA?",
                    &[],
                ),
                message(
                    "Jordan Lee",
                    "Decision: the beta error budget is 99.5% availability per week.",
                    &[],
                ),
                message(
                    "Casey Novak",
                    "Decision: the feature flags stay until GA.",
                    &[],
                ),
                message(
                    "Casey Novak",
                    "Open question: who owns the error budget report?",
                    &[],
                ),
            ],
        );
        let questions: Vec<_> = summary
            .open_questions
            .iter()
            .map(|q| q.text.as_str())
            .collect();
        assert_eq!(
            questions,
            ["Who owns the error budget report?"],
            "a decision settles the questions asked before it, not those asked after"
        );
    }

    #[test]
    fn each_section_keeps_its_most_recent_items() {
        let mut cues = cues();
        cues.max_items = 2;
        let messages: Vec<_> = (1..=5)
            .map(|i| message("Jordan Lee", &format!("Decision: item {i}."), &[]))
            .collect();
        let summary = summarize(&cues, &messages);
        let decisions: Vec<_> = summary.decisions.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(decisions, ["Item 4.", "Item 5."]);
    }
}
