//! Steward's own Webex webhooks: registered at start-up, repaired when they drift, re-activated
//! when Webex disabled them (after 100 failed deliveries in five minutes Webex never does so by
//! itself). Each has a random secret kept in the database, which ingest verifies signatures with.

use futures::TryStreamExt;
use serde_json::json;

use crate::{
    audit::{self, Actor, NewEntry},
    bot::{Runtime, RuntimeError},
    db::{self, webhooks::WebhookRow},
    time::now_ms,
    webex::types::{CreateWebhook, UpdateWebhook, Webhook},
};

/// The webhooks Steward keeps: the firehose (messages, memberships and spaces) and card actions,
/// which the firehose does not cover.
pub const WANTED: [(&str, &str, &str); 2] = [
    ("Steward firehose", "all", "all"),
    ("Steward card actions", "attachmentActions", "created"),
];

/// What [`Runtime::sync_webhooks`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WebhookReport {
    /// Registered anew.
    pub created: usize,
    /// Changed to the current target or a new secret.
    pub repaired: usize,
    /// Webex had disabled them; active again.
    pub reactivated: usize,
    /// Already as they should be.
    pub unchanged: usize,
    /// Duplicates removed.
    pub removed: usize,
}

impl WebhookReport {
    /// Whether anything changed (and the secrets must be reloaded).
    pub fn changed(&self) -> bool {
        self.created + self.repaired + self.reactivated + self.removed > 0
    }
}

impl Runtime {
    /// Makes Webex's registrations match what Steward needs at the configured target; does
    /// nothing without a target. Safe to run at any time, from any replica.
    pub async fn sync_webhooks(&self) -> Result<WebhookReport, RuntimeError> {
        let mut report = WebhookReport::default();
        let Some(target) = self.inner.settings.webhook_target.clone() else {
            return Ok(report);
        };
        let existing: Vec<Webhook> = self.inner.bot.webhooks().try_collect().await?;
        // Opened here: a secret Steward keeps is sent back to Webex when a webhook is repaired.
        let stored: Vec<_> = db::webhooks::list(self.db())
            .await?
            .into_iter()
            .filter_map(|mut row| {
                let context = crate::vault::webhook_context(&row.webhook_id);
                row.secret = crate::vault::open(self.db().vault(), &context, &row.secret).ok()?;
                Some(row)
            })
            .collect();
        let now = now_ms();
        let mut kept = Vec::new();
        for (name, resource, event) in WANTED {
            let mut matching: Vec<&Webhook> = existing
                .iter()
                .filter(|w| w.name == name && w.resource == resource && w.event == event)
                .collect();
            // Prefer the registration whose secret Steward knows.
            matching.sort_by_key(|w| !stored.iter().any(|s| s.webhook_id == w.id));
            for duplicate in matching.iter().skip(1) {
                self.inner.bot.delete_webhook(&duplicate.id).await?;
                report.removed += 1;
            }
            let (action, webhook, secret) = match matching.first() {
                None => {
                    let secret = new_secret();
                    let created = self
                        .inner
                        .bot
                        .create_webhook(&CreateWebhook {
                            name: name.to_owned(),
                            target_url: target.clone(),
                            resource: resource.to_owned(),
                            event: event.to_owned(),
                            filter: None,
                            secret: Some(secret.clone()),
                        })
                        .await?;
                    report.created += 1;
                    ("webhook.register", created, secret)
                }
                Some(found) => {
                    let known = stored
                        .iter()
                        .find(|s| s.webhook_id == found.id)
                        .map(|s| s.secret.clone());
                    let needs_repair = known.is_none() || found.target_url != target;
                    let inactive = found.status != "active";
                    if !needs_repair && !inactive {
                        report.unchanged += 1;
                        kept.push(found.id.clone());
                        self.store_webhook(found, known.unwrap_or_default(), now)
                            .await?;
                        continue;
                    }
                    let secret = known.unwrap_or_else(new_secret);
                    let updated = self
                        .inner
                        .bot
                        .update_webhook(
                            &found.id,
                            &UpdateWebhook {
                                name: name.to_owned(),
                                target_url: target.clone(),
                                secret: Some(secret.clone()),
                                status: Some("active".to_owned()),
                            },
                        )
                        .await?;
                    if needs_repair {
                        report.repaired += 1;
                        ("webhook.repair", updated, secret)
                    } else {
                        report.reactivated += 1;
                        ("webhook.reactivate", updated, secret)
                    }
                }
            };
            kept.push(webhook.id.clone());
            let mut tx = self.db().begin().await?;
            db::webhooks::upsert(&mut tx, &row(self.db(), &webhook, secret, now)).await?;
            audit::append(
                &mut tx,
                self.db(),
                NewEntry {
                    actor: Actor::system("runtime"),
                    action: action.into(),
                    target: format!("webhook:{}", webhook.id),
                    before: None,
                    after: Some(json!({
                        "name": webhook.name,
                        "resource": webhook.resource,
                        "event": webhook.event,
                        "target_url": webhook.target_url,
                        "status": webhook.status,
                    })),
                },
            )
            .await?;
            tx.commit().await?;
            tracing::info!(webhook = %webhook.id, %name, %action, "Webex webhook in order");
        }
        // Registrations that are gone from Webex, or were duplicates, sign nothing any more.
        for gone in stored.iter().filter(|s| !kept.contains(&s.webhook_id)) {
            let mut tx = self.db().begin().await?;
            db::webhooks::delete(&mut tx, &gone.webhook_id).await?;
            tx.commit().await?;
        }
        Ok(report)
    }

    async fn store_webhook(
        &self,
        webhook: &Webhook,
        secret: String,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.db().begin().await?;
        db::webhooks::upsert(&mut tx, &row(self.db(), webhook, secret, now)).await?;
        tx.commit().await
    }
}

/// The row stored for `webhook`, its secret sealed when `db` has a secrets key.
fn row(db: &crate::Db, webhook: &Webhook, secret: String, now: i64) -> WebhookRow {
    let secret = crate::vault::seal(
        db.vault(),
        &crate::vault::webhook_context(&webhook.id),
        &secret,
    );
    WebhookRow {
        webhook_id: webhook.id.clone(),
        name: webhook.name.clone(),
        resource: webhook.resource.clone(),
        event: webhook.event.clone(),
        target_url: webhook.target_url.clone(),
        secret,
        status: webhook.status.clone(),
        registered_ms: now,
        checked_ms: now,
    }
}

/// 32 random bytes, hex: what Webex signs deliveries with.
fn new_secret() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}
