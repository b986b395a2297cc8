//! Server functions of the People page: who has which Steward role. Admins only.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use vocab::Role;

use crate::error::ConsoleError;

/// A person and their Steward roles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRoles {
    /// Their e-mail.
    pub email: String,
    /// Their name from Webex, once they have signed in.
    pub name: Option<String>,
    /// Their roles.
    pub roles: Vec<Role>,
    /// Whether they have signed in at least once.
    pub signed_in: bool,
}

/// Everyone Steward knows, with their roles.
#[server(prefix = "/api", endpoint = "load_people")]
pub async fn load_people() -> Result<Vec<PersonRoles>, ConsoleError> {
    crate::state::require_role(&[Role::Admin])?;
    let state = crate::state::app_state()?;
    let people = domain::users::list(&state.db).await?;
    Ok(people
        .into_iter()
        .map(|(user, roles)| PersonRoles {
            email: user.email,
            name: user.display_name,
            roles,
            signed_in: user.webex_person_id.is_some(),
        })
        .collect())
}

#[cfg(feature = "ssr")]
fn parse(email: &str, role: &str) -> Result<(domain::users::EmailAddress, Role), ConsoleError> {
    let email = domain::users::EmailAddress::parse(email)
        .map_err(|e| ConsoleError::field("email", e.to_string()))?;
    let role = role
        .parse()
        .map_err(|e: vocab::UnknownTerm| ConsoleError::field("role", e.to_string()))?;
    Ok((email, role))
}

/// Gives the person with `email` the `role`; they need not have signed in yet.
#[server(prefix = "/api", endpoint = "grant_role")]
pub async fn grant_role(
    /// Their e-mail.
    email: String,
    /// `admin`, `reviewer` or `manager`.
    role: String,
) -> Result<(), ConsoleError> {
    let admin = crate::state::require_role(&[Role::Admin])?;
    let (email, role) = parse(&email, &role)?;
    let state = crate::state::app_state()?;
    domain::users::grant_role(&state.db, &email, role, &crate::state::actor(&admin)).await?;
    Ok(())
}

/// Takes `role` from the person with `email`. The last admin keeps theirs.
#[server(prefix = "/api", endpoint = "revoke_role")]
pub async fn revoke_role(
    /// Their e-mail.
    email: String,
    /// `admin`, `reviewer` or `manager`.
    role: String,
) -> Result<(), ConsoleError> {
    let admin = crate::state::require_role(&[Role::Admin])?;
    let (email, role) = parse(&email, &role)?;
    let state = crate::state::app_state()?;
    domain::users::revoke_role(&state.db, &email, role, &crate::state::actor(&admin)).await?;
    Ok(())
}
