//! What admins configure that every agent job reads: the AI engine and the redaction rules.
//! Read from the database at most once a second per process, so a change in Settings reaches
//! every worker of every process within a second without a query per job.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use crate::{
    ai::{
        Engine,
        openai::{EngineSource, ProviderError},
    },
    bot::{Failure, Runtime},
    credentials::CredentialError,
    redact::{Redactor, rules},
    settings::SettingsError,
};

/// How long a read configuration is used before it is read again.
const FRESH_FOR: Duration = Duration::from_secs(1);

/// The configuration one job runs with.
#[derive(Debug)]
pub(super) struct JobConfig {
    /// The engine the agent calls.
    pub engine: Arc<dyn Engine>,
    /// What the engine was built from.
    source: EngineSource,
    /// The redaction rules in force.
    pub redactor: Redactor,
    /// The AI disclosure under agents' answers.
    pub disclosure: crate::disclosure::Disclosure,
}

/// The last configuration read, and when.
pub(super) type ConfigCache = std::sync::Mutex<Option<(Instant, Arc<JobConfig>)>>;

impl From<ProviderError> for Failure {
    fn from(error: ProviderError) -> Self {
        match error {
            ProviderError::Settings(SettingsError::Query(e))
            | ProviderError::Credentials(CredentialError::Query(e)) => e.into(),
            other => Self::Retry(other.to_string()),
        }
    }
}

impl From<SettingsError> for Failure {
    fn from(error: SettingsError) -> Self {
        match error {
            SettingsError::Query(e) => e.into(),
            other => Self::Retry(other.to_string()),
        }
    }
}

impl Runtime {
    /// The configuration for a job starting now.
    pub(super) async fn job_config(&self) -> Result<Arc<JobConfig>, Failure> {
        let previous = self.inner.config.lock().expect("config cache lock").clone();
        if let Some((read, config)) = &previous
            && read.elapsed() < FRESH_FOR
        {
            return Ok(Arc::clone(config));
        }
        let source = EngineSource::read(self.db()).await?;
        // An engine holds an HTTP client; build one only when the provider or its key changed.
        let engine = match previous {
            Some((_, config)) if config.source == source => Arc::clone(&config.engine),
            _ => source.build(
                Arc::clone(&self.inner.engine),
                &self.inner.settings.destinations,
            ),
        };
        let rules = rules::rules(self.db()).await?;
        // Rules are checked when saved; a stored rule that no longer compiles (a hand edit)
        // falls back to the built-in rules rather than letting text through unredacted.
        let redactor = Redactor::new(&rules).unwrap_or_else(|error| {
            tracing::error!(error = %crate::error_chain(&error), "stored redaction rules are invalid; using the built-in ones");
            Redactor::default()
        });
        let config = Arc::new(JobConfig {
            engine,
            source,
            redactor,
            disclosure: crate::disclosure::get(self.db()).await?,
        });
        *self.inner.config.lock().expect("config cache lock") =
            Some((Instant::now(), Arc::clone(&config)));
        Ok(config)
    }
}
