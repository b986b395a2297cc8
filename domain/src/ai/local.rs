//! The `local` engine: offline and deterministic. It summarizes by extraction (it finds the
//! messages that state decisions, action items and questions, by cue phrases the prompt version
//! sets) and triages alerts with the admin's severity rules, pattern-based entity extraction and
//! word-overlap similarity. It sends nothing anywhere.

mod summarize;
mod triage;

use async_trait::async_trait;

use crate::{
    agents::{AgentFunction, triage::SeverityRules},
    ai::{
        AiError, AlertAssessment, ContextMessage, EarlierAlert, Engine, EngineInfo, PromptVersion,
        ThreadSummary,
    },
};

pub use self::triage::extract_entities;

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
