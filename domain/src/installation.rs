//! What a database was set up for, and the refusal to open it as anything else.
//!
//! Sandbox mode lets anyone who reaches Steward sign in as any demo person, admins included, and
//! writes demo credentials for the integration stand-ins. A database is therefore marked, the
//! first time Steward opens it, as [`InstallationKind::Sandbox`] or
//! [`InstallationKind::Production`], and [`claim`] refuses to open it as the other kind.

pub use vocab::InstallationKind;

use crate::{Db, db};

/// Why the database may not be opened as asked.
#[derive(Debug, thiserror::Error)]
pub enum InstallationError {
    /// The database holds the other kind of installation.
    #[error(
        "this database holds a {} installation and cannot be opened in {} mode; {}",
        .marked.label().to_lowercase(),
        .asked.label().to_lowercase(),
        advice(*.marked)
    )]
    OtherKind {
        /// What the database was set up for.
        marked: InstallationKind,
        /// What this process runs as.
        asked: InstallationKind,
    },
    /// The database failed.
    #[error("cannot read what the database was set up for")]
    Query(#[from] sqlx::Error),
}

fn advice(marked: InstallationKind) -> &'static str {
    match marked {
        InstallationKind::Sandbox => {
            "its demo people, roles and credentials must not serve real Webex. Give production \
             a database of its own"
        }
        InstallationKind::Production => {
            "sandbox sign-in would let anyone act as its admins. Give the sandbox a database of \
             its own"
        }
    }
}

/// Opens the database as `asked`: marks an unmarked database (one that the sandbox has seeded
/// before marks existed counts as a sandbox), and refuses one marked as the other kind.
pub async fn claim(db: &Db, asked: InstallationKind) -> Result<(), InstallationError> {
    let marked = match db::installation::kind(db).await? {
        Some(marked) => marked,
        None => {
            let found = if db::installation::has_sandbox_people(db).await? {
                InstallationKind::Sandbox
            } else {
                asked
            };
            db::installation::mark(db, found).await?
        }
    };
    if marked == asked {
        Ok(())
    } else {
        Err(InstallationError::OtherKind { marked, asked })
    }
}

/// What the database was set up for, once it has been opened by a Steward that marks it.
pub async fn kind(db: &Db) -> Result<Option<InstallationKind>, InstallationError> {
    Ok(db::installation::kind(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db_test;

    db_test!(async fn an_unmarked_database_takes_the_kind_it_is_first_opened_as(db) {
        claim(&db, InstallationKind::Production).await.unwrap();
        assert_eq!(kind(&db).await.unwrap(), Some(InstallationKind::Production));
        claim(&db, InstallationKind::Production).await.unwrap();
        let refused = claim(&db, InstallationKind::Sandbox).await.unwrap_err();
        assert!(
            matches!(
                refused,
                InstallationError::OtherKind {
                    marked: InstallationKind::Production,
                    asked: InstallationKind::Sandbox
                }
            ),
            "{refused:?}"
        );
        assert!(refused.to_string().contains("sandbox sign-in would let anyone"));
    });

    db_test!(async fn a_sandbox_database_is_never_opened_for_production(db) {
        claim(&db, InstallationKind::Sandbox).await.unwrap();
        let refused = claim(&db, InstallationKind::Production).await.unwrap_err();
        assert!(
            refused.to_string().contains("cannot be opened in production mode"),
            "{refused}"
        );
    });
}
