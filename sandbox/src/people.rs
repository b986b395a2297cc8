//! `GET /people/me` and `GET /people/{id}`.

use domain::webex::{timestamp::format_ms, types::Person};

use crate::{
    Caller, Sandbox, SandboxError,
    db::{self as store, PersonRow},
};

/// The Full Administrator role ID Webex reports for org admins.
pub const FULL_ADMIN_ROLE: &str = "Y2lzY29zcGFyazovL3VzL1JPTEUvaWRfZnVsbF9hZG1pbg";

pub(crate) fn person_json(row: &PersonRow) -> Person {
    Person {
        id: row.id.clone(),
        emails: vec![row.email.clone()],
        display_name: row.display_name.clone(),
        nick_name: row.first_name.clone(),
        first_name: row.first_name.clone(),
        last_name: row.last_name.clone(),
        org_id: row.org_id.clone(),
        roles: if row.is_org_admin == 1 {
            vec![FULL_ADMIN_ROLE.to_owned()]
        } else {
            Vec::new()
        },
        created: format_ms(row.created_ms),
        status: Some(
            if row.kind == "bot" {
                "unknown"
            } else {
                "active"
            }
            .to_owned(),
        ),
        kind: row.kind.clone(),
    }
}

impl Sandbox {
    /// The caller.
    pub async fn me(&self, caller: &Caller) -> Result<Person, SandboxError> {
        caller.require("spark:people_read")?;
        self.person(caller, &caller.person_id).await
    }

    /// Anyone in the sandbox's org.
    pub async fn person(&self, caller: &Caller, id: &str) -> Result<Person, SandboxError> {
        caller.require("spark:people_read")?;
        let row = store::find_person(self.db.reader(), id)
            .await?
            .ok_or_else(|| SandboxError::not_found("Person not found."))?;
        Ok(person_json(&row))
    }

    /// Every person and bot, for the console's Sandbox page.
    pub async fn people(&self) -> Result<Vec<Person>, SandboxError> {
        Ok(store::list_people(&self.db)
            .await?
            .iter()
            .map(person_json)
            .collect())
    }
}
