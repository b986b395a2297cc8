//! Webhook delivery: POSTs queued events to their targets, signed, and disables a webhook after
//! 100 failed deliveries within five minutes, as Webex does.

use std::time::Duration;

use domain::{
    time::now_ms,
    webex::signature::{SIGNATURE_HEADER, sign},
};

use crate::{
    Sandbox, SandboxError,
    db::{self as store, PendingDelivery},
};

/// Failures within [`FAILURE_WINDOW_MS`] that make a webhook inactive.
const FAILURES_TO_DISABLE: i64 = 100;
const FAILURE_WINDOW_MS: i64 = 5 * 60 * 1000;
const BATCH: i64 = 100;

/// What one pass of [`Sandbox::deliver_pending`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Answered with a 2xx.
    pub delivered: usize,
    /// Unreachable, timed out, or answered otherwise.
    pub failed: usize,
    /// Dropped by fault injection, or because the webhook had become inactive.
    pub dropped: usize,
}

impl DeliveryReport {
    /// Whether the pass had anything to do.
    pub fn is_empty(&self) -> bool {
        self.delivered + self.failed + self.dropped == 0
    }
}

impl Sandbox {
    /// Delivers queued events in order, each POST bounded by `timeout`. Webex does not retry
    /// failed deliveries, and neither does the sandbox.
    pub async fn deliver_pending(
        &self,
        http: &reqwest::Client,
        timeout: Duration,
    ) -> Result<DeliveryReport, SandboxError> {
        let mut report = DeliveryReport::default();
        loop {
            let batch = store::pending_deliveries(&self.db, BATCH).await?;
            if batch.is_empty() {
                return Ok(report);
            }
            for delivery in batch {
                self.deliver_one(http, timeout, delivery, &mut report)
                    .await?;
            }
        }
    }

    async fn deliver_one(
        &self,
        http: &reqwest::Client,
        timeout: Duration,
        delivery: PendingDelivery,
        report: &mut DeliveryReport,
    ) -> Result<(), SandboxError> {
        let now = now_ms();
        // Re-read the status: an earlier delivery in this batch may have disabled the webhook.
        let active = store::find_webhook(self.db.reader(), &delivery.webhook_id)
            .await?
            .is_some_and(|w| w.status == "active");
        if !active || self.take_delivery_drop() {
            let reason = if active {
                "dropped by fault injection"
            } else {
                "webhook inactive"
            };
            store::finish_delivery(&self.db, delivery.seq, "dropped", None, Some(reason), now)
                .await?;
            report.dropped += 1;
            return Ok(());
        }
        let mut request = http
            .post(&delivery.target_url)
            .timeout(timeout)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(delivery.body.clone());
        if let Some(secret) = &delivery.secret {
            request = request.header(
                SIGNATURE_HEADER,
                sign(secret.as_bytes(), delivery.body.as_bytes()),
            );
        }
        let outcome = request.send().await;
        let (ok, status, error) = match outcome {
            Ok(response) if response.status().is_success() => {
                (true, Some(i64::from(response.status().as_u16())), None)
            }
            Ok(response) => (
                false,
                Some(i64::from(response.status().as_u16())),
                Some(format!("answered {}", response.status())),
            ),
            Err(e) => (false, None, Some(domain::error_chain(&e))),
        };
        if ok {
            store::finish_delivery(&self.db, delivery.seq, "delivered", status, None, now).await?;
            report.delivered += 1;
            return Ok(());
        }
        store::finish_delivery(
            &self.db,
            delivery.seq,
            "failed",
            status,
            error.as_deref(),
            now,
        )
        .await?;
        report.failed += 1;
        let failures =
            store::record_failure(&self.db, &delivery.webhook_id, now, now - FAILURE_WINDOW_MS)
                .await?;
        if let Some(mut webhook) =
            store::find_webhook(self.db.reader(), &delivery.webhook_id).await?
        {
            let recently_reactivated = webhook
                .disabled_at_ms
                .is_some_and(|at| now - at < FAILURE_WINDOW_MS);
            if failures >= FAILURES_TO_DISABLE || recently_reactivated {
                tracing::warn!(webhook = %webhook.id, failures, "sandbox webhook disabled after failed deliveries");
                webhook.status = "inactive".to_owned();
                webhook.disabled_at_ms = Some(now);
                store::update_webhook(&self.db, &webhook).await?;
            }
        }
        Ok(())
    }

    /// `(state, count)` of every delivery so far.
    pub async fn delivery_counts(&self) -> Result<Vec<(String, i64)>, SandboxError> {
        Ok(store::delivery_counts(&self.db).await?)
    }
}
