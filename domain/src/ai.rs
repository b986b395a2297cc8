//! The AI engine behind the agent functions.
//!
//! An [`Engine`] does the language work an agent needs and answers in structured form; the agent
//! turns the answer into a Webex message, so formatting, size limits and output filtering stay in
//! Steward whichever engine runs. The `local` engine is the default: offline and deterministic
//! (extractive summaries, rule-based alert triage, entity extraction). The `openai` engine calls
//! any OpenAI-compatible chat completions API (see [`openai`]); admins choose in Settings.
//!
//! Text reaches an engine only after PII redaction (see [`crate::redact`]).

pub mod local;
pub mod openai;

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use vocab::AgentFunction;

use crate::agents::triage::SeverityRules;

/// Which engine and model produced an answer, as recorded in the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EngineInfo {
    /// `local`, `openai`, ….
    pub provider: String,
    /// The model or algorithm.
    pub model: String,
}

impl fmt::Display for EngineInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.provider, self.model)
    }
}

/// The prompt an agent function runs with: its template and the engine tunables that go with it.
/// Versions are immutable (see [`crate::prompts`]); the audit log records which one produced
/// each output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromptVersion {
    /// The agent function.
    pub function: AgentFunction,
    /// The version's number, from 1.
    pub version: i64,
    /// The instructions an LLM engine sends; the local engine reads only the settings.
    pub template: String,
    /// Engine tunables, e.g. the cue phrases the local summarizer looks for.
    pub settings: serde_json::Value,
}

impl PromptVersion {
    /// `function@vN`, as recorded in the audit log and on drafts.
    pub fn label(&self) -> String {
        label(self.function, self.version)
    }
}

/// `function@vN`.
pub fn label(function: AgentFunction, version: i64) -> String {
    format!("{function}@v{version}")
}

/// The function and version a `function@vN` label names.
pub fn parse_label(label: &str) -> Option<(AgentFunction, i64)> {
    let (function, version) = label.split_once("@v")?;
    Some((function.parse().ok()?, version.parse().ok()?))
}

/// One message an agent reads, already redacted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextMessage {
    /// The author's display name.
    pub author: String,
    /// The text, with mentions rendered as names.
    pub text: String,
    /// Names of the people the message mentions, in order.
    pub mentioned: Vec<String>,
}

/// A thread's decisions, action items and open questions, each drawn from its messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadSummary {
    /// What was decided.
    pub decisions: Vec<Point>,
    /// Who does what, by when.
    pub action_items: Vec<ActionItem>,
    /// What is still open.
    pub open_questions: Vec<Point>,
}

/// A decision or question, with who said it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    /// The statement.
    pub text: String,
    /// Who said it.
    pub author: String,
}

/// An action item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionItem {
    /// What is to be done.
    pub task: String,
    /// Who does it (the people it names, or else its author).
    pub owners: Vec<String>,
    /// When it is due, as written, e.g. `Friday`.
    pub due: Option<String>,
}

pub use vocab::Severity;

/// What an alert is about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entities {
    /// Host names.
    pub hosts: Vec<String>,
    /// Services.
    pub services: Vec<String>,
    /// Error codes, e.g. `HTTP 503` or `ERR_TOKEN_EXPIRED`.
    pub error_codes: Vec<String>,
    /// IP addresses.
    pub ip_addresses: Vec<String>,
}

impl Entities {
    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.hosts.is_empty()
            && self.services.is_empty()
            && self.error_codes.is_empty()
            && self.ip_addresses.is_empty()
    }
}

/// An earlier alert to compare a new one with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EarlierAlert {
    /// Its message ID.
    pub message_id: String,
    /// Its text (redacted).
    pub text: String,
    /// When it was posted (ms).
    pub created_ms: i64,
}

/// An earlier alert that resembles the new one.
#[derive(Clone, Debug, PartialEq)]
pub struct SimilarAlert {
    /// The earlier alert.
    pub alert: EarlierAlert,
    /// How alike they are, from 0 to 1.
    pub score: f64,
}

/// An engine's assessment of an alert.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertAssessment {
    /// How bad it is.
    pub severity: Severity,
    /// Why: the rule that decided the severity, or that none matched.
    pub reason: String,
    /// Hosts, services, error codes and addresses it names.
    pub entities: Entities,
    /// Earlier alerts that resemble it, most alike first.
    pub similar: Vec<SimilarAlert>,
}

/// Why an engine could not answer.
#[derive(Debug, thiserror::Error)]
pub enum AiError {
    /// The prompt version's settings are not what the engine expects.
    #[error("prompt {prompt} has invalid settings: {problem}")]
    InvalidPrompt {
        /// The prompt version.
        prompt: String,
        /// What is wrong.
        problem: String,
    },
    /// A remote engine failed; worth retrying.
    #[error("the AI engine is unavailable: {0}")]
    Unavailable(String),
    /// A remote engine refused the request (a wrong key, an unknown model); retrying will not
    /// help until an admin fixes the settings.
    #[error("the AI engine refused the request: {0}")]
    Refused(String),
}

/// The language work agents need. Implementations must be safe to call from many workers.
#[async_trait]
pub trait Engine: Send + Sync + fmt::Debug {
    /// Which engine and model this is.
    fn info(&self) -> EngineInfo;

    /// Finds the decisions, action items and open questions in `messages` (oldest first).
    async fn summarize(
        &self,
        prompt: &PromptVersion,
        messages: &[ContextMessage],
    ) -> Result<ThreadSummary, AiError>;

    /// Rates an alert with `rules`, names what it is about and finds the `earlier` alerts that
    /// resemble it.
    async fn assess_alert(
        &self,
        prompt: &PromptVersion,
        alert: &str,
        rules: &SeverityRules,
        earlier: &[EarlierAlert],
    ) -> Result<AlertAssessment, AiError>;
}

impl crate::Classify for AiError {
    fn is_transient(&self) -> bool {
        match self {
            Self::Unavailable(_) => true,
            Self::InvalidPrompt { .. } | Self::Refused(_) => false,
        }
    }
}
