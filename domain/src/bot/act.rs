//! Carrying out an approved action: one call through its integration, outside any transaction;
//! then its outcome, audit entry and message in the thread commit with the job.

use std::time::Duration;

use crate::{
    actions::{self, Action, ActionState},
    bot::{Failure, Runtime},
    integrations::{self, IntegrationError},
    queue::{self, ClaimedJob},
};

impl From<IntegrationError> for Failure {
    fn from(error: IntegrationError) -> Self {
        match error {
            IntegrationError::RateLimited { retry_after, .. } => {
                Self::Postpone(retry_after.max(Duration::from_secs(1)), error.to_string())
            }
            other => Self::classify(&other),
        }
    }
}

impl Runtime {
    /// Sends approved action `id`; `approver` is who approved it, as people know them.
    pub(super) async fn act(
        &self,
        job: &ClaimedJob,
        id: i64,
        approver: &str,
    ) -> Result<(), Failure> {
        let action: Action = actions::find(self.db(), id).await?;
        if action.state != ActionState::Approved {
            let mut tx = self.db().begin().await?;
            queue::complete_in(&mut tx, job, "not approved").await?;
            tx.commit().await?;
            return Ok(());
        }
        let integration = integrations::load(self.db(), action.kind)
            .await?
            .ok_or(IntegrationError::NotConfigured(action.kind))?;
        // What was approved is a request to one address; an integration that now points
        // elsewhere gets nothing.
        let now_at = integrations::origin(&integration.settings.base_url);
        if let Some(approved_at) = &action.destination
            && *approved_at != now_at
        {
            return Err(Failure::Fatal(format!(
                "{} now points to {now_at}, not {approved_at} as when this action was proposed; \
                 propose it again",
                action.kind.label()
            )));
        }
        // A job that ran before may have gone through without hearing the answer.
        let retrying = job.attempts > 1;
        let outcome = self
            .inner
            .integrations
            .send(
                &integration,
                &action.payload,
                &action.correlation(),
                retrying,
            )
            .await?;
        let mut tx = self.db().begin().await?;
        actions::succeeded_in(&mut tx, self.db(), &action, &outcome, approver).await?;
        queue::complete_in(&mut tx, job, "sent").await?;
        tx.commit().await?;
        metrics::counter!("steward_actions_total", "kind" => action.kind.as_str(), "result" => "succeeded")
            .increment(1);
        self.announce_jobs();
        Ok(())
    }
}
