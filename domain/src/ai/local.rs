//! The `local` engine: offline and deterministic. It summarizes by extraction (it finds the
//! messages that state decisions, action items and questions, by cue phrases the prompt version
//! sets) and triages alerts with the admin's severity rules, pattern-based entity extraction and
//! word-overlap similarity. It sends nothing anywhere.

mod summarize;
mod triage;

use async_trait::async_trait;

use vocab::AgentFunction;

use crate::{
    agents::triage::SeverityRules,
    ai::{
        AiError, AlertAssessment, ContextMessage, EarlierAlert, Engine, EngineInfo, PromptVersion,
        ThreadSummary,
    },
};

pub use self::triage::extract_entities;

/// Which parts of a prompt version this engine reads for `function`, for admins writing one:
/// the template is for language models; the local engine follows the settings.
pub fn reads(function: AgentFunction) -> &'static str {
    match function {
        AgentFunction::Summarize => {
            "The local engine does not read the template; it only quotes messages. It reads the \
             settings: the cue phrases that mark a decision, an action item and an open question \
             (decision, action, question), whether any message ending in ? counts as a question \
             (question_mark), and the most items kept per section (max_items). The template is \
             what an OpenAI-compatible model is sent."
        }
        AgentFunction::AlertTriage => {
            "Neither engine reads this function's template or settings yet: severity follows \
             the severity rules, and the hosts, services and similar alerts come from the \
             alert's own words. Versions still record who changed what, for the audit log."
        }
    }
}

/// Checks that `settings` are tunables this engine understands for `function`.
pub fn validate_settings(
    function: AgentFunction,
    settings: &serde_json::Value,
) -> Result<(), String> {
    if !settings.is_object() {
        return Err("The settings must be a JSON object.".into());
    }
    match function {
        AgentFunction::Summarize => summarize::Cues::check(settings),
        AgentFunction::AlertTriage => Ok(()),
    }
}

/// The local engine.
#[derive(Clone, Copy, Debug, Default)]
pub struct LocalEngine;

#[async_trait]
impl Engine for LocalEngine {
    fn info(&self) -> EngineInfo {
        EngineInfo {
            provider: "local".to_owned(),
            model: "extractive-1".to_owned(),
        }
    }

    async fn summarize(
        &self,
        prompt: &PromptVersion,
        messages: &[ContextMessage],
    ) -> Result<ThreadSummary, AiError> {
        let cues = summarize::Cues::from_prompt(prompt)?;
        Ok(summarize::summarize(&cues, messages))
    }

    async fn assess_alert(
        &self,
        _prompt: &PromptVersion,
        alert: &str,
        rules: &SeverityRules,
        earlier: &[EarlierAlert],
    ) -> Result<AlertAssessment, AiError> {
        Ok(triage::assess(alert, rules, earlier))
    }
}
