//! People who use the console and the roles Steward gives them.
//!
//! Roles are Steward's own (Webex knows nothing of them) and every grant or revocation is
//! written to the audit log in the same transaction.

use std::fmt;

use serde::Serialize;
use serde_json::json;

use crate::{
    Db,
    audit::{self, Actor, NewEntry},
    db,
};

pub use vocab::Role;

/// A syntactically valid e-mail address, trimmed and lower-cased, as Webex reports it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses an address: one `@`, a non-empty local part, a dotted domain, no spaces, at most
    /// 254 characters.
    pub fn parse(raw: &str) -> Result<Self, UsersError> {
        let email = raw.trim().to_lowercase();
        let invalid = || UsersError::InvalidEmail(raw.trim().to_owned());
        if email.len() > 254 || email.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.contains('@')
            && domain.split('.').all(|label| !label.is_empty());
        if local.is_empty() || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person known to Steward.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct User {
    /// Steward's id.
    pub id: i64,
    /// Lower-cased e-mail address.
    pub email: String,
    /// Name shown in the console, from Webex.
    pub display_name: Option<String>,
    /// The Webex person id, known once they have signed in.
    pub webex_person_id: Option<String>,
    /// The Webex organisation id, known once they have signed in.
    pub webex_org_id: Option<String>,
    /// When Steward first heard of them.
    pub created_at_ms: i64,
}

/// Why a people or roles operation failed.
#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    /// The text is not an e-mail address.
    #[error("`{0}` is not a valid e-mail address")]
    InvalidEmail(String),
    /// Taking the admin role from the last admin would lock everyone out of the console.
    #[error("{0} is the last admin; make someone else an admin first")]
    LastAdmin(String),
    /// The database failed.
    #[error("people and roles query failed")]
    Query(#[from] sqlx::Error),
}

/// Gives `email` the `role`, creating the person if Steward has not met them yet. Returns whether
/// anything changed; a new grant is audited as `role.grant`.
pub async fn grant_role(
    db: &Db,
    email: &EmailAddress,
    role: Role,
    actor: &Actor,
) -> Result<bool, UsersError> {
    let mut tx = db.begin().await?;
    let user = db::users::upsert_by_email(&mut tx, email).await?;
    let before = db::users::roles_of(&mut *tx, user.id).await?;
    let granted = db::users::insert_role(&mut tx, user.id, role, actor).await?;
    if granted {
        let mut after = before.clone();
        after.push(role);
        after.sort();
        audit::append(
            &mut tx,
            db,
            NewEntry {
                actor: actor.clone(),
                action: "role.grant".into(),
                target: format!("user:{email}"),
                before: Some(json!({ "roles": before })),
                after: Some(json!({ "roles": after })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(granted)
}

/// Takes `role` away from `email`. Returns whether they had it; a revocation is audited as
/// `role.revoke`.
pub async fn revoke_role(
    db: &Db,
    email: &EmailAddress,
    role: Role,
    actor: &Actor,
) -> Result<bool, UsersError> {
    let mut tx = db.begin().await?;
    let Some(user) = db::users::find_by_email(&mut *tx, email).await? else {
        return Ok(false);
    };
    let before = db::users::roles_of(&mut *tx, user.id).await?;
    if role == Role::Admin
        && before.contains(&Role::Admin)
        && db::users::count_with_role(&mut *tx, Role::Admin).await? <= 1
    {
        return Err(UsersError::LastAdmin(email.to_string()));
    }
    let revoked = db::users::delete_role(&mut tx, user.id, role).await?;
    if revoked {
        let after: Vec<Role> = before.iter().copied().filter(|r| *r != role).collect();
        audit::append(
            &mut tx,
            db,
            NewEntry {
                actor: actor.clone(),
                action: "role.revoke".into(),
                target: format!("user:{email}"),
                before: Some(json!({ "roles": before })),
                after: Some(json!({ "roles": after })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(revoked)
}

/// The person with this address and their roles, if Steward knows them.
pub async fn find_with_roles(
    db: &Db,
    email: &EmailAddress,
) -> Result<Option<(User, Vec<Role>)>, UsersError> {
    let mut conn = db.reader().acquire().await?;
    let Some(user) = db::users::find_by_email(&mut *conn, email).await? else {
        return Ok(None);
    };
    let roles = db::users::roles_of(&mut *conn, user.id).await?;
    Ok(Some((user, roles)))
}

/// Who signed in, as Webex reported them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebexProfile {
    /// Primary e-mail.
    pub email: EmailAddress,
    /// Display name.
    pub display_name: String,
    /// Webex person ID.
    pub person_id: String,
    /// Webex organization ID.
    pub org_id: String,
}

/// Records a sign-in: creates or updates the person from their Webex profile and audits it as
/// `session.sign_in`. Returns the person and their roles.
pub async fn sign_in(db: &Db, profile: &WebexProfile) -> Result<(User, Vec<Role>), UsersError> {
    let mut tx = db.begin().await?;
    let user = db::users::upsert_by_email(&mut tx, &profile.email).await?;
    db::users::update_profile(
        &mut tx,
        user.id,
        &profile.display_name,
        &profile.person_id,
        &profile.org_id,
    )
    .await?;
    let roles = db::users::roles_of(&mut *tx, user.id).await?;
    audit::append(
        &mut tx,
        db,
        NewEntry {
            actor: Actor::User(user.id),
            action: "session.sign_in".into(),
            target: format!("user:{}", profile.email),
            before: None,
            after: Some(json!({ "roles": roles, "webex_org_id": profile.org_id })),
        },
    )
    .await?;
    let user = db::users::find_by_email(&mut *tx, &profile.email)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    tx.commit().await?;
    Ok((user, roles))
}

/// Everyone Steward knows (people with roles, and people who signed in without one), with their
/// roles, by e-mail.
pub async fn list(db: &Db) -> Result<Vec<(User, Vec<Role>)>, UsersError> {
    let users = db::users::all(db).await?;
    let grants = db::users::all_roles(db).await?;
    Ok(users
        .into_iter()
        .map(|user| {
            let mut roles: Vec<Role> = grants
                .iter()
                .filter(|(id, _)| *id == user.id)
                .map(|(_, role)| *role)
                .collect();
            roles.sort();
            (user, roles)
        })
        .collect())
}

/// Who an audit actor is, for people to read: a person's name (or e-mail), `Steward (part)` for
/// Steward itself, or the Webex person ID for someone acting from Webex.
pub async fn describe_actor(db: &Db, actor: &Actor) -> Result<String, UsersError> {
    let user = match actor {
        Actor::User(id) => db::users::find_by_id(db.reader(), *id).await?,
        Actor::System(part) => return Ok(format!("Steward ({part})")),
        Actor::Webex(person) => match db::users::find_by_person_id(db.reader(), person).await? {
            Some(user) => Some(user),
            None => {
                let known = db::people::names_by_id(db, &[person.as_str()]).await?;
                return Ok(known
                    .into_iter()
                    .next()
                    .map_or_else(|| "a Webex person".to_owned(), |(_, name)| name));
            }
        },
    };
    Ok(user.map_or_else(|| actor.to_string(), |u| u.display_name.unwrap_or(u.email)))
}

/// The person with this Webex person ID, if they signed in to the console once.
pub async fn find_by_person_id(
    db: &Db,
    person_id: &str,
) -> Result<Option<(User, Vec<Role>)>, UsersError> {
    let mut conn = db.reader().acquire().await?;
    let Some(user) = db::users::find_by_person_id(&mut *conn, person_id).await? else {
        return Ok(None);
    };
    let roles = db::users::roles_of(&mut *conn, user.id).await?;
    Ok(Some((user, roles)))
}

/// The person with this Steward id and their roles.
pub async fn find_by_id_with_roles(
    db: &Db,
    user_id: i64,
) -> Result<Option<(User, Vec<Role>)>, UsersError> {
    let mut conn = db.reader().acquire().await?;
    let Some(user) = db::users::find_by_id(&mut *conn, user_id).await? else {
        return Ok(None);
    };
    let roles = db::users::roles_of(&mut *conn, user.id).await?;
    Ok(Some((user, roles)))
}

/// Makes sure every configured address holds the admin role (`STEWARD_ADMIN_EMAILS`). Returns how
/// many grants were new. Safe to run at every start-up.
pub async fn seed_admins(db: &Db, emails: &[EmailAddress]) -> Result<usize, UsersError> {
    let actor = Actor::system("config");
    let mut granted = 0;
    for email in emails {
        if grant_role(db, email, Role::Admin, &actor).await? {
            granted += 1;
        }
    }
    Ok(granted)
}

/// How many people hold each role, in [`Role::ALL`] order.
pub async fn role_counts(db: &Db) -> Result<Vec<(Role, i64)>, UsersError> {
    let counts = db::users::role_counts(db).await?;
    Ok(Role::ALL
        .into_iter()
        .map(|role| {
            let n = counts
                .iter()
                .find(|(r, _)| *r == role)
                .map_or(0, |(_, n)| *n);
            (role, n)
        })
        .collect())
}

impl crate::Classify for UsersError {
    fn is_transient(&self) -> bool {
        match self {
            Self::Query(e) => e.is_transient(),
            Self::InvalidEmail(_) | Self::LastAdmin(_) => false,
        }
    }

    fn refusal(&self) -> Option<String> {
        match self {
            Self::InvalidEmail(_) | Self::LastAdmin(_) => Some(self.to_string()),
            Self::Query(_) => None,
        }
    }
}

#[cfg(test)]
mod tests;
