//! The signing secrets of Steward's webhooks, kept in memory for the ingest path.

use std::{
    fmt,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use crate::{Db, db, webex::signature};

/// Reloads from the database happen at most this often, so a flood of forged signatures costs
/// one query a second, not one per request.
const RELOAD_INTERVAL: Duration = Duration::from_secs(1);

/// The secrets every webhook Steward registered signs its deliveries with. A delivery is
/// authentic when its `X-Spark-Signature` verifies under one of them. Cheap to clone.
#[derive(Clone)]
pub struct WebhookSecrets {
    db: Db,
    state: Arc<RwLock<State>>,
}

struct State {
    /// `(webhook id, secret)`.
    secrets: Vec<(String, Vec<u8>)>,
    loaded_at: Instant,
}

impl fmt::Debug for WebhookSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The secrets themselves never reach a log.
        let count = self.state.read().map(|s| s.secrets.len()).unwrap_or(0);
        f.debug_struct("WebhookSecrets")
            .field("webhooks", &count)
            .finish_non_exhaustive()
    }
}

impl WebhookSecrets {
    /// Loads the secrets of every registered webhook.
    pub async fn load(db: Db) -> Result<Self, sqlx::Error> {
        let secrets = db::webhooks::secrets(&db).await?;
        Ok(Self {
            state: Arc::new(RwLock::new(State {
                secrets: into_bytes(&db, secrets),
                loaded_at: Instant::now(),
            })),
            db,
        })
    }

    /// Reads the secrets again, e.g. after Steward (or another replica) registered webhooks.
    pub async fn reload(&self) -> Result<(), sqlx::Error> {
        let secrets = into_bytes(&self.db, db::webhooks::secrets(&self.db).await?);
        let mut state = self.state.write().expect("secrets lock");
        state.secrets = secrets;
        state.loaded_at = Instant::now();
        Ok(())
    }

    /// The ID of the webhook whose secret signed exactly `body`, or `None` when the signature is
    /// missing or matches none. A miss re-reads the secrets once (rate-limited), because another
    /// replica may have just re-registered a webhook with a new secret.
    pub async fn verify(&self, body: &[u8], signature: Option<&str>) -> Option<String> {
        let signature = signature?;
        if let Some(id) = self.check(body, signature) {
            return Some(id);
        }
        let stale = self
            .state
            .read()
            .map(|s| s.loaded_at.elapsed() >= RELOAD_INTERVAL)
            .unwrap_or(false);
        if !stale {
            return None;
        }
        if let Err(error) = self.reload().await {
            tracing::warn!(error = %crate::error_chain(&error), "cannot reload webhook secrets");
            return None;
        }
        self.check(body, signature)
    }

    fn check(&self, body: &[u8], signature: &str) -> Option<String> {
        let state = self.state.read().expect("secrets lock");
        // Every secret is tried (each comparison in constant time), so the time taken does not
        // tell which webhook, if any, came close.
        let mut found = None;
        for (id, secret) in &state.secrets {
            if signature::verify(secret, body, signature) && found.is_none() {
                found = Some(id.clone());
            }
        }
        found
    }

    /// How many webhooks have a secret.
    pub fn len(&self) -> usize {
        self.state.read().map(|s| s.secrets.len()).unwrap_or(0)
    }

    /// Whether no webhook is registered yet (every delivery would be refused).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The secrets as Webex signs with them: opened when sealed. One that does not open (its key is
/// missing) is left out with a warning; deliveries it signed are refused like forged ones.
fn into_bytes(db: &Db, secrets: Vec<(String, String)>) -> Vec<(String, Vec<u8>)> {
    secrets
        .into_iter()
        .filter_map(|(id, stored)| {
            match crate::vault::open(db.vault(), &crate::vault::webhook_context(&id), &stored) {
                Ok(secret) => Some((id, secret.into_bytes())),
                Err(error) => {
                    tracing::warn!(webhook = %id, error = %error, "cannot open a webhook secret");
                    None
                }
            }
        })
        .collect()
}
