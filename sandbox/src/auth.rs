//! Bearer tokens and scopes.

use domain::time::now_ms;

use crate::{Sandbox, SandboxError, db as store};

/// The scope with which a compliance officer reads every space of the organization.
pub const COMPLIANCE_READ_SCOPE: &str = "spark-compliance:messages_read";

/// Who is calling, with what they may do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The person (or bot) the token belongs to.
    pub person_id: String,
    /// Whether that is a bot.
    pub is_bot: bool,
    /// The token's scopes, e.g. `spark:all` or `spark:messages_read`.
    pub scopes: Vec<String>,
    /// The organization whose every space the caller may read, for a compliance officer whose
    /// token carries `spark-compliance:messages_read`.
    pub compliance_org: Option<String>,
}

impl Caller {
    /// Fails with 403 unless the token carries `scope` (`spark:all` carries every `spark:` scope).
    pub fn require(&self, scope: &str) -> Result<(), SandboxError> {
        let granted = self
            .scopes
            .iter()
            .any(|s| s == scope || (s == "spark:all" && scope.starts_with("spark:")));
        if granted {
            Ok(())
        } else {
            Err(SandboxError::forbidden(format!(
                "Missing required scope: {scope}"
            )))
        }
    }
}

impl Sandbox {
    /// Resolves an `Authorization` header value (`Bearer <token>`) to the caller; 401 when it is
    /// missing, malformed, unknown, revoked or expired.
    pub async fn authenticate(&self, authorization: Option<&str>) -> Result<Caller, SandboxError> {
        let token = authorization
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(SandboxError::unauthorized)?;
        let found = store::find_access_token(&self.db, token, now_ms())
            .await?
            .ok_or_else(SandboxError::unauthorized)?;
        let scopes: Vec<String> = found.scope.split_whitespace().map(str::to_owned).collect();
        let compliance_org = (found.is_compliance_officer == 1
            && scopes.iter().any(|s| s == COMPLIANCE_READ_SCOPE))
        .then_some(found.org_id);
        Ok(Caller {
            person_id: found.person_id,
            is_bot: found.kind == "bot",
            scopes,
            compliance_org,
        })
    }

    /// A long-lived token with `spark:all` for a person or bot, as a personal access token or bot
    /// token would be.
    pub async fn issue_personal_token(&self, person_id: &str) -> Result<String, SandboxError> {
        let token = random_token();
        store::insert_token(
            &self.db,
            &token,
            "access",
            person_id,
            None,
            "spark:all",
            None,
        )
        .await?;
        Ok(token)
    }
}

impl Sandbox {
    /// A long-lived token for the demo person or bot with this e-mail; a compliance officer's
    /// token also carries [`COMPLIANCE_READ_SCOPE`].
    pub async fn token_for_email(&self, email: &str) -> Result<String, SandboxError> {
        let person = store::find_person_by_email(self.db.reader(), email)
            .await?
            .ok_or_else(|| {
                SandboxError::not_found(format!("Nobody in the sandbox has the e-mail {email}."))
            })?;
        if person.is_compliance_officer != 1 {
            return self.issue_personal_token(&person.id).await;
        }
        let token = random_token();
        store::insert_token(
            &self.db,
            &token,
            "access",
            &person.id,
            None,
            &format!("spark:all {COMPLIANCE_READ_SCOPE}"),
            None,
        )
        .await?;
        Ok(token)
    }
}

/// 32 random bytes, hex: unguessable and URL-safe.
pub(crate) fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}
